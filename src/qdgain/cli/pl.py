"""`qdgain pl fit`: TCSPC photoluminescence decay, Poisson maximum-likelihood reconvolution."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qdgain.cli._common import console, emit_json, friendly_errors

__all__ = ["register"]

pl_app = typer.Typer(help="Photoluminescence decays (TCSPC).", no_args_is_help=True)


@pl_app.command("fit")
@friendly_errors
def fit(
    file: Annotated[Path, typer.Argument(help="Text file: time_ps counts [irf_counts].")],
    components: Annotated[int, typer.Option("-n", "--components",
                                            help="Number of exponentials.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Lifetimes, amplitude- and intensity-weighted mean lifetimes of a TCSPC decay."""
    from qdgain.ta.kinetics.fit_file import fit_pl_file

    s = fit_pl_file(file, components)
    if as_json:
        emit_json(s)
        return
    for tau, err, a in zip(s["lifetimes_ps"], s["lifetime_errors_ps"], s["amplitudes"],
                           strict=True):
        console.print(f"tau = {tau:.4g} +- {err:.2g} ps  (amplitude {a:.4g} counts)")
    console.print(f"<tau>_amplitude = {s['mean_lifetime_amplitude_ps']:.4g} ps, "
                  f"<tau>_intensity = {s['mean_lifetime_intensity_ps']:.4g} ps, "
                  f"Pearson chi^2/dof = {s['reduced_chi_square']:.3f}")


def register(app: typer.Typer) -> None:
    """Attach the `pl` group to the root app."""
    app.add_typer(pl_app, name="pl")
