"""Kernel polynomial density of states of the whole dot (stochastic trace, Jackson kernel).

Chebyshev moments of the scaled Hamiltonian H̃ = (H − c)/h, estimated with R random-phase
vectors z (|z_i| = 1, so E[zᴴ A z] = Tr A and ⟨z|z⟩ = n exactly), then damped with the Jackson
kernel g_k (Weiße, Wellein, Alvermann, Fehske, Rev. Mod. Phys. 78, 275 (2006)):

.. math::

    \\mu_k = \\frac{1}{R}\\sum_r \\langle z_r | T_k(\\tilde H) | z_r \\rangle, \\qquad
    g(E) = \\frac{g_0\\mu_0 + 2\\sum_{k\\ge1} g_k \\mu_k T_k(x)}{\\pi h \\sqrt{1 - x^2}},
    \\quad x = \\frac{E - c}{h}

∫ g dE = μ₀ = n (the number of states) exactly. The moments use the doubling relations
μ_{2k} = 2⟨T_k|T_k⟩ − μ₀, μ_{2k+1} = 2⟨T_{k+1}|T_k⟩ − μ₁ (half the mat-vecs), all R vectors
in the fused Chebyshev kernel of :mod:`qdgain.electronic.chebkernel` (the block operator or
CSR where numba is absent).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from qdgain.electronic.filters import block_or_none, jackson_kernel, spectral_bounds
from qdgain.electronic.hamiltonian import TBHamiltonian
from qdgain.errors import ParameterError

if TYPE_CHECKING:
    from qdgain.electronic.chebkernel import ChebyshevFilter
from qdgain.units import with_units

__all__ = ["KPMMoments", "kpm_moments", "kpm_dos", "vector_moments"]


@dataclass(frozen=True, slots=True, eq=False)
class KPMMoments:
    """Stochastic Chebyshev moments of H.

    Attributes
    ----------
    mu : ndarray (N,)
        Mean moments μ_k (μ₀ = n_basis).
    mu_stderr : ndarray (N,)
        Standard error of each moment over the random vectors.
    bounds_eV : (float, float)
        Spectral bounds used for the scaling, eV.
    n_random : int
    n_matvec : int
        Single-vector mat-vecs spent.
    """

    mu: np.ndarray
    mu_stderr: np.ndarray
    bounds_eV: tuple[float, float]
    n_random: int
    n_matvec: int

    def density(self, energies_eV: np.ndarray) -> np.ndarray:
        """Jackson-damped DOS (states/eV) at ``energies_eV`` (eV); 0 outside the bounds."""
        lo, hi = self.bounds_eV
        c, h = 0.5 * (hi + lo), 0.5 * (hi - lo)
        x = (np.asarray(energies_eV, float) - c) / h
        inside = np.abs(x) < 1.0
        g = jackson_kernel(len(self.mu)) * self.mu
        g[1:] *= 2.0
        out = np.zeros_like(x)
        xi = x[inside]
        out[inside] = np.polynomial.chebyshev.chebval(xi, g) / (np.pi * h * np.sqrt(1 - xi**2))
        return out

    def count_below(self, energy_eV: float) -> tuple[float, float]:
        """∫ g dE up to ``energy_eV`` (eV) and its stochastic standard error (states).

        .. math:: N(E) = g_0\\mu_0 \\frac{\\pi - \\theta}{\\pi}
                  - \\frac{2}{\\pi}\\sum_{k\\ge1} g_k \\mu_k \\frac{\\sin k\\theta}{k},
                  \\quad \\theta = \\arccos x
        """
        lo, hi = self.bounds_eV
        x = np.clip((energy_eV - 0.5 * (hi + lo)) / (0.5 * (hi - lo)), -1.0, 1.0)
        th = np.arccos(x)
        k = np.arange(1, len(self.mu))
        w = np.concatenate([[(np.pi - th) / np.pi], -2.0 / np.pi * np.sin(k * th) / k])
        w *= jackson_kernel(len(self.mu))
        return float(w @ self.mu), float(np.sqrt(np.sum((w * self.mu_stderr) ** 2)))


def kpm_moments(H: TBHamiltonian, n_moments: int = 256, n_random: int = 16, *, seed: int = 0,
                operator: str = "auto", bounds_eV: tuple[float, float] | None = None
                ) -> KPMMoments:
    """Stochastic Chebyshev moments μ_k of H (k < ``n_moments``, even number).

    Parameters
    ----------
    H : TBHamiltonian
    n_moments : int
        Number of moments N (energy resolution ≈ π h / N eV, h = half the spectral width).
    n_random : int
        Random-phase vectors R (moment error ∝ 1/√(R)).
    seed : int
    operator : {"auto", "block", "csr"}
        "auto" and "block" run the fused Chebyshev kernel
        (:meth:`~qdgain.electronic.chebkernel.ChebyshevFilter.moments`) where numba is present.
    bounds_eV : (float, float), optional
        An interval holding the whole spectrum, eV (default: 40 Lanczos steps).
    """
    if n_moments < 2 or n_moments % 2 or n_random < 1:
        raise ParameterError(f"n_moments must be even ≥ 2 and n_random ≥ 1 (got {n_moments}, "
                             f"{n_random})")
    z = random_phase(H.n_basis, n_random, seed)
    mu, bounds_eV, nmv = vector_moments(H.matrix, H.n_orbitals, z, n_moments, bounds_eV,
                                        operator=operator, seed=seed)
    return _summary(mu, bounds_eV, nmv)


def vector_moments(matrix, n_orbitals: int, z: np.ndarray, n_moments: int,
                   bounds_eV: tuple[float, float] | None = None, *, operator: str = "auto",
                   seed: int = 0) -> tuple[np.ndarray, tuple[float, float], int]:
    """Chebyshev moments μ_k = Re⟨z_r|T_k(H̃)|z_r⟩ of each column of z (complex (n, R)).

    Parameters
    ----------
    matrix : scipy.sparse matrix
        Hermitian H (eV), e.g. ``TBHamiltonian.matrix`` or it plus a site potential.
    n_orbitals : int
        Spin-orbitals per atom (block structure for the fused kernel; 0 = CSR).
    z : ndarray (n, R)
        Start vectors (any norm: μ₀ = ⟨z|z⟩).
    n_moments : int
        N, even (energy resolution ≈ π h / N eV).
    bounds_eV : (float, float), optional
        An interval holding the whole spectrum, eV (default: 40 Lanczos steps).
    operator : {"auto", "block", "csr"}

    Returns
    -------
    (mu (N, R), bounds_eV, single-vector mat-vecs spent)
    """
    if n_moments < 2 or n_moments % 2:
        raise ParameterError(f"n_moments must be even and >= 2, got {n_moments}")
    z = np.asarray(z, dtype=complex).reshape(matrix.shape[0], -1)
    n, r = z.shape
    nmv = 0
    op = block_or_none(matrix, n_orbitals, operator)
    if op is not None and op.use_numba:
        from qdgain.electronic.chebkernel import ChebyshevFilter

        if bounds_eV is None:   # single-vector Lanczos: CSR streams it fastest
            bounds_eV, nmv = spectral_bounds(lambda x: matrix @ x, n, 40, seed), 40
        return ChebyshevFilter(op, bounds_eV).moments(z, n_moments), bounds_eV, \
            nmv + r * (n_moments // 2)
    apply = (op.matmat if op is not None else (lambda x: matrix @ x))
    if bounds_eV is None:
        bounds_eV, nmv = spectral_bounds(apply, n, 40, seed), 40
    lo, hi = bounds_eV
    c, h = 0.5 * (hi + lo), 0.5 * (hi - lo)
    half = n_moments // 2
    mu = np.zeros((n_moments, r))
    t0, t1 = z, (apply(z) - c * z) / h
    nmv += r * half
    dot = lambda a, b: np.einsum("ij,ij->j", a.conj(), b).real  # noqa: E731
    m0, m1 = dot(z, z), dot(z, t1)
    mu[0], mu[1] = m0, m1
    for k in range(1, half):
        mu[2 * k] = 2 * dot(t1, t1) - m0
        t2 = 2.0 * (apply(t1) - c * t1) / h - t0
        mu[2 * k + 1] = 2 * dot(t2, t1) - m1
        t0, t1 = t1, t2
    return mu, (float(lo), float(hi)), nmv


def random_phase(n: int, n_random: int, seed: int) -> np.ndarray:
    """R random-phase vectors, complex (n, R), |z_i| = 1 (so ⟨z|z⟩ = n exactly)."""
    return np.exp(2j * np.pi * np.random.default_rng(seed).random((n, n_random)))


def moments_from_filter(filt: ChebyshevFilter, z: np.ndarray, n_moments: int,
                        n_matvec: int = 0) -> KPMMoments:
    """KPM moments from the random vectors z (n, R) through a Chebyshev filter's fused kernel
    (its bounds are the scaling); ``n_matvec`` products already spent are added to the count."""
    mu = filt.moments(z, n_moments)
    return _summary(mu, filt.bounds_eV, n_matvec + z.shape[1] * (n_moments // 2))


def _summary(mu: np.ndarray, bounds: tuple[float, float], nmv: int) -> KPMMoments:
    """Mean and standard error over the R columns of the moments mu (N, R)."""
    r = mu.shape[1]
    se = mu.std(axis=1, ddof=1) / np.sqrt(r) if r > 1 else np.zeros(len(mu))
    return KPMMoments(mu=mu.mean(axis=1), mu_stderr=se, bounds_eV=tuple(map(float, bounds)),
                      n_random=r, n_matvec=nmv)


def kpm_dos(H: TBHamiltonian, energies_eV: np.ndarray, n_moments: int = 256,
            n_random: int = 16, *, seed: int = 0) -> xr.DataArray:
    """KPM density of states of the whole dot (states/eV) on ``energies_eV`` (eV).

    Parameters
    ----------
    H : TBHamiltonian
    energies_eV : ndarray
        Energies at which the DOS is evaluated, eV.
    n_moments, n_random, seed
        See :func:`kpm_moments`.
    """
    m = kpm_moments(H, n_moments, n_random, seed=seed)
    grid = np.asarray(energies_eV, float)
    da = xr.DataArray(m.density(grid), dims="energy",
                      coords={"energy": with_units(xr.DataArray(grid, dims="energy"), "eV")},
                      name="dos", attrs={"n_moments": n_moments, "n_random": n_random,
                                         "n_states": H.n_basis, "kernel": "Jackson"})
    return with_units(da, "1/eV", long_name="KPM density of states")
