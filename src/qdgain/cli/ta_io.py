"""`qdgain ta info | plot | convert | chirp`: look at, convert and chirp-correct TA files."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from qdgain.cli._common import console, emit_json, friendly_errors
from qdgain.errors import ParameterError

__all__ = ["register", "parse_options"]

_OPT_HELP = ("Reader option KEY=VALUE, repeatable (e.g. -o dA_unit=mOD -o delay_unit=ns "
             "-o orientation=delay-rows).")


_Fmt = Annotated[str | None, typer.Option("--format", help="Force the input format.")]
_Opts = Annotated[list[str] | None, typer.Option("-o", "--option", help=_OPT_HELP)]
_Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def parse_options(items: list[str] | None) -> dict[str, Any]:
    """``["a=1", "b=ns"]`` → ``{"a": 1, "b": "ns"}`` (values parsed as JSON, else text)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"option {item!r}: expected KEY=VALUE")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def _floats(text: str | None, what: str) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ParameterError(f"--{what}: expected comma-separated numbers, got {text!r}") from None


@friendly_errors
def info(
    file: Annotated[Path, typer.Argument(help="TA file (format detected from content).")],
    fmt: _Fmt = None,
    opt: _Opts = None,
    as_json: _Json = False,
) -> None:
    """Format, dimensions, ranges, units and NaN count of a TA file."""
    from qdgain.ta import FORMATS, guess_format, read_ta
    from qdgain.ta.dataset import describe

    name = fmt or guess_format(file)
    options = parse_options(opt)
    if name in FORMATS and "allow_nan" in inspect.signature(FORMATS[name].read).parameters:
        options.setdefault("allow_nan", True)  # count masked points instead of failing
    ds = read_ta(file, format=name, **options)
    summary = {"file": str(file), "format": ds.attrs.get("format"), **describe(ds)}
    if as_json:
        emit_json(summary)
        return
    t = Table("item", "value", title=f"{file} ({summary['format']})")
    t.add_row("dims", ", ".join(f"{k}={v}" for k, v in summary["dims"].items()))
    for k in ("delay", "wavelength", "fluence", "dA", "A0"):
        if k in summary:
            s = summary[k]
            extra = f"  NaN {s['nan_count']}" if "nan_count" in s else ""
            t.add_row(k, f"{s['min']:.6g} … {s['max']:.6g} {s['units']}{extra}")
    for p in summary["problems"]:
        t.add_row("problem", p)
    console.print(t)


@friendly_errors
def plot(
    file: Annotated[Path, typer.Argument(help="TA file.")],
    out: Annotated[Path | None, typer.Option("--out", help="Image (default FILE.png).")] = None,
    delays: Annotated[str | None, typer.Option(help="Spectral cuts, ps (comma list).")] = None,
    wavelengths: Annotated[str | None, typer.Option(help="Kinetics, nm (comma list).")] = None,
    fmt: _Fmt = None,
    opt: _Opts = None,
    as_json: _Json = False,
) -> None:
    """ΔA map with spectral cuts and kinetics, saved as an image."""
    from qdgain.ta import read_ta
    from qdgain.ta.plotting import plot_map, save_figure

    ds = read_ta(file, format=fmt, **parse_options(opt))
    target = out or file.with_name(file.name + ".png")
    save_figure(plot_map(ds, delays_ps=_floats(delays, "delays"),
                         wavelengths_nm=_floats(wavelengths, "wavelengths")), target)
    if as_json:
        emit_json({"file": str(file), "figure": str(target)})
    else:
        console.print(f"wrote {target}")


@friendly_errors
def convert(
    file: Annotated[Path, typer.Argument(help="TA file to read.")],
    output: Annotated[Path, typer.Argument(help="Output; format from the extension (.nc, "
                                                ".ufs, .csv, .npz, .ascii).")],
    fmt: _Fmt = None,
    to: Annotated[str | None, typer.Option("--to", help="Force the output format.")] = None,
    opt: _Opts = None,
    as_json: _Json = False,
) -> None:
    """Convert a TA file (e.g. to qdgain NetCDF); the input is never modified."""
    from qdgain.ta import read_ta, write_ta

    ds = read_ta(file, format=fmt, **parse_options(opt))
    write_ta(ds, output, format=to)
    summary = {"input": str(file), "format": ds.attrs.get("format"), "output": str(output),
               "dims": {k: int(v) for k, v in ds.sizes.items()}}
    if as_json:
        emit_json(summary)
    else:
        console.print(f"{file} ({summary['format']}) → {output}")


@friendly_errors
def chirp(
    file: Annotated[Path, typer.Argument(help="TA file (one map, not chirp corrected).")],
    out: Annotated[Path | None, typer.Option(help="Write the corrected data here.")] = None,
    figure: Annotated[Path | None, typer.Option("--plot", help="Before/after figure.")] = None,
    degree: Annotated[int, typer.Option("--degree", help="Polynomial degree of t0(λ).")] = 3,
    method: Annotated[str, typer.Option(help="Onset estimator: derivative, threshold or "
                                        "model.")] = "derivative",
    window: Annotated[str | None, typer.Option(help="Onset search window 'lo,hi', ps.")] = None,
    fmt: _Fmt = None,
    opt: _Opts = None,
    as_json: _Json = False,
) -> None:
    """Estimate the chirp t0(λ) automatically, correct it, optionally export and plot."""
    from qdgain.ta import chirp_correct, read_ta, write_ta
    from qdgain.ta.plotting import plot_chirp, save_figure

    ds = read_ta(file, format=fmt, **parse_options(opt))
    w = _floats(window, "window")
    if w is not None and len(w) != 2:
        raise ParameterError("--window: expected 'lo,hi' in ps")
    corrected, fit = chirp_correct(ds, degree=degree, method=method,
                                   window_ps=None if w is None else (w[0], w[1]))
    if out is not None:
        write_ta(corrected, out)
    if figure is not None:
        save_figure(plot_chirp(ds, fit, corrected), figure)
    c = fit.curve.values
    summary = {"file": str(file), "method": fit.method, "center_nm": fit.center_nm,
               "coefficients_ps": list(fit.coefficients_ps), "t0_min_ps": float(c.min()),
               "t0_max_ps": float(c.max()), "rms_residual_ps": fit.rms_residual_ps,
               "n_inliers": int(fit.inliers.values.sum()), "output": None if out is None
               else str(out), "figure": None if figure is None else str(figure)}
    if as_json:
        emit_json(summary)
        return
    console.print(f"t0(λ): {c.min():.3f} … {c.max():.3f} ps (degree {degree}, {fit.method}, "
                  f"rms residual {fit.rms_residual_ps:.3f} ps, {summary['n_inliers']} onsets)")


def register(ta_app: typer.Typer) -> None:
    """Attach `info`, `plot`, `convert` and `chirp` to the `ta` group."""
    ta_app.command("info")(info)
    ta_app.command("plot")(plot)
    ta_app.command("convert")(convert)
    ta_app.command("chirp")(chirp)
