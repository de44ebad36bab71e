"""qdgain.structure: zincblende nanocrystals (shapes, trimming, neighbour shells, ASE/xyz IO)."""

from qdgain.structure.io import from_ase, to_ase, write_xyz
from qdgain.structure.lattice import NeighbourShell
from qdgain.structure.nanocrystal import Nanocrystal, coordination, nanocrystal, surface_atoms
from qdgain.structure.shapes import Cube, CustomShape, Sphere, Tetrahedron

__all__ = [
    "Nanocrystal",
    "NeighbourShell",
    "nanocrystal",
    "Sphere",
    "Tetrahedron",
    "Cube",
    "CustomShape",
    "coordination",
    "surface_atoms",
    "to_ase",
    "from_ase",
    "write_xyz",
]
