"""Chebyshev filter p(H)·X fused into one pass over the atoms per degree.

The three-term recurrence on the scaled operator H̃ = (H − c)/h,

.. math::

    T_{k+1} = 2\\tilde H\\,T_k - T_{k-1}, \\qquad Y = \\sum_k c_k\\,T_k X ,

costs one product and two vector updates per degree. Here the operator is pre-scaled (2H̃: the
diagonal, on-site and hopping tables of :class:`~qdgain.electronic.blockop.BlockOperator` times
2/h, the diagonal shifted by −2c/h) and one numba kernel per degree computes
T_{k+1} = 2H̃ T_k − T_{k−1} *in place of* T_{k−1} and adds c_{k+1} T_{k+1} to Y, reading each
vector once. The vectors live in a spin-inner layout (atom, orbital, spin × vector, as floats)
during the recurrence, so the real spin-diagonal hopping E_b ⊗ 1₂ acts on one contiguous run of
2 × 2m floats per orbital (vectorised by the compiler even for m = 4 vectors); the layout is
changed once on entry and once on exit. Measured at 6 nm (one thread, shared box): 1.3–1.7×
faster per vector than the block operator plus NumPy updates for m = 4–8
(``benchmarks/RESULTS.md``, session 3).

The step actually run is a kernel generated for the literal (norb, 4m, on-site pattern) with
explicit SIMD register tiles (:mod:`qdgain.electronic.chebkernel_gen`): ≈ 5× faster per vector
than the generic :func:`_step_py` at m = 4 and ≈ 3.7× at m = 8 (6 nm, one thread, AVX-512;
``benchmarks/bench_kernel.py``). The generic kernel remains the fallback should generation fail.
"""

from __future__ import annotations

import warnings

import numpy as np

from qdgain.electronic.blockop import HAVE_NUMBA, BlockOperator
from qdgain.electronic.filters import apply_filter

if HAVE_NUMBA:
    import numba

    from qdgain.electronic.chebkernel_gen import generated_step, pack_tables

__all__ = ["ChebyshevFilter"]


class ChebyshevFilter:
    """p(H) X for Chebyshev coefficients on fixed spectral bounds.

    Parameters
    ----------
    op : BlockOperator
        H (eV) as on-site types + bond blocks.
    bounds_eV : (float, float)
        Interval containing the whole spectrum, eV.

    Attributes
    ----------
    n_matvec : int
        Single-vector products spent so far (a degree on m vectors counts m).
    n_matvec_single : int
        Those of them run in float32 (``apply(..., single=True)``).
    """

    def __init__(self, op: BlockOperator, bounds_eV: tuple[float, float]) -> None:
        lo, hi = map(float, bounds_eV)
        self.op, self.bounds_eV = op, (lo, hi)
        self.c, self.h = 0.5 * (hi + lo), 0.5 * (hi - lo)
        s = 2.0 / self.h
        na, norb = op.n_atoms, op.n_orbitals
        self._diag = np.ascontiguousarray(
            (s * (op.diagonal - self.c)).reshape(na, 2, norb))
        self._onsite = np.ascontiguousarray(s * op.onsite_blocks)
        self._hop = np.ascontiguousarray(s * op.hop_blocks)
        self.n_matvec = 0
        self._fast: dict[int, object] = {}
        self._tables = None
        self._tables32 = None
        self.n_matvec_single = 0
        self.use_generated = True   # False: always the generic kernel (tests, benchmarks)

    def _step(self, w: int, single: bool = False):
        """The step z ← 2H̃x − z, acc += ck z as ``f(x, z, acc, ck)`` on internal-layout arrays of
        row width w = 4m floats: the generated kernel, else the generic :func:`_step_py`.
        ``single``: float32 arrays and tables (generated kernel only; the same source, compiled
        for float32 by numba's type dispatch: ``<8 x float>`` tiles)."""
        if self.use_generated:
            op = self.op
            if self._tables is None:
                t = pack_tables(self._onsite, self._hop, op.nbr_ptr, op.nbr_atom, op.nbr_block)
                self._tables = (t, (self._diag.reshape(-1), t.ons, op.onsite_type, t.hop_t,
                                    t.cptr, t.nbr, t.blk))
            if single and self._tables32 is None:
                a = self._tables[1]
                self._tables32 = tuple(v.astype(np.float32) if v.dtype == np.float64 else v
                                       for v in a)
            if w not in self._fast:
                t = self._tables[0]
                try:
                    self._fast[w] = generated_step(op.n_orbitals, w, t.pattern, t.masks)
                except Exception as exc:  # e.g. no writable folder for the source
                    warnings.warn(f"generated Chebyshev kernel unavailable ({exc!r}); "
                                  "using the generic kernel", RuntimeWarning, stacklevel=3)
                    self._fast[w] = None
            k = self._fast[w]
            if k is not None:
                args = self._tables32 if single else self._tables[1]
                return (lambda x, z, acc, ck: k(x.reshape(-1), z.reshape(-1), acc.reshape(-1),
                                                ck, *args))
        if single:
            raise RuntimeError("single-precision filtering needs the generated kernel")
        k = _kernel()
        args = (self._diag, self._onsite, self.op.onsite_type, self._hop, self.op.nbr_ptr,
                self.op.nbr_atom, self.op.nbr_block, self.op.n_orbitals)
        return lambda x, z, acc, ck: k(x, z, acc, ck, *args)

    def _to_internal(self, x: np.ndarray) -> np.ndarray:
        na, norb, m = self.op.n_atoms, self.op.n_orbitals, x.shape[1]
        v = x.reshape(na, 2, norb, m).transpose(0, 2, 1, 3)
        return np.ascontiguousarray(v, dtype=complex).view(np.float64).reshape(na, norb, 4 * m)

    def _from_internal(self, y: np.ndarray, m: int) -> np.ndarray:
        na, norb = self.op.n_atoms, self.op.n_orbitals
        v = y.reshape(na, norb, 2 * m * 2).view(complex).reshape(na, norb, 2, m)
        return np.ascontiguousarray(v.transpose(0, 2, 1, 3)).reshape(na * 2 * norb, m)

    def matmat(self, x: np.ndarray) -> np.ndarray:
        """H X (eV) for X complex (n_basis, m) through the same step kernel: with T_{-1} = 0 one
        step gives A X = (2/h)(H − c) X, so H X = (h/2) A X + c X. Not counted in
        :attr:`n_matvec` (the caller counts its plain products)."""
        x2 = np.asarray(x, dtype=complex).reshape(self.op.n_basis, -1)
        if not (self.op.use_numba and HAVE_NUMBA):
            return self.op.matmat(x).astype(complex, copy=False)
        # blocks of _MATMAT_BLOCK columns (the last one zero-padded): one compiled kernel
        # width for every m, the one the solver's filter uses
        m, b = x2.shape[1], _MATMAT_BLOCK
        y = np.empty_like(x2)
        pad = np.zeros((x2.shape[0], b), complex)
        for j in range(0, m, b):
            k = min(b, m - j)
            pad[:, :k] = x2[:, j:j + k]
            pad[:, k:] = 0.0
            t0 = self._to_internal(pad)
            z = np.zeros_like(t0)
            self._step(t0.shape[2])(t0, z, np.zeros_like(t0), 0.0)
            y[:, j:j + k] = self._from_internal(z, b)[:, :k]
        y *= 0.5 * self.h
        y += self.c * x2
        return y.reshape(np.shape(x))

    @property
    def single_available(self) -> bool:
        """Whether :meth:`apply` can filter in float32 (the generated kernel compiles)."""
        if not (self.op.use_numba and HAVE_NUMBA and self.use_generated):
            return False
        self._step(4 * _MATMAT_BLOCK)       # generates (or finds) the kernel of that width
        return self._fast[4 * _MATMAT_BLOCK] is not None

    def apply(self, x: np.ndarray, coeffs: np.ndarray, single: bool = False) -> np.ndarray:
        """Y = p(H) X for X complex (n_basis, m); ``coeffs`` = c_0..c_N on these bounds.

        ``single``: run the recurrence in float32 (twice the FMA rate; the result, returned as
        complex128, carries relative errors ≈ 1e-6, so it suits the early steps of an
        iteration that later refines in float64). Needs :attr:`single_available`.
        """
        x = np.asarray(x)
        vec = x.ndim == 1
        x2 = x.reshape(self.op.n_basis, -1)
        m = x2.shape[1]
        coeffs = np.asarray(coeffs, dtype=float)
        if not (self.op.use_numba and HAVE_NUMBA) or len(coeffs) < 3:
            if single:
                raise RuntimeError("single-precision filtering needs the numba kernel")
            y = apply_filter(self.op.matmat, x2.astype(complex), coeffs, self.bounds_eV)
        else:
            t0 = self._to_internal(x2)
            if single:
                t0 = t0.astype(np.float32)
            acc = (coeffs[0] * t0).astype(t0.dtype, copy=False)
            # T_1 = H̃ X = ½ (2H̃) X: one kernel call with T_{-1} := 0, then halve
            t1 = np.zeros_like(t0)
            junk = np.zeros_like(t0)
            k = self._step(t0.shape[2], single)
            k(t0, t1, junk, 0.0)
            t1 *= 0.5
            acc += t0.dtype.type(coeffs[1]) * t1
            for ck in coeffs[2:]:
                k(t1, t0, acc, float(ck))   # t0 ← 2H̃ t1 − t0; acc += ck t0
                t0, t1 = t1, t0
            y = self._from_internal(acc.astype(np.float64, copy=False), m)
        self.n_matvec += m * (len(coeffs) - 1)
        if single:
            self.n_matvec_single += m * (len(coeffs) - 1)
        return y.reshape(-1) if vec else y


    def moments(self, z: np.ndarray, n_moments: int) -> np.ndarray:
        """Chebyshev moments μ_k = Re⟨z_r|T_k(H̃)|z_r⟩ (k < ``n_moments``, even) of each column of
        z (complex (n_basis, R)), real (n_moments, R), by the doubling relations
        μ_{2k} = 2⟨T_k|T_k⟩ − μ₀, μ_{2k+1} = 2⟨T_{k+1}|T_k⟩ − μ₁: n_moments / 2 products per
        column, the vectors kept in the kernel's layout throughout (a float dot product there is
        Re⟨a|b⟩). Columns go through the kernel in blocks of :data:`_MATMAT_BLOCK` (the
        compiled width the solver uses)."""
        z = np.asarray(z, dtype=complex).reshape(self.op.n_basis, -1)
        if n_moments < 2 or n_moments % 2:
            raise ValueError(f"n_moments must be even and ≥ 2, got {n_moments}")
        r, b, half = z.shape[1], _MATMAT_BLOCK, n_moments // 2
        mu = np.zeros((n_moments, r))
        for j in range(0, r, b):
            k = min(b, r - j)
            pad = np.zeros((z.shape[0], b), complex)
            pad[:, :k] = z[:, j:j + k]
            t0 = self._to_internal(pad)
            step = self._step(t0.shape[2])
            def dot(u: np.ndarray, v: np.ndarray, k: int = k) -> np.ndarray:
                # rows of (column, re/im) pairs; 2-D einsum: 1.1 ms per call at 10 nm against
                # 5 ms for the 4-index form or a product and a column sum
                s = np.einsum("ij,ij->j", u.reshape(-1, 2 * b), v.reshape(-1, 2 * b))
                return s.reshape(b, 2).sum(axis=1)[:k]
            t1, junk = np.zeros_like(t0), np.zeros_like(t0)
            step(t0, t1, junk, 0.0)
            t1 *= 0.5                                   # T_1 = H̃ T_0
            m0, m1 = dot(t0, t0), dot(t0, t1)
            mu[0, j:j + k], mu[1, j:j + k] = m0, m1
            for q in range(1, half):
                mu[2 * q, j:j + k] = 2.0 * dot(t1, t1) - m0
                step(t1, t0, junk, 0.0)                 # t0 ← T_{q+1} = 2H̃ T_q − T_{q−1}
                mu[2 * q + 1, j:j + k] = 2.0 * dot(t0, t1) - m1
                t0, t1 = t1, t0
            self.n_matvec += k * half
        return mu


_KERNEL = None
# columns per kernel call of ChebyshevFilter.matmat (the filter's block: ChebyshevOptions.block)
_MATMAT_BLOCK = 4


def _kernel():  # compiled on first use (≈ 2 s), cached on disk
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = numba.njit(parallel=True, fastmath=True, cache=True)(_step_py)
    return _KERNEL


def _step_py(x, z, acc, ck, diag, onsite, otype, hop, ptr, nbr, blk, norb):  # pragma: no cover
    """z ← A x − z; acc += ck z, with A the pre-scaled operator, layout (atom, orb, spin·2m)."""
    n_atoms = x.shape[0]
    w = x.shape[2]
    hw = w // 2
    for i in numba.prange(n_atoms):
        yi = np.empty((norb, w))
        for a in range(norb):
            for s in range(2):
                d = diag[i, s, a]
                for v in range(hw):
                    yi[a, s * hw + v] = d * x[i, a, s * hw + v] - z[i, a, s * hw + v]
        t = otype[i]
        for s in range(2):
            for a in range(norb):
                r = s * norb + a
                for s2 in range(2):
                    for c in range(norb):
                        q = s2 * norb + c
                        ar = onsite[t, r, q].real
                        ai = onsite[t, r, q].imag
                        if ar != 0.0 or ai != 0.0:
                            for v in range(0, hw, 2):
                                xr = x[i, c, s2 * hw + v]
                                xi = x[i, c, s2 * hw + v + 1]
                                yi[a, s * hw + v] += ar * xr - ai * xi
                                yi[a, s * hw + v + 1] += ar * xi + ai * xr
        for k in range(ptr[i], ptr[i + 1]):
            j = nbr[k]
            e = hop[blk[k]]
            for a in range(norb):
                for c in range(norb):
                    h = e[a, c]
                    for v in range(w):
                        yi[a, v] += h * x[j, c, v]
        for a in range(norb):
            for v in range(w):
                z[i, a, v] = yi[a, v]
                acc[i, a, v] += ck * yi[a, v]
