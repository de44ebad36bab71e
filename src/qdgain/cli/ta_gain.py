"""`qdgain ta gain`: gain analysis of a fluence series (thresholds, bandwidth, material gain)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from qdgain.calibration import PAPER_MU_I_400_CM
from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.errors import ParameterError
from qdgain.ta.gain_analysis.analysis import GainOptions
from qdgain.ta.gain_analysis.series import PumpCalibration, run_gain_analysis


def _floats(text: str | None, name: str) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(v) for v in text.replace(";", ",").split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"--{name}: expected comma-separated numbers, got {text!r}") from None


@friendly_errors
def gain(
    files: list[Path] = typer.Argument(..., help="TA files, one per fluence (or one series)."),
    a0: Path | None = typer.Option(None, "--a0", help="A0 spectrum (two columns: nm, OD)."),
    fluence: str | None = typer.Option(None, "--fluence", help="µJ/cm² per file, comma-separated."),
    n_mean: str | None = typer.Option(None, "--N", help="⟨N⟩ per file, comma-separated."),
    delay: float = typer.Option(2500.0, "--delay", help="Late delay (ps)."),
    window: float | None = typer.Option(None, "--window", help="Delay window width (ps)."),
    early: float = typer.Option(10.0, "--early", help="Early delay (ps) for multi-X gain."),
    diameter: float | None = typer.Option(None, "--diameter", help="Dot diameter (nm)."),
    a_pump: float | None = typer.Option(None, "--a-pump", help="Absorbance at the pump (OD)."),
    a400: float | None = typer.Option(None, "--a400", help="Absorbance at 400 nm (OD)."),
    pump_nm: float = typer.Option(700.0, "--pump-nm", help="Pump wavelength (nm)."),
    mu_i: float = typer.Option(PAPER_MU_I_400_CM, "--mu-i", help="μ_i at 400 nm (cm⁻¹)."),
    film: float = typer.Option(0.25, "--film-fraction", help="Film volume fraction."),
    wavelength: float | None = typer.Option(None, "--lifetime-nm", help="Lifetime pixel (nm)."),
    out: Path = typer.Option(Path("gain_out"), "--out", help="Output directory."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object on stdout."),
) -> None:
    """Thresholds ⟨N⟩_th(λ), gain bandwidth, telecom coverage and material gain of a series."""
    cal = None
    if fluence is not None and n_mean is None:
        if None in (diameter, a_pump, a400):
            raise ParameterError("--fluence needs --diameter, --a-pump and --a400 to compute ⟨N⟩ "
                                 "(or give --N)")
        cal = PumpCalibration(diameter, a_pump, a400, pump_nm, mu_i)
    opt = GainOptions(delay_ps=delay, window_ps=window, early_delay_ps=early, a400_od=a400,
                      mu_i_400_cm=mu_i, film_volume_fraction=film,
                      lifetime_wavelength_nm=wavelength)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True, disable=as_json) as prog:
        task = prog.add_task("gain analysis")
        summary = run_gain_analysis(files, out, a0_path=a0, fluence_uJ_cm2=_floats(fluence, "fluence"),
                                    N_mean=_floats(n_mean, "N"), calibration=cal, options=opt,
                                    progress=lambda m: prog.update(task, description=m))
    if as_json:
        emit_json(summary)
        return
    _print(summary)


def _print(s: dict) -> None:
    for key in ("min_threshold_interp", "min_threshold_fit", "min_threshold_early"):
        v = s.get(key)
        if isinstance(v, dict):
            console.print(f"{key}: ⟨N⟩_th = {v['N_th']:.3g} at {v['wavelength_nm']:.0f} nm")
        elif v is not None:
            console.print(f"{key}: {v}")
    t = Table("⟨N⟩", "gain band (nm)", "width (nm)", "telecom overlap (nm)")
    for b in s["bandwidth"]:
        band = (f"{b['lower_nm']:.0f}–{b['upper_nm']:.0f}" if b["has_gain"] else "no gain")
        ov = " ".join(f"{k}:{v:.0f}" for k, v in b["telecom_overlap_nm"].items() if v > 0)
        t.add_row(f"{b['N_mean']:.3g}", band, f"{b['width_nm']:.0f}", ov or "—")
    console.print(t)
    mg = s.get("material_gain")
    console.print(f"material gain: {mg}")
    console.print(f"results: {s['outputs']}")


def register(ta_app: typer.Typer) -> None:
    """Attach `qdgain ta gain` to the `ta` group."""
    ta_app.command("gain")(gain)
