"""`qdgain reproduce`: the whole paper in one command (stages → cache → report)."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

import qdgain
from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.report.build import build_report
from qdgain.report.cache import atomic_write_json
from qdgain.report.results import RUN_FILE
from qdgain.report.stages import Stage, StageRecord, run_stages

__all__ = ["ReproduceResult", "reproduce", "register"]

_PACKAGES = ("numpy", "scipy", "xarray", "h5netcdf", "h5py", "matplotlib", "ase", "typer",
             "rich")


@dataclass(frozen=True, slots=True)
class ReproduceResult:
    """Outcome of :func:`reproduce`.

    Attributes
    ----------
    report : str
        Path of ``report.html``.
    complete : bool
        True when every stage ran and every number of the table was computed.
    seconds : float
        Wall time of the whole run, s.
    stages : dict
        ``{stage: {"status", "seconds", "reason"}}``.
    not_computed : list of str
        Keys of the table rows without a value.
    """

    report: str
    complete: bool
    seconds: float
    stages: dict[str, dict[str, Any]]
    not_computed: list[str]


def _versions() -> dict[str, str]:
    out = {"qdgain": qdgain.__version__, "python": sys.version.split()[0],
           "platform": platform.platform()}
    for pkg in _PACKAGES:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _progress_hook(progress: Progress) -> Any:
    tasks: dict[str, TaskID] = {}

    def hook(event: str, obj: Stage | StageRecord) -> None:
        if event == "start":
            assert isinstance(obj, Stage)
            tasks[obj.name] = progress.add_task(f"{obj.name}: {obj.title}", total=1)
            return
        assert isinstance(obj, StageRecord)
        colour = {"computed": "green", "cached": "cyan"}.get(obj.status, "red")
        text = f"[{colour}]{obj.name}: {obj.status}[/]"
        if obj.ok:
            text += f" ({obj.seconds:.1f} s)"
        else:
            text += f" — {obj.reason[:110]}"
        if obj.name in tasks:
            progress.update(tasks[obj.name], description=text, completed=1)
        else:
            progress.add_task(text, total=1, completed=1)

    return hook


def reproduce(out_dir: str | os.PathLike[str] = "qdgain-out", *, quick: bool = False,
              tb_set: str | None = None, spectra: str = "tb-ci", surface: str = "no-twofold-te",
              force: tuple[str, ...] = (),
              show_progress: bool = True) -> ReproduceResult:
    """Run every stage of the paper's reproduction and write the report.

    Parameters
    ----------
    out_dir : path-like
        Output directory (created): ``report.html``, ``figures/``, ``results/``,
        ``summary.json``, ``run.json`` and the stage cache ``cache/``.
    quick : bool
        Smaller CI basis and coarser grids (CI-sized run).
    tb_set : str, optional
        TB parameter set of the dot calculations (default ``HgTe_sp3d5_soc_2nn_fit300K``: the
        public set fitted to the 300 K k·p masses; ``HgTe_sp3d5_soc_2nn`` is the public set).
    spectra : {"tb-ci", "preset"}
        Band-edge spectra of the simulated TA series (``"preset"`` is an explicit opt-in that
        the report flags).
    surface : {"no-twofold-te", "hybrid20"}
        Surface model of the dots: two-fold Te removed and the dangling hybrids projected out
        (default; docs/boundary_states.md), or the electronic layer's default (+20 eV hybrids,
        every atom with ≥ 2 neighbours kept), which leaves the s-like CB1 pulled down to 0.15 eV.
    force : tuple of str
        Stage names to recompute even when cached.
    show_progress : bool
        Rich progress per stage on stderr.

    Returns
    -------
    ReproduceResult
    """
    from qdgain.cli.reproduce_stages import DEFAULT_TB_SET, build_stages

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    stages = build_stages(quick=quick, tb_set=tb_set or DEFAULT_TB_SET, spectra=spectra,
                          surface=surface)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, disable=not show_progress, transient=False) as progress:
        records = run_stages(stages, out, on_event=_progress_hook(progress), force=force)
    provenance = {
        "versions": _versions(),
        "command": "qdgain reproduce" + (" --quick" if quick else "") + f" --out {out}"
                   + (f" --params {tb_set}" if tb_set else "")
                   + (f" --spectra {spectra}" if spectra != "tb-ci" else "")
                   + f" --surface {surface}",
        "spectra": spectra,
        "quick": quick,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "stage_inputs": {n: {"key": r.key, "params": dict(r.params),
                             "upstream": dict(r.upstream)} for n, r in records.items()},
    }
    run = {"stages": {n: {**asdict(r), "params": dict(r.params), "upstream": dict(r.upstream)}
                      for n, r in records.items()},
           "provenance": provenance}
    atomic_write_json(out / RUN_FILE, run)
    report = build_report(out)
    summary = json.loads((out / "summary.json").read_text())
    return ReproduceResult(
        report=str(report), complete=bool(summary["complete"]),
        seconds=time.perf_counter() - t0,
        stages={n: {"status": r.status, "seconds": round(r.seconds, 3), "reason": r.reason}
                for n, r in records.items()},
        not_computed=list(summary["not_computed"]))


def _print_table(res: ReproduceResult) -> None:
    table = Table(title="qdgain reproduce")
    for col in ("stage", "status", "time (s)", "reason"):
        table.add_column(col)
    for name, s in res.stages.items():
        colour = {"computed": "green", "cached": "cyan"}.get(s["status"], "red")
        table.add_row(name, f"[{colour}]{s['status']}[/]", f"{s['seconds']:.1f}",
                      s["reason"][:80])
    console.print(table)
    console.print(f"report: {res.report}  ({res.seconds:.1f} s)")
    if not res.complete:
        console.print(f"[bold red]incomplete:[/] {len(res.not_computed)} number(s) of SPEC.md "
                      "not computed (see the report)")


def register(app: typer.Typer) -> None:
    """Attach the `reproduce` command to the root app."""

    @app.command("reproduce")
    @friendly_errors
    def reproduce_cmd(
        out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path(
            "qdgain-out"),
        quick: Annotated[bool, typer.Option(
            "--quick", help="Smaller CI basis, coarser grids (≤ 2 min).")] = False,
        params: Annotated[str | None, typer.Option(
            "--params", help="TB parameter set (name or file) of the dots.")] = None,
        spectra: Annotated[str, typer.Option(
            "--spectra", help="TA band-edge spectra: tb-ci (default) or preset (opt-in).")
        ] = "tb-ci",
        surface: Annotated[str, typer.Option(
            "--surface", help="Dot surface model: no-twofold-te (default) or hybrid20.")
        ] = "no-twofold-te",
        force: Annotated[list[str] | None, typer.Option(
            "--force", help="Recompute this stage even if cached (repeat).")] = None,
        json_out: Annotated[bool, typer.Option(
            "--json", help="Print a JSON summary on stdout.")] = False,
    ) -> None:
        """Reproduce the paper: TB → CI → gain model → simulated TA → analysis → report."""
        res = reproduce(out, quick=quick, tb_set=params, spectra=spectra, surface=surface,
                        force=tuple(force or ()),
                        show_progress=not json_out)
        if json_out:
            emit_json(asdict(res))
        else:
            _print_table(res)
        if not res.complete:
            raise typer.Exit(1)
