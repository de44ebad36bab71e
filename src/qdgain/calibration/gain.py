"""Volume fraction, intrinsic gain and film material gain (SPEC §3, paper Methods).

NumPy-vectorised pure functions; xarray inputs work too (the caller sets ``units``).
"""

from __future__ import annotations

import numpy as np

from qdgain.errors import ParameterError

__all__ = ["volume_fraction", "intrinsic_gain_cm", "film_material_gain_cm"]

_LN10 = float(np.log(10.0))


def volume_fraction(absorbance_400_od: np.ndarray | float, mu_i_400_cm: float,
                    path_length_cm: float) -> np.ndarray | float:
    """Volume fraction of dot material in the solution.

    .. math:: f = \\frac{\\ln(10)\\,A_{400}}{\\mu_{i,400}\\,L}

    Parameters
    ----------
    absorbance_400_od : float or array
        Sample absorbance (decadic, OD) at 400 nm.
    mu_i_400_cm : float
        Intrinsic absorption coefficient at 400 nm, cm⁻¹.
    path_length_cm : float
        Cuvette path length, cm.

    Returns
    -------
    float or array
        f (dimensionless).
    """
    if mu_i_400_cm <= 0 or path_length_cm <= 0:
        raise ParameterError("mu_i_400_cm and path_length_cm must be > 0")
    a = np.asarray(absorbance_400_od, dtype=float)
    if np.any(a <= 0):
        raise ParameterError(f"absorbance_400_od must be > 0, got {absorbance_400_od!r}")
    return _LN10 * a / (mu_i_400_cm * path_length_cm)


def intrinsic_gain_cm(absorbance_od: np.ndarray | float, volume_fraction: np.ndarray | float,
                      path_length_cm: float) -> np.ndarray | float:
    """Intrinsic gain coefficient of a fictitious 100 % dot-material medium.

    .. math:: g_i = -\\frac{\\ln(10)\\,A}{f\\,L}

    Positive where the nonlinear absorbance A < 0 (net stimulated emission). With f from
    :func:`volume_fraction`, L cancels: g_i = −μ_i,400 A / A_400.

    Parameters
    ----------
    absorbance_od : float or array
        Nonlinear absorbance A = ΔA + A0, OD.
    volume_fraction : float or array
        Volume fraction f of dot material in the measured sample.
    path_length_cm : float
        Path length L of the measurement, cm.

    Returns
    -------
    float or array
        g_i, cm⁻¹ (negative values are net absorption).
    """
    f = np.asarray(volume_fraction, dtype=float)
    if np.any(f <= 0) or path_length_cm <= 0:
        raise ParameterError("volume_fraction and path_length_cm must be > 0")
    return -_LN10 * absorbance_od / (f * path_length_cm)


def film_material_gain_cm(intrinsic_gain: np.ndarray | float,
                          film_volume_fraction: float = 0.25) -> np.ndarray | float:
    """Material gain of a close-packed film, g_film = g_i × f_film (paper: f_film = 0.2–0.3).

    Parameters
    ----------
    intrinsic_gain : float or array
        Intrinsic gain g_i, cm⁻¹.
    film_volume_fraction : float
        Volume fraction of dot material in the film (0 < f_film ≤ 1).

    Returns
    -------
    float or array
        Film material gain, cm⁻¹.
    """
    if not 0.0 < film_volume_fraction <= 1.0:
        raise ParameterError(
            f"film_volume_fraction must be in (0, 1], got {film_volume_fraction}")
    return intrinsic_gain * film_volume_fraction
