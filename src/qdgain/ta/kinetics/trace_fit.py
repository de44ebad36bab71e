"""Single kinetic traces: sum of exponentials + offset convolved with a Gaussian IRF.

    y(t) = sum_j a_j E(t; k_j, t0, w) + a_0 E(t; 0, t0, w)

(E from :mod:`irf`), with t0 and w fitted; amplitudes a are linear (variable projection, the
one-wavelength case of :func:`fit_target`). The number of components is chosen by

    AIC = N ln(RSS/N) + 2 p,     BIC = N ln(RSS/N) + p ln N

with p = 2 n + 2 (+1 for the offset) parameters (rates, amplitudes, t0, w).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.ta.kinetics.target import fit_global

__all__ = ["TraceFitResult", "fit_trace", "choose_n_components"]


@dataclass(frozen=True, slots=True)
class TraceFitResult:
    """Fit of one trace: ``lifetimes_ps`` and ``lifetime_errors_ps`` (ps, sorted ascending),
    ``amplitudes`` (OD, same order; offset last when fitted), ``irf_center``/``irf_width`` (ps)
    with errors, ``rss`` (OD^2), ``aic``, ``bic`` (dimensionless), ``residual`` (OD)."""

    lifetimes_ps: np.ndarray
    lifetime_errors_ps: np.ndarray
    amplitudes: np.ndarray
    irf_center: float
    irf_center_error: float
    irf_width: float
    irf_width_error: float
    rss: float
    aic: float
    bic: float
    residual: np.ndarray


def fit_trace(delay: np.ndarray, trace: np.ndarray, lifetimes: list[float] | tuple[float, ...],
              *, offset: bool = True, irf_center: float = 0.0, irf_width: float = 0.1,
              fit_irf: bool = True, **kwargs) -> TraceFitResult:
    """Fit a sum of IRF-convolved exponentials (+ offset) to one trace.

    Parameters
    ----------
    delay : ndarray (n_t,)
        Delays, ps (ascending).
    trace : ndarray (n_t,)
        Signal, OD.
    lifetimes : sequence of float
        Start lifetimes, ps.
    offset : bool
        Add a constant (infinite-lifetime) component.
    irf_center, irf_width : float
        Start IRF centre and standard deviation, ps.
    fit_irf : bool
        Fit t0 and w.
    **kwargs
        Passed to :func:`qdgain.ta.kinetics.target.fit_target`.
    """
    delay = np.asarray(delay, float)
    trace = np.asarray(trace, float)
    if delay.shape != trace.shape or delay.ndim != 1:
        raise ParameterError(f"delay {delay.shape} and trace {trace.shape} must be 1-D and "
                             f"of equal length")
    taus = list(lifetimes) + ([np.inf] if offset else [])
    da = xr.DataArray(trace[:, None], dims=("delay", "wavelength"),
                      coords={"delay": delay, "wavelength": [0.0]})
    res = fit_global(da, taus, scheme="parallel", irf_center=irf_center, irf_width=irf_width,
                     fit_irf=fit_irf, **kwargs)
    n = len(lifetimes)
    k = np.array([res.parameters[f"k{i + 1}"] for i in range(n)])
    dk = np.array([res.standard_errors[f"k{i + 1}"] for i in range(n)])
    amps = res.species_spectra.values[:, 0]
    order = np.argsort(1 / k)
    amps = np.concatenate([amps[:n][order], amps[n:]])
    N = trace.size
    p = 2 * n + (1 if offset else 0) + (2 if fit_irf else 0)
    rss = res.chi_square
    ln = N * np.log(rss / N)
    return TraceFitResult(
        (1 / k)[order], (dk / k**2)[order], amps,
        res.parameters["irf.center"], res.standard_errors["irf.center"],
        res.parameters["irf.width"], res.standard_errors["irf.width"], rss,
        float(ln + 2 * p), float(ln + p * np.log(N)), res.residual.values[:, 0])


def choose_n_components(delay: np.ndarray, trace: np.ndarray, max_components: int = 4, *,
                        criterion: str = "bic", **kwargs) -> tuple[int, dict[int, TraceFitResult]]:
    """Fit 1..max_components exponentials and pick the number by AIC or BIC.

    Two sets of start lifetimes, log-spaced between 3 delay steps and the delay window, are tried
    for each number (the lower RSS is kept: IRF parameters have local minima). Models that fail
    (ParameterError: components not supported by the data) are skipped.

    Parameters
    ----------
    delay, trace : ndarray
        Delays (ps) and signal (OD).
    max_components : int
        Largest number of exponentials tried.
    criterion : {"aic", "bic"}
        Information criterion (lower is better).
    **kwargs
        Passed to :func:`fit_trace`.

    Returns
    -------
    (int, dict)
        Chosen number and all successful fits by number of components.
    """
    if criterion not in ("aic", "bic"):
        raise ParameterError(f"criterion must be 'aic' or 'bic', got {criterion!r}")
    delay = np.asarray(delay, float)
    lo = 3 * float(np.min(np.diff(delay)))
    hi = float(delay[-1] - delay[0])
    fits: dict[int, TraceFitResult] = {}
    for n in range(1, max_components + 1):
        for taus in (np.geomspace(lo, hi, n + 2)[1:-1], np.geomspace(lo, hi / 10, n)):
            try:
                f = fit_trace(delay, trace, list(taus), **kwargs)
            except ParameterError:
                continue
            if n not in fits or f.rss < fits[n].rss:
                fits[n] = f
    if not fits:
        raise ParameterError("no number of components could be fitted to this trace")
    best = min(fits, key=lambda n: getattr(fits[n], criterion))
    return best, fits
