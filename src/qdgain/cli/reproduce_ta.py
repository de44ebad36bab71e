"""``qdgain reproduce`` stages of the experiment half: simulated TA → analysis → calibration."""

from __future__ import annotations

from qdgain.cli.reproduce_stages import require
from qdgain.report.stages import Stage, StageContext

__all__ = ["experiment_stages"]


def stage_simulate(ctx: StageContext) -> None:
    """Simulate the fluence series with spectra from TB/CI and the paper's kinetics; write files."""
    require("qdgain.gain", "simulate_ta", owner="gain simulator (issue 7)")
    raise NotImplementedError("simulate stage not wired yet")


def stage_ta_gain(ctx: StageContext) -> None:
    """Read the instrument files back and run the gain analysis a user would run."""
    require("qdgain.ta", "gain_threshold", owner="ta gain analysis (issue 5)")
    raise NotImplementedError("ta_gain stage not wired yet")


def stage_calibration(ctx: StageContext) -> None:
    """μ_i from each ε source, the sample's A400, ⟨N⟩ per mW and its error, the telecom bands.

    The sample's absorbance at 400 nm follows from the simulated OD at the first exciton and our
    own cross sections: A400 / A_X = V μ_i / σ_CI(X peak) (σ at 400 nm per dot = V μ_i).
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
    spectra = ctx.upstream("excitons").dataset("spectra")
    band_edge = spectra["sigma_neutral"].where(spectra["wavelength"] > p["band_edge_min_nm"])
    sigma_peak_cm2 = float(band_edge.max())
    mu_i = src[p["mu_i_source"]].mu_i_cm
    a400 = p["od_first_exciton"] * float(volume(p["diameter_nm"])) * mu_i / sigma_peak_cm2
    a_pump = a400 * p["A700_over_A400"]

    def n_per_mw(diameter_nm: float) -> float:
        sig = sigma_pump(diameter_nm, mu_i, a_pump, a400)
        ph = photons(wavelength_nm=p["pump_wavelength_nm"], spot_diameter_um=p["spot_fwhm_um"],
                     profile="gaussian-fwhm", average_power_mW=1.0,
                     repetition_rate_Hz=p["repetition_rate_Hz"])
        return float(mean_n(ph, sig, a_pump))

    unc = propagate(n_per_mw,
                    {"diameter_nm": p["diameter_nm"]}, {"diameter_nm": p["diameter_sigma_nm"]})
    f = float(vol_frac(a400, mu_i, p["path_length_cm"]))
    ctx.save_json("sources", {k: {"mu_i_cm": v.mu_i_cm, "wavelength_nm": v.wavelength_nm,
                                  "ratio_to_paper": v.ratio_to_paper, "source": v.source}
                              for k, v in src.items()})
    ctx.record(mu_i_used_cm=mu_i, mu_i_palik_cm=src["palik"].mu_i_cm,
               mu_i_lhuillier_cm=src["lhuillier2012"].mu_i_cm,
               mu_i_palik_formula_cm=float(mu_from_eps(eps, p["n_solvent"], 400.0)),
               palik_eps1=float(eps.real), palik_eps2=float(eps.imag),
               photons_per_dot_per_mW=unc.value, N_relative_error=unc.rel_std,
               A400=a400, A_pump=a_pump, sigma_band_edge_cm2=sigma_peak_cm2,
               volume_fraction=f, path_length_cm=p["path_length_cm"], f_film=p["f_film"],
               **{f"band_{k}_nm": list(v) for k, v in bands().items()})


def stage_material_gain(ctx: StageContext) -> None:
    """g_i = −ln(10) A / (f L) at 2.5 ns for every ⟨N⟩, and the film gain g_i × f_film."""
    raise NotImplementedError("material_gain stage not wired yet")


def stage_kinetics(ctx: StageContext) -> None:
    """Kinetic fits of the simulated series: lifetimes, S4 bleach, S5 decomposition."""
    require("qdgain.ta", "fit_kinetics", owner="ta kinetics (issue 6)")
    raise NotImplementedError("kinetics stage not wired yet")


#: calibration inputs: SPEC §3 values; the pump setup is not given in the paper (assumed, stated)
CALIBRATION = {
    "n_solvent": 1.50, "palik_n": 2.601, "palik_k": 1.796, "mu_i_source": "paper",
    "diameter_nm": 3.5, "diameter_sigma_nm": 0.3, "od_first_exciton": 0.1,
    "band_edge_min_nm": 1000.0, "pump_wavelength_nm": 700.0, "A700_over_A400": 0.4,
    "spot_fwhm_um": 1000.0, "repetition_rate_Hz": 1000.0, "path_length_cm": 0.2,
    "f_film": [0.2, 0.3],
}


def experiment_stages(quick: bool) -> list[Stage]:
    """Simulation, TA analysis, calibration and kinetics."""
    return [
        Stage("simulate", stage_simulate, {"quick": quick}, needs=("excitons", "gain_model"),
              code=("qdgain.gain", "qdgain.ta.io"), title="TA fluence series simulated"),
        Stage("ta_gain", stage_ta_gain, {"delay_late_ps": 2500.0, "delay_early_ps": 10.0},
              needs=("simulate",), code=("qdgain.ta",), title="TA gain analysis of the files"),
        Stage("calibration", stage_calibration, CALIBRATION, needs=("excitons",),
              code=("qdgain.calibration",), title="μ_i sources, ⟨N⟩ calibration, A400"),
        Stage("material_gain", stage_material_gain, {"delay_ps": 2500.0},
              needs=("ta_gain", "calibration"), code=("qdgain.calibration",),
              title="intrinsic and film material gain"),
        Stage("kinetics", stage_kinetics, {}, needs=("ta_gain",), code=("qdgain.ta",),
              title="kinetic fits"),
    ]
