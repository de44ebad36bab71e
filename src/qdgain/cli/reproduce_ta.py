"""``qdgain reproduce`` stages of the experiment half: simulated TA → analysis → calibration.

The simulated fluence series is written as instrument files (one Helios ``.ufs`` per fluence, the
ground-state absorbance as a two-column text file, a ``files.json`` lab notebook with fluence and
⟨N⟩ per file) and then analysed exactly as a user would analyse measured files: ``read_ta`` +
``stack_fluence`` + ``read_spectrum`` + ``analyze_gain_series`` (what ``qdgain ta gain`` runs).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from qdgain.cli.reproduce_stages import require
from qdgain.cli.reproduce_theory import sample_model
from qdgain.errors import ParameterError
from qdgain.report.stages import Stage, StageContext
from qdgain.units import with_units

__all__ = ["experiment_stages", "CALIBRATION", "load_series"]


def stage_simulate(ctx: StageContext) -> None:
    """Simulate the fluence series with spectra from TB/CI and the paper's kinetics; write files."""
    p = ctx.params
    simulate_ta, Instrument, default_delays = require(
        "qdgain.gain.simulator", "simulate_ta", "Instrument", "default_delays",
        owner="gain simulator (issue 7)")
    ground_truth = require("qdgain.gain", "ground_truth", owner="gain (issue 7)")
    write_ta, write_spectrum = require("qdgain.ta", "write_ta", "write_spectrum",
                                       owner="ta formats (issue 4)")
    model = sample_model(ctx)
    N = np.asarray(p["N_mean"], float)
    delay = default_delays(p["n_delays"], p["delay_min_ps"], p["delay_max_ps"])
    lam = np.linspace(p["probe_min_nm"], p["probe_max_nm"], p["n_wavelengths"])
    inst = Instrument(irf_fwhm_ps=p["irf_fwhm_ps"], probe_photons=p["probe_photons"])
    ds = simulate_ta(model, N, delay_ps=delay, wavelength_nm=lam, instrument=inst,
                     seed=p["seed"])
    notebook = []
    for k in range(ds.sizes["fluence"]):
        one = ds[["dA"]].isel(fluence=k).drop_vars(["fluence", "N_mean"])
        one.attrs = {**ds.attrs, "N_mean": float(ds["N_mean"][k]),
                     "fluence_uJ_cm2": float(ds["fluence"][k])}
        name = f"hgte_N{k:02d}.ufs"
        write_ta(one, ctx.path(name), format="helios-ufs")
        notebook.append({"file": name, "fluence_uJ_cm2": float(ds["fluence"][k]),
                         "N_mean": float(ds["N_mean"][k])})
    write_spectrum(ds["A0"], ctx.path("A0.txt"))
    write_spectrum(ds["PL"], ctx.path("PL.txt"))
    ctx.save_json("files", notebook)
    truth = ground_truth(model, lam, delay_ps=p["delay_max_ps"])
    ctx.save_json("truth", {"min_threshold_N": truth.min_threshold_N,
                            "min_threshold_wavelength_nm": truth.min_threshold_wavelength_nm,
                            "band_N": truth.band_N, "band_nm": list(truth.band_nm),
                            "gain_lifetime_ps": truth.gain_lifetime_ps})
    x1_nm = 1239.8419843 / model.spectra.x1.energy_eV
    ctx.record(irf_fwhm_fs=1e3 * p["irf_fwhm_ps"], pump_wavelength_nm=model.pump_wavelength_nm,
               probe_min_nm=float(lam.min()), probe_max_nm=float(lam.max()),
               delay_max_ps=float(delay.max()), N_min=float(N.min()), N_max=float(N.max()),
               A0_first_exciton=float(ds["A0"].sel(wavelength=x1_nm, method="nearest")),
               n_files=len(notebook), truth_min_threshold_N=truth.min_threshold_N,
               truth_min_threshold_wavelength_nm=truth.min_threshold_wavelength_nm)


def load_series(ctx_files, files: list[dict]) -> tuple[xr.Dataset, xr.DataArray]:
    """Read the instrument files of a fluence series the way a user would (readers only)."""
    read_ta, stack_fluence, read_spectrum = require(
        "qdgain.ta", "read_ta", "stack_fluence", "read_spectrum", owner="ta formats (issue 4)")
    dsets = [read_ta(ctx_files(f["file"])) for f in files]
    series = stack_fluence(dsets, [f["fluence_uJ_cm2"] for f in files],
                           [f["N_mean"] for f in files])
    return series, read_spectrum(ctx_files("A0.txt"), kind="A0")


def _nearest(values: np.ndarray, target: float) -> int:
    return int(np.argmin(np.abs(np.log(np.asarray(values) / target))))


def stage_ta_gain(ctx: StageContext) -> None:
    """Read the instrument files back and run the gain analysis ``qdgain ta gain`` runs."""
    p = ctx.params
    GainOptions, analyze, summarize = require(
        "qdgain.ta.gain_analysis", "GainOptions", "analyze_gain_series", "gain_summary",
        owner="ta gain analysis (issue 5)")
    sim = ctx.upstream("simulate")
    cal = ctx.upstream("calibration").json("summary")
    series, a0 = load_series(sim.file, sim.json("files"))
    opts = GainOptions(delay_ps=p["delay_late_ps"], early_delay_ps=p["delay_early_ps"],
                       a400_od=cal["A400"] if isinstance(cal["A400"], float) else None,
                       mu_i_400_cm=cal["mu_i_used_cm"],
                       film_volume_fraction=float(np.mean(cal["f_film"])))
    res = analyze(series, a0, opts)
    summ = summarize(res)
    ctx.save_json("gain_summary", summ)
    ctx.save_dataset("analysis", res)
    a0_grid = a0.interp(wavelength=series["wavelength"])
    series = series.assign(A0=with_units(a0_grid.drop_vars([c for c in a0_grid.coords
                                                             if c != "wavelength"]), "OD"))
    ctx.save_dataset("series", series)
    # for the figures: thresholds where the signal is above the analysis' SNR floor (the raw
    # threshold spectra with their status flags stay in analysis.nc)
    ok = res["snr"] > res.attrs["min_snr"]
    ctx.save_dataset("thresholds", xr.Dataset(
        {"N_th_late": with_units(res["N_th"].where(ok), "1"),
         "N_th_early": with_units(res["N_th_early"].where(ok), "1")},
        attrs={"min_snr": float(res.attrs["min_snr"])}))
    best = summ["min_threshold_interp"]
    k = _nearest(res["N_mean"].values, p["band_at_N"])
    lo, hi = float(res["band_lower"][k]), float(res["band_upper"][k])
    no_band = {"not_computed": f"no gain band at ⟨N⟩ = {float(res['N_mean'][k]):.3g}"}
    ctx.record(delay_late_ps=p["delay_late_ps"], delay_early_ps=p["delay_early_ps"],
               N_th_min=best["N_th"] if isinstance(best, dict) else {"not_computed": best},
               N_th_min_wavelength_nm=best["wavelength_nm"] if isinstance(best, dict)
               else {"not_computed": best},
               band_N=float(res["N_mean"][k]),
               band_lo_nm=lo if np.isfinite(lo) else no_band,
               band_hi_nm=hi if np.isfinite(hi) else no_band,
               tau_gain_ns=(float(res["lifetime_tau_ps"]) / 1e3 if "lifetime_tau_ps" in res
                            else {"not_computed": res.attrs.get("lifetime", "no lifetime")}),
               tau_gain_err_ns=(float(res["lifetime_tau_err_ps"]) / 1e3
                                if "lifetime_tau_err_ps" in res else None))


def stage_calibration(ctx: StageContext) -> None:
    """μ_i from each ε source, the sample's A400, ⟨N⟩ per mW and its error, the telecom bands.

    The sample's absorbance at 400 nm follows from its OD at the first exciton and the sample
    model's X1 cross section (from TB + CI by default): A400 / A_X1 = V μ_i / σ(X1).
    """
    c = require("qdgain.calibration", "intrinsic_absorption_sources", "dielectric_from_nk",
                "intrinsic_absorption_cm", "pump_cross_section_cm2", "pump_photons_per_cm2",
                "mean_excitons", "propagate_linear", "telecom_bands", "dot_volume_cm3",
                "volume_fraction", owner="calibration (issue 5)")
    (sources, from_nk, mu_from_eps, sigma_pump, photons, mean_n, propagate, bands, volume,
     vol_frac) = c
    p = ctx.params
    src = sources(n_solvent=p["n_solvent"])
    eps = from_nk(p["palik_n"], p["palik_k"])
    scale_od_per_cm2 = require("qdgain.gain.models", "absorbance_scale_od_per_cm2",
                               owner="gain (issue 7)")
    line_shapes = require("qdgain.gain.spectra", "line_shapes", owner="gain (issue 7)")
    mu_i = src[p["mu_i_source"]].mu_i_cm
    ratio = p["A700_over_A400"]  # only used without a sample model
    try:
        model = sample_model(ctx)
    except ParameterError as exc:  # no sample model: an optically thin sample for ⟨N⟩ per mW
        a_pump = 0.0
        ctx.record(A400={"not_computed": f"no sample model: {exc}"},
                   photons_per_dot_per_mW__note=f"optically thin sample, assumed A700/A400 = "
                                                f"{ratio} (no sample model)")
    else:
        # the simulated sample's own ground-state absorbance (same model as its A0 spectrum) at
        # 400 nm and at the pump: what the experimentalist measures in a spectrometer
        scale = scale_od_per_cm2(model)
        lam = np.array([400.0, p["pump_wavelength_nm"]])
        a400, a_pump = scale * line_shapes(model.spectra, lam)[[0, 1, 7]].sum(0)
        ratio = float(a_pump / a400)
        ctx.record(A400=float(a400), A_pump=float(a_pump), A700_over_A400=ratio,
                   A400_from_V_mu_i=scale * float(volume(p["diameter_nm"])) * mu_i,
                   volume_fraction=float(vol_frac(a400, mu_i, p["path_length_cm"])))

    def n_per_mw(diameter_nm: float) -> float:
        # σ_pump = V μ_i A_pump / A_400 depends on the absorbance ratio only
        sig = sigma_pump(diameter_nm, mu_i, ratio, 1.0)
        ph = photons(wavelength_nm=p["pump_wavelength_nm"], spot_diameter_um=p["spot_fwhm_um"],
                     profile="gaussian-fwhm", average_power_mW=1.0,
                     repetition_rate_Hz=p["repetition_rate_Hz"])
        return float(mean_n(ph, sig, a_pump))

    unc = propagate(n_per_mw, {"diameter_nm": p["diameter_nm"]},
                    {"diameter_nm": p["diameter_sigma_nm"]})
    ctx.save_json("sources", {k: {"mu_i_cm": v.mu_i_cm, "wavelength_nm": v.wavelength_nm,
                                  "ratio_to_paper": v.ratio_to_paper, "source": v.source}
                              for k, v in src.items()})
    ctx.record(mu_i_used_cm=mu_i, mu_i_palik_cm=src["palik"].mu_i_cm,
               mu_i_lhuillier_cm=src["lhuillier2012"].mu_i_cm,
               mu_i_palik_formula_cm=float(mu_from_eps(eps, p["n_solvent"], 400.0)),
               palik_eps1=float(eps.real), palik_eps2=float(eps.imag),
               photons_per_dot_per_mW=unc.value, N_relative_error=unc.rel_std,
               path_length_cm=p["path_length_cm"], f_film=p["f_film"],
               **{f"band_{k}_nm": list(v) for k, v in bands().items()})


def stage_material_gain(ctx: StageContext) -> None:
    """Intrinsic gain g_i (from the analysis) and the film gain g_i × f_film for f_film low/high."""
    film = require("qdgain.calibration", "film_material_gain_cm", owner="calibration")
    res = ctx.upstream("ta_gain").dataset("analysis")
    lo, hi = ctx.upstream("calibration").json("summary")["f_film"]
    gi = res["g_i"]
    ds = xr.Dataset({"g_intrinsic": with_units(gi, "cm^-1"),
                     "g_film_low": with_units(film(gi, lo), "cm^-1"),
                     "g_film_high": with_units(film(gi, hi), "cm^-1")})
    ctx.save_dataset("material_gain", ds)
    window = (gi["wavelength"] >= ctx.params["telecom_min_nm"]) & (
        gi["wavelength"] <= ctx.params["telecom_max_nm"])
    mid = film(gi, 0.5 * (lo + hi)).where(window)
    k = int(np.argmin(np.abs(np.log(gi["N_mean"].values / ctx.params["at_N"]))))
    ctx.record(film_gain_max_cm=float(mid.isel(fluence=k).max()),
               film_gain_at_N=float(gi["N_mean"][k]),
               intrinsic_gain_max_cm=float(gi.where(window).isel(fluence=k).max()),
               film_gain_max_any_N_cm=float(mid.max()))


def stage_kinetics(ctx: StageContext) -> None:
    """Kinetic fits of the read-back series: lifetimes, S4 bleach, S5 decomposition."""
    from qdgain.cli.reproduce_kinetics import kinetics_stage_body

    kinetics_stage_body(ctx)


#: calibration inputs: SPEC §3 values; the pump setup is not given in the paper (assumed, stated)
CALIBRATION = {
    "n_solvent": 1.50, "palik_n": 2.601, "palik_k": 1.796, "mu_i_source": "paper",
    "diameter_nm": 3.5, "diameter_sigma_nm": 0.3, "pump_wavelength_nm": 700.0,
    "A700_over_A400": 0.3, "spot_fwhm_um": 1000.0, "repetition_rate_Hz": 1000.0,
    "path_length_cm": 0.2, "f_film": [0.2, 0.3],
}


def experiment_stages(quick: bool, spectra: str = "tb-ci") -> list[Stage]:
    """Simulation, TA analysis, calibration, material gain and kinetics."""
    n_values = ([0.006, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.6, 1.2] if quick else
                [0.003, 0.006, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.9,
                 1.2, 2.0])
    sim = {"N_mean": n_values, "n_delays": 160 if quick else 600, "delay_min_ps": -5.0,
           "delay_max_ps": 2500.0, "probe_min_nm": 450.0, "probe_max_nm": 1620.0,
           "n_wavelengths": 320 if quick else 1024, "irf_fwhm_ps": 0.2, "probe_photons": 1e9,
           "seed": 0, "spectra": spectra}
    code_ta = ("qdgain.ta", "qdgain.calibration")
    return [
        Stage("calibration", stage_calibration, {**CALIBRATION, "spectra": spectra},
              needs=("excitons",) if spectra == "tb-ci" else (),
              code=("qdgain.calibration",), title="μ_i sources, ⟨N⟩ calibration, A400"),
        Stage("simulate", stage_simulate, sim,
              needs=("excitons",) if spectra == "tb-ci" else (),
              code=("qdgain.gain", "qdgain.ta.io", "qdgain.cli.reproduce_theory"),
              title="TA fluence series simulated and written as .ufs files"),
        Stage("ta_gain", stage_ta_gain, {"delay_late_ps": 2500.0, "delay_early_ps": 10.0,
                                         "band_at_N": 0.3},
              needs=("simulate", "calibration"), code=code_ta,
              title="gain analysis of the files (qdgain ta gain)"),
        Stage("material_gain", stage_material_gain,
              {"telecom_min_nm": 1260.0, "telecom_max_nm": 1625.0, "at_N": 0.3},
              needs=("ta_gain", "calibration"), code=("qdgain.calibration",),
              title="intrinsic and film material gain"),
        Stage("kinetics", stage_kinetics, {"quick": quick}, needs=("ta_gain", "excitons"),
              code=("qdgain.ta", "qdgain.cli.reproduce_kinetics"),
              title="kinetic fits, normalised bleach, X1/X2 decomposition"),
    ]
