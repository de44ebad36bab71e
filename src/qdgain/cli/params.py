"""`qdgain params fit|check|list`: tight-binding parameter sets and the bulk fitter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.materials import list_parameter_sets, load_parameters
from qdgain.materials.fit import run_fit
from qdgain.materials.summary import check_parameters

__all__ = ["register"]

params_app = typer.Typer(help="Tight-binding parameter sets: list, check, fit.",
                         no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


@params_app.command("list")
@friendly_errors
def list_cmd(
    names: Annotated[str | None, typer.Option(
        "--names", help="List the flat parameter names (and values) of this set.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the shipped parameter sets, or the parameter names of one set."""
    if names:
        p = load_parameters(names)
        out = {"set": p.name, "parameters": dict(p.values)}
    else:
        out = {"sets": list_parameter_sets()}
    if json_out:
        emit_json(out)
        return
    t = Table()
    rows = out.get("parameters") or out["sets"]
    t.add_column("name")
    t.add_column("value" if names else "source")
    for k, v in rows.items():
        t.add_row(k, f"{v:.6g}" if names else str(v)[:90])
    console.print(t)


@params_app.command("check")
@friendly_errors
def check_cmd(
    file: Annotated[str, typer.Argument(help="Set name or .json file.")],
    inverted: Annotated[bool | None, typer.Option(
        "--inverted/--normal", help="Expected Γ6/Γ8 order (default: not checked).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Bulk checks (Γ levels, masses, Ep) and the Brillouin-zone band-order scan."""
    out = check_parameters(load_parameters(file), inverted=inverted)
    if json_out:
        emit_json(out)
    else:
        scan = out["band_order_scan"]
        console.print(out["gamma_eV"], out["masses_m0"], {"Ep_eV": out["Ep_eV"]})
        console.print("band-order scan: " + ("[green]ok[/]" if scan["ok"] else
                                             "[red]FAILED[/] " + "; ".join(scan["reasons"])))
    if not out["band_order_scan"]["ok"]:
        raise SystemExit(2)


@params_app.command("fit")
@friendly_errors
def fit_cmd(
    start: Annotated[str, typer.Argument(help="Start set name or .json file (never modified).")],
    targets: Annotated[Path, typer.Option("--targets", help="TOML targets file.")],
    out: Annotated[Path, typer.Option("--out", help="New .json file (must not exist).")],
    free: Annotated[str | None, typer.Option(
        "--free", help="Comma-separated free parameters (overrides the targets file).")] = None,
    regularization: Annotated[float | None, typer.Option(
        "--regularization", help="Pull toward the start set, residual units per eV.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Least-squares fit of a set to bulk targets; writes a new set with its provenance."""
    names = [s.strip() for s in free.split(",") if s.strip()] if free else None
    with console.status("fitting..."):
        res = run_fit(start, targets, out, free=names, regularization=regularization)
    if json_out:
        emit_json({"out": str(out), "seconds": res.seconds, "nfev": res.nfev, "cost": res.cost,
                   "free": dict(zip(res.free, res.x_fit.tolist(), strict=True)),
                   "targets": res.table(), "band_order_scan": res.guard.as_dict()})
        return
    t = Table(title=f"{res.params.name}: fit in {res.seconds:.1f} s ({res.nfev} evaluations)")
    for c in ("target", "value", "start", "fitted", "residual"):
        t.add_column(c, justify="left" if c == "target" else "right")
    for r in res.table():
        t.add_row(r["target"], f"{r['value']:.4g}", f"{r['start']:.4g}", f"{r['fitted']:.4g}",
                  f"{r['residual']:+.2f}")
    console.print(t)
    console.print(f"written {out}")


def register(app: typer.Typer) -> None:
    """Attach the `params` command group to the root app."""
    app.add_typer(params_app, name="params")
