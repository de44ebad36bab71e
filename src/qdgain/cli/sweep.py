"""`qdgain sweep` (size/shape sweep on Dask, sizing curve) and `qdgain ensemble` (ensemble σ)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
from rich.table import Table

from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.electronic.models import DEFAULT_SURFACE, DOT_PARAMETER_SETS, SURFACES
from qdgain.errors import ParameterError


@friendly_errors
def sweep_cmd(
    shape: str = typer.Option("sphere", "--shape", help="Comma-separated: sphere,tetrahedron."),
    diameters: str = typer.Option("2.5:6:0.25", "--diameters",
                                  help="START:STOP:STEP or a,b,c (nm; equal-volume diameter)."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler tcp://HOST:PORT."),
    workers: int = typer.Option(None, "--workers", help="LocalCluster workers (default: cores)."),
    threads: bool = typer.Option(False, "--threads", help="Local workers as threads."),
    out: str = typer.Option("sweep", "--out", help="Output folder (cache/, sweep.nc, sizing.png)."),
    params: str = typer.Option(DOT_PARAMETER_SETS["HgTe"], "--params",
                               help="TB set name, material or JSON file (HgTe_sp3d5_soc_2nn: "
                                    "the public set)."),
    surface: str = typer.Option(DEFAULT_SURFACE, "--surface",
                                help=f"Surface model: {', '.join(SURFACES)}."),
    n_e: int = typer.Option(2, "--n-e", help="Min. conduction spinor states in the CI."),
    n_h: int = typer.Option(8, "--n-h", help="Min. valence spinor states in the CI."),
    eps_in: float = typer.Option(6.8, "--eps-in", help="Dielectric constant of the dot."),
    eps_out: float = typer.Option(2.25, "--eps-out", help="Solvent ε (TCE 2.25)."),
    method: str = typer.Option("auto", "--method", help="Band-edge solver (auto, dense, ...)."),
    max_memory_gb: float = typer.Option(None, "--max-memory-gb", help="Per-dot memory limit, GB."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Band-edge levels, X1/X2, oscillator strengths, τ_rad per dot; sizing curve and fit."""
    from qdgain.optics.sweep import (
        SweepOptions,
        dot_grid,
        parse_diameters,
        parse_shapes,
        run_sweep,
        sweep_summary,
    )

    dots = dot_grid(parse_shapes(shape), parse_diameters(diameters))
    opts = SweepOptions(params=params, n_e=n_e, n_h=n_h, eps_in=eps_in, eps_out=eps_out,
                        method=method, max_memory_GB=max_memory_gb, surface=surface)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("dots", total=len(dots))
        res = run_sweep(dots, opts, Path(out), scheduler=scheduler, n_workers=workers,
                        processes=not threads, log=console.print,
                        progress=lambda _r: bar.advance(task))
    s = sweep_summary(res)
    if as_json:
        emit_json(s)
        return
    t = Table(title=f"sweep ({s['n_computed']} computed, {s['n_cached']} cached; set "
                    f"{s['params']}, surface {s['surface']}) → {out}")
    for c in ("shape", "d (nm)", "atoms", "gap (eV)", "X1 (eV)", "X1 (nm)", "X2-X1 (meV)",
              "f X1", "f X2", "τ_rad (ns)"):
        t.add_column(c)
    for r in s["dots"]:
        if r["status"] != "ok":
            t.add_row(r["shape"], f"{r['diameter_nm']:.3g}", str(r["n_atoms"]), r["status"])
            continue
        t.add_row(r["shape"], f"{r['diameter_nm']:.3g}", f"{r['n_atoms']:.0f}",
                  *(f"{r[k]:.4g}" for k in ("gap_eV", "X1_eV", "X1_wavelength_nm",
                                           "X2_minus_X1_meV", "f_X1", "f_X2", "tau_rad_ns")))
    console.print(t)
    for shape_name, f in s["sizing_fit"].items():
        console.print(f"{shape_name}: E = {f['e_bulk_eV']:.3f} + 1/({f['a_per_eV_nm2']:.4g} d² + "
                      f"{f['b_per_eV_nm']:.4g} d + {f['c_per_eV']:.4g}) eV, rms "
                      f"{1e3 * f['rms_eV']:.1f} meV")


@friendly_errors
def ensemble_cmd(
    table: str = typer.Option(..., "--table", help="sweep.nc written by `qdgain sweep`."),
    mean: float = typer.Option(3.5, "--mean", help="Mean diameter, nm."),
    std: float = typer.Option(0.3, "--std", help="Standard deviation of the diameter, nm."),
    shapes: str = typer.Option("sphere:1", "--shapes", help="e.g. sphere:0.7,tetrahedron:0.3"),
    broadening: float = typer.Option(0.035, "--broadening", help="Homogeneous Gaussian σ, eV."),
    out: str = typer.Option("ensemble.nc", "--out", help="NetCDF of the ensemble spectra."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Ensemble absorption over a size distribution and shape mixture (computed E(d))."""
    import xarray as xr

    from qdgain.optics.ensemble import ensemble_spectrum
    from qdgain.optics.sweep import atomic_write_bytes

    try:
        weights = {k.strip(): float(v) for k, v in (p.split(":") for p in shapes.split(","))}
    except ValueError:
        raise ParameterError(f"--shapes {shapes!r}: give NAME:WEIGHT pairs, e.g. "
                             "sphere:0.7,tetrahedron:0.3") from None
    if not Path(table).exists():
        raise FileNotFoundError(f"--table {table}: no such file; run `qdgain sweep` first")
    with xr.open_dataset(table, engine="h5netcdf") as t:
        ens = ensemble_spectrum(t.load(), mean, std, shape_weights=weights,
                                broadening_eV=broadening)
    atomic_write_bytes(Path(out), ens.to_netcdf(engine="h5netcdf"))
    s = {k: (v.item() if hasattr(v, "item") else v) for k, v in ens.attrs.items()}
    s["spectra_file"] = out
    if as_json:
        emit_json(s)
        return
    for k in ("X1", "X2"):
        console.print(f"{k}: {s[f'{k}_mean_eV']:.4f} eV, σ = {1e3 * s[f'{k}_std_eV']:.1f} meV "
                      f"(inhomogeneous {1e3 * s[f'{k}_inhomogeneous_std_eV']:.1f} meV, "
                      f"dE/dd = {s[f'd{k}_dd_eV_per_nm']:.3f} eV/nm)")


def register(app: typer.Typer) -> None:
    """Attach `sweep` and `ensemble` to the root app."""
    app.command("sweep")(sweep_cmd)
    app.command("ensemble")(ensemble_cmd)
