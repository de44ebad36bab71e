"""Spectral decomposition of a (bleach) spectrum into Gaussian or Voigt bands on an energy axis.

A spectrum sampled in wavelength is moved to photon energy E = hc / lambda. For a spectral
density (signal per nm: PL, emission) the Jacobian |d lambda / dE| = lambda^2 / hc conserves the
integral, f(E) = f(lambda) lambda^2 / hc (Mooney & Kambhampati, J. Phys. Chem. Lett. 4, 3316
(2013)); for a quantity that is not a density (absorbance, dA) pass ``jacobian=False``. The bands

    f(E) = sum_i A_i G(E; E_i, sigma_i)          (G area-normalised: Gaussian or Voigt)

have linear areas A_i (eliminated by least squares, variable projection) and nonlinear centres and
widths. Splittings are E_i - E_j of neighbouring bands (paper: X1 - X2 = 76 meV).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.special import voigt_profile

from qdgain.constants import GAUSS_FWHM_PER_SIGMA, HC_EV_NM
from qdgain.errors import ConvergenceError, ParameterError
from qdgain.ta.kinetics.varpro import covariance_from_jacobian

__all__ = ["BandFit", "to_energy_axis", "fit_bands"]


@dataclass(frozen=True, slots=True)
class BandFit:
    """Bands sorted by energy (ascending). ``centers_eV``, ``fwhm_eV`` (Gaussian FWHM
    2.3548 sigma; for Voigt the Olivero approximation), ``areas`` (signal x eV) with standard
    errors; ``splittings_meV`` between neighbours (meV) with errors; ``residual`` on the energy
    grid (signal units)."""

    energy_eV: np.ndarray
    centers_eV: np.ndarray
    center_errors_eV: np.ndarray
    fwhm_eV: np.ndarray
    areas: np.ndarray
    splittings_meV: np.ndarray
    splitting_errors_meV: np.ndarray
    residual: np.ndarray


def to_energy_axis(wavelength_nm: np.ndarray, signal: np.ndarray,
                   jacobian: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Photon energy (eV, ascending) and the signal on it (module docstring).

    Parameters
    ----------
    wavelength_nm : ndarray
        Wavelengths, nm.
    signal : ndarray
        Signal per nm (density) or per point (``jacobian=False``).
    jacobian : bool
        Multiply by lambda^2 / hc (nm per eV) for a spectral density.
    """
    lam = np.asarray(wavelength_nm, float)
    if np.any(lam <= 0):
        raise ParameterError("wavelengths must be > 0 nm")
    e = HC_EV_NM / lam
    f = np.asarray(signal, float) * (lam**2 / HC_EV_NM if jacobian else 1.0)
    order = np.argsort(e)
    return e[order], f[order]


def _profiles(e: np.ndarray, centers, sigmas, gammas) -> np.ndarray:
    if gammas is None:
        return np.exp(-0.5 * ((e[:, None] - centers) / sigmas) ** 2) / (np.sqrt(2 * np.pi)
                                                                          * sigmas)
    return voigt_profile(e[:, None] - centers, sigmas, gammas)


def fit_bands(wavelength_nm: np.ndarray, signal: np.ndarray, centers_eV: list[float], *,
              width_eV: float = 0.03, profile: str = "gaussian", jacobian: bool = True,
              max_nfev: int = 2000) -> BandFit:
    """Fit Gaussian or Voigt bands on the energy axis (module docstring).

    Parameters
    ----------
    wavelength_nm : ndarray
        Wavelengths, nm.
    signal : ndarray
        Spectrum (e.g. a bleach, OD).
    centers_eV : list of float
        Start band centres, eV.
    width_eV : float
        Start Gaussian standard deviation (and Lorentzian HWHM for Voigt), eV.
    profile : {"gaussian", "voigt"}
        Band shape.
    jacobian : bool
        Apply the wavelength -> energy Jacobian (spectral densities).
    max_nfev : int
        Evaluation cap (ConvergenceError with the last state when reached).
    """
    if profile not in ("gaussian", "voigt"):
        raise ParameterError(f"profile must be 'gaussian' or 'voigt', got {profile!r}")
    e, f = to_energy_axis(wavelength_nm, signal, jacobian)
    n = len(centers_eV)
    if 3 * n + 1 > e.size:
        raise ParameterError(f"{n} bands need more than {e.size} points")
    voigt = profile == "voigt"
    x0 = np.concatenate([centers_eV, np.full(n, np.log(width_eV))]
                        + ([np.full(n, np.log(width_eV))] if voigt else []))
    state = {"x": x0}

    def design(x):
        return _profiles(e, x[:n], np.exp(x[n:2 * n]), np.exp(x[2 * n:]) if voigt else None)

    def resid(x):
        state["x"] = x
        G = design(x)
        a, *_ = np.linalg.lstsq(G, f, rcond=None)
        return f - G @ a

    lo = np.concatenate([np.full(n, -np.inf), np.full(x0.size - n, np.log(1e-5))])  # >= 10 ueV
    res = least_squares(resid, x0, bounds=(lo, np.inf), method="trf", x_scale="jac",
                        max_nfev=max_nfev)
    if res.status <= 0:
        raise ConvergenceError(f"band fit did not converge in {max_nfev} evaluations; last "
                               f"centres {state['x'][:n]} eV", iterations=int(res.nfev))
    G = design(res.x)
    areas, *_ = np.linalg.lstsq(G, f, rcond=None)
    r = f - G @ areas
    cov = covariance_from_jacobian(res.jac, float(r @ r), e.size - res.x.size - n)
    c, dc = res.x[:n], np.sqrt(np.clip(np.diag(cov)[:n], 0, None))
    sig = np.exp(res.x[n:2 * n])
    fwhm = GAUSS_FWHM_PER_SIGMA * sig
    if voigt:  # Olivero & Longbothum (1977): f_V ~ 0.5346 f_L + sqrt(0.2166 f_L^2 + f_G^2)
        fl = 2 * np.exp(res.x[2 * n:])
        fwhm = 0.5346 * fl + np.sqrt(0.2166 * fl**2 + fwhm**2)
    o = np.argsort(c)
    cc, cv = c[o], cov[np.ix_(o, o)]
    split = np.diff(cc) * 1e3
    split_err = np.array([np.sqrt(max(cv[i, i] + cv[i + 1, i + 1] - 2 * cv[i, i + 1], 0))
                          for i in range(n - 1)]) * 1e3
    return BandFit(e, cc, dc[o], fwhm[o], areas[o], split, split_err, r)
