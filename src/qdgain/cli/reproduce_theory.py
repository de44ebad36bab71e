"""``qdgain reproduce`` stages of the optics half of the theory chain: CI, spectra, ε_in, model."""

from __future__ import annotations

from qdgain.cli.reproduce_stages import require
from qdgain.report.stages import Stage, StageContext

__all__ = ["optics_stages"]


def stage_excitons(ctx: StageContext) -> None:
    """CI of the neutral and charged 3.5 nm sphere: X1, X2, σ(ħω), τ_rad."""
    require("qdgain.excitons", "solve_ci", "solve_charged", owner="excitons (issue 3)")
    require("qdgain.optics", "cross_section_cm2", "radiative_lifetime", owner="optics (issue 3)")
    raise NotImplementedError("excitons stage not wired yet")


def stage_dielectric(ctx: StageContext) -> None:
    """ε_in of the 3.5 nm sphere from a static-field TB calculation."""
    require("qdgain.optics", "dielectric_constant", owner="optics (issue 3)")
    raise NotImplementedError("dielectric stage not wired yet")


def stage_gain_model(ctx: StageContext) -> None:
    """Predicted thresholds of the 2- and 3-level models; the model's level scheme."""
    require("qdgain.gain", "GainModel", owner="gain (issue 7)")
    raise NotImplementedError("gain_model stage not wired yet")


def optics_stages(quick: bool) -> list[Stage]:
    """CI/optics, ε_in and the gain model."""
    code_ex = ("qdgain.excitons", "qdgain.optics")
    return [
        Stage("excitons", stage_excitons, {"n_e": 4 if quick else 8, "n_h": 12 if quick else 24,
                                           "n_solvent": 1.50, "broadening_eV": 0.035,
                                           "temperature_K": 300.0},
              needs=("tb_sphere",), code=code_ex, title="CI: neutral and charged spectra, τ_rad"),
        Stage("dielectric", stage_dielectric, {"diameter_nm": 3.5, "quick": quick},
              needs=("tb_sphere",), code=("qdgain.electronic", "qdgain.optics"),
              title="ε_in from a static field"),
        Stage("gain_model", stage_gain_model, {}, needs=("tb_sphere", "excitons"),
              code=("qdgain.gain",), title="2- and 3-level gain model predictions"),
    ]
