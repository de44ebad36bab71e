"""Poisson statistics of the initial excitation (SPEC §5).

A short pump pulse absorbed by an ensemble of identical dots leaves dot i with n_i excitons drawn
from a Poisson distribution of mean ⟨N⟩ (absorption events are independent and rare per
absorption cross section). The tail n > n_max is lumped into n_max so that the distribution stays
normalised (dot number is conserved exactly by the kinetics built on it).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from qdgain.errors import ParameterError

__all__ = ["check_mean_excitons", "poisson_pmf", "excited_fraction", "n_max_for"]


def check_mean_excitons(N_mean: np.ndarray | float, name: str = "N_mean") -> np.ndarray:
    """Return ``N_mean`` as a float array; raise :class:`ParameterError` if any value is < 0.

    Parameters
    ----------
    N_mean : float or array
        Mean number of excitons per dot ⟨N⟩ (dimensionless).
    name : str
        Name used in the error message.
    """
    arr = np.atleast_1d(np.asarray(N_mean, dtype=float))
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be a scalar or a 1-D sequence, got shape {arr.shape}")
    bad = ~np.isfinite(arr) | (arr < 0)
    if np.any(bad):
        raise ParameterError(
            f"{name} must be finite and >= 0 (mean excitons per dot), got {arr[bad][0]!r} "
            f"at index {int(np.flatnonzero(bad)[0])}; pass <N> values such as 0.006, 0.1, 1.2"
        )
    return arr


def n_max_for(N_mean: np.ndarray | float, tail: float = 1e-7) -> int:
    """Smallest exciton number n_max whose Poisson tail P(n > n_max) is below ``tail``.

    Parameters
    ----------
    N_mean : float or array
        Mean excitons per dot; the largest value decides.
    tail : float
        Acceptable probability lumped into the last state (dimensionless).
    """
    n = float(np.max(check_mean_excitons(N_mean)))
    k = 2
    while True:
        pmf = poisson_pmf(n, k, lump_tail=False)[0]
        if 1.0 - pmf.sum() < tail:
            return k
        k += 1


def poisson_pmf(N_mean: np.ndarray | float, n_max: int, *, lump_tail: bool = True) -> np.ndarray:
    """Poisson probabilities P(n) for n = 0 … n_max.

    .. math:: P(n) = \\frac{\\langle N\\rangle^n e^{-\\langle N\\rangle}}{n!}

    With ``lump_tail`` the probability of n > n_max is added to P(n_max), so each row sums to 1.

    Parameters
    ----------
    N_mean : float or array, shape (m,)
        Mean excitons per dot ⟨N⟩ (dimensionless, >= 0).
    n_max : int
        Largest exciton number kept (>= 1).
    lump_tail : bool
        Add P(n > n_max) to the last column.

    Returns
    -------
    ndarray, shape (m, n_max + 1)
        P(n) per ⟨N⟩ (dimensionless).
    """
    lam = check_mean_excitons(N_mean)
    if int(n_max) < 1:
        raise ParameterError(f"n_max must be >= 1, got {n_max!r}")
    n = np.arange(int(n_max) + 1, dtype=float)
    log_lam = np.log(np.where(lam > 0, lam, 1.0))
    logp = n[None, :] * log_lam[:, None] - lam[:, None] - gammaln(n + 1.0)[None, :]
    logp[lam == 0, 1:] = -np.inf
    logp[:, 0] = -lam  # 0 * log(0) = 0
    p = np.exp(logp)
    if lump_tail:
        p[:, -1] += np.clip(1.0 - p.sum(axis=1), 0.0, None)
    return p


def excited_fraction(N_mean: np.ndarray | float) -> np.ndarray:
    """Fraction of dots holding at least one exciton, 1 − P(0) = 1 − e^(−⟨N⟩).

    After Auger recombination (t ≫ τ_Auger) every excited dot holds exactly one exciton, so this
    is the single-exciton fraction at long delays.

    Parameters
    ----------
    N_mean : float or array
        Mean excitons per dot ⟨N⟩ (dimensionless, >= 0).

    Examples
    --------
    >>> excited_fraction([0.3, 1.2]).round(4)
    array([0.2592, 0.6988])
    """
    return -np.expm1(-check_mean_excitons(N_mean))
