"""Zincblende lattice geometry and vectorised neighbour search (scipy.spatial.cKDTree).

Cation sites: the fcc lattice a·{(0,0,0), (0,½,½), (½,0,½), (½,½,0)} + a·n; anion sites: the same
shifted by a·(¼,¼,¼). Neighbour shells of the ideal lattice: 1st at a√3/4 (4, unlike species),
2nd at a/√2 (12, like species), 3rd at a√11/4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from qdgain.structure.shapes import TETRAHEDRON_NORMALS

__all__ = [
    "CENTRES",
    "NeighbourShell",
    "zincblende_block",
    "shell_distances_nm",
    "find_neighbour_shells",
    "bond_directions",
]

_FCC = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]], float)
_ANION_SHIFT = np.array([0.25, 0.25, 0.25])

#: centre choices → position of the dot centre in units of a, relative to a cation site.
#: "interstitial" is the empty tetrahedral site with four cation neighbours (Td symmetry, like
#: the two atomic centres).
CENTRES = {
    "cation": np.zeros(3),
    "anion": _ANION_SHIFT.copy(),
    "interstitial": -_ANION_SHIFT,
}

# relative tolerance on shell distances (ideal lattice; rounding only)
_SHELL_RTOL = 1e-3


@dataclass(frozen=True, slots=True)
class NeighbourShell:
    """Pairs of one neighbour shell, each unordered pair once (i < j).

    Attributes
    ----------
    shell : int
        1 = nearest neighbours, 2 = second neighbours.
    i, j : ndarray of int (M,)
        Atom indices, i < j.
    d_nm : ndarray (M, 3)
        Bond vectors r_j − r_i, nm.
    """

    shell: int
    i: np.ndarray
    j: np.ndarray
    d_nm: np.ndarray

    def __len__(self) -> int:
        return len(self.i)


def shell_distances_nm(lattice_constant_nm: float) -> np.ndarray:
    """Ideal distances (nm) of the first three zincblende shells: a·(√3/4, 1/√2, √11/4)."""
    a = lattice_constant_nm
    return a * np.array([math.sqrt(3.0) / 4.0, 1.0 / math.sqrt(2.0), math.sqrt(11.0) / 4.0])


def zincblende_block(lattice_constant_nm: float, radius_nm: float,
                     centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All zincblende sites within a cube of half-edge ≥ ``radius_nm`` around ``centre``.

    Parameters
    ----------
    lattice_constant_nm : float
        Cubic lattice constant a, nm.
    radius_nm : float
        Half-edge (nm) that the block must cover around the centre.
    centre : ndarray (3,)
        Centre of the dot in units of a, relative to a cation site; returned positions are
        relative to it.

    Returns
    -------
    positions_nm : ndarray (N, 3)
        Positions relative to the centre, nm.
    is_cation : ndarray of bool (N,)
    """
    a = lattice_constant_nm
    n = int(math.ceil(radius_nm / a)) + 1
    r = np.arange(-n, n + 1, dtype=float)
    cells = np.stack(np.meshgrid(r, r, r, indexing="ij"), axis=-1).reshape(-1, 1, 3)
    cat = (cells + _FCC[None]).reshape(-1, 3)
    ani = cat + _ANION_SHIFT
    frac = np.concatenate([cat, ani]) - np.asarray(centre, float)
    is_cation = np.concatenate([np.ones(len(cat), bool), np.zeros(len(ani), bool)])
    return frac * a, is_cation


def find_neighbour_shells(positions_nm: np.ndarray, lattice_constant_nm: float,
                          max_shell: int = 2) -> tuple[NeighbourShell, ...]:
    """Neighbour pairs of shells 1..``max_shell`` from one KD-tree query (no loop per atom).

    Parameters
    ----------
    positions_nm : ndarray (N, 3)
        Atom positions, nm (ideal zincblende sites).
    lattice_constant_nm : float
        Lattice constant a, nm (sets the shell distances).
    max_shell : int
        1 or 2.
    """
    dist = shell_distances_nm(lattice_constant_nm)
    cutoff = 0.5 * (dist[max_shell - 1] + dist[max_shell])
    tree = cKDTree(positions_nm)
    pairs = tree.query_pairs(cutoff, output_type="ndarray")
    if len(pairs) == 0:
        pairs = np.zeros((0, 2), dtype=np.intp)
    i, j = pairs[:, 0], pairs[:, 1]
    swap = i > j
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    d = positions_nm[j] - positions_nm[i]
    r = np.linalg.norm(d, axis=1)
    shells = []
    for s in range(1, max_shell + 1):
        sel = np.abs(r - dist[s - 1]) <= _SHELL_RTOL * dist[s - 1]
        order = np.lexsort((j[sel], i[sel]))
        shells.append(NeighbourShell(shell=s, i=i[sel][order], j=j[sel][order],
                                     d_nm=d[sel][order]))
    return tuple(shells)


def bond_directions(is_cation: np.ndarray) -> np.ndarray:
    """Ideal unit bond directions (N, 4, 3): cation → anion along ⟨111⟩, anion → cation opposite."""
    unit = TETRAHEDRON_NORMALS / math.sqrt(3.0)
    sign = np.where(is_cation, 1.0, -1.0)
    return sign[:, None, None] * unit[None, :, :]
