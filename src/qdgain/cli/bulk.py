"""`qdgain bulk MATERIAL|SET|FILE`: bulk bands and Γ-point checks of a tight-binding set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.materials import load_parameters
from qdgain.materials.summary import bulk_summary

__all__ = ["register"]


@friendly_errors
def bulk(
    material: Annotated[str, typer.Argument(
        help="Material (HgTe, GaAs), set name or .json file.")] = "HgTe",
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Write the band structure (png/pdf).")] = None,
    json_out: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Bulk band structure L–Γ–X–K–Γ, Γ6/Γ7/Γ8 energies, gaps and effective masses."""
    s = bulk_summary(load_parameters(material), plot_path=plot)
    if json_out:
        emit_json(s.as_dict())
        return
    t = Table(title=f"{s.name}  (eV, masses in m0)")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    for k, v in {**s.gamma, **s.masses_m0}.items():
        t.add_row(k, f"{v:.4f}")
    console.print(t)
    if s.plot:
        console.print(f"band structure written to {s.plot}")


def register(app: typer.Typer) -> None:
    """Attach the `bulk` command to the root app."""
    app.command("bulk")(bulk)
