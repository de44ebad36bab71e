"""Zincblende nanocrystals: cut a bulk block once, mask it with a shape, trim, list neighbours.

``nanocrystal(material, shape, centre, passivate) -> Nanocrystal`` is the only builder; analysis
lives in plain functions (:func:`coordination`, :func:`surface_atoms`), not in methods (STYLE R3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qdgain.errors import ParameterError
from qdgain.structure.lattice import (
    CENTRES,
    NeighbourShell,
    bond_directions,
    find_neighbour_shells,
    zincblende_block,
)
from qdgain.structure.shapes import Cube, CustomShape, Shape, Sphere, Tetrahedron

__all__ = ["Nanocrystal", "nanocrystal", "coordination", "surface_atoms", "resolve_material"]

_SHAPES = (Sphere, Tetrahedron, Cube, CustomShape)
# cosine above which a found bond is matched to one of the four ideal ⟨111⟩ directions
_DIRECTION_MATCH = 0.99


@dataclass(frozen=True, slots=True, eq=False)
class Nanocrystal:
    """An immutable zincblende nanocrystal (arrays are read-only).

    Attributes
    ----------
    positions_nm : ndarray (N, 3)
        Atom positions, nm, relative to the dot centre.
    species : ndarray of str (N,)
        Element symbol per atom.
    is_cation : ndarray of bool (N,)
    shells : tuple of NeighbourShell
        Neighbour pairs of shell 1 (bonds) and shell 2 (second neighbours), i < j, vectors
        ``d_nm = r_j − r_i``.
    dangling_atom : ndarray of int (D,)
        Atom owning each dangling bond (one row per missing nearest neighbour).
    dangling_direction : ndarray (D, 3)
        Unit vector of each dangling bond (direction of the missing neighbour).
    lattice_constant_nm : float
    cation, anion : str
    passivated : bool
        Whether the dangling bonds are to be passivated by the Hamiltonian.
    provenance : dict
        How the dot was built (material, parameter source, shape, centre, trimming).
    """

    positions_nm: np.ndarray
    species: np.ndarray
    is_cation: np.ndarray
    shells: tuple[NeighbourShell, ...]
    dangling_atom: np.ndarray
    dangling_direction: np.ndarray
    lattice_constant_nm: float
    cation: str
    anion: str
    passivated: bool = True
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def n_atoms(self) -> int:
        """Number of atoms."""
        return len(self.positions_nm)

    @property
    def bonds(self) -> NeighbourShell:
        """Nearest-neighbour pairs (shell 1)."""
        return self.shells[0]

    @property
    def counts(self) -> dict[str, int]:
        """Atoms per species, e.g. ``{"Hg": 321, "Te": 336}``."""
        return {self.cation: int(self.is_cation.sum()), self.anion: int((~self.is_cation).sum())}

    @property
    def stoichiometry(self) -> float:
        """Cation / anion ratio (1 for a stoichiometric dot)."""
        n_an = int((~self.is_cation).sum())
        return float(self.is_cation.sum()) / n_an if n_an else float("inf")

    @property
    def formula(self) -> str:
        """Chemical formula, e.g. ``"Hg321Te336"``."""
        c = self.counts
        return f"{self.cation}{c[self.cation]}{self.anion}{c[self.anion]}"

    @property
    def diameter_nm(self) -> float:
        """Diameter (nm) of the sphere with the volume of N atoms at the bulk density 8/a³."""
        return float((6.0 * self.n_atoms * self.lattice_constant_nm**3 / (8.0 * np.pi)) ** (1 / 3))

    def shell(self, s: int) -> NeighbourShell:
        """Pairs of neighbour shell ``s`` (1 or 2)."""
        for sh in self.shells:
            if sh.shell == s:
                return sh
        raise ParameterError(f"neighbour shell {s} not listed; this dot has shells "
                             f"{[sh.shell for sh in self.shells]}")

    def to_ase(self, with_passivants: bool = False) -> Any:
        """ASE ``Atoms`` (positions in Å); see :func:`qdgain.structure.io.to_ase`."""
        from qdgain.structure.io import to_ase

        return to_ase(self, with_passivants=with_passivants)

    def write_xyz(self, path: Any) -> None:
        """Write an ``.xyz`` file (Å); see :func:`qdgain.structure.io.write_xyz`."""
        from qdgain.structure.io import write_xyz

        write_xyz(self, path)

    def __getattr__(self, name: str) -> Any:
        if name in {"eigenstates", "energies", "levels", "hamiltonian", "states", "gap_eV"}:
            raise AttributeError(
                f"Nanocrystal has no {name!r}: build a Hamiltonian first, "
                "`H = qdgain.electronic.hamiltonian(nc, params)`, then "
                "`qdgain.electronic.band_edge_states(H)`"
            )
        raise AttributeError(f"'Nanocrystal' object has no attribute {name!r}")


def resolve_material(material_or_params: Any) -> Any:
    """Return an object with ``lattice_constant_nm``, ``cation``, ``anion`` (TBParameters).

    A string is passed to :func:`qdgain.materials.load_parameters` (a material or parameter-set
    name, or a file path).
    """
    if isinstance(material_or_params, str):
        from qdgain import materials

        loader = getattr(materials, "load_parameters", None)
        if loader is None:  # pragma: no cover - only while materials is being written
            raise ParameterError("qdgain.materials.load_parameters is not available yet; "
                                 "pass a TBParameters object")
        return loader(material_or_params)
    missing = [a for a in ("lattice_constant_nm", "cation", "anion")
               if not hasattr(material_or_params, a)]
    if missing:
        raise ParameterError(
            f"material {material_or_params!r} lacks {missing}; pass a material name such as "
            "'HgTe' or the TBParameters from qdgain.materials.load_parameters"
        )
    return material_or_params


def _trim(positions: np.ndarray, a_nm: float, is_cation: np.ndarray,
          min_anion_neighbours: int = 2) -> tuple[np.ndarray, int]:
    """Indices of atoms kept after removing, iteratively, those with < 2 in-dot neighbours
    (anions: fewer than ``min_anion_neighbours``)."""
    bonds = find_neighbour_shells(positions, a_nm, max_shell=1)[0]
    keep = np.ones(len(positions), bool)
    need = np.where(is_cation, 2, max(2, min_anion_neighbours))
    removed = 0
    while True:
        alive = keep[bonds.i] & keep[bonds.j]
        coord = np.bincount(bonds.i[alive], minlength=len(keep)) + np.bincount(
            bonds.j[alive], minlength=len(keep))
        drop = keep & (coord < need)
        if not drop.any():
            return np.flatnonzero(keep), removed
        removed += int(drop.sum())
        keep &= ~drop


def _dangling(positions: np.ndarray, is_cation: np.ndarray,
              bonds: NeighbourShell) -> tuple[np.ndarray, np.ndarray]:
    """Dangling bonds: the ideal ⟨111⟩ directions of each atom with no neighbour along them."""
    ideal = bond_directions(is_cation)  # (N, 4, 3)
    unit = bonds.d_nm / np.linalg.norm(bonds.d_nm, axis=1)[:, None]
    present = np.zeros((len(positions), 4), bool)
    for atoms, vec in ((bonds.i, unit), (bonds.j, -unit)):
        cos = np.einsum("mkc,mc->mk", ideal[atoms], vec)
        slot = np.argmax(cos, axis=1)
        ok = cos[np.arange(len(atoms)), slot] > _DIRECTION_MATCH
        present[atoms[ok], slot[ok]] = True
    atom, slot = np.nonzero(~present)
    return atom, ideal[atom, slot]


def _freeze(*arrays: np.ndarray) -> None:
    for arr in arrays:
        arr.setflags(write=False)


def build_from_sites(positions_nm: np.ndarray, is_cation: np.ndarray, params: Any, *,
                     passivate: bool, provenance: dict[str, Any]) -> Nanocrystal:
    """Assemble a :class:`Nanocrystal` from given sites (neighbours, dangling bonds, freezing)."""
    a = float(params.lattice_constant_nm)
    positions = np.ascontiguousarray(positions_nm, dtype=float)
    is_cation = np.asarray(is_cation, bool)
    shells = find_neighbour_shells(positions, a, max_shell=2)
    d_atom, d_dir = _dangling(positions, is_cation, shells[0])
    species = np.where(is_cation, params.cation, params.anion).astype(str)
    _freeze(positions, species, is_cation, d_atom, d_dir)
    for sh in shells:
        _freeze(sh.i, sh.j, sh.d_nm)
    return Nanocrystal(positions_nm=positions, species=species, is_cation=is_cation,
                       shells=shells, dangling_atom=d_atom, dangling_direction=d_dir,
                       lattice_constant_nm=a, cation=str(params.cation), anion=str(params.anion),
                       passivated=bool(passivate), provenance=provenance)


def nanocrystal(material_or_params: Any = "HgTe", shape: Shape | None = None,
                center: str = "cation", passivate: bool = True, *,
                min_anion_neighbours: int = 2) -> Nanocrystal:
    """Cut a zincblende nanocrystal.

    A bulk block is generated once around the chosen centre, masked with the shape predicate,
    and atoms with fewer than two nearest neighbours inside the dot are removed iteratively.
    Neighbour shells 1 and 2 and the dangling bonds of the remaining atoms are listed.

    Parameters
    ----------
    material_or_params : str or TBParameters
        Material / parameter-set name (``"HgTe"``) or a loaded parameter set; supplies the lattice
        constant (nm) and the cation / anion symbols.
    shape : Sphere, Tetrahedron, Cube or CustomShape, optional
        Geometry in nm, centred on the origin. Default ``Sphere(diameter_nm=3.5)``.
    center : {"cation", "anion", "interstitial"}
        Site placed at the origin (all three keep Td point symmetry).
    passivate : bool
        Record that dangling bonds are passivated (shifted sp3 hybrids in the Hamiltonian).
    min_anion_neighbours : {2, 3}
        Anions with fewer in-dot neighbours are removed too (iteratively, with the < 2 rule for
        every atom). 3 removes two-fold-coordinated Te, which sets the smallest gaps of HgTe
        spheres (``docs/boundary_states.md``: 3.5 nm gap 0.150 → 0.572 eV with the public set).

    Returns
    -------
    Nanocrystal

    Raises
    ------
    ParameterError
        Unknown shape or centre, non-positive size, or a shape too small to hold a core atom.

    Examples
    --------
    >>> nc = nanocrystal("HgTe", Sphere(diameter_nm=3.5))  # doctest: +SKIP
    >>> nc.formula  # doctest: +SKIP
    'Hg321Te336'
    """
    shape = Sphere(diameter_nm=3.5) if shape is None else shape
    if not isinstance(shape, _SHAPES):
        raise ParameterError(
            f"unknown shape {shape!r}; use Sphere(diameter_nm=...), Tetrahedron(edge_nm=... or "
            "equal_volume_diameter_nm=...), Cube(edge_nm=...) or CustomShape(predicate, radius)"
        )
    if center not in CENTRES:
        raise ParameterError(f"unknown center {center!r}; choose one of {sorted(CENTRES)}")
    params = resolve_material(material_or_params)
    a = float(params.lattice_constant_nm)
    block, block_cation = zincblende_block(a, shape.bounding_radius_nm, CENTRES[center])
    inside = shape.contains(block)
    pos, cat = block[inside], block_cation[inside]
    if min_anion_neighbours not in (2, 3):
        raise ParameterError(f"min_anion_neighbours must be 2 or 3, got {min_anion_neighbours!r}")
    removed = 0
    if len(pos):
        kept, removed = _trim(pos, a, cat, min_anion_neighbours)
        pos, cat = pos[kept], cat[kept]
    provenance = {
        "builder": "qdgain.structure.nanocrystal",
        "material": f"{params.cation}{params.anion}",
        "parameter_set": str(getattr(params, "name", "")),
        "shape": repr(shape),
        "center": center,
        "removed_undercoordinated": removed,
        "min_anion_neighbours": int(min_anion_neighbours),
    }
    nc = build_from_sites(pos, cat, params, passivate=passivate, provenance=provenance)
    if nc.n_atoms == 0 or not np.any(coordination(nc) == 4):
        raise ParameterError(
            f"{shape!r} centred on the {center} holds no fully coordinated core atom "
            f"({nc.n_atoms} atoms left after trimming); make it larger than about "
            f"{a:.2f} nm (one lattice constant)"
        )
    return nc


def coordination(nc: Nanocrystal) -> np.ndarray:
    """Number of nearest neighbours (0–4) of every atom, (N,) int."""
    b = nc.bonds
    return np.bincount(b.i, minlength=nc.n_atoms) + np.bincount(b.j, minlength=nc.n_atoms)


def surface_atoms(nc: Nanocrystal) -> np.ndarray:
    """Indices of atoms with at least one dangling bond."""
    return np.unique(nc.dangling_atom)
