"""`qdgain ta gain`: gain analysis of a fluence series (thresholds, bandwidth, material gain)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


_FILES = Annotated[list[Path],
    typer.Argument(help="TA files, one per fluence (or one series).")]
_A0 = Annotated[Path | None,
    typer.Option("--a0", help="A0 spectrum (two columns: nm, OD).")]
_FLUENCE = Annotated[str | None,
    typer.Option("--fluence", help="µJ/cm² per file, comma-separated.")]
_N_MEAN = Annotated[str | None,
    typer.Option("--N", help="⟨N⟩ per file, comma-separated.")]
_DELAY = Annotated[float,
    typer.Option("--delay", help="Late delay (ps).")]
_WINDOW = Annotated[float | None,
    typer.Option("--window", help="Delay window width (ps).")]
_EARLY = Annotated[float,
    typer.Option("--early", help="Early delay (ps) for multi-X gain.")]
_DIAMETER = Annotated[float | None,
    typer.Option("--diameter", help="Dot diameter (nm).")]
_DIAMETER_ERR = Annotated[float,
    typer.Option("--diameter-err", help="1σ diameter error (nm), propagated to ⟨N⟩.")]
_A_PUMP = Annotated[float | None,
    typer.Option("--a-pump", help="Absorbance at the pump (OD).")]
_A400 = Annotated[float | None,
    typer.Option("--a400", help="Absorbance at 400 nm (OD).")]
_PUMP_NM = Annotated[float,
    typer.Option("--pump-nm", help="Pump wavelength (nm).")]
_MU_I = Annotated[float,
    typer.Option("--mu-i", help="μ_i at 400 nm (cm⁻¹).")]
_FILM = Annotated[float,
    typer.Option("--film-fraction", help="Film volume fraction.")]
_WAVELENGTH = Annotated[float | None,
    typer.Option("--lifetime-nm", help="Lifetime pixel (nm).")]
_OUT = Annotated[Path,
    typer.Option("--out", help="Output directory.")]
_AS_JSON = Annotated[bool,
    typer.Option("--json", help="Print one JSON object on stdout.")]


@friendly_errors
def gain(
    files: _FILES,
    a0: _A0 = None,
    fluence: _FLUENCE = None,
    n_mean: _N_MEAN = None,
    delay: _DELAY = 2500.0,
    window: _WINDOW = None,
    early: _EARLY = 10.0,
    diameter: _DIAMETER = None,
    diameter_err: _DIAMETER_ERR = 0.0,
    a_pump: _A_PUMP = None,
    a400: _A400 = None,
    pump_nm: _PUMP_NM = 700.0,
    mu_i: _MU_I = PAPER_MU_I_400_CM,
    film: _FILM = 0.25,
    wavelength: _WAVELENGTH = None,
    out: _OUT = Path("gain_out"),
    as_json: _AS_JSON = False,
) -> None:
    """Thresholds ⟨N⟩_th(λ), gain bandwidth, telecom coverage and material gain of a series."""
    cal = None
    if fluence is not None and n_mean is None:
        if None in (diameter, a_pump, a400):
            raise ParameterError("--fluence needs --diameter, --a-pump and --a400 to compute ⟨N⟩ "
                                 "(or give --N)")
        cal = PumpCalibration(diameter, a_pump, a400, pump_nm, mu_i, diameter_err)
    opt = GainOptions(delay_ps=delay, window_ps=window, early_delay_ps=early, a400_od=a400,
                      mu_i_400_cm=mu_i, film_volume_fraction=film,
                      lifetime_wavelength_nm=wavelength)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True, disable=as_json) as prog:
        task = prog.add_task("gain analysis")
        summary = run_gain_analysis(files, out, a0_path=a0,
                                    fluence_uJ_cm2=_floats(fluence, "fluence"),
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
