"""Analytic gain thresholds: 2-level (band edge), effective 3-level (gap state), DC pumping.

SPEC §5. These closed forms are the checks of the full kinetic model (:mod:`qdgain.gain.truth`):
in the static single-exciton limit the two must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import brentq

from qdgain.calibration.fluence import dot_volume_cm3
from qdgain.constants import E_CHARGE_C
from qdgain.errors import ParameterError
from qdgain.gain.kinetics import StateSpace, rate_matrix
from qdgain.gain.models import GainModel
from qdgain.gain.poisson import poisson_pmf
from qdgain.gain.spectra import state_cross_sections_cm2

__all__ = ["two_level_threshold", "three_level_threshold", "three_level_threshold_spectrum",
           "two_level_threshold_spectrum", "dot_density_cm3", "dc_current_density_A_cm2",
           "ThresholdSummary", "threshold_summary"]

Method = Literal["mean", "poisson"]


def _check_method(method: str) -> None:
    if method not in ("mean", "poisson"):
        raise ParameterError(f"method {method!r} unknown; use 'mean' or 'poisson'")


def two_level_threshold(electron_degeneracy: int = 2, hole_degeneracy: int = 4,
                        method: Method = "mean") -> float:
    """⟨N⟩_th of band-edge (2-level) gain with degenerate electron and hole levels.

    Net absorption of the band-edge transition ∝ f_v − f_c (f_v: VB occupation by electrons,
    f_c: CB occupation).

    ``"mean"`` — mean occupations f_c = ⟨N⟩/g_e, f_v = 1 − ⟨N⟩/g_h:

    .. math:: \\langle N\\rangle_{th} = \\frac{g_e g_h}{g_e + g_h}\\quad (= 4/3 \\text{ for } 2, 4)

    ``"poisson"`` — exact average over Poisson-distributed dots, each with
    n_e = min(n, g_e), n_h = min(n, g_h):

    .. math:: \\sum_n P(n; \\langle N\\rangle)\\left[1 - \\frac{\\min(n, g_h)}{g_h}
              - \\frac{\\min(n, g_e)}{g_e}\\right] = 0

    Parameters
    ----------
    electron_degeneracy : int
        Degeneracy g_e of the lowest conduction level (CB1: 2).
    hole_degeneracy : int
        Degeneracy g_h of the top valence level (VB1: 4).
    method : {"mean", "poisson"}
        Occupation model.

    Returns
    -------
    float
        ⟨N⟩_th (dimensionless).

    Examples
    --------
    >>> round(two_level_threshold(2, 4, "mean"), 4)
    1.3333
    >>> round(two_level_threshold(2, 4, "poisson"), 4)
    1.5423
    """
    _check_method(method)
    ge, gh = int(electron_degeneracy), int(hole_degeneracy)
    if ge < 1 or gh < 1:
        raise ParameterError(f"degeneracies must be >= 1, got g_e={ge}, g_h={gh}")
    if method == "mean":
        return ge * gh / (ge + gh)
    n_max = 60
    n = np.arange(n_max + 1)
    g = 1.0 - np.minimum(n, gh) / gh - np.minimum(n, ge) / ge

    def net(N: float) -> float:
        return float(poisson_pmf(N, n_max)[0] @ g)

    return float(brentq(net, 1e-6, 40.0, xtol=1e-12))


def three_level_threshold(sigma_loss_cm2: np.ndarray | float, sigma_gain_cm2: np.ndarray | float,
                          method: Method = "poisson") -> np.ndarray:
    """⟨N⟩_th of an effective 3-level system whose gain transition has no ground absorption.

    With a fraction f of dots holding one exciton, A ∝ (1 − f) σ_loss + f (σ_loss − σ_gain'),
    where the excited dot keeps the losses; A = 0 at

    .. math:: f_{th} = \\frac{\\sigma_{loss}}{\\sigma_{loss} + \\sigma_{gain}},\\qquad
              \\langle N\\rangle_{th} = -\\ln(1 - f_{th}) \\ (\\text{Poisson}),\\
              \\text{or } f_{th} \\ (\\text{"mean"}, \\langle N\\rangle \\ll 1)

    (σ_gain here is the net gain cross section of an excited dot beyond the loss it removes.)

    Parameters
    ----------
    sigma_loss_cm2 : float or array
        Residual loss cross section per dot at the gain wavelength, cm² (>= 0).
    sigma_gain_cm2 : float or array
        Gain cross section of an excited dot, cm² (> 0).
    method : {"poisson", "mean"}
        Poisson excited fraction 1 − e^(−⟨N⟩) or the linear small-⟨N⟩ form.

    Returns
    -------
    ndarray
        ⟨N⟩_th (dimensionless).

    Examples
    --------
    >>> float(three_level_threshold(1e-17, 2e-15).round(5))  # loss 200× below gain
    0.00499
    """
    _check_method(method)
    sl = np.asarray(sigma_loss_cm2, dtype=float)
    sg = np.asarray(sigma_gain_cm2, dtype=float)
    if np.any(~np.isfinite(sl)) or np.any(sl < 0):
        raise ParameterError("sigma_loss_cm2 must be finite and >= 0 cm²")
    if np.any(~np.isfinite(sg)) or np.any(sg <= 0):
        raise ParameterError("sigma_gain_cm2 must be finite and > 0 cm² (no gain, no threshold)")
    f = sl / (sl + sg)
    return -np.log1p(-f) if method == "poisson" else f


def _static_cross_sections(model: GainModel, wavelength_nm: np.ndarray,
                           n_max: int = 12) -> tuple[np.ndarray, StateSpace]:
    _, st = rate_matrix(model.kinetics, n_max)
    return state_cross_sections_cm2(model.spectra, st, np.asarray(wavelength_nm, float)), st


def three_level_threshold_spectrum(model: GainModel, wavelength_nm: np.ndarray,
                                   method: Method = "poisson") -> np.ndarray:
    """Analytic single-exciton threshold ⟨N⟩_th(λ) of a model (long delay, relaxed holes).

    .. math:: f_{th}(\\lambda) = \\frac{\\sigma_G(\\lambda)}{\\sigma_G(\\lambda) -
              \\sigma_{S1}(\\lambda)} \\ \\text{where } \\sigma_{S1} < 0 \\text{ (else NaN)}

    σ_G: unexcited dot, σ_S1: one cold exciton with the hole in VB1 (after X2 → X1). This equals
    :func:`three_level_threshold` with σ_loss = σ_G and σ_gain = −σ_S1.

    Parameters
    ----------
    model : GainModel
        Sample model.
    wavelength_nm : ndarray, shape (W,)
        Wavelengths, nm.
    method : {"poisson", "mean"}
        See :func:`three_level_threshold`.
    """
    sig, st = _static_cross_sections(model, wavelength_nm)
    s0, s1 = sig[st.index("G")], sig[st.index("S1")]
    out = np.full(s0.shape, np.nan)
    ok = s1 < 0
    out[ok] = three_level_threshold(s0[ok], -s1[ok], method)
    return out


def two_level_threshold_spectrum(model: GainModel, wavelength_nm: np.ndarray,
                                 N_max: float = 10.0) -> np.ndarray:
    """Static Poisson threshold of the band-edge gain alone (gap-state transition removed).

    Every dot holds its n Poisson excitons cooled into CB1/VB1/VB2 (no decay), so

    .. math:: \\sum_n P(n; \\langle N\\rangle)\\,\\sigma_{n}(\\lambda) = 0,

    σ_n the cross section of state C<n> (n = 1: the VB1/VB2 hole mix of S1/S2).

    Parameters
    ----------
    model : GainModel
        Sample model; its gain transition is ignored.
    wavelength_nm : ndarray, shape (W,)
        Wavelengths, nm.
    N_max : float
        Largest ⟨N⟩ searched; NaN where no gain up to it.
    """
    from dataclasses import replace

    spec = replace(model.spectra, gain=replace(model.spectra.gain, sigma_cm2=0.0))
    n_max = 30
    sig, st = _static_cross_sections(replace(model, spectra=spec), wavelength_nm, n_max)
    q = model.kinetics.x2_fraction
    rows = [sig[st.index("G")], q * sig[st.index("S2")] + (1 - q) * sig[st.index("S1")]]
    rows += [sig[st.index(f"C{n}")] for n in range(2, n_max + 1)]
    per_n = np.array(rows)  # (n_max + 1, W)
    grid = np.geomspace(1e-3, N_max, 400)
    A = poisson_pmf(grid, n_max) @ per_n
    out = np.full(per_n.shape[1], np.nan)
    for w in np.flatnonzero((A <= 0).any(axis=0)):
        i = int(np.argmax(A[:, w] <= 0))
        if i == 0:
            out[w] = grid[0]
            continue
        out[w] = brentq(lambda N, w=w: float(poisson_pmf(N, n_max)[0] @ per_n[:, w]),
                        grid[i - 1], grid[i], xtol=1e-10)
    return out


def dot_density_cm3(volume_fraction: float, diameter_nm: float) -> float:
    """Dots per cm³ of a film: ρ = f / V_QD, V_QD = π d³ / 6.

    Parameters
    ----------
    volume_fraction : float
        Volume fraction of the dots in the film (0–1; close-packed 0.2–0.3).
    diameter_nm : float
        Dot diameter, nm.
    """
    if not 0 < volume_fraction <= 1:
        raise ParameterError(f"volume_fraction must lie in (0, 1], got {volume_fraction!r}")
    return float(volume_fraction / dot_volume_cm3(diameter_nm))


def dc_current_density_A_cm2(threshold_N: float, gain_lifetime_ps: float,
                             thickness_nm: float, dots_per_cm3: float) -> float:
    """DC current density holding a film at the gain threshold.

    Each excited dot decays in τ_gain and must be re-excited by one injected electron–hole pair;
    at threshold a fraction f_th = 1 − e^(−⟨N⟩_th) of the dots is excited:

    .. math:: J = \\frac{e\\,\\rho\\,d\\,f_{th}}{\\tau_{gain}}

    Parameters
    ----------
    threshold_N : float
        Threshold ⟨N⟩_th (dimensionless, >= 0).
    gain_lifetime_ps : float
        Gain (single-exciton) lifetime, ps.
    thickness_nm : float
        Film thickness d, nm.
    dots_per_cm3 : float
        Dot density ρ, cm⁻³.

    Returns
    -------
    float
        J, A cm⁻².
    """
    for name, v in (("gain_lifetime_ps", gain_lifetime_ps), ("thickness_nm", thickness_nm),
                    ("dots_per_cm3", dots_per_cm3)):
        if not (np.isfinite(v) and v > 0):
            raise ParameterError(f"{name} must be finite and > 0, got {v!r}")
    if not (np.isfinite(threshold_N) and threshold_N >= 0):
        raise ParameterError(f"threshold_N must be finite and >= 0, got {threshold_N!r}")
    f = -np.expm1(-threshold_N)
    return float(E_CHARGE_C * dots_per_cm3 * thickness_nm * 1e-7 * f / (gain_lifetime_ps * 1e-12))


@dataclass(frozen=True, slots=True)
class ThresholdSummary:
    """Result of :func:`threshold_summary` (units in the names).

    Attributes
    ----------
    model, method : str
        Model name and occupation statistics.
    threshold_N : float
        Minimum ⟨N⟩_th (dimensionless).
    wavelength_nm : float
        Where it occurs, nm (NaN for the wavelength-independent 2-level threshold).
    gain_lifetime_ps : float
        Lifetime of the gain, ps: single-exciton (3-level) or biexciton Auger (2-level).
    current_density_A_cm2 : float
        DC current density holding the film at threshold, A cm⁻².
    thickness_nm, dots_per_cm3 : float
        Film thickness (nm) and dot density (cm⁻³).
    """

    model: str
    method: str
    threshold_N: float
    wavelength_nm: float
    gain_lifetime_ps: float
    current_density_A_cm2: float
    thickness_nm: float
    dots_per_cm3: float


def threshold_summary(kind: Literal["2level", "3level"], model: GainModel, *,
                      method: Method = "poisson", thickness_nm: float = 100.0,
                      volume_fraction: float = 0.25,
                      wavelength_nm: np.ndarray | None = None) -> ThresholdSummary:
    """Minimum analytic threshold of ``model`` and the DC current holding a film there.

    Parameters
    ----------
    kind : {"2level", "3level"}
        Band-edge (degeneracies 2 and 4, wavelength-independent) or gap-state threshold.
    model : GainModel
        Sample model (size, gain lifetime, spectra for "3level").
    method : {"poisson", "mean"}
        Occupation statistics.
    thickness_nm : float
        Film thickness, nm.
    volume_fraction : float
        Dot volume fraction in the film.
    wavelength_nm : ndarray, optional
        Grid for the 3-level minimum (default ``model.gain_window_nm`` at 1 nm).
    """
    if kind == "2level":
        th = two_level_threshold(model.spectra.cb1_degeneracy, model.spectra.x1.degeneracy,
                                 method)
        at = float("nan")
    elif kind == "3level":
        lam = (np.arange(model.gain_window_nm[0], model.gain_window_nm[1] + 0.5, 1.0)
               if wavelength_nm is None else np.asarray(wavelength_nm, float))
        spec = three_level_threshold_spectrum(model, lam, method)
        if np.all(np.isnan(spec)):
            raise ParameterError(f"model {model.name!r} has no 3-level gain in "
                                 f"{lam[0]:.0f}–{lam[-1]:.0f} nm; use --model 2level")
        i = int(np.nanargmin(spec))
        th, at = float(spec[i]), float(lam[i])
    else:
        raise ParameterError(f"threshold model {kind!r} unknown; use '2level' or '3level'")
    rho = dot_density_cm3(volume_fraction, model.spectra.size.mean_nm)
    tau = model.kinetics.gain_lifetime_ps if kind == "3level" else model.kinetics.tau_auger_ps
    j = dc_current_density_A_cm2(th, tau, thickness_nm, rho)
    return ThresholdSummary(model=model.name, method=method, threshold_N=th, wavelength_nm=at,
                            gain_lifetime_ps=tau, current_density_A_cm2=j,
                            thickness_nm=thickness_nm, dots_per_cm3=rho)
