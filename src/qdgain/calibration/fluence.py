"""Pump calibration: photons per cm² per pulse and the mean exciton number ⟨N⟩ (SPEC §3).

All functions are pure and NumPy-vectorised (scalars or arrays in, same shape out), so the
Monte Carlo uncertainty propagation in :mod:`qdgain.calibration.uncertainty` can call them on
arrays of samples.

Spot conventions (stated, never guessed)
----------------------------------------
``profile`` names what ``spot_diameter_um`` means:

* ``"gaussian-fwhm"`` — full width at half maximum of a Gaussian intensity profile;
* ``"gaussian-1/e2"`` — full 1/e² diameter 2w of a Gaussian (w the 1/e² radius);
* ``"top-hat"`` — diameter of a uniform disk.

``fluence`` says which fluence of the profile is returned:

* ``"peak"`` — on-axis fluence, F₀ = 2E / (π w²) for a Gaussian;
* ``"average"`` — E / (π w²) = F₀ / 2 for a Gaussian (pulse energy over the 1/e² disk).

For a top-hat both are E / (π D² / 4). FWHM and 1/e² radius are related by
w = FWHM / √(2 ln 2).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from qdgain.constants import C_M_S, H_J_S
from qdgain.errors import ParameterError

__all__ = [
    "SPOT_PROFILES",
    "pulse_energy_uJ",
    "spot_area_cm2",
    "fluence_uJ_cm2",
    "photons_per_cm2_from_fluence",
    "pump_photons_per_cm2",
    "dot_volume_cm3",
    "pump_cross_section_cm2",
    "mean_excitons",
    "mean_excitons_from_power",
]

SpotProfile = Literal["gaussian-fwhm", "gaussian-1/e2", "top-hat"]
FluenceKind = Literal["peak", "average"]
SPOT_PROFILES: tuple[str, ...] = ("gaussian-fwhm", "gaussian-1/e2", "top-hat")
_LN10 = float(np.log(10.0))


def _positive(name: str, value: np.ndarray | float) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if np.any(~np.isfinite(arr)) or np.any(arr <= 0):
        raise ParameterError(f"{name} must be finite and > 0, got {value!r}")
    return arr


def pulse_energy_uJ(average_power_mW: np.ndarray | float,
                    repetition_rate_Hz: np.ndarray | float) -> np.ndarray | float:
    """Energy of one pump pulse from the average power and the repetition rate.

    .. math:: E_\\mathrm{pulse} = P_\\mathrm{avg} / f_\\mathrm{rep}

    Parameters
    ----------
    average_power_mW : float or array
        Average pump power, mW.
    repetition_rate_Hz : float or array
        Pulse repetition rate, Hz (the pump rate: half the laser rate with a chopper at f/2).

    Returns
    -------
    float or array
        Pulse energy, µJ (mW / Hz = mJ = 1e3 µJ).
    """
    p = _positive("average_power_mW", average_power_mW)
    f = _positive("repetition_rate_Hz", repetition_rate_Hz)
    return p / f * 1e3


_pulse_energy_uJ = pulse_energy_uJ  # for functions whose keyword shadows the name


def spot_area_cm2(spot_diameter_um: np.ndarray | float, profile: SpotProfile,
                  fluence: FluenceKind = "peak") -> np.ndarray | float:
    """Effective area A_eff with fluence = pulse energy / A_eff (see the module docstring).

    .. math::
        w = \\mathrm{FWHM}/\\sqrt{2\\ln 2}\\ \\text{or}\\ D_{1/e^2}/2;\\quad
        A_\\mathrm{peak} = \\pi w^2/2,\\quad A_\\mathrm{average} = \\pi w^2;\\quad
        A_\\text{top-hat} = \\pi D^2/4

    Parameters
    ----------
    spot_diameter_um : float or array
        Spot diameter, µm, in the convention named by ``profile``.
    profile : {"gaussian-fwhm", "gaussian-1/e2", "top-hat"}
        Meaning of the diameter.
    fluence : {"peak", "average"}
        Which fluence the area belongs to.

    Returns
    -------
    float or array
        Effective area, cm².
    """
    d_cm = _positive("spot_diameter_um", spot_diameter_um) * 1e-4
    if fluence not in ("peak", "average"):
        raise ParameterError(f"fluence must be 'peak' or 'average', got {fluence!r}")
    if profile == "top-hat":
        return np.pi * d_cm**2 / 4.0
    if profile == "gaussian-fwhm":
        w = d_cm / np.sqrt(2.0 * np.log(2.0))
    elif profile == "gaussian-1/e2":
        w = d_cm / 2.0
    else:
        raise ParameterError(
            f"unknown spot profile {profile!r}; use one of {', '.join(SPOT_PROFILES)}")
    return np.pi * w**2 / 2.0 if fluence == "peak" else np.pi * w**2


def fluence_uJ_cm2(pulse_energy_uJ: np.ndarray | float, spot_diameter_um: np.ndarray | float,
                   profile: SpotProfile, fluence: FluenceKind = "peak") -> np.ndarray | float:
    """Pump fluence F = E_pulse / A_eff (µJ cm⁻²); parameters as :func:`spot_area_cm2`.

    Parameters
    ----------
    pulse_energy_uJ : float or array
        Pulse energy, µJ.
    spot_diameter_um, profile, fluence
        See :func:`spot_area_cm2` (µm, convention, peak/average).
    """
    e = _positive("pulse_energy_uJ", pulse_energy_uJ)
    return e / spot_area_cm2(spot_diameter_um, profile, fluence)


def photons_per_cm2_from_fluence(fluence_uJ_cm2: np.ndarray | float,
                                 wavelength_nm: np.ndarray | float) -> np.ndarray | float:
    """Photon fluence J_ph (photons cm⁻² per pulse) of an energy fluence at one wavelength.

    .. math:: J_\\mathrm{ph} = F / (h c / \\lambda)

    Parameters
    ----------
    fluence_uJ_cm2 : float or array
        Energy fluence, µJ cm⁻².
    wavelength_nm : float or array
        Pump wavelength, nm.
    """
    f = np.asarray(fluence_uJ_cm2, dtype=float)
    if np.any(f < 0):
        raise ParameterError(f"fluence_uJ_cm2 must be >= 0, got {fluence_uJ_cm2!r}")
    lam_m = _positive("wavelength_nm", wavelength_nm) * 1e-9
    photon_J = H_J_S * C_M_S / lam_m
    return f * 1e-6 / photon_J


def pump_photons_per_cm2(*, wavelength_nm: float, spot_diameter_um: float,
                         profile: SpotProfile, fluence: FluenceKind = "peak",
                         pulse_energy_uJ: float | None = None,
                         average_power_mW: float | None = None,
                         repetition_rate_Hz: float | None = None) -> np.ndarray | float:
    """Pump photons per cm² per pulse from either the pulse energy or power + repetition rate.

    .. math:: J_\\mathrm{ph} = \\frac{E_\\mathrm{pulse}}{A_\\mathrm{eff}}\\frac{\\lambda}{hc},
              \\qquad E_\\mathrm{pulse} = P_\\mathrm{avg}/f_\\mathrm{rep}

    Parameters
    ----------
    wavelength_nm : float
        Pump wavelength, nm.
    spot_diameter_um : float
        Spot diameter, µm (convention given by ``profile``).
    profile : {"gaussian-fwhm", "gaussian-1/e2", "top-hat"}
        Meaning of ``spot_diameter_um``.
    fluence : {"peak", "average"}
        Peak (on-axis) or average fluence, see the module docstring.
    pulse_energy_uJ : float, optional
        Pulse energy, µJ. Give this, or ``average_power_mW`` and ``repetition_rate_Hz``.
    average_power_mW : float, optional
        Average pump power, mW.
    repetition_rate_Hz : float, optional
        Pump repetition rate, Hz.
    """
    if pulse_energy_uJ is None:
        if average_power_mW is None or repetition_rate_Hz is None:
            raise ParameterError(
                "pump_photons_per_cm2: give pulse_energy_uJ, or both average_power_mW and "
                "repetition_rate_Hz")
        pulse_energy_uJ = _pulse_energy_uJ(average_power_mW, repetition_rate_Hz)
    elif average_power_mW is not None:
        raise ParameterError(
            "pump_photons_per_cm2: give pulse_energy_uJ or average_power_mW, not both")
    f = fluence_uJ_cm2(pulse_energy_uJ, spot_diameter_um, profile, fluence)
    return photons_per_cm2_from_fluence(f, wavelength_nm)


def dot_volume_cm3(diameter_nm: np.ndarray | float) -> np.ndarray | float:
    """Volume of a spherical dot, V = π d³ / 6, in cm³ (d in nm; 1 nm = 1e-7 cm).

    Parameters
    ----------
    diameter_nm : float or array
        Dot diameter (e.g. from TEM), nm.
    """
    d_cm = _positive("diameter_nm", diameter_nm) * 1e-7
    return np.pi * d_cm**3 / 6.0


def pump_cross_section_cm2(diameter_nm: np.ndarray | float, mu_i_400_cm: np.ndarray | float,
                           absorbance_pump_od: np.ndarray | float,
                           absorbance_400_od: np.ndarray | float) -> np.ndarray | float:
    """Absorption cross section of one dot at the pump wavelength (SPEC §3).

    .. math:: \\sigma_\\mathrm{pump} = V_\\mathrm{QD}\\,\\mu_{i,400}\\,A_\\mathrm{pump}/A_{400}

    Parameters
    ----------
    diameter_nm : float or array
        Dot diameter, nm (V = π d³/6).
    mu_i_400_cm : float or array
        Intrinsic absorption coefficient of the dot material at 400 nm, cm⁻¹.
    absorbance_pump_od : float or array
        Sample absorbance (decadic, OD) at the pump wavelength.
    absorbance_400_od : float or array
        Sample absorbance (OD) at 400 nm, same cuvette.

    Returns
    -------
    float or array
        σ_pump, cm².
    """
    mu = _positive("mu_i_400_cm", mu_i_400_cm)
    a_p = _positive("absorbance_pump_od", absorbance_pump_od)
    a_4 = _positive("absorbance_400_od", absorbance_400_od)
    return dot_volume_cm3(diameter_nm) * mu * a_p / a_4


def mean_excitons(photons_per_cm2: np.ndarray | float, sigma_pump_cm2: np.ndarray | float,
                  absorbance_pump_od: np.ndarray | float = 0.0) -> np.ndarray | float:
    """Mean number of absorbed photons (excitons at time zero) per dot, ⟨N⟩ (SPEC §3).

    .. math:: \\langle N\\rangle = J_\\mathrm{ph}\\,\\sigma_\\mathrm{pump}\\,
              \\frac{1 - e^{-\\alpha L}}{\\alpha L},\\qquad \\alpha L = \\ln(10)\\,A_\\mathrm{pump}

    The last factor averages the pump attenuation over the cuvette; it tends to 1 for an
    optically thin sample (``absorbance_pump_od`` = 0).

    Parameters
    ----------
    photons_per_cm2 : float or array
        Pump photons per cm² per pulse, J_ph.
    sigma_pump_cm2 : float or array
        Absorption cross section of one dot at the pump wavelength, cm².
    absorbance_pump_od : float or array
        Sample absorbance (decadic, OD) at the pump wavelength over the cuvette length L.
    """
    j = np.asarray(photons_per_cm2, dtype=float)
    if np.any(j < 0):
        raise ParameterError(f"photons_per_cm2 must be >= 0, got {photons_per_cm2!r}")
    s = _positive("sigma_pump_cm2", sigma_pump_cm2)
    a = np.asarray(absorbance_pump_od, dtype=float)
    if np.any(a < 0):
        raise ParameterError(f"absorbance_pump_od must be >= 0, got {absorbance_pump_od!r}")
    al = _LN10 * a
    # (1 - e^{-x})/x, stable at x -> 0: -expm1(-x)/x, limit 1
    safe = np.where(al > 1e-12, al, 1.0)
    depth = np.where(al > 1e-12, -np.expm1(-safe) / safe, 1.0 - al / 2.0)
    return j * s * depth


def mean_excitons_from_power(average_power_mW: np.ndarray | float,
                             photons_per_dot_per_mW: float = 0.31) -> np.ndarray | float:
    """⟨N⟩ from a setup calibration factor: ⟨N⟩ = k P (paper: k = 0.31 ± 0.1 per mW).

    Parameters
    ----------
    average_power_mW : float or array
        Average pump power, mW.
    photons_per_dot_per_mW : float
        Absorbed photons per dot per mW of pump power, mW⁻¹.
    """
    p = np.asarray(average_power_mW, dtype=float)
    if np.any(p < 0):
        raise ParameterError(f"average_power_mW must be >= 0, got {average_power_mW!r}")
    return p * _positive("photons_per_dot_per_mW", photons_per_dot_per_mW)
