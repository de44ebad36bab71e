"""Exponential decays convolved with a Gaussian instrument response (closed form).

All times in ps, rates in ps^-1. The IRF is a normalised Gaussian of centre ``t0`` and standard
deviation ``w``; its convolution with the causal decay ``exp(-k t) H(t)`` is

    E(t; k, t0, w) = 1/2 exp(-k (t - t0) + k^2 w^2 / 2) erfc( (k w^2 - (t - t0)) / (sqrt(2) w) )

which overflows/underflows when evaluated naively. With beta = (t - t0)/(sqrt(2) w),
alpha = k w / sqrt(2) and x = alpha - beta it is written, without loss, as

    E = 1/2 erfcx(x) exp(-beta^2)                         (x > -1)
    E = 1/2 erfc(x) exp(alpha (alpha - 2 beta))           (x <= -1, long after t0)

(erfcx(x) = exp(x^2) erfc(x)); both branches are finite for every k >= 0, w > 0 and t.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfc, erfcx

from qdgain.errors import ParameterError

__all__ = ["irf_exponentials", "gaussian_irf", "irf_center_dispersion"]

_SQRT2 = np.sqrt(2.0)


def irf_exponentials(
    delay: np.ndarray,
    rates: np.ndarray,
    center: float | np.ndarray,
    width: float,
) -> np.ndarray:
    """Gaussian-IRF-convolved unit exponentials ``E(t; k, t0, w)`` (see module docstring).

    Parameters
    ----------
    delay : ndarray, shape (n_t,)
        Pump-probe delays, ps.
    rates : ndarray, shape (n_k,)
        Decay rates k >= 0, ps^-1 (k = 0 gives the IRF-convolved step, a constant offset).
    center : float or ndarray, shape (n_w,)
        IRF centre t0, ps; an array gives one centre per wavelength (dispersion).
    width : float
        IRF standard deviation w, ps (FWHM = 2.3548 w).

    Returns
    -------
    ndarray
        Shape (n_t, n_k) for a scalar centre, (n_w, n_t, n_k) for an array of centres;
        dimensionless (the decay has unit amplitude at t0 in the limit w -> 0).
    """
    if not np.isfinite(width) or width <= 0:
        raise ParameterError(f"IRF width must be > 0 ps, got {width!r}")
    rates = np.asarray(rates, dtype=float)
    if np.any(rates < 0) or not np.all(np.isfinite(rates)):
        raise ParameterError(f"decay rates must be finite and >= 0 ps^-1, got {rates}")
    t = np.asarray(delay, dtype=float)
    c = np.asarray(center, dtype=float)
    scalar = c.ndim == 0
    beta = (t[None, :] - np.atleast_1d(c)[:, None]) / (_SQRT2 * width)  # (n_w, n_t)
    beta = beta[:, :, None]
    alpha = (rates * width / _SQRT2)[None, None, :]
    x = alpha - beta
    # late form everywhere first (cheap exp; erfc(x) == 2 in double precision for x < -6) ...
    out = np.exp(np.minimum(alpha * (alpha - 2.0 * beta), 700.0))
    # ... long before t0 (beta < -27) E < exp(-729): zero ...
    out[np.broadcast_to(beta < -27.0, out.shape)] = 0.0
    # ... and the special functions only near t0, where they matter.
    mid = (x > -6.0) & (beta >= -27.0)
    if np.any(mid):
        xm = x[mid]
        bm = np.broadcast_to(beta, x.shape)[mid]
        am = np.broadcast_to(alpha, x.shape)[mid]
        early = xm > -1.0
        vals = np.empty_like(xm)
        vals[early] = 0.5 * erfcx(xm[early]) * np.exp(-bm[early] ** 2)
        late = ~early
        vals[late] = 0.5 * erfc(xm[late]) * np.exp(am[late] * (am[late] - 2.0 * bm[late]))
        out[mid] = vals
    return out[0] if scalar else out


def gaussian_irf(delay: np.ndarray, center: float, width: float) -> np.ndarray:
    """Normalised Gaussian IRF g(t) = exp(-(t-t0)^2 / 2w^2) / (sqrt(2 pi) w), ps^-1.

    Parameters
    ----------
    delay : ndarray
        Delays, ps.
    center : float
        Centre t0, ps.
    width : float
        Standard deviation w, ps.
    """
    t = np.asarray(delay, dtype=float)
    return np.exp(-0.5 * ((t - center) / width) ** 2) / (np.sqrt(2.0 * np.pi) * width)


def irf_center_dispersion(
    wavelength: np.ndarray,
    center: float,
    coefficients: np.ndarray | tuple[float, ...],
    reference_nm: float,
) -> np.ndarray:
    """IRF centre as a polynomial in wavelength (chirp modelled in the fit).

        t0(lambda) = t0 + sum_i c_i ((lambda - lambda_ref) / 100 nm)^(i+1)

    (the parametrisation of pyglotaran's ``spectral-multi-gaussian`` IRF, so coefficients can be
    compared one to one).

    Parameters
    ----------
    wavelength : ndarray
        Probe wavelengths, nm.
    center : float
        IRF centre at ``reference_nm``, ps.
    coefficients : sequence of float
        Polynomial coefficients c_1, c_2, ..., ps.
    reference_nm : float
        Reference wavelength, nm.

    Returns
    -------
    ndarray
        IRF centre per wavelength, ps.
    """
    x = (np.asarray(wavelength, dtype=float) - reference_nm) / 100.0
    out = np.full(x.shape, float(center))
    for i, c in enumerate(coefficients):
        out += c * x ** (i + 1)
    return out
