"""Absorption cross section of every dot state, inhomogeneously broadened (SPEC §1, §3, §5).

Input (parametric now, from ``optics`` later) is a small set of :class:`Transition` records —
energy, homogeneous width, peak cross section (cm²) and degeneracy of each transition at the
reference dot size. The ensemble line shape of each transition is the average over a Gaussian
size distribution (3.5 ± 0.3 nm for the paper's sample); transition energies follow the band gap
with the confinement law E_g(d) = E_bulk + (E_g(d_ref) − E_bulk) (d_ref / d)^α.

The cross section of a dot in state s (cm², positive = absorption, negative = gain) is

.. math::

    \\sigma_s(E) = \\sum_{k=X1,X2} \\left[ f_{v,k}(1 - f_c)\\,\\sigma^{abs}_k(E)
                  - f_c (1 - f_{v,k})\\,\\sigma^{se}_k(E) \\right]
                  - n_{CB1}\\,[\\text{gap empty}]\\,\\sigma_{gain}(E)
                  + n_e\\,\\sigma_{IB,e}(E) + n_h\\,\\sigma_{IB,h}(E) + \\sigma_{cont}(E)

with f_c = n_CB1 / g_CB1 (g_CB1 = 2) and f_v,k = 1 − h_k / g_k (g = 4 for VB1 and VB2): state
filling bleaches absorption and opens stimulated emission on the band-edge transitions; the
CB1 → gap-state transition only emits (the gap state is empty in unexcited dots, so it has no
ground-state absorption). Hot dots (before cooling) do not fill the band-edge levels; their
band-edge absorption is red-shifted by ``stark_shift_eV`` (early induced absorption).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from qdgain.constants import GAUSS_FWHM_PER_SIGMA, HC_EV_NM, K_B_EV_K
from qdgain.errors import ParameterError
from qdgain.gain.kinetics import StateSpace

__all__ = ["Transition", "SizeDistribution", "SpectralModel", "LINES", "line_shapes",
           "state_coefficients", "state_cross_sections_cm2", "pl_spectrum"]

#: Names of the broadened basis lines, in the order of :func:`line_shapes`.
LINES: tuple[str, ...] = ("x1_abs", "x2_abs", "x1_se", "x2_se", "gain", "ib_electron",
                          "ib_hole", "continuum", "x1_stark", "x2_stark")
_FWHM_TO_SIGMA = 1.0 / GAUSS_FWHM_PER_SIGMA


@dataclass(frozen=True, slots=True)
class Transition:
    """One optical transition of a dot of the reference size.

    Parameters
    ----------
    energy_eV : float
        Transition energy, eV (> 0).
    fwhm_eV : float
        Homogeneous Gaussian line width (FWHM), eV (> 0).
    sigma_cm2 : float
        Peak cross section, cm² (>= 0). For the gain transition and intraband absorption it is
        per CB1 electron / per carrier.
    degeneracy : int
        Degeneracy of the hole level of a band-edge transition (VB1, VB2: 4); 1 otherwise.
    follows_gap : float
        Fraction of the size-dependent band-gap shift the transition follows (1: band-edge and
        gap-state transitions, 0: fixed energy).
    """

    energy_eV: float
    fwhm_eV: float
    sigma_cm2: float
    degeneracy: int = 1
    follows_gap: float = 1.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.energy_eV) and self.energy_eV > 0):
            raise ParameterError(f"Transition.energy_eV = {self.energy_eV!r} must be > 0 eV")
        if not (np.isfinite(self.fwhm_eV) and self.fwhm_eV > 0):
            raise ParameterError(f"Transition.fwhm_eV = {self.fwhm_eV!r} must be > 0 eV")
        if not (np.isfinite(self.sigma_cm2) and self.sigma_cm2 >= 0):
            raise ParameterError(
                f"Transition.sigma_cm2 = {self.sigma_cm2!r}: cross sections must be >= 0 cm² "
                "(gain enters through state occupations, not negative cross sections)")
        if int(self.degeneracy) < 1:
            raise ParameterError(f"Transition.degeneracy = {self.degeneracy!r} must be >= 1")


@dataclass(frozen=True, slots=True)
class SizeDistribution:
    """Gaussian distribution of dot diameters, sampled on a uniform quadrature grid.

    Parameters
    ----------
    mean_nm : float
        Mean diameter, nm.
    std_nm : float
        Standard deviation, nm (0: monodisperse).
    n_points : int
        Quadrature points (odd) spanning ± ``span_std`` standard deviations.
    span_std : float
        Half-width of the grid in standard deviations.
    """

    mean_nm: float = 3.5
    std_nm: float = 0.3
    n_points: int = 41
    span_std: float = 4.0

    def __post_init__(self) -> None:
        if not self.mean_nm > 0 or not self.std_nm >= 0 or self.std_nm * self.span_std >= \
                self.mean_nm:
            raise ParameterError(
                f"SizeDistribution({self.mean_nm!r} ± {self.std_nm!r} nm): need mean > 0, "
                "std >= 0 and mean − span_std·std > 0")
        if int(self.n_points) < 1:
            raise ParameterError(f"SizeDistribution.n_points must be >= 1, got {self.n_points}")

    def nodes(self) -> tuple[np.ndarray, np.ndarray]:
        """Diameters (nm) and normalised weights of the quadrature."""
        if self.std_nm == 0 or self.n_points == 1:
            return np.array([self.mean_nm]), np.array([1.0])
        x = np.linspace(-self.span_std, self.span_std, int(self.n_points))
        w = np.exp(-0.5 * x**2)
        return self.mean_nm + self.std_nm * x, w / w.sum()


@dataclass(frozen=True, slots=True)
class SpectralModel:
    """Transitions of the reference dot, size distribution and line-shape options.

    Parameters
    ----------
    x1, x2 : Transition
        Band-edge transitions CB1 ← VB1 (X1) and CB1 ← VB2 (X2); ``degeneracy`` = hole level.
    gain : Transition
        CB1 → empty gap-state stimulated emission, per CB1 electron (``sigma_cm2=0``: 2-level).
    ib_electron, ib_hole : Transition
        Intraband absorption per electron / per hole (charged and excited dots).
    continuum_onset_eV : float
        Onset of the above-gap absorption continuum, eV.
    continuum_sigma_cm2_per_eV : float
        Slope of the continuum cross section above onset, cm² eV⁻¹.
    continuum_width_eV : float
        Softness of the onset, eV.
    cb1_degeneracy : int
        Degeneracy of CB1 (2).
    stark_shift_eV : float
        Red shift of the band-edge absorption of a dot with hot carriers, eV.
    se_stokes_eV : float
        Red shift of the band-edge stimulated-emission line from the absorption line, eV.
    pl_stokes_eV : float
        Extra red shift of the photoluminescence spectrum, eV.
    size : SizeDistribution
        Diameters of the ensemble.
    bulk_gap_eV : float
        E_bulk in the confinement law (HgTe: −0.15 eV at 300 K).
    size_exponent : float
        α in the confinement law.
    """

    x1: Transition
    x2: Transition
    gain: Transition
    ib_electron: Transition
    ib_hole: Transition
    continuum_onset_eV: float = 1.3
    continuum_sigma_cm2_per_eV: float = 1e-15
    continuum_width_eV: float = 0.1
    cb1_degeneracy: int = 2
    stark_shift_eV: float = 0.01
    se_stokes_eV: float = 0.0
    pl_stokes_eV: float = 0.03
    size: SizeDistribution = field(default_factory=SizeDistribution)
    bulk_gap_eV: float = -0.15
    size_exponent: float = 1.0

    def __post_init__(self) -> None:
        if self.continuum_sigma_cm2_per_eV < 0:
            raise ParameterError("continuum_sigma_cm2_per_eV must be >= 0 cm² eV⁻¹")
        if self.continuum_width_eV <= 0:
            raise ParameterError("continuum_width_eV must be > 0 eV")
        if self.cb1_degeneracy < 1:
            raise ParameterError("cb1_degeneracy must be >= 1")
        if self.bulk_gap_eV >= self.x1.energy_eV:
            raise ParameterError("bulk_gap_eV must lie below the X1 energy of the reference dot")


def _gap_shift(model: SpectralModel, diameters_nm: np.ndarray) -> np.ndarray:
    """ΔE_g(d) = (E_g(d_ref) − E_bulk) ((d_ref/d)^α − 1), eV."""
    conf = model.x1.energy_eV - model.bulk_gap_eV
    return conf * ((model.size.mean_nm / diameters_nm) ** model.size_exponent - 1.0)


def _broadened(tr: Transition, energy: np.ndarray, shifts: np.ndarray, weights: np.ndarray,
               offset_eV: float = 0.0) -> np.ndarray:
    """σ_peak Σ_j w_j exp(−(E − E_k − s ΔE_j − offset)² / 2 s_h²), cm²."""
    s = tr.fwhm_eV * _FWHM_TO_SIGMA
    centres = tr.energy_eV + tr.follows_gap * shifts + offset_eV  # (D,)
    z = (energy[None, :] - centres[:, None]) / s
    return tr.sigma_cm2 * (weights @ np.exp(-0.5 * z * z))


def _energy(wavelength_nm: np.ndarray) -> np.ndarray:
    lam = np.asarray(wavelength_nm, dtype=float)
    if lam.ndim != 1 or lam.size == 0 or np.any(~np.isfinite(lam)) or np.any(lam <= 0):
        raise ParameterError("wavelength grid must be a non-empty 1-D array of values > 0 nm")
    return HC_EV_NM / lam


def line_shapes(model: SpectralModel, wavelength_nm: np.ndarray) -> np.ndarray:
    """Ensemble (size-averaged) line shapes of the basis lines :data:`LINES`, cm².

    Parameters
    ----------
    model : SpectralModel
        Transitions and size distribution.
    wavelength_nm : ndarray, shape (W,)
        Probe wavelengths, nm.

    Returns
    -------
    ndarray, shape (len(LINES), W)
        Cross sections, cm² (per dot, per carrier for gain / intraband lines).
    """
    E = _energy(wavelength_nm)
    d, w = model.size.nodes()
    sh = _gap_shift(model, d)
    onset = model.continuum_onset_eV + sh[:, None]
    x = (E[None, :] - onset) / model.continuum_width_eV
    # softplus onset: σ = slope · width · ln(1 + e^x), linear in E well above the onset
    cont = model.continuum_sigma_cm2_per_eV * model.continuum_width_eV * (
        w @ np.logaddexp(0.0, x))
    return np.stack([
        _broadened(model.x1, E, sh, w),
        _broadened(model.x2, E, sh, w),
        _broadened(model.x1, E, sh, w, -model.se_stokes_eV),
        _broadened(model.x2, E, sh, w, -model.se_stokes_eV),
        _broadened(model.gain, E, sh, w),
        _broadened(model.ib_electron, E, sh, w),
        _broadened(model.ib_hole, E, sh, w),
        cont,
        _broadened(model.x1, E, sh, w, -model.stark_shift_eV),
        _broadened(model.x2, E, sh, w, -model.stark_shift_eV),
    ])


def state_coefficients(model: SpectralModel, states: StateSpace) -> np.ndarray:
    """Weight of each basis line in the cross section of each state, shape (S, len(LINES)).

    .. math:: f_c = n_{CB1}/g_{CB1},\\quad f_{v,k} = 1 - h_k/g_k;\\quad
              \\text{abs}_k = f_{v,k}(1-f_c),\\ \\text{se}_k = -f_c(1-f_{v,k})
    """
    fc = states.electrons_cb1 / model.cb1_degeneracy
    fv1 = 1.0 - states.holes_vb1 / model.x1.degeneracy
    fv2 = 1.0 - states.holes_vb2 / model.x2.degeneracy
    hot = states.hot_excitons > 0
    cold = (~hot).astype(float)
    coef = np.zeros((states.size, len(LINES)))
    coef[:, 0] = cold * fv1 * (1 - fc)
    coef[:, 1] = cold * fv2 * (1 - fc)
    coef[:, 2] = -cold * fc * (1 - fv1)
    coef[:, 3] = -cold * fc * (1 - fv2)
    coef[:, 4] = -states.electrons_cb1 * (~states.gap_filled)
    coef[:, 5] = states.electrons_total
    coef[:, 6] = states.holes_total
    coef[:, 7] = 1.0
    coef[:, 8] = hot
    coef[:, 9] = hot
    return coef


def state_cross_sections_cm2(model: SpectralModel, states: StateSpace,
                             wavelength_nm: np.ndarray) -> np.ndarray:
    """Cross section σ_s(λ) of one dot in each state, cm², shape (S, W) (see module doc)."""
    return state_coefficients(model, states) @ line_shapes(model, wavelength_nm)


def pl_spectrum(model: SpectralModel, wavelength_nm: np.ndarray,
                temperature_K: float = 300.0) -> np.ndarray:
    """Photoluminescence spectrum per wavelength interval, normalised to a peak of 1.

    Spontaneous emission from thermalised single excitons (Boltzmann share of X2 over X1 at
    ``temperature_K``), line shape of stimulated emission red-shifted by ``pl_stokes_eV``,
    with the E³ photon density-of-states factor and the Jacobian dE/dλ = E/λ:

    .. math:: I(\\lambda) \\propto E^3 \\,\\frac{E}{\\lambda}
              \\left[\\sigma_{X1}(E + \\delta)
              + e^{-(E_{X2}-E_{X1})/k_BT}\\sigma_{X2}(E + \\delta)\\right]

    Parameters
    ----------
    model : SpectralModel
        Transitions.
    wavelength_nm : ndarray, shape (W,)
        Wavelengths, nm.
    temperature_K : float
        Temperature of the exciton population, K.
    """
    E = _energy(wavelength_nm)
    d, w = model.size.nodes()
    sh = _gap_shift(model, d)
    boltz = np.exp(-(model.x2.energy_eV - model.x1.energy_eV) / (K_B_EV_K * temperature_K))
    off = -(model.se_stokes_eV + model.pl_stokes_eV)
    line = _broadened(model.x1, E, sh, w, off) + boltz * _broadened(model.x2, E, sh, w, off)
    pl = line * E**4 / np.asarray(wavelength_nm, dtype=float)
    peak = pl.max()
    return pl / peak if peak > 0 else pl
