"""Fast H·X for zincblende tight-binding Hamiltonians: few distinct bond blocks over a neighbour
table, applied to many vectors at once.

The hopping part of H couples atoms i, j with a real spin-diagonal block E_b ⊗ 1₂, where E_b
(norb × norb) depends only on the species pair and the bond vector; on an ideal zincblende
lattice there are a handful of distinct E_b (2 species orders × 4 first + 12 second-neighbour
directions). Surface passivation, spin–orbit coupling and a field only change on-site terms:

.. math::

    (H X)_i = d_i \\circ X_i + O_{t(i)} X_i + \\sum_{j \\in N(i)} (E_{b(i,j)} \\otimes 1_2) X_j

with d the real diagonal, O_t the off-diagonal part of the on-site block of on-site type t.
Storage is a neighbour table (j, b) per atom plus the small tables {E_b}, {O_t}: the matrix no
longer has to be streamed, only X and Y (32 B per row and vector instead of ≈ 20 B × nnz/row
for CSR). Two kernels: a fused, multithreaded numba loop over atoms (vector index innermost,
real arithmetic on the interleaved complex data), and a pure NumPy fallback (one gather + one
small GEMM + one scatter per distinct block).

The operator is built from the assembled CSR matrix (so it is H itself, not a re-derivation of
the physics) and checked against CSR on a random block of vectors at construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from qdgain.errors import ParameterError

try:  # optional accelerator: a pure NumPy path remains
    import numba

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised only where numba is absent
    numba = None
    HAVE_NUMBA = False

__all__ = ["BlockOperator", "block_operator", "HAVE_NUMBA"]

# entries within this (eV) are one block: SK blocks of one bond direction computed from
# positions differ only by round-off (≲ 1e-14 eV); the kept error is checked below
_ROUND_EV = 1e-9
# the construction check: ‖(B − H) X‖ / ‖H X‖ must stay below this (round-off only)
_CHECK_REL = 1e-12


@dataclass(frozen=True, slots=True, eq=False)
class BlockOperator:
    """H as on-site types + distinct spin-diagonal bond blocks over a neighbour table.

    Attributes
    ----------
    n_atoms, n_orbitals : int
        Atoms and orbitals per atom and spin (norb); rows = 2 norb n_atoms.
    diagonal : ndarray float (n_basis,)
        Real diagonal of H, eV.
    onsite_blocks : ndarray complex (T, 2norb, 2norb)
        Distinct off-diagonal parts of the on-site blocks, eV (zero diagonal).
    onsite_type : ndarray int32 (n_atoms,)
    hop_blocks : ndarray float (B, norb, norb)
        Distinct real hopping blocks E_b (eV); the full block is E_b ⊗ 1₂.
    nbr_ptr, nbr_atom, nbr_block : ndarray int
        Neighbour table in CSR form: the neighbours of atom i are
        ``nbr_atom[nbr_ptr[i]:nbr_ptr[i+1]]`` with blocks ``nbr_block[...]``.
    compression_error_eV : float
        Largest difference between a stored block and a block of H it replaces, eV.
    use_numba : bool
        Kernel used by :meth:`matmat`.
    """

    n_atoms: int
    n_orbitals: int
    diagonal: np.ndarray
    onsite_blocks: np.ndarray
    onsite_type: np.ndarray
    hop_blocks: np.ndarray
    nbr_ptr: np.ndarray
    nbr_atom: np.ndarray
    nbr_block: np.ndarray
    compression_error_eV: float
    use_numba: bool

    @property
    def n_basis(self) -> int:
        """Dimension of H."""
        return 2 * self.n_orbitals * self.n_atoms

    @property
    def shape(self) -> tuple[int, int]:
        """(n_basis, n_basis), so the operator can stand in for a matrix."""
        return (self.n_basis, self.n_basis)

    @property
    def nbytes(self) -> int:
        """Bytes held by the operator's tables."""
        return sum(a.nbytes for a in (self.diagonal, self.onsite_blocks, self.onsite_type,
                                      self.hop_blocks, self.nbr_ptr, self.nbr_atom,
                                      self.nbr_block))

    def stream_bytes(self, n_vectors: int) -> int:
        """Bytes one product H X must move at least: read X, write Y (complex), plus tables."""
        return 2 * 16 * self.n_basis * n_vectors + self.nbytes

    def matmat(self, X: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Y = H X for X complex (n_basis, m) or (n_basis,), C-contiguous; returns Y."""
        x = np.ascontiguousarray(X, dtype=complex)
        vec = x.ndim == 1
        x2 = x.reshape(self.n_basis, -1)
        y = np.empty_like(x2) if out is None else out.reshape(self.n_basis, -1)
        if self.use_numba:
            _kernel()(x2.view(np.float64), y.view(np.float64), self.diagonal,
                      self.onsite_blocks, self.onsite_type, self.hop_blocks, self.nbr_ptr,
                      self.nbr_atom, self.nbr_block, self.n_orbitals)
        else:
            _numpy_matmat(self, x2, y)
        return y.reshape(-1) if vec else y

    def __matmul__(self, X: np.ndarray) -> np.ndarray:
        return self.matmat(X)


def _numpy_matmat(op: BlockOperator, x: np.ndarray, y: np.ndarray) -> None:
    """NumPy path: diagonal, on-site types, then one gather–GEMM–scatter per distinct block."""
    norb, nb, m = op.n_orbitals, 2 * op.n_orbitals, x.shape[1]
    np.multiply(op.diagonal[:, None], x, out=y)
    x3 = x.reshape(op.n_atoms, nb, m)
    y3 = y.reshape(op.n_atoms, nb, m)
    for t in range(len(op.onsite_blocks)):
        atoms = np.flatnonzero(op.onsite_type == t)
        y3[atoms] += np.matmul(op.onsite_blocks[t], x3[atoms])
    rows = np.repeat(np.arange(op.n_atoms), np.diff(op.nbr_ptr))
    xs = x.reshape(op.n_atoms, 2, norb, m)
    ys = y.reshape(op.n_atoms, 2, norb, m)
    for b in range(len(op.hop_blocks)):
        sel = op.nbr_block == b
        i, j = rows[sel], op.nbr_atom[sel]
        g = np.ascontiguousarray(np.moveaxis(xs[j], 2, 0)).reshape(norb, -1)  # (norb, K·2·m)
        r = (op.hop_blocks[b] @ g.view(np.float64)).view(complex)  # real block, real GEMM
        r = np.moveaxis(r.reshape(norb, len(i), 2, m), 0, 2)
        if len(np.unique(i)) == len(i):
            ys[i] += r
        else:
            np.add.at(ys, i, r)


_KERNEL = None


def _kernel():  # compiled on first use (≈ 1 s), cached on disk
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = numba.njit(parallel=True, fastmath=False, cache=True)(_kernel_py)
    return _KERNEL


def _kernel_py(x, y, diag, onsite, otype, hop, ptr, nbr, blk, norb):  # pragma: no cover
    """Fused per-atom kernel on float views (each complex number = 2 adjacent floats)."""
    nb = 2 * norb
    n_atoms = len(otype)
    w = x.shape[1]                       # 2 m floats per row
    for i in numba.prange(n_atoms):
        base = i * nb
        for r in range(nb):
            d = diag[base + r]
            for v in range(w):
                y[base + r, v] = d * x[base + r, v]
        t = otype[i]
        for r in range(nb):
            for c in range(nb):
                a = onsite[t, r, c].real
                b = onsite[t, r, c].imag
                if a != 0.0 or b != 0.0:
                    for v in range(0, w, 2):
                        xr = x[base + c, v]
                        xi = x[base + c, v + 1]
                        y[base + r, v] += a * xr - b * xi
                        y[base + r, v + 1] += a * xi + b * xr
        for k in range(ptr[i], ptr[i + 1]):
            jb = nbr[k] * nb
            e = hop[blk[k]]
            for s in range(2):
                for a in range(norb):
                    ro = base + s * norb + a
                    for c in range(norb):
                        h = e[a, c]
                        if h != 0.0:
                            co = jb + s * norb + c
                            for v in range(w):
                                y[ro, v] += h * x[co, v]


def _unique_blocks(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Distinct blocks (rounded to ``_ROUND_EV``), the index of each, and the largest error."""
    flat = blocks.reshape(len(blocks), -1)
    if np.iscomplexobj(flat):
        flat = flat.view(np.float64)
    key = np.ascontiguousarray(np.round(flat / _ROUND_EV).astype(np.int64))
    keyv = key.view(np.dtype((np.void, key.dtype.itemsize * key.shape[1]))).ravel()
    _, first, inv = np.unique(keyv, return_index=True, return_inverse=True)
    uniq = blocks[first]
    err = float(np.abs(blocks - uniq[inv]).max()) if len(blocks) else 0.0
    return np.ascontiguousarray(uniq), inv.astype(np.int32), err


def block_operator(matrix: sp.csr_matrix, n_orbitals: int, *, use_numba: bool | None = None,
                   check: bool = True) -> BlockOperator:
    """Build the block operator of a tight-binding CSR matrix (basis atom·2norb + spin·norb + orb).

    Parameters
    ----------
    matrix : scipy.sparse.csr_matrix, complex (n_basis, n_basis)
        H in eV, e.g. ``TBHamiltonian.matrix``.
    n_orbitals : int
        Orbitals per atom and spin (norb).
    use_numba : bool, optional
        Kernel choice; default: numba when installed.
    check : bool
        Compare with ``matrix @ X`` on 4 random vectors (relative error ≤ 1e-12).

    Raises
    ------
    ParameterError
        If an inter-atomic block is not real and spin-diagonal (E ⊗ 1₂), or the check fails;
        use the CSR matrix directly then.
    """
    norb, nb = int(n_orbitals), 2 * int(n_orbitals)
    n = matrix.shape[0]
    if n % nb:
        raise ParameterError(f"matrix dimension {n} is not a multiple of 2·norb = {nb}")
    n_atoms = n // nb
    coo = sp.coo_matrix(matrix)
    r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
    ai, aj = r // nb, c // nb
    lr, lc = r % nb, c % nb
    onsite = ai == aj
    # off-diagonal atom pairs: spin-diagonal real blocks expected
    off = ~onsite
    same_spin = (lr // norb) == (lc // norb)
    if np.any(off & ~same_spin) or np.any(np.abs(v[off].imag) > 0):
        raise ParameterError("inter-atomic blocks of H are not real and spin-diagonal (E ⊗ 1₂); "
                             "the block operator does not apply, use the CSR matrix")
    up = off & (lr < norb)
    pair = ai[up] * n_atoms + aj[up]
    pairs, pinv = np.unique(pair, return_inverse=True)
    blocks = np.zeros((len(pairs), norb, norb))
    blocks[pinv, lr[up], lc[up]] = v[up].real
    hop, bidx, err_h = _unique_blocks(blocks)
    nbr_i, nbr_j = pairs // n_atoms, pairs % n_atoms     # sorted by i (then j)
    ptr = np.zeros(n_atoms + 1, np.int64)
    np.add.at(ptr, nbr_i + 1, 1)
    ptr = np.cumsum(ptr)
    # on-site: real diagonal + distinct off-diagonal parts
    diag = np.asarray(matrix.diagonal()).real.copy()
    ons = np.zeros((n_atoms, nb, nb), complex)
    od = onsite & (lr != lc)
    ons[ai[od], lr[od], lc[od]] = v[od]
    otab, otype, err_o = _unique_blocks(ons)
    del ons
    op = BlockOperator(
        n_atoms=n_atoms, n_orbitals=norb, diagonal=diag, onsite_blocks=otab,
        onsite_type=otype, hop_blocks=hop, nbr_ptr=ptr, nbr_atom=nbr_j.astype(np.int32),
        nbr_block=bidx, compression_error_eV=max(err_h, err_o),
        use_numba=HAVE_NUMBA if use_numba is None else bool(use_numba and HAVE_NUMBA))
    if check:
        rng = np.random.default_rng(7)
        x = rng.standard_normal((n, 4)) + 1j * rng.standard_normal((n, 4))
        ref = matrix @ x
        rel = float(np.abs(op.matmat(x) - ref).max() / max(np.abs(ref).max(), 1e-300))
        if not rel <= _CHECK_REL:
            raise ParameterError(f"block operator differs from the CSR matrix by {rel:.1e} "
                                 f"(relative; limit {_CHECK_REL:g}); use the CSR matrix")
    return op
