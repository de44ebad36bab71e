"""Fill-reducing ordering of a nanocrystal Hamiltonian: geometric nested dissection on the atoms.

A sparse LDLᴴ of H − σ I costs, for a 3D lattice, O(n²) with a nested-dissection ordering against
more with minimum degree. The atoms carry coordinates, so the separators can be found
geometrically (George 1973; Miller, Teng, Thurston & Vavasis 1998): split the atoms at the median
of their longest extent, take as separator the atoms of one half that couple to the other half
(whichever boundary is smaller), order both halves recursively, then the separator last. The
orbital order inside each atom is kept, so the 2·norb × 2·norb atomic blocks stay dense
(supernodes for the factorisation).

Measured (3.5 nm HgTe sphere, 597 atoms, 10,746 rows, 1st + 2nd neighbours, SuperLU symmetric
mode, 1 thread): fill 40× and 14 s with SuperLU's ``MMD_AT_PLUS_A``; fill 26× and 5–6 s with
this order (``permc_spec="NATURAL"`` on the permuted matrix); one solve 69 → 43 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from qdgain.errors import ParameterError

__all__ = ["atom_graph", "nested_dissection", "basis_permutation", "dissection_tree",
           "DissectionTree"]

#: atoms per leaf: below this a block is ordered as it comes (measured: 2–8 give the same fill)
LEAF_ATOMS = 4


def atom_graph(matrix: sp.spmatrix, n_atoms: int) -> sp.csr_matrix:
    """Atom–atom coupling graph of a block matrix with ``n_basis / n_atoms`` rows per atom
    (boolean CSR, no self loops)."""
    n = matrix.shape[0]
    if n % n_atoms:
        raise ParameterError(f"{n} basis functions are not a multiple of {n_atoms} atoms")
    nb = n // n_atoms
    coo = sp.coo_matrix(matrix)
    g = sp.coo_matrix((np.ones(coo.nnz, dtype=bool), (coo.row // nb, coo.col // nb)),
                      shape=(n_atoms, n_atoms)).tocsr()
    g.setdiag(False)
    g.eliminate_zeros()
    return g


@dataclass(frozen=True, slots=True)
class DissectionTree:
    """Elimination tree of a nested dissection, nodes in postorder (children before parents).

    Attributes
    ----------
    atoms : tuple of ndarray
        Atoms eliminated at each node (a leaf block or a separator; may be empty).
    parent : ndarray of int
        Parent node of each node (−1 for the root).
    """

    atoms: tuple[np.ndarray, ...]
    parent: np.ndarray

    @property
    def order(self) -> np.ndarray:
        """Atom elimination order (postorder concatenation of the nodes' atoms)."""
        return np.concatenate(self.atoms) if self.atoms else np.zeros(0, dtype=np.int64)


def dissection_tree(positions_nm: np.ndarray, graph: sp.csr_matrix,
                    leaf: int = LEAF_ATOMS) -> DissectionTree:
    """Nested dissection by recursive coordinate bisection, as an elimination tree.

    Each split cuts at the median along the axis (x, y or z) giving the smallest separator; the
    separator is the boundary layer of one half (atoms coupled to the other half).

    Parameters
    ----------
    positions_nm : ndarray (N, 3)
        Atom positions, nm.
    graph : csr_matrix (N, N)
        Atom coupling graph (:func:`atom_graph`); symmetric.
    leaf : int
        Blocks of at most this many atoms are not split further.
    """
    pos = np.asarray(positions_nm, dtype=float)
    n_atoms = len(pos)
    if graph.shape != (n_atoms, n_atoms):
        raise ParameterError(f"graph shape {graph.shape} does not match {n_atoms} atoms")
    mark = np.zeros(n_atoms, dtype=np.int64)
    tag = [0]
    nodes: list[np.ndarray] = []
    parents: list[int] = []

    def boundary(side: np.ndarray, other: np.ndarray) -> np.ndarray:
        # atoms of `side` with a neighbour in `other` (marked with the current tag)
        tag[0] += 1
        mark[other] = tag[0]
        rows = graph[side]
        hit = (mark[rows.indices] == tag[0]).astype(np.int64)
        if not len(hit):
            return np.zeros(len(side), dtype=bool)
        # reduceat over each row's slice; empty rows would pick up the next row's first entry
        counts = np.add.reduceat(np.append(hit, 0), rows.indptr[:-1])
        return (np.diff(rows.indptr) > 0) & (counts > 0)

    def split(idx: np.ndarray) -> int:
        """Order the atoms `idx`; return the index of the subtree's root node."""
        if len(idx) <= leaf:
            nodes.append(idx)
            parents.append(-1)
            return len(nodes) - 1
        p = pos[idx]
        half = len(idx) // 2
        best = None
        for axis in range(3):  # median cut along each axis; keep the smallest separator
            order = np.argsort(p[:, axis], kind="stable")
            left, right = idx[order[:half]], idx[order[half:]]
            b_left, b_right = boundary(left, right), boundary(right, left)
            if b_left.sum() <= b_right.sum():
                cand = (int(b_left.sum()), left[b_left], left[~b_left], right)
            else:
                cand = (int(b_right.sum()), right[b_right], left, right[~b_right])
            if best is None or cand[0] < best[0]:
                best = cand
        _, sep, left, right = best
        kids = [split(part) for part in (left, right) if len(part)]
        nodes.append(sep)
        parents.append(-1)
        for k in kids:
            parents[k] = len(nodes) - 1
        return len(nodes) - 1

    split(np.arange(n_atoms))
    tree = DissectionTree(atoms=tuple(nodes), parent=np.asarray(parents, dtype=np.int64))
    if len(tree.order) != n_atoms:  # pragma: no cover - guards the recursion above
        raise ParameterError("nested dissection lost atoms")
    return tree


def nested_dissection(positions_nm: np.ndarray, graph: sp.csr_matrix,
                      leaf: int = LEAF_ATOMS) -> np.ndarray:
    """Atom order (permutation of ``range(N)``) of :func:`dissection_tree`: separators last."""
    return dissection_tree(positions_nm, graph, leaf).order


def basis_permutation(atom_order: np.ndarray, rows_per_atom: int) -> np.ndarray:
    """Basis order from an atom order, keeping each atom's rows together and in order."""
    a = np.asarray(atom_order, dtype=np.int64)
    return (a[:, None] * rows_per_atom + np.arange(rows_per_atom)[None, :]).ravel()
