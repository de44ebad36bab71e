"""TA simulator: ΔA(λ, t, ⟨N⟩) of a gain model as a measurement-like dataset (SPEC §3–§5).

.. math::

    \\Delta A(\\lambda, t, \\langle N\\rangle) = \\frac{cL}{\\ln 10}\\sum_k
        \\Big[\\sum_s V_{sk}\\,\\sigma_s(\\lambda)\\Big] C_k(\\langle N\\rangle)\\,
        h_k\\big(t - t_0(\\lambda)\\big) + \\text{scatter} + \\text{noise}

with the kinetic eigen-modes (λ_k, V, C) of :func:`qdgain.gain.kinetics.modes` and h_k the
Gaussian-IRF-convolved step-exponential (standard deviation s):

.. math:: h_k(t) = \\tfrac12\\,e^{\\lambda_k t + \\lambda_k^2 s^2/2}\\,
          \\operatorname{erfc}\\!\\Big(\\frac{-\\lambda_k s^2 - t}{s\\sqrt2}\\Big)

t_0(λ) is the optional chirp (a polynomial). Noise: shot noise of the transmitted probe and
detector readout noise, σ_ΔA = √2 / ln10 · √(1/n + r²/n²) with n = n_probe 10^(−A0) detected
photons per pixel and delay (pumped and unpumped spectra both noisy). Pump scatter: a Gaussian
line at the pump wavelength, proportional to ⟨N⟩, present at every delay.

The result follows the ``ta`` data model of docs/interfaces.md (this layer cannot import
``qdgain.ta``; the CLI writes files with ``qdgain.ta.io.write_ta``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.special import erfc, erfcx

from qdgain.calibration.fluence import mean_excitons, photons_per_cm2_from_fluence
from qdgain.constants import GAUSS_FWHM_PER_SIGMA
from qdgain.errors import ParameterError
from qdgain.gain.kinetics import modes
from qdgain.gain.models import GainModel, absorbance_scale_od_per_cm2
from qdgain.gain.poisson import check_mean_excitons
from qdgain.gain.spectra import line_shapes, pl_spectrum, state_cross_sections_cm2
from qdgain.gain.truth import check_probe_grid
from qdgain.units import with_units

__all__ = ["Instrument", "default_delays", "default_wavelengths", "irf_exponential",
           "fluence_from_N", "simulate_ta"]

_FWHM_TO_SIGMA = 1.0 / GAUSS_FWHM_PER_SIGMA


@dataclass(frozen=True, slots=True)
class Instrument:
    """Pump–probe instrument: time resolution, chirp, noise and pump scatter.

    Parameters
    ----------
    irf_fwhm_ps : float
        FWHM of the Gaussian instrument response, ps (0: none).
    chirp_ps : tuple of float
        Coefficients c_i of the time zero t_0(λ) = Σ c_i x^i, x = (λ − chirp_reference_nm)/100,
        ps (empty: no chirp).
    chirp_reference_nm : float
        Reference wavelength of the chirp polynomial, nm.
    probe_photons : float
        Detected probe photons per pixel and delay at full transmission (inf: no shot noise).
    readout_noise_e : float
        Readout noise per pixel and delay, electrons rms (0: none).
    pump_scatter_od : float
        Peak of the pump-scatter line at ⟨N⟩ = 1, OD (0: none).
    pump_scatter_fwhm_nm : float
        FWHM of the pump-scatter line, nm.
    """

    irf_fwhm_ps: float = 0.25
    chirp_ps: tuple[float, ...] = ()
    chirp_reference_nm: float = 800.0
    probe_photons: float = 1e9
    readout_noise_e: float = 1000.0
    pump_scatter_od: float = 2e-3
    pump_scatter_fwhm_nm: float = 8.0

    def __post_init__(self) -> None:
        for name in ("irf_fwhm_ps", "readout_noise_e", "pump_scatter_od"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ParameterError(f"Instrument.{name} = {v!r} must be finite and >= 0")
        for name in ("probe_photons", "pump_scatter_fwhm_nm", "chirp_reference_nm"):
            v = getattr(self, name)
            if not v > 0:
                raise ParameterError(f"Instrument.{name} = {v!r} must be > 0")

    @classmethod
    def noiseless(cls, irf_fwhm_ps: float = 0.25) -> Instrument:
        """An instrument without noise, scatter or chirp (for ground-truth comparisons)."""
        return cls(irf_fwhm_ps=irf_fwhm_ps, probe_photons=math.inf, readout_noise_e=0.0,
                   pump_scatter_od=0.0)

    def time_zero_ps(self, wavelength_nm: np.ndarray) -> np.ndarray:
        """Chirp t_0(λ), ps."""
        x = (np.asarray(wavelength_nm, float) - self.chirp_reference_nm) / 100.0
        return np.polynomial.polynomial.polyval(x, np.asarray(self.chirp_ps or (0.0,), float))


def default_delays(n: int = 1000, start_ps: float = -5.0, stop_ps: float = 2500.0) -> np.ndarray:
    """Helios-like delay axis: 40 % of the points linear up to 5 ps, the rest log-spaced, ps."""
    if n < 10 or not start_ps < 5.0 < stop_ps:
        raise ParameterError("need n >= 10 delays and start_ps < 5 ps < stop_ps")
    n_lin = int(0.4 * n)
    lin = np.linspace(start_ps, 5.0, n_lin, endpoint=False)
    return np.concatenate([lin, np.geomspace(5.0, stop_ps, n - n_lin)])


def default_wavelengths(n: int = 1024, start_nm: float = 450.0,
                        stop_nm: float = 1620.0) -> np.ndarray:
    """Uniform probe grid (the paper's 450–1620 nm), nm."""
    if n < 2 or not 0 < start_nm < stop_nm:
        raise ParameterError("need n >= 2 wavelengths and 0 < start_nm < stop_nm")
    return np.linspace(start_nm, stop_nm, n)


def irf_exponential(rate_per_ps: np.ndarray, t_ps: np.ndarray, irf_sigma_ps: float) -> np.ndarray:
    """Step-exponential Θ(t) e^{λ t} convolved with a unit-area Gaussian of std s (see module).

    Parameters
    ----------
    rate_per_ps : ndarray
        λ <= 0, ps⁻¹ (broadcast against ``t_ps``).
    t_ps : ndarray
        Delays, ps.
    irf_sigma_ps : float
        Gaussian standard deviation s, ps (0: no convolution).
    """
    k = -np.asarray(rate_per_ps, float)
    t = np.asarray(t_ps, float)
    if irf_sigma_ps == 0:
        with np.errstate(over="ignore"):
            return np.where(t >= 0, np.exp(-k * np.clip(t, 0, None)), 0.0)
    s = irf_sigma_ps
    u = (k * s * s - t) / (s * math.sqrt(2.0))
    # u >= 0: ½ e^{-t²/2s²} erfcx(u) (the exponents cancel exactly); u < 0: direct form
    a = 0.5 * np.exp(-0.5 * (t / s) ** 2) * erfcx(np.maximum(u, 0.0))
    b = 0.5 * np.exp(np.minimum(-k * t + 0.5 * (k * s) ** 2, 0.0)) * erfc(np.minimum(u, 0.0))
    return np.where(u >= 0, a, b)


def fluence_from_N(model: GainModel, N_mean: np.ndarray) -> np.ndarray:
    """Pump fluence (µJ cm⁻²) giving ⟨N⟩ (calibration: ⟨N⟩ = J_ph σ_pump (1−e^{−αL})/αL)."""
    lam = np.array([model.pump_wavelength_nm])
    a_pump = absorbance_scale_od_per_cm2(model) * float(line_shapes(model.spectra, lam)[
        [0, 1, 7], 0].sum())
    per_unit = float(mean_excitons(photons_per_cm2_from_fluence(1.0, model.pump_wavelength_nm),
                                   model.sigma_pump_cm2, a_pump))
    return np.asarray(N_mean, float) / per_unit


def _delta_absorbance(model: GainModel, N: np.ndarray, t: np.ndarray, lam: np.ndarray,
                      inst: Instrument) -> np.ndarray:
    m = modes(model.kinetics, N)
    sig = absorbance_scale_od_per_cm2(model) * state_cross_sections_cm2(model.spectra, m.states,
                                                                          lam)
    spec = m.vectors.T @ sig  # (K, W) OD per unit mode amplitude
    weight = np.abs(m.amplitudes).max(axis=0) * np.abs(spec).max(axis=1)
    keep = weight > 1e-12 * weight.max()  # modes no ⟨N⟩ populates (high-n tails) add nothing
    rates, spec, amp = m.rates_per_ps[keep], spec[keep], m.amplitudes[:, keep]
    s = inst.irf_fwhm_ps * _FWHM_TO_SIGMA
    out = np.zeros((N.size, t.size, lam.size))
    if rates.size == 0:  # <N> = 0 only: nothing excited
        return out
    if not inst.chirp_ps:
        H = irf_exponential(rates[:, None], t[None, :], s)  # (K, T)
        for f in range(N.size):
            out[f] = H.T @ (amp[f][:, None] * spec)
        return out
    t0 = inst.time_zero_ps(lam)
    # Late delays: once (t − t0)/s exceeds −λ s + 6√2 for every mode and pixel, erfc(u) = 2 to
    # 1e-17 and h_k(t − t0) = e^{λ t} · e^{−λ t0 + λ² s²/2} separates in t and λ (a matmul).
    late = t > t0.max() + float(np.max(-rates)) * s * s + 6.0 * math.sqrt(2.0) * s
    if late.any():
        E = np.exp(np.outer(t[late], rates))  # (T_late, K)
        shift = np.exp(-rates[:, None] * t0[None, :] + 0.5 * (rates[:, None] * s) ** 2)
        for f in range(N.size):
            out[f][late] = E @ (amp[f][:, None] * spec * shift)
    early = np.flatnonzero(~late)
    if early.size == 0:
        return out
    te = t[early]
    for w0 in range(0, lam.size, 128):
        w1 = min(w0 + 128, lam.size)
        H = irf_exponential(rates[:, None, None], (te[:, None] - t0[None, w0:w1])[None], s)
        Hw = np.ascontiguousarray(H.transpose(2, 1, 0))  # (Wc, T_early, K)
        for f in range(N.size):
            B = (amp[f][:, None] * spec[:, w0:w1]).T[:, :, None]  # (Wc, K, 1)
            out[f, early, w0:w1] = (Hw @ B)[:, :, 0].T
    return out


def simulate_ta(model: GainModel, N_mean: np.ndarray | float, *,
                delay_ps: np.ndarray | None = None, wavelength_nm: np.ndarray | None = None,
                instrument: Instrument | None = None, seed: int | None = 0,
                band_nm: tuple[float, float] | None = None) -> xr.Dataset:
    """Simulate a fluence series of TA maps as a dataset of the ``ta`` data model.

    Parameters
    ----------
    model : GainModel
        Sample model (e.g. ``preset("hgte-1220")``).
    N_mean : float or array, shape (F,)
        Mean excitons per dot ⟨N⟩ of each pump fluence (>= 0, strictly ascending after sort).
    delay_ps : ndarray, optional
        Stage delays, ps (default :func:`default_delays`, −5 ps … 2.5 ns, 1000 points).
    wavelength_nm : ndarray, optional
        Probe wavelengths, nm, ascending (default :func:`default_wavelengths`, 450–1620 nm).
    instrument : Instrument, optional
        IRF, chirp, noise, scatter (default ``Instrument()``).
    seed : int or None
        Seed of the noise generator (same seed, same data).
    band_nm : tuple of float, optional
        Wavelength band (nm) the probe grid must cover (e.g. the gain band to analyse).

    Returns
    -------
    xarray.Dataset
        ``dA`` (fluence, delay, wavelength) OD, ``A0`` and ``PL`` (wavelength), coords
        ``fluence`` (uJ/cm^2) with ``N_mean`` (1), ``delay`` (ps), ``wavelength`` (nm); sample
        metadata and the simulation settings in ``attrs``.

    Raises
    ------
    ParameterError
        ⟨N⟩ < 0 or repeated; grids not strictly ascending; grid not covering ``band_nm``.
    """
    inst = Instrument() if instrument is None else instrument
    N = np.sort(check_mean_excitons(N_mean))
    if np.any(np.diff(N) <= 0):
        raise ParameterError("N_mean values must be distinct (one map per fluence)")
    lam = default_wavelengths() if wavelength_nm is None else np.asarray(wavelength_nm, float)
    band = band_nm if band_nm is not None else (lam.min(), lam.max())
    lam = check_probe_grid(lam, band, "probe grid")
    t = default_delays() if delay_ps is None else np.asarray(delay_ps, float)
    if t.ndim != 1 or t.size < 1 or np.any(~np.isfinite(t)) or np.any(np.diff(t) <= 0):
        raise ParameterError("delay_ps must be a strictly ascending 1-D array of finite ps values")
    dA = _delta_absorbance(model, N, t, lam, inst)
    a0 = absorbance_scale_od_per_cm2(model) * (line_shapes(model.spectra, lam)[[0, 1, 7]].sum(0))
    if inst.pump_scatter_od > 0:
        z = (lam - model.pump_wavelength_nm) / (inst.pump_scatter_fwhm_nm * _FWHM_TO_SIGMA)
        dA += inst.pump_scatter_od * N[:, None, None] * np.exp(-0.5 * z * z)[None, None, :]
    if math.isfinite(inst.probe_photons) or inst.readout_noise_e > 0:
        n_ph = inst.probe_photons * 10.0 ** (-a0)
        shot = 0.0 if not math.isfinite(inst.probe_photons) else 1.0 / n_ph
        read = 0.0 if not math.isfinite(inst.probe_photons) else (inst.readout_noise_e / n_ph) ** 2
        sigma = math.sqrt(2.0) / math.log(10.0) * np.sqrt(shot + read)
        dA += np.random.default_rng(seed).standard_normal(dA.shape) * sigma
    fl = fluence_from_N(model, N)
    ds = xr.Dataset(
        {"dA": (("fluence", "delay", "wavelength"), dA),
         "A0": (("wavelength",), a0),
         "PL": (("wavelength",), pl_spectrum(model.spectra, lam))},
        coords={"fluence": fl, "delay": t, "wavelength": lam, "N_mean": ("fluence", N)},
    )
    ds["dA"] = with_units(ds["dA"], "OD", "absorbance change ΔA")
    ds["A0"] = with_units(ds["A0"], "OD", "ground-state absorbance A0")
    ds["PL"] = with_units(ds["PL"], "1", "photoluminescence (peak-normalised)")
    ds["fluence"] = with_units(ds["fluence"], "uJ/cm^2", "pump fluence")
    ds["N_mean"] = with_units(ds["N_mean"], "1", "mean excitons per dot <N>")
    ds["delay"] = with_units(ds["delay"], "ps", "pump-probe delay")
    ds["wavelength"] = with_units(ds["wavelength"], "nm", "probe wavelength")
    ds.attrs.update({
        "pump_wavelength_nm": float(model.pump_wavelength_nm), "sample": model.name,
        "path_length_cm": float(model.path_length_cm),
        "source_file": f"simulated by qdgain.gain.simulate_ta (preset/model {model.name!r})",
        "simulation_seed": -1 if seed is None else int(seed),
        "simulation_irf_fwhm_ps": float(inst.irf_fwhm_ps),
        "simulation_probe_photons": float(inst.probe_photons),
        "simulation_readout_noise_e": float(inst.readout_noise_e),
        "simulation_chirp_ps": ",".join(f"{c:g}" for c in inst.chirp_ps) or "none",
        "simulation_gain_lifetime_ps": float(model.kinetics.gain_lifetime_ps),
    })
    if N.size == 1:
        ds.attrs["N_mean"] = float(N[0])
        ds.attrs["fluence_uJ_cm2"] = float(fl[0])
    return ds
