"""Chebyshev polynomial filters of a Hamiltonian: spectral bounds, filter coefficients, H·X.

Everything a polynomial method on H needs besides the eigensolver itself: Lanczos bounds of the
spectrum (the scaled operator H̃ = (H − c)/h must have its spectrum in [−1, 1]), Jackson-damped
Chebyshev coefficients of a δ peak or of an energy window, the three-term recurrence, and the
choice of mat-vec (block operator or CSR). Used by the band-edge solver
(:mod:`qdgain.electronic.chebyshev`), the KPM DOS and the polynomial dielectric response.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from qdgain.electronic.blockop import block_operator
from qdgain.electronic.hamiltonian import TBHamiltonian
from qdgain.errors import ParameterError

__all__ = ["make_operator", "jackson_kernel", "spectral_bounds", "delta_filter",
           "window_filter", "apply_filter"]

# "auto" operator: blocks of at least this many vectors go to the block operator
_BLOCK_MIN = 8


class _Counter:
    """Wraps a block mat-vec and counts single-vector products."""

    def __init__(self, apply: Callable[[np.ndarray], np.ndarray]):
        self.apply, self.n = apply, 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.n += 1 if x.ndim == 1 else x.shape[1]
        return self.apply(x)


# internal to the electronic layer (chebyshev, kpm): not in __all__
def block_or_none(matrix: sp.csr_matrix, n_orbitals: int, kind: str = "auto"):
    """The block operator of ``matrix`` for ``kind`` "auto" / "block", None for "csr" or (with
    "auto") where H has no block structure, e.g. a non-spin-diagonal hopping; "block" then
    raises. ParameterError for any other kind."""
    if kind not in ("auto", "block", "csr"):
        raise ParameterError(f"operator must be 'auto', 'block' or 'csr', got {kind!r}")
    if kind == "csr" or not n_orbitals:
        return None
    try:
        return block_operator(matrix, n_orbitals)
    except ParameterError:
        if kind == "block":
            raise
        return None


def make_operator(H: TBHamiltonian | sp.spmatrix, kind: str = "auto", n_orbitals: int = 0
                  ) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    """H·X as a callable: the block operator (``kind`` "block"/"auto") or CSR (``"csr"``).

    "auto" falls back to CSR if H has no block structure (e.g. a non-spin-diagonal hopping).
    """
    mat = H.matrix if isinstance(H, TBHamiltonian) else sp.csr_matrix(H)
    norb = H.n_orbitals if isinstance(H, TBHamiltonian) else n_orbitals
    op = block_or_none(mat, norb, kind)
    if op is None:
        return (lambda x: mat @ x), "csr"
    name = "block-numba" if op.use_numba else "block-numpy"
    block = op.matmat
    if op.use_numba:
        # the generated SIMD step of the Chebyshev filter (bounds only scale it: any
        # interval will do; Gershgorin's is free)
        from qdgain.electronic.chebkernel import ChebyshevFilter  # lazy: imports us

        g = float(abs(mat).sum(axis=1).max())
        block, name = ChebyshevFilter(op, (-g, g)).matmat, "block-simd"
    if kind == "block":
        return block, name

    def apply(x: np.ndarray) -> np.ndarray:
        # single vectors (Lanczos) stream CSR faster; blocks amortise the table walk
        return mat @ x if x.ndim == 1 or x.shape[1] < _BLOCK_MIN else block(x)
    return apply, f"csr (1 vector) + {name} (≥ {_BLOCK_MIN} vectors)"


def jackson_kernel(n: int) -> np.ndarray:
    """Jackson damping factors g_k, k = 0..n−1 (Weiße et al., Rev. Mod. Phys. 78, 275 (2006)).

    .. math:: g_k = \\frac{(N-k+1)\\cos\\frac{\\pi k}{N+1}
              + \\sin\\frac{\\pi k}{N+1}\\cot\\frac{\\pi}{N+1}}{N+1}
    """
    k = np.arange(n)
    q = np.pi / (n + 1)
    return ((n - k + 1) * np.cos(q * k) + np.sin(q * k) / np.tan(q)) / (n + 1)


def spectral_bounds(apply: Callable[[np.ndarray], np.ndarray], n: int, steps: int = 40,
                    seed: int = 0) -> tuple[float, float]:
    """Lower and upper bounds of the spectrum (eV) from ``steps`` Lanczos steps.

    Extreme Ritz values θ widened by their residual bounds β_m |y_m| and by 1 % of the width
    (the filter must see the whole spectrum inside [−1, 1]).
    """
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    q /= np.linalg.norm(q)
    q_prev = np.zeros_like(q)
    alpha, beta = [], [0.0]
    for _ in range(min(steps, n)):
        w = apply(q) - beta[-1] * q_prev
        a = float(np.vdot(q, w).real)
        w -= a * q
        b = float(np.linalg.norm(w))
        alpha.append(a)
        beta.append(b)
        if b < 1e-12:
            break
        q_prev, q = q, w / b
    t = np.diag(alpha) + np.diag(beta[1:-1], 1) + np.diag(beta[1:-1], -1)
    theta, y = np.linalg.eigh(t)
    err = beta[-1] * np.abs(y[-1])
    lo, hi = theta[0] - err[0], theta[-1] + err[-1]
    pad = 0.01 * (hi - lo)
    return float(lo - pad), float(hi + pad)


def delta_filter(sigma_eV: float, bounds_eV: tuple[float, float], degree: int) -> np.ndarray:
    """Chebyshev coefficients of the Jackson-damped δ(E − σ), normalised to p(σ) = 1."""
    lo, hi = bounds_eV
    x0 = (sigma_eV - 0.5 * (hi + lo)) / (0.5 * (hi - lo))
    if not -1.0 < x0 < 1.0:
        raise ParameterError(f"filter centre {sigma_eV} eV lies outside the spectrum "
                             f"[{lo:.3f}, {hi:.3f}] eV")
    k = np.arange(degree + 1)
    c = jackson_kernel(degree + 1) * np.cos(k * np.arccos(x0)) * np.where(k == 0, 1.0, 2.0)
    return c / np.polynomial.chebyshev.chebval(x0, c)


def window_filter(a_eV: float, b_eV: float, bounds_eV: tuple[float, float], degree: int
                  ) -> np.ndarray:
    """Chebyshev coefficients of the Jackson-damped indicator of [a, b], normalised to 1 at the
    window centre.

    With θ_a = arccos x_a, θ_b = arccos x_b (x = scaled energies),

    .. math:: c_0 = \\frac{\\theta_a - \\theta_b}{\\pi}, \\qquad
              c_k = \\frac{2\\,(\\sin k\\theta_a - \\sin k\\theta_b)}{\\pi k}\\, g_k .
    """
    lo, hi = bounds_eV
    c, h = 0.5 * (hi + lo), 0.5 * (hi - lo)
    if not lo < a_eV < b_eV < hi:
        raise ParameterError(f"filter window [{a_eV:.3f}, {b_eV:.3f}] eV must be a non-empty "
                             f"interval inside the spectrum bounds [{lo:.3f}, {hi:.3f}] eV")
    ta, tb = np.arccos((a_eV - c) / h), np.arccos((b_eV - c) / h)
    k = np.arange(1, degree + 1)
    co = np.empty(degree + 1)
    co[0] = (ta - tb) / np.pi
    co[1:] = 2.0 * (np.sin(k * ta) - np.sin(k * tb)) / (np.pi * k)
    co *= jackson_kernel(degree + 1)
    return co / np.polynomial.chebyshev.chebval((0.5 * (a_eV + b_eV) - c) / h, co)


def apply_filter(apply: Callable[[np.ndarray], np.ndarray], x: np.ndarray, coeffs: np.ndarray,
                 bounds_eV: tuple[float, float]) -> np.ndarray:
    """p(H) X by the three-term recurrence T_{k+1} = 2 H̃ T_k − T_{k−1} (len(coeffs)−1 mat-vecs)."""
    lo, hi = bounds_eV
    c, h = 0.5 * (hi + lo), 0.5 * (hi - lo)
    t0 = x
    y = coeffs[0] * x
    t1 = (apply(x) - c * x) / h
    y += coeffs[1] * t1
    for ck in coeffs[2:]:
        t2 = apply(t1)
        t2 -= c * t1
        t2 *= 2.0 / h
        t2 -= t0
        y += ck * t2
        t0, t1 = t1, t2
    return y
