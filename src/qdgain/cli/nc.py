"""`qdgain nc`: band-edge levels of one nanocrystal, or the gap-vs-size table with ``--sweep``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import Progress
from rich.table import Table

from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.electronic import DEFAULT_SURFACE, SURFACES, density_of_states, save_states
from qdgain.electronic.workflow import size_sweep, solve_dot
from qdgain.errors import ParameterError

__all__ = ["register"]


def _parse_sweep(text: str) -> np.ndarray:
    try:
        start, stop, step = (float(x) for x in text.split(":"))
    except ValueError:
        raise ParameterError(f"--sweep {text!r}: expected START:STOP:STEP in nm, e.g. 2.5:6:0.5"
                             ) from None
    if step <= 0 or stop < start:
        raise ParameterError(f"--sweep {text!r}: need STEP > 0 and STOP ≥ START")
    return np.arange(start, stop + 0.5 * step, step)


def _dos_plot(states, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    e = states.energies_eV
    grid = np.linspace(e.min() - 0.2, e.max() + 0.2, 800)
    dos = density_of_states(states, grid, sigma_eV=0.01)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(grid, dos.values, "k-")
    ax.axvspan(states.homo_eV, states.lumo_eV, color="0.9", label=f"gap {states.gap_eV:.3f} eV")
    ax.set_xlabel("energy (eV)")
    ax.set_ylabel("DOS (states/eV), σ = 10 meV")
    ax.legend()
    fig.tight_layout()
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    tmp.replace(path)


@friendly_errors
def nc(
    shape: Annotated[str, typer.Option(help="sphere, tetrahedron or cube.")] = "sphere",
    diameter: Annotated[float, typer.Option(
        help="Diameter, nm (equal-volume sphere for tetrahedron/cube).")] = 3.5,
    material: Annotated[str, typer.Option(
        help="Material (its dot parameter set; HgTe: HgTe_sp3d5_soc_2nn_fit300K).")] = "HgTe",
    states: Annotated[int, typer.Option(
        help="Band-edge states: half valence, half conduction.")] = 16,
    params: Annotated[str | None, typer.Option(
        help="Parameter set name or .json file (default: the material's dot set; "
             "HgTe_sp3d5_soc_2nn = the public set).")] = None,
    surface: Annotated[str, typer.Option(
        help=f"Surface model: {', '.join(SURFACES)} (docs/boundary_states.md).")
    ] = DEFAULT_SURFACE,
    center: Annotated[str, typer.Option(help="cation, anion or interstitial.")] = "cation",
    method: Annotated[str, typer.Option(
        help="auto (dense ≤ 4000 rows, shift-invert ≤ 30000, chebyshev above), dense, "
             "shift-invert, chebyshev, slepc (optional backend).")] = "auto",
    sweep: Annotated[str | None, typer.Option(
        help="START:STOP:STEP (nm): table of gap vs diameter instead.")] = None,
    out: Annotated[Path, typer.Option(help="Directory for states .nc and DOS .png.")] = Path("."),
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Atomistic tight-binding levels of a nanocrystal (degeneracies, gap), states and DOS."""
    if sweep is not None:
        diam = _parse_sweep(sweep)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("diameters", total=len(diam))
            ds = size_sweep(diam, material, shape, params=params, method=method,
                            surface=surface, progress=lambda d: bar.advance(task))
        rows = [{"diameter_nm": float(d), "n_atoms": int(n), "gap_eV": float(g),
                 "wavelength_nm": float(w)} for d, n, g, w in
                zip(ds.diameter.values, ds.n_atoms.values, ds.gap.values, ds.wavelength.values,
                    strict=True)]
        if json_out:
            emit_json({"parameter_set": ds.attrs["parameter_set"], "surface": ds.attrs["surface"],
                       "shape": shape, "sweep": rows})
            return
        t = Table(title=f"{material} {shape}s, set {ds.attrs['parameter_set']}, "
                        f"surface {ds.attrs['surface']}")
        for col in ("diameter (nm)", "atoms", "gap (eV)", "wavelength (nm)"):
            t.add_column(col, justify="right")
        for r in rows:
            t.add_row(f"{r['diameter_nm']:.2f}", str(r["n_atoms"]), f"{r['gap_eV']:.4f}",
                      f"{r['wavelength_nm']:.0f}")
        console.print(t)
        return
    n_half = max(1, states // 2)
    with console.status(f"{shape} {diameter} nm: building and solving…"):
        res = solve_dot(material, shape, diameter, params=params, n_vb=n_half, n_cb=n_half,
                        center=center, method=method, surface=surface)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"nc_{shape}_{diameter:g}nm"
    nc_path = save_states(res.states, stem.with_name(stem.name + "_states.nc"))
    png = stem.with_name(stem.name + "_dos.png")
    _dos_plot(res.states, png)
    summary = {**res.summary(), "states_file": str(nc_path), "dos_plot": str(png)}
    if json_out:
        emit_json(summary)
        return
    t = Table(title=f"{summary['formula']} ({summary['n_atoms']} atoms), "
                    f"set {summary['parameter_set']}, surface {summary['surface']}")
    for col in ("band", "energy (eV)", "degeneracy", "splitting (eV)"):
        t.add_column(col, justify="right")
    for lv in reversed(summary["levels"]):
        t.add_row(lv["band"], f"{lv['energy_eV']:.5f}", str(lv["degeneracy"]),
                  f"{lv['spread_eV']:.1e}")
    console.print(t)
    console.print(f"gap {summary['gap_eV']:.4f} eV; states → {nc_path}; DOS → {png}")


def register(app: typer.Typer) -> None:
    """Attach the `nc` command to the root app."""
    app.command("nc")(nc)
