"""Uncertainty propagation for calibration chains: linear (first order) and Monte Carlo.

Both take a NumPy-vectorised function of keyword arguments (the calibration functions are), the
central values and the standard deviations of the uncertain inputs (independent, Gaussian).
The paper's dominant error is the TEM diameter: V ∝ d³, so to first order
δ⟨N⟩/⟨N⟩ = δV/V = 3 δd/d.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from qdgain.errors import ParameterError, UserCodeError

__all__ = ["Uncertainty", "propagate_linear", "propagate_monte_carlo"]


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Result of an uncertainty propagation.

    Attributes
    ----------
    value : float
        Function at the central input values (linear) or Monte Carlo mean.
    std : float
        Standard deviation of the output (same units as the output).
    rel_std : float
        std / |value|.
    method : str
        ``"linear"`` or ``"monte-carlo"``.
    contributions : dict
        Linear: std contributed by each input alone; Monte Carlo: empty.
    p16, p50, p84 : float
        Percentiles of the Monte Carlo sample (linear: value ∓ std).
    n_samples : int
        Monte Carlo samples (0 for linear).
    seed : int or None
        Random seed used.
    """

    value: float
    std: float
    rel_std: float
    method: str
    contributions: dict[str, float]
    p16: float
    p50: float
    p84: float
    n_samples: int = 0
    seed: int | None = None


def _call(func: Callable[..., object], kwargs: Mapping[str, object]) -> np.ndarray:
    try:
        return np.asarray(func(**kwargs), dtype=float)
    except Exception as exc:  # noqa: BLE001 - user callable, re-raised with context
        raise UserCodeError(f"uncertainty propagation: {getattr(func, '__name__', func)!s} "
                            f"raised {type(exc).__name__}: {exc}") from exc


def _check(values: Mapping[str, float], sigmas: Mapping[str, float]) -> None:
    unknown = sorted(set(sigmas) - set(values))
    if unknown:
        raise ParameterError(f"uncertainty propagation: sigmas given for {unknown} which are not "
                             f"among the inputs {sorted(values)}")
    bad = [k for k, s in sigmas.items() if not (np.isfinite(s) and s >= 0)]
    if bad:
        raise ParameterError(f"uncertainty propagation: sigmas must be finite and >= 0: {bad}")


def propagate_linear(func: Callable[..., object], values: Mapping[str, float],
                     sigmas: Mapping[str, float], rel_step: float = 1e-6) -> Uncertainty:
    """First-order (linear) propagation with central finite-difference derivatives.

    .. math:: \\sigma_y^2 = \\sum_j \\left(\\frac{\\partial y}{\\partial x_j}\\right)^2 \\sigma_j^2

    Parameters
    ----------
    func : callable
        ``func(**values) -> float``.
    values : mapping
        Central values of all inputs (in the units ``func`` expects).
    sigmas : mapping
        Standard deviation of each uncertain input (same units as the input).
    rel_step : float
        Relative finite-difference step.
    """
    _check(values, sigmas)
    y0 = float(_call(func, values))
    contrib: dict[str, float] = {}
    for name, sig in sigmas.items():
        x = float(values[name])
        h = rel_step * max(abs(x), 1e-300)
        up = float(_call(func, {**values, name: x + h}))
        dn = float(_call(func, {**values, name: x - h}))
        contrib[name] = abs((up - dn) / (2 * h)) * sig
    std = float(np.sqrt(sum(c**2 for c in contrib.values())))
    return Uncertainty(y0, std, std / abs(y0) if y0 else np.inf, "linear", contrib,
                       y0 - std, y0, y0 + std)


def propagate_monte_carlo(func: Callable[..., object], values: Mapping[str, float],
                          sigmas: Mapping[str, float], n_samples: int = 20000,
                          seed: int = 0) -> Uncertainty:
    """Monte Carlo propagation: Gaussian samples of the inputs through ``func`` (vectorised).

    Samples that make ``func`` invalid (e.g. a negative diameter) are not silently dropped:
    :class:`ParameterError` is raised, and the user should reduce the sigma or change variable.

    Parameters
    ----------
    func : callable
        NumPy-vectorised ``func(**arrays) -> array``.
    values, sigmas : mapping
        As :func:`propagate_linear`.
    n_samples : int
        Number of samples.
    seed : int
        Seed of :func:`numpy.random.default_rng` (fixed for reproducibility).
    """
    _check(values, sigmas)
    if n_samples < 10:
        raise ParameterError(f"n_samples must be >= 10, got {n_samples}")
    rng = np.random.default_rng(seed)
    kwargs: dict[str, object] = dict(values)
    for name, sig in sigmas.items():
        kwargs[name] = float(values[name]) + sig * rng.standard_normal(n_samples)
    try:
        y = np.broadcast_to(_call(func, kwargs), (n_samples,))
    except UserCodeError as exc:
        raise ParameterError(f"Monte Carlo sample outside the valid domain ({exc.__cause__}); "
                             "the relative sigmas are too large for Gaussian sampling") from exc
    mean = float(np.mean(y))
    p16, p50, p84 = (float(v) for v in np.percentile(y, [15.865, 50.0, 84.135]))
    std = float(np.std(y, ddof=1))
    return Uncertainty(mean, std, std / abs(mean) if mean else np.inf, "monte-carlo", {},
                       p16, p50, p84, n_samples, seed)
