"""`qdgain optics` (exciton levels, σ, τ_rad of a dot) and `qdgain dielectric` (ε_in(d))."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from qdgain._io import atomic_write
from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.electronic.models import DEFAULT_SURFACE, SURFACES
from qdgain.errors import ParameterError
from qdgain.optics.dielectric import dielectric_vs_diameter
from qdgain.optics.spectra import dot_optics, plot_spectra


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, write, suffix=f".tmp{path.suffix}")


@friendly_errors
def optics_cmd(
    diameter: float = typer.Option(3.5, "--diameter", help="Sphere diameter, nm."),
    charge: int = typer.Option(0, "--charge", help="-1 (extra electron), 0, +1 (extra hole)."),
    eps_in: float = typer.Option(None, "--eps-in", help="ε_in (default: computed from TB)."),
    eps_out: float = typer.Option(2.25, "--eps-out", help="Solvent ε (TCE 2.25)."),
    n_e: int = typer.Option(8, "--n-e", help="Conduction spinor states in the CI."),
    n_h: int = typer.Option(24, "--n-h", help="Valence spinor states in the CI."),
    broadening: float = typer.Option(0.035, "--broadening", help="Gaussian σ of lines, eV."),
    intraband_states: int = typer.Option(
        None, "--intraband-states", help="Charged dot: states of the carrier's band for its "
        "intraband lines, --intraband-method dense (default: ≈ 1.3 eV deep; 0 = the CI states)."),
    intraband_method: str = typer.Option(
        "auto", "--intraband-method", help="Charged dot: auto (dense up to 12,000 rows, else "
        "chebyshev), dense, chebyshev (seconds, any size) or active (CI states only)."),
    out: str = typer.Option("optics.nc", "--out", help="NetCDF file for the spectra."),
    plot: str = typer.Option(None, "--plot", help="PNG plot of σ(λ) (Fig. 1f style)."),
    params: str = typer.Option(None, "--params", help="TB parameter set (default: the HgTe dot "
                               "set HgTe_sp3d5_soc_2nn_fit300K; HgTe_sp3d5_soc_2nn = public)."),
    surface: str = typer.Option(DEFAULT_SURFACE, "--surface",
                                help=f"Surface model: {', '.join(SURFACES)}."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """X1, X2 (energies, degeneracies), X2−X1, f(X2)/f(X1), τ_rad, ε_in; spectra to NetCDF."""
    if charge not in (-1, 0, 1):
        raise ParameterError(f"--charge {charge}: must be -1, 0 or 1")
    what = ("TB, CI" + ("" if eps_in is not None else ", ε_in")
            + ("" if charge == 0 else ", trions and the carrier's deep basis (dense: minutes "
               "at 3.5 nm)"))
    with console.status(f"{diameter} nm sphere, charge {charge}: {what}…"):
        res = dot_optics(diameter, charge, eps_in=eps_in, eps_out=eps_out, n_e=n_e, n_h=n_h,
                         broadening_eV=broadening, params=params, surface=surface,
                         intraband_states=intraband_states,
                         intraband_method=intraband_method)
    _atomic(Path(out), lambda p: res.spectra.to_netcdf(p, engine="h5netcdf"))
    if plot is not None:
        _atomic(Path(plot), lambda p: plot_spectra(res.spectra, p))
    s = dict(res.summary, spectra_file=str(out))
    if as_json:
        emit_json(s)
        return
    t = Table(title=f"HgTe sphere {diameter} nm, charge {charge} (set {s['parameter_set']}, "
                    f"surface {s['surface']})")
    t.add_column("quantity")
    t.add_column("value")
    for k in ("X1_eV", "X1_degeneracy", "X1_splitting_meV", "X2_eV", "X2_degeneracy",
              "X2_splitting_meV", "X2_minus_X1_meV", "f_ratio_X2_X1", "tau_rad_ns", "eps_in",
              "gap_eV", "intraband_method", "intraband_states", "intraband_complete_to_eV"):
        if k not in s:
            continue
        v = s[k]
        t.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
    console.print(t)


@friendly_errors
def dielectric_cmd(
    diameters: str = typer.Option("2.5,3.5,5", "--diameters", help="Comma-separated, nm."),
    soc: bool = typer.Option(False, "--soc/--no-soc", help="Spin–orbit (16x costlier)."),
    method: str = typer.Option("auto", "--method", help="χ0 by dense diagonalisation, "
                               "polynomial response (poly; large dots) or auto (by size)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """ε_in(d) from a self-consistent static-field TB calculation (dense or polynomial χ0)."""
    try:
        ds = [float(x) for x in diameters.split(",") if x.strip()]
    except ValueError:
        raise ParameterError(f"--diameters {diameters!r}: give numbers in nm, e.g. 2.5,3.5") \
            from None
    res = dielectric_vs_diameter(ds, soc=soc, method=method)
    rows = [{"diameter_nm": d, "eps_in": r.eps_in, "gmres_iterations": r.iterations}
            for d, r in zip(ds, res, strict=True)]
    if as_json:
        emit_json({"dielectric": rows, "soc": soc, "method": method})
        return
    t = Table(title="ε_in of HgTe spheres (TB, self-consistent Hartree)")
    t.add_column("d (nm)")
    t.add_column("ε_in")
    for r in rows:
        t.add_row(f"{r['diameter_nm']:.2f}", f"{r['eps_in']:.3f}")
    console.print(t)


def register(app: typer.Typer) -> None:
    """Attach `optics` and `dielectric` to the root app."""
    app.command("optics")(optics_cmd)
    app.command("dielectric")(dielectric_cmd)
