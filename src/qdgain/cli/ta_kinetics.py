"""`qdgain ta fit`: global (N exponentials, sequential) or target-scheme fit of a TA file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qdgain.cli._common import console, emit_json, friendly_errors

__all__ = ["register"]


@friendly_errors
def fit(
    file: Annotated[Path, typer.Argument(help="TA file (format detected from content).")],
    model: Annotated[str | None, typer.Option("--model", help="N exponentials, e.g. 3exp "
                                              "(sequential scheme: EAS and DAS).")] = None,
    target: Annotated[Path | None, typer.Option("--target", help="Target scheme (TOML), "
                                                "e.g. schemes/hippius2007.toml.")] = None,
    dispersion: Annotated[int, typer.Option("--dispersion", help="With --model: order of the "
                                            "IRF-centre polynomial in wavelength (chirp "
                                            "modelled; 0 = data chirp-corrected).")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for DAS/EAS/SAS and "
                                             "residual plots.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fit lifetimes (with standard errors) to a TA map by variable projection."""
    from qdgain.ta.kinetics.fit_file import fit_ta_file

    with console.status("fitting ..."):
        _, summary = fit_ta_file(file, model=model, target=target, out_dir=out,
                                 dispersion=dispersion)
    if as_json:
        emit_json(summary)
        return
    table = Table(title=f"{summary['scheme']} ({summary['kind']}), chi^2 = "
                        f"{summary['chi_square']:.6g} OD^2, {summary['wall_s']:.2f} s")
    table.add_column("parameter")
    table.add_column("value")
    table.add_column("std. error")
    for k, v in summary["parameters"].items():
        err = summary["standard_errors"][k]
        table.add_row(k, f"{v:.6g}", "fixed" if err is None else f"{err:.3g}")
    console.print(table)
    console.print("lifetimes (ps): " + ", ".join(f"{t:.4g}" for t in summary["lifetimes_ps"]))
    for p in summary.get("plots", []):
        console.print(f"wrote {p}")


def register(ta_app: typer.Typer) -> None:
    """Attach `ta fit` to the `ta` group."""
    ta_app.command("fit")(fit)
