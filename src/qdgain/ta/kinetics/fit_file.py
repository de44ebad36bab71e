"""File-level kinetic analyses behind the CLI: read, fit, plot (DAS/EAS/SAS, residual map, SVD).

``--model Nexp`` fits a sequential scheme with N lifetimes (EAS) and reports its DAS (the same
fit seen as parallel decays); ``--target scheme.toml`` fits a target scheme (SAS). Start values for
``Nexp``: lifetimes log-spaced between 5 delay steps and the delay window, IRF centre at the
steepest rise of the wavelength-summed |dA|, IRF width 2 delay steps (>= 50 fs).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from qdgain._io import atomic_write
from qdgain.errors import ParameterError
from qdgain.ta.kinetics.pl import fit_pl_decay, read_tcspc
from qdgain.ta.kinetics.scheme import load_scheme
from qdgain.ta.kinetics.svd import svd_map
from qdgain.ta.kinetics.target import TargetFitResult, as_map, fit_global, fit_target

__all__ = ["fit_ta_file", "fit_pl_file", "start_values"]


def start_values(da, n: int) -> tuple[list[float], float, float]:
    """Start lifetimes (ps), IRF centre (ps) and width (ps) for an ``n``-exponential fit."""
    t = da["delay"].values
    step = float(np.min(np.diff(t)))
    taus = list(np.geomspace(5 * step, float(t[-1] - t[0]), n + 2)[1:-1])
    s = np.abs(da.values).sum(axis=1)
    center = float(t[np.argmax(np.gradient(s, t))])
    return taus, center, max(2 * step, 0.05)


def _save(fig, path: Path) -> str:
    """Write ``fig`` to ``path`` atomically, close it, return the path as str."""
    import matplotlib.pyplot as plt

    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110), suffix=f".tmp{path.suffix}")
    finally:
        plt.close(fig)
    return str(path)


def _plots(res: TargetFitResult, out_dir: Path, stem: str) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    label = "EAS" if res.scheme.kind == "sequential" else (
        "SAS" if res.scheme.kind == "target" else "amplitude spectra")
    # components faster than the IRF width are coherent artefacts: left out of these plots
    # (they would set the scale), still in the JSON/results
    w = res.parameters.get("irf.width", 0.0)
    K = res.scheme.rate_matrix(res.parameters)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for comp in res.das["component"].values:
        d = res.das.sel(component=comp)
        if float(d["lifetime"]) > w:
            axes[0].plot(d["wavelength"], d, label=f"{float(d['lifetime']):.3g} ps")
    axes[0].set(title=f"DAS (lifetimes > IRF width {w:.3g} ps)", xlabel="wavelength (nm)",
                ylabel="dA (OD)")
    axes[0].legend(fontsize=7)
    for i, sp in enumerate(res.species_spectra["species"].values):
        if -K[i, i] < 1.0 / max(w, 1e-12):
            axes[1].plot(res.species_spectra["wavelength"],
                         res.species_spectra.sel(species=sp), label=str(sp))
    axes[1].set(title=label, xlabel="wavelength (nm)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    files.append(_save(fig, out_dir / f"{stem}_spectra.png"))
    r = res.residual
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    lim = float(np.nanmax(np.abs(r.values))) or 1.0
    m = axes[0].pcolormesh(r["wavelength"], np.arange(r.sizes["delay"]), r.values,
                           cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto")
    axes[0].set(title="residual (OD)", xlabel="wavelength (nm)", ylabel="delay index")
    fig.colorbar(m, ax=axes[0])
    sv = svd_map(r, n_vectors=3)
    for i in range(3):
        axes[1].plot(r["wavelength"], sv.spectral_vectors[:, i] * sv.singular_values[i],
                     label=f"s{i + 1} = {sv.singular_values[i]:.2e}")
    axes[1].set(title="residual SVD (spectral vectors x s)", xlabel="wavelength (nm)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    files.append(_save(fig, out_dir / f"{stem}_residual.png"))
    return files


def fit_ta_file(path: str | Path, *, model: str | None = None, target: str | Path | None = None,
                out_dir: str | Path | None = None,
                dispersion: int = 0) -> tuple[TargetFitResult, dict]:
    """Read a TA file and fit ``model`` ("3exp": sequential, 3 lifetimes) or a ``target`` scheme.

    Parameters
    ----------
    path : str or Path
        TA file in any format ``qdgain.ta.io.read_ta`` detects.
    model : str, optional
        ``"<N>exp"`` (N = 1..8).
    target : str or Path, optional
        Scheme file (TOML).
    out_dir : str or Path, optional
        Where the plots go (default: no plots).
    dispersion : int
        With ``model``: order of the IRF-centre polynomial in wavelength (chirp modelled).

    Returns
    -------
    (TargetFitResult, dict)
        The fit and a JSON-ready summary (rates ps^-1, lifetimes ps, chi^2 OD^2, plot files).
    """
    from qdgain.ta.io import read_ta

    if (model is None) == (target is None):
        raise ParameterError("give exactly one of --model Nexp or --target scheme.toml")
    ds = read_ta(path)
    da = as_map(ds)
    if target is not None:
        res = fit_target(da, load_scheme(target))
    else:
        m = re.fullmatch(r"([1-8])exp", model or "")
        if m is None:
            raise ParameterError(f"--model must look like '3exp' (1-8 exponentials), got "
                                 f"{model!r}")
        taus, center, width = start_values(da, int(m.group(1)))
        res = fit_global(da, taus, scheme="sequential", irf_center=center, irf_width=width,
                         dispersion=dispersion)
    summary = res.summary()
    summary["file"] = str(path)
    if out_dir is not None:
        summary["plots"] = _plots(res, Path(out_dir), Path(path).stem)
    return res, summary


def fit_pl_file(path: str | Path, n_components: int = 2) -> dict:
    """Read a TCSPC file (``time_ps counts [irf]``) and fit ``n_components`` exponentials.

    Parameters
    ----------
    path : str or Path
        Text file, see :func:`qdgain.ta.kinetics.pl.read_tcspc`.
    n_components : int
        Number of exponentials.
    """
    t, y, irf = read_tcspc(path)
    dt = float(t[1] - t[0])
    taus = list(np.geomspace(5 * dt, float(t[-1] - t[0]) / 3, n_components))
    res = fit_pl_decay(t, y, taus, irf=irf)
    return res.summary() | {"file": str(path)}
