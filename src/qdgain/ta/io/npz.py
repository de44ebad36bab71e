"""NumPy ``.npz`` archives with named axes, read without pickle.

Arrays are found by name (case-insensitive): delays ``delay``/``t``/``time``…, wavelengths
``wavelength``/``wl``/``lambda``…, ΔA ``dA``/``data``/``spectra``…; ``keys=`` overrides the
lookup. Files written by :func:`write_npz` also hold ``units`` (delay, wavelength, dA) and
``attrs_json`` (metadata) as unicode arrays.

The skultrafast example (``test.npz``) stores delays in ns shifted by 2 ps and ΔA in units of
3 mOD; read it as ``read_npz(p, delay_unit="ns", delay_offset_ps=-2, dA_unit="mOD",
dA_scale=1/3)`` (docs/formats.md).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdgain.errors import FormatError, ParameterError
from qdgain.ta.dataset import metadata_from
from qdgain.ta.io._common import NM_PER_UNIT, atomic_write, build, check_axis, delay_to_ps

__all__ = ["read_npz", "write_npz", "can_guess_npz"]

_NAMES = {
    "delay": ("delay", "delays", "t", "time", "times", "delay_ps", "td"),
    "wavelength": ("wavelength", "wavelengths", "wl", "wls", "wavelength_nm", "lambda", "lam"),
    "dA": ("da", "data", "delta_a", "deltaa", "spectra", "mat", "matrix", "od"),
}


def can_guess_npz(head: bytes) -> bool:
    """True for a zip archive whose first member is a ``.npy`` file."""
    if not head.startswith(b"PK\x03\x04") or len(head) < 30:
        return False
    n = int.from_bytes(head[26:28], "little")
    return head[30:30 + n].endswith(b".npy")


def _find(files: list[str], what: str, keys: dict[str, str] | None, path: str) -> str:
    if keys and what in keys:
        if keys[what] not in files:
            raise FormatError(f"no array {keys[what]!r} (keys= option); arrays: {files}", path)
        return keys[what]
    for f in files:
        if f.lower() in _NAMES[what]:
            return f
    raise FormatError(f"no {what} array (looked for {list(_NAMES[what])}); arrays: {files}; "
                      "pass keys={...} to name it", path)


def read_npz(path: str | Path, *, keys: dict[str, str] | None = None,
             orientation: str = "auto", delay_unit: str | None = None,
             delay_offset_ps: float = 0.0, wavelength_unit: str | None = None,
             dA_unit: str | None = None, dA_scale: float = 1.0,
             allow_nan: bool = False) -> xr.Dataset:
    """Read an ``.npz`` archive with named axes (``allow_pickle=False``).

    Parameters
    ----------
    path : str or Path
        Archive (never modified).
    keys : dict, optional
        ``{"delay": name, "wavelength": name, "dA": name}`` to override the name lookup.
    orientation : {"auto", "delay-rows", "wavelength-rows"}
        Layout of the ΔA array; "auto" matches the axis lengths (square arrays need the option).
    delay_unit : str, optional
        fs, ps, ns, us or s; default: the file's ``units`` entry, else ps.
    delay_offset_ps : float
        Added to the delays after conversion, ps (e.g. −2 for the skultrafast example).
    wavelength_unit : str, optional
        nm, um or A; default: the file's entry, else nm.
    dA_unit : str, optional
        OD, mOD or uOD; default: the file's entry, else OD.
    dA_scale : float
        Factor applied to the stored ΔA before the unit conversion (dimensionless).
    allow_nan : bool
        Accept NaN cells (masked points), default False.
    """
    p = str(path)
    raw = Path(path).read_bytes()
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            files = list(z.files)
            names = {w: _find(files, w, keys, p) for w in ("delay", "wavelength", "dA")}
            arrs = {w: np.asarray(z[n]) for w, n in names.items()}
            units = [str(u) for u in np.asarray(z["units"]).ravel()] if "units" in files else []
            attrs = json.loads(str(z["attrs_json"])) if "attrs_json" in files else {}
            a0 = np.asarray(z["A0"], dtype=float) if "A0" in files else None
    except FormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip/npy parsing can fail in many library ways
        raise FormatError(f"cannot read as .npz: {type(exc).__name__}: {exc}", p, 0) from None
    try:
        t = np.asarray(arrs["delay"], dtype=float).ravel()
        wl = np.asarray(arrs["wavelength"], dtype=float).ravel()
        data = np.asarray(arrs["dA"], dtype=float)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"non-numeric array: {exc}", p) from None
    if data.ndim != 2:
        raise FormatError(f"ΔA array {names['dA']!r} has {data.ndim} dims, expected 2", p)
    if orientation == "auto":
        if data.shape == (t.size, wl.size) and data.shape != (wl.size, t.size):
            orientation = "delay-rows"
        elif data.shape == (wl.size, t.size) and data.shape != (t.size, wl.size):
            orientation = "wavelength-rows"
        elif data.shape == (t.size, wl.size):
            raise FormatError("square ΔA array: pass orientation='delay-rows' or "
                              "'wavelength-rows'", p)
        else:
            raise FormatError(f"ΔA shape {data.shape} fits neither ({t.size} delays, {wl.size} "
                              "wavelengths) nor its transpose", p)
    if orientation not in ("delay-rows", "wavelength-rows"):
        raise ParameterError(f"orientation {orientation!r}: use auto, delay-rows, wavelength-rows")
    dA = data if orientation == "delay-rows" else data.T
    if dA.shape != (t.size, wl.size):
        raise FormatError(f"ΔA shape {data.shape} does not match orientation={orientation!r}", p)
    u_t, u_wl, u_dA = (units + ["ps", "nm", "OD"][len(units):])[:3]
    wl_f = NM_PER_UNIT.get(wavelength_unit or u_wl)
    if wl_f is None:
        raise FormatError(f"wavelength unit {wavelength_unit or u_wl!r} unknown", p)
    check_axis(t, "delay", p, None)
    check_axis(wl, "wavelength", p, None)
    a0 = a0 if a0 is not None and a0.shape == wl.shape else None
    meta = metadata_from(attrs) if isinstance(attrs, dict) else {}
    meta.pop("source_file", None)
    return build(dA * dA_scale, delay_to_ps(t, delay_unit or u_t) + delay_offset_ps, wl * wl_f, p,
                 dA_unit=dA_unit or u_dA, allow_nan=allow_nan, A0=a0, **meta)


def write_npz(ds: xr.Dataset, path: str | Path) -> None:
    """Write a 2-D TA dataset as ``.npz`` (delay ps, wavelength nm, dA OD, A0, metadata JSON)."""
    if ds["dA"].ndim != 2:
        raise ParameterError("an .npz file holds one map here; write each fluence separately")
    arrays: dict[str, Any] = {
        "delay": np.asarray(ds["delay"].values, dtype=float),
        "wavelength": np.asarray(ds["wavelength"].values, dtype=float),
        "dA": np.asarray(ds["dA"].transpose("delay", "wavelength").values, dtype=float),
        "units": np.array(["ps", "nm", "OD"]),
    }
    if "A0" in ds:
        arrays["A0"] = np.asarray(ds["A0"].values, dtype=float)
    meta = {k: (v.item() if isinstance(v, np.generic) else v)
            for k, v in metadata_from(ds.attrs).items() if k != "source_file"}
    arrays["attrs_json"] = np.array(json.dumps(meta, default=str))

    def _w(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    atomic_write(path, _w)
