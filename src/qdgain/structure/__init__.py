"""qdgain.structure: zincblende nanocrystals (shapes, trimming, neighbour shells, ASE/xyz IO)."""

from qdgain.structure.io import ANGSTROM_PER_NM, from_ase, to_ase, write_xyz
from qdgain.structure.lattice import (
    CENTRES,
    NeighbourShell,
    bond_directions,
    find_neighbour_shells,
    shell_distances_nm,
    zincblende_block,
)
from qdgain.structure.nanocrystal import (
    Nanocrystal,
    coordination,
    nanocrystal,
    resolve_material,
    surface_atoms,
)
from qdgain.structure.shapes import (
    TETRAHEDRON_NORMALS,
    Cube,
    CustomShape,
    Shape,
    Sphere,
    Tetrahedron,
)

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
    "ANGSTROM_PER_NM",
    "CENTRES",
    "zincblende_block",
    "shell_distances_nm",
    "find_neighbour_shells",
    "bond_directions",
    "resolve_material",
    "Shape",
    "TETRAHEDRON_NORMALS",
]
