"""`qdgain ta simulate`: a simulated fluence series of TA maps, written like a measurement."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
import xarray as xr
from rich.progress import Progress

from qdgain._io import atomic_write_text
from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.errors import ParameterError
from qdgain.gain.models import PRESETS, preset
from qdgain.gain.simulator import Instrument, default_delays, default_wavelengths, simulate_ta
from qdgain.gain.truth import ground_truth

__all__ = ["register", "write_series"]

_EXT = {"ufs": "ufs", "csv": "csv", "netcdf": "nc"}


def _parse_floats(text: str, what: str) -> list[float]:
    try:
        return [float(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise ParameterError(f"{what}: expected comma-separated numbers, got {text!r}") from None


def write_series(ds: xr.Dataset, out: Path, fmt: str) -> list[str]:
    """Write a simulated series into ``out``: one NetCDF file, or one file per fluence
    (``.ufs``/``.csv``) plus ``A0.txt``, ``PL.txt`` and a ``series.json`` manifest."""
    from qdgain.ta.io import write_ta
    from qdgain.ta.io.spectrum import write_spectrum

    if fmt not in _EXT:
        raise ParameterError(f"format {fmt!r} unknown; choose one of {sorted(_EXT)}")
    out.mkdir(parents=True, exist_ok=True)
    stem = str(ds.attrs["sample"])
    if fmt == "netcdf":
        path = out / f"{stem}.nc"
        write_ta(ds, path, format="netcdf")
        return [str(path)]
    files: list[str] = []
    manifest: list[dict[str, Any]] = []
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(f"writing {fmt}", total=ds.sizes["fluence"])
        for i in range(ds.sizes["fluence"]):
            one = ds.isel(fluence=i).drop_vars(["fluence", "N_mean"])[["dA"]]
            n, f = float(ds["N_mean"][i]), float(ds["fluence"][i])
            one.attrs = {**ds.attrs, "N_mean": n, "fluence_uJ_cm2": f, "instrument_metadata":
                         f"Sample: {stem}\nN_mean: {n:g}\nFluence (uJ/cm^2): {f:g}\n"
                         f"Pump wavelength (nm): {ds.attrs['pump_wavelength_nm']:g}"}
            path = out / f"{stem}_N{n:.4g}.{_EXT[fmt]}"
            write_ta(one, path, format="helios-ufs" if fmt == "ufs" else "matrix-csv")
            files.append(str(path))
            manifest.append({"file": path.name, "N_mean": n, "fluence_uJ_cm2": f})
            bar.advance(task)
    for name in ("A0", "PL"):
        path = out / f"{stem}_{name}.txt"
        write_spectrum(ds[name].rename(name), path)
        files.append(str(path))
    man = out / f"{stem}_series.json"
    atomic_write_text(man, json.dumps({"sample": stem, "format": fmt, "maps": manifest,
                                       "A0": f"{stem}_A0.txt", "PL": f"{stem}_PL.txt"},
                                      indent=1))
    return [*files, str(man)]


@friendly_errors
def simulate(
    preset_name: Annotated[str, typer.Option("--preset", help=f"Model: {', '.join(PRESETS)}.")]
    = "hgte-1220",
    n_values: Annotated[str, typer.Option("--N", help="Comma-separated <N> values.")]
    = "0.006,0.01,0.02,0.04,0.07,0.1,0.15,0.2,0.3,0.5,0.8,1.2",
    fmt: Annotated[str, typer.Option("--format", help="ufs, csv or netcdf.")] = "ufs",
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("simulated"),
    n_delays: Annotated[int, typer.Option(help="Delays, -5 ps ... 2.5 ns.")] = 1000,
    n_wavelengths: Annotated[int, typer.Option(help="Probe points, 450-1620 nm.")] = 1024,
    seed: Annotated[int, typer.Option(help="Noise seed.")] = 0,
    chirp: Annotated[str, typer.Option(help="Chirp polynomial coefficients, ps.")] = "",
    noiseless: Annotated[bool, typer.Option(help="No noise and no pump scatter.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Simulate a TA fluence series of a gain-model preset and write it like a measurement."""
    t0 = time.perf_counter()
    model = preset(preset_name)
    inst = Instrument.noiseless() if noiseless else Instrument()
    inst = Instrument(**{**{f: getattr(inst, f) for f in inst.__slots__},
                         "chirp_ps": tuple(_parse_floats(chirp, "--chirp"))})
    ds = simulate_ta(model, np.array(_parse_floats(n_values, "--N")),
                     delay_ps=default_delays(n_delays), wavelength_nm=default_wavelengths(
                         n_wavelengths), instrument=inst, seed=seed)
    files = write_series(ds, out, fmt)
    truth = {k: (None if v != v else v) for k, v in ground_truth(model).to_dict().items()}
    early = {k: (None if v != v else v)  # multi-exciton regime (paper Fig. 4b: 10 ps)
             for k, v in ground_truth(model, delay_ps=10.0).to_dict().items()}
    summary = {"preset": model.name, "format": fmt, "files": files, "seconds":
               time.perf_counter() - t0, "ground_truth": truth, "ground_truth_10ps": early,
               "shape": list(ds["dA"].shape)}
    if json_out:
        emit_json(summary)
        return
    def fmt(key: str, spec: str) -> str:
        v = truth[key]
        return "none" if v is None else format(v, spec)

    hi = ("beyond " if truth["band_high_open"] else "") + fmt("band_high_nm", ".0f")
    console.print(f"{len(files)} file(s) in {out}  ({summary['seconds']:.1f} s); ground truth: "
                  f"min <N>_th {fmt('min_threshold_N', '.3g')} at "
                  f"{fmt('min_threshold_wavelength_nm', '.0f')} nm, gain band at <N> = 0.3: "
                  f"{fmt('band_low_nm', '.0f')}–{hi} nm, gain lifetime "
                  f"{truth['gain_lifetime_ps'] / 1e3:.3g} ns")


def register(ta_app: typer.Typer) -> None:
    """Attach `simulate` to the `ta` group."""
    ta_app.command("simulate")(simulate)
