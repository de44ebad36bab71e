"""Multifrontal LDLᴴ of H − σ I on the nested-dissection tree, with dense BLAS-3 fronts.

For each node of the elimination tree (:func:`qdgain.electronic.ordering.dissection_tree`) in
postorder, the frontal matrix over the node's pivots S and its boundary R (later-eliminated
variables coupled to S or to the children's boundaries) is

.. math::

    F = \\begin{pmatrix} A & B^H \\\\ B & 0 \\end{pmatrix}
        + \\text{(original entries in the columns of S)}
        + \\sum_{c \\in \\text{children}} U_c \\quad\\text{(extend-add)},

A = L D Lᴴ is factorised by LAPACK ``zhetrf`` through SciPy's ``ldl`` (Bunch–Kaufman inside the
front only, so the symmetric elimination order is kept; explicit L so that solves are BLAS-3
triangular solves), and the update passed to the parent is the Schur
complement U = −B A⁻¹ Bᴴ (its R × R block). By Haynsworth's inertia additivity the number of
negative eigenvalues of H − σ I is the sum of those of the fronts' D blocks: the same Sylvester
count as an unpivoted LDLᴴ, here with a stable factorisation of every pivot block.

Solves (blocks of right-hand sides): forward w_S = A⁻¹ b_S, b_R −= B w_S (postorder); backward
x_S = w_S − A⁻¹ Bᴴ x_R (reverse postorder).

Why: SciPy's SuperLU runs its supernodal kernels single-threaded at a few GFlop/s and stores L
and U; here the work sits in dense LAPACK/BLAS calls (multithreaded where the BLAS is) and only
the lower factor is kept.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from scipy.linalg import blas

from qdgain.electronic.ordering import DissectionTree
from qdgain.errors import ConvergenceError

__all__ = ["MultifrontalLDL"]

try:  # optional accelerator for the extend-add (memory-bound scatter); NumPy path otherwise
    import numba

    @numba.njit(cache=True, nogil=True)
    def _extend_add_lower(front, j, u):  # pragma: no cover - compiled
        for a in range(len(j)):
            ja = j[a]
            for b in range(a + 1):
                front[ja, j[b]] += u[a, b]
except ImportError:  # pragma: no cover - exercised only where numba is absent
    def _extend_add_lower(front, j, u):
        front[np.ix_(j, j)] += np.tril(u)


#: fronts with at most this many pivots store A⁻¹ explicitly for the solves
EXPLICIT_MAX = 600


class _Pivot:
    """A = L D Lᴴ of one front's pivot block (scipy ``ldl``: LAPACK ``zhetrf`` + explicit L),
    applied with BLAS-3 triangular solves: A⁻¹ y = P L̃⁻ᴴ D⁻¹ L̃⁻¹ Pᵀ y, L̃ = L[perm]."""

    __slots__ = ("lt", "perm", "q", "qh", "lam_inv", "negative", "inverse")

    def __init__(self, a: np.ndarray) -> None:
        lu, d, perm = sla.ldl(a, lower=True, hermitian=True, check_finite=False)
        self.lt = np.ascontiguousarray(lu[perm])            # unit lower triangular
        self.perm = perm
        # D is block diagonal with 1 × 1 and 2 × 2 blocks: D = Q Λ Qᴴ blockwise gives D⁻¹ and
        # the inertia (count of Λ < 0)
        n = len(d)
        q = np.zeros_like(d)
        lam = np.zeros(n)
        k = 0
        while k < n:
            if k + 1 < n and d[k + 1, k] != 0:
                lam[k:k + 2], q[k:k + 2, k:k + 2] = np.linalg.eigh(d[k:k + 2, k:k + 2])
                k += 2
            else:
                lam[k], q[k, k] = d[k, k].real, 1.0
                k += 1
        self.negative = int(np.count_nonzero(lam < 0))
        self.q = sp.csr_matrix(q)
        self.qh = sp.csr_matrix(q.conj().T)
        self.lam_inv = 1.0 / lam
        # small fronts (most of the tree) keep A⁻¹ itself: a solve is then one GEMM instead of
        # two triangular solves plus Python overhead per node (s³ flops once, s ≤ EXPLICIT_MAX)
        self.inverse = None
        if n <= EXPLICIT_MAX:
            self.inverse = self._solve_factored(np.eye(n, dtype=complex))

    def half(self, y: np.ndarray) -> np.ndarray:
        """W = L̃⁻¹ Pᵀ y (so that yᴴ A⁻¹ y = Wᴴ D⁻¹ W)."""
        return sla.solve_triangular(self.lt, y[self.perm], lower=True, unit_diagonal=True,
                                    check_finite=False)

    def schur(self, b: np.ndarray) -> np.ndarray:
        """Lower triangle of B A⁻¹ Bᴴ for B (r, s), Hermitian (r, r).

        With V = |Λ|^(-1/2) Qᴴ L̃⁻¹ Pᵀ Bᴴ split by the sign of Λ, B A⁻¹ Bᴴ = V₊ᴴ V₊ − V₋ᴴ V₋:
        two rank-k updates (BLAS ``zherk``, half the work of a GEMM)."""
        v = self.qh @ self.half(np.ascontiguousarray(b.conj().T))
        v *= np.sqrt(np.abs(self.lam_inv))[:, None]
        pos = self.lam_inv > 0
        c = blas.zherk(1.0, np.asfortranarray(v[pos]), trans=2, lower=1)
        if not pos.all():
            c = blas.zherk(-1.0, np.asfortranarray(v[~pos]), beta=1.0, c=c, trans=2, lower=1,
                           overwrite_c=1)
        return c   # lower triangle (the upper is not referenced downstream)

    def solve(self, y: np.ndarray) -> np.ndarray:
        """A⁻¹ y for an (s, k) block."""
        if self.inverse is not None:
            return self.inverse @ y
        return self._solve_factored(y)

    def _solve_factored(self, y: np.ndarray) -> np.ndarray:
        w = self.q @ (self.lam_inv[:, None] * (self.qh @ self.half(y)))
        z = sla.solve_triangular(self.lt, w, lower=True, trans="C",
                                 unit_diagonal=True, check_finite=False)
        out = np.empty_like(z)
        out[self.perm] = z
        return out


class MultifrontalLDL:
    """LDLᴴ factor of H − σ I (H Hermitian, sparse) with ``solve`` and the inertia ``below``.

    Parameters
    ----------
    matrix : sparse (n, n)
        H, eV.
    sigma : float
        Shift, eV (not an eigenvalue).
    tree : DissectionTree
        Elimination tree over atoms; ``n / N_atoms`` consecutive rows per atom.
    """

    def __init__(self, matrix: sp.spmatrix, sigma: float, tree: DissectionTree) -> None:
        n = matrix.shape[0]
        n_atoms = sum(len(a) for a in tree.atoms)
        rpa = n // n_atoms
        a = sp.csc_matrix(matrix - sigma * sp.identity(n, dtype=complex, format="csc"))
        pos = np.empty(n, dtype=np.int64)      # elimination position of each basis row
        start, node_rows, node_end = 0, [], []
        for atoms in tree.atoms:
            rows = (np.asarray(atoms, np.int64)[:, None] * rpa + np.arange(rpa)).ravel()
            pos[rows] = np.arange(start, start + len(rows))
            start += len(rows)
            node_rows.append(rows[np.argsort(pos[rows])])
            node_end.append(start)
        children: list[list[int]] = [[] for _ in tree.atoms]
        for i, p in enumerate(tree.parent):
            if p >= 0:
                children[p].append(i)
        self.n, self.nodes, self.below = n, [], 0
        updates: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        stored = 0
        self.max_front = 0
        for i, s_rows in enumerate(node_rows):
            # boundary: later rows coupled to S (columns of S in A) or to the children's boundary
            cols = a[:, s_rows]
            parts = [cols.indices] + [updates[c][0] for c in children[i]]
            cand = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
            r_rows = cand[pos[cand] >= node_end[i]]
            r_rows = r_rows[np.argsort(pos[r_rows])]
            idx = np.concatenate([s_rows, r_rows])
            s, m = len(s_rows), len(idx)
            self.max_front = max(self.max_front, m)
            front = np.zeros((m, m), dtype=complex)
            local = np.full(n, -1, dtype=np.int64)
            local[idx] = np.arange(m)
            # original entries of the columns of S (rows in S ∪ R), both triangles
            dense_cols = cols[idx, :].toarray() if m else np.zeros((0, s), complex)
            # only lower triangles are used (ldl reads the lower triangle, B is the lower-left
            # block, the Schur update is computed lower): the upper part is never filled
            front[:, :s] = dense_cols
            for c in children[i]:
                c_rows, u = updates.pop(c)
                j = local[c_rows]
                _extend_add_lower(front, j, u)   # lower triangles only
            if s:
                try:
                    piv = _Pivot(front[:s, :s])
                except (np.linalg.LinAlgError, ZeroDivisionError) as exc:
                    raise ConvergenceError(f"front {i}: singular pivot block (σ = {sigma} eV "
                                           "an eigenvalue to machine precision?)") from exc
                self.below += piv.negative
                b = np.ascontiguousarray(front[s:, :s])
                if m > s:
                    u = front[s:, s:]
                    u -= piv.schur(b)                     # Schur complement (lower triangle)
                    updates[i] = (r_rows, u)
                self.nodes.append((s_rows, r_rows, piv, b))
                stored += s * (s + 1) // 2 + b.size
            elif m:
                updates[i] = (r_rows, front)
        self.stored_entries = stored
        self.fill = stored / max(matrix.nnz, 1)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        """(H − σ I)⁻¹ rhs for a vector or an (n, k) block."""
        vec = rhs.ndim == 1
        x = np.array(rhs, dtype=complex, copy=True).reshape(self.n, -1)
        for s_rows, r_rows, piv, b in self.nodes:              # forward, postorder
            w = piv.solve(x[s_rows])
            x[s_rows] = w
            if len(r_rows):
                x[r_rows] -= b @ w
        for s_rows, r_rows, piv, b in reversed(self.nodes):    # backward
            if len(r_rows):
                # Bᴴ x_R without copying B: (x_Rᴴ B)ᴴ
                x[s_rows] -= piv.solve((x[r_rows].conj().T @ b).conj().T)
        return x[:, 0] if vec else x
