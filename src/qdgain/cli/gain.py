"""`qdgain gain threshold`: analytic gain thresholds and the DC electrical-pumping current."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.gain.models import PRESETS, preset
from qdgain.gain.thresholds import threshold_summary

__all__ = ["register"]

gain_app = typer.Typer(help="Gain physics: thresholds of 2-level and 3-level models.",
                       no_args_is_help=True)


@friendly_errors
def threshold(
    model: Annotated[str, typer.Option("--model", help="2level or 3level.")] = "3level",
    preset_name: Annotated[str, typer.Option("--preset", help=f"{', '.join(PRESETS)}.")]
    = "hgte-1220",
    method: Annotated[str, typer.Option(help="poisson or mean occupation.")] = "poisson",
    thickness_nm: Annotated[float, typer.Option(help="Film thickness, nm.")] = 100.0,
    volume_fraction: Annotated[float, typer.Option(help="Dot volume fraction in the film.")]
    = 0.25,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Minimum threshold <N>_th and the DC current density holding a film at it."""
    s = threshold_summary(model, preset(preset_name), method=method,  # type: ignore[arg-type]
                          thickness_nm=thickness_nm, volume_fraction=volume_fraction)
    if json_out:
        emit_json({k: (None if v != v else v) for k, v in asdict(s).items()})  # NaN -> null
        return
    console.print(f"{s.model} {model} ({s.method}): <N>_th = {s.threshold_N:.4g}"
                  + (f" at {s.wavelength_nm:.0f} nm" if s.wavelength_nm == s.wavelength_nm
                     else "")
                  + f"; DC pumping {s.current_density_A_cm2:.3g} A/cm^2 for a "
                  f"{s.thickness_nm:g} nm film (gain lifetime {s.gain_lifetime_ps:g} ps)")


def register(app: typer.Typer) -> None:
    """Attach the `gain` command group to the root app."""
    gain_app.command("threshold")(threshold)
    app.add_typer(gain_app, name="gain")
