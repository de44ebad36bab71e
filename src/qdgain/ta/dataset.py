"""The transient-absorption data model: one labelled :class:`xarray.Dataset` per measurement.

Layout (docs/interfaces.md, STYLE R9):

- dims/coords ``delay`` (ps, strictly ascending) and ``wavelength`` (nm, strictly ascending);
  a fluence series adds a leading ``fluence`` dim (µJ cm⁻², units ``"uJ/cm^2"``) with a coord
  ``N_mean`` (⟨N⟩, units ``"1"``) on it;
- data vars ``dA`` (…, delay, wavelength) in OD and optional ``A0`` (wavelength) in OD;
- attrs: the known metadata keys of :data:`METADATA_KEYS` plus ``source_file``.

ΔA given in mOD is converted once, here: ΔA[OD] = ΔA[mOD] · 10⁻³.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.units import with_units

__all__ = [
    "METADATA_KEYS",
    "Problem",
    "ta_dataset",
    "validate_ta",
    "check_ta",
    "stack_fluence",
    "to_od",
    "OD_PER_UNIT",
    "describe",
]

#: Known metadata attributes and their meaning (units in the name unless dimensionless text).
METADATA_KEYS: dict[str, str] = {
    "pump_wavelength_nm": "pump wavelength, nm",
    "pump_power_mW": "average pump power, mW",
    "fluence_uJ_cm2": "pump fluence, µJ cm^-2",
    "spot_fwhm_um": "pump spot FWHM, µm",
    "repetition_rate_Hz": "laser repetition rate, Hz",
    "sample": "sample name",
    "path_length_cm": "cuvette path length, cm",
    "N_mean": "mean number of excitons per dot <N>",
    "source_file": "file the data were read from",
    "instrument_metadata": "free-text metadata block found in the file",
}

#: Absorbance units accepted on input and their factor to OD.
OD_PER_UNIT: dict[str, float] = {"OD": 1.0, "mOD": 1e-3, "uOD": 1e-6}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found by :func:`validate_ta`.

    Attributes
    ----------
    where : str
        Variable, coordinate or attribute concerned.
    what : str
        What is wrong and how to fix it.
    """

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def to_od(values: np.ndarray, units: str) -> np.ndarray:
    """Convert absorbance values to OD.

    Parameters
    ----------
    values : ndarray
        Absorbance change in ``units``.
    units : str
        One of ``"OD"``, ``"mOD"``, ``"uOD"``.

    Returns
    -------
    ndarray
        Values in OD (ΔA[OD] = ΔA[units] · factor, factor from :data:`OD_PER_UNIT`).
    """
    try:
        factor = OD_PER_UNIT[units]
    except KeyError:
        raise ParameterError(
            f"unknown absorbance unit {units!r}; use one of {sorted(OD_PER_UNIT)}"
        ) from None
    arr = np.asarray(values, dtype=float)
    return arr if factor == 1.0 else arr * factor


def _axis(values: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(f"{name}: expected a non-empty 1-D axis, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ParameterError(f"{name}: non-finite value at index {bad}; remove or fix it")
    return arr


def ta_dataset(
    dA: np.ndarray,
    delay: Sequence[float] | np.ndarray,
    wavelength: Sequence[float] | np.ndarray,
    *,
    A0: Sequence[float] | np.ndarray | None = None,
    dA_units: str = "OD",
    A0_units: str = "OD",
    sort: bool = True,
    **metadata: Any,
) -> xr.Dataset:
    """Build a validated TA dataset from arrays.

    Parameters
    ----------
    dA : ndarray, shape (n_delay, n_wavelength)
        Absorbance change ΔA = A − A0 in ``dA_units``.
    delay : array_like, shape (n_delay,)
        Pump–probe delays, ps.
    wavelength : array_like, shape (n_wavelength,)
        Probe wavelengths, nm.
    A0 : array_like, shape (n_wavelength,), optional
        Ground-state absorbance in ``A0_units``.
    dA_units, A0_units : str
        ``"OD"`` (default), ``"mOD"`` or ``"uOD"``; converted to OD.
    sort : bool
        Sort strictly descending axes into ascending order (default True). Axes that are not
        monotonic or hold duplicates always raise.
    **metadata
        Known attributes only (see :data:`METADATA_KEYS`), e.g. ``pump_wavelength_nm=700``;
        ``None`` values are dropped. Unknown keys raise (typos cannot pass silently).

    Returns
    -------
    xarray.Dataset
        ``dA`` (delay, wavelength) in OD, optional ``A0`` (wavelength) in OD, coords with units.

    Raises
    ------
    ParameterError
        Shape mismatch, non-finite or non-monotonic axes, unknown metadata keys or units.
    """
    unknown = sorted(set(metadata) - set(METADATA_KEYS))
    if unknown:
        raise ParameterError(
            f"unknown metadata key(s) {unknown}; known keys: {sorted(METADATA_KEYS)}"
        )
    t = _axis(delay, "delay")
    wl = _axis(wavelength, "wavelength")
    data = to_od(dA, dA_units)
    if data.shape != (t.size, wl.size):
        raise ParameterError(
            f"dA has shape {data.shape}, expected (n_delay, n_wavelength) = ({t.size}, {wl.size})"
        )
    a0 = None if A0 is None else to_od(A0, A0_units)
    if a0 is not None and a0.shape != wl.shape:
        raise ParameterError(f"A0 has shape {a0.shape}, expected ({wl.size},) like wavelength")
    for name, ax, axis in (("delay", t, 0), ("wavelength", wl, 1)):
        steps = np.diff(ax)
        if np.all(steps > 0):
            continue
        if sort and np.all(steps < 0):
            data = np.flip(data, axis=axis)
            if name == "wavelength":
                wl = wl[::-1]
                a0 = None if a0 is None else a0[::-1]
            else:
                t = t[::-1]
            continue
        i = int(np.flatnonzero(steps <= 0)[0])
        kind = "duplicated" if steps[i] == 0 else "non-monotonic"
        raise ParameterError(
            f"{name} axis is {kind} at index {i + 1} ({float(ax[i])!r} then {float(ax[i + 1])!r}); "
            "axes must be strictly ascending (average or drop repeated points first)"
        )
    ds = xr.Dataset(
        {"dA": (("delay", "wavelength"), np.ascontiguousarray(data))},
        coords={"delay": t, "wavelength": wl},
    )
    ds["dA"] = with_units(ds["dA"], "OD", "absorbance change ΔA")
    ds["delay"] = with_units(ds["delay"], "ps", "pump-probe delay")
    ds["wavelength"] = with_units(ds["wavelength"], "nm", "probe wavelength")
    if a0 is not None:
        ds["A0"] = with_units(xr.DataArray(a0, dims=("wavelength",)), "OD",
                              "ground-state absorbance A0")
    ds.attrs.update({k: v for k, v in metadata.items() if v is not None})
    return ds


def validate_ta(ds: xr.Dataset) -> list[Problem]:
    """List every problem of a TA dataset (an empty list means valid).

    Checks: presence of ``dA`` with dims (…, delay, wavelength); ``units`` of every variable and
    coordinate (``dA``/``A0`` "OD", ``delay`` "ps", ``wavelength`` "nm", ``fluence``
    "uJ/cm^2", ``N_mean`` "1"); strictly ascending, finite axes; NaN/inf in ``dA`` and ``A0``.

    Parameters
    ----------
    ds : xarray.Dataset
        Dataset to check (not modified).

    Returns
    -------
    list of Problem
        All problems found, in a stable order.
    """
    problems: list[Problem] = []
    expected = {"dA": "OD", "A0": "OD", "delay": "ps", "wavelength": "nm",
                "fluence": "uJ/cm^2", "N_mean": "1"}
    if "dA" not in ds:
        problems.append(Problem("dA", "missing data variable 'dA'"))
    else:
        dims = ds["dA"].dims
        if dims[-2:] != ("delay", "wavelength") or (len(dims) == 3 and dims[0] != "fluence") \
                or len(dims) not in (2, 3):
            problems.append(Problem("dA", f"dims {dims}, expected ([fluence,] delay, wavelength)"))
    for name, units in expected.items():
        if name in ds.variables and ds[name].attrs.get("units") != units:
            problems.append(Problem(name, f"units {ds[name].attrs.get('units')!r}, "
                                          f"expected {units!r}"))
    for name in ("delay", "wavelength", "fluence"):
        if name not in ds.coords:
            if name != "fluence":
                problems.append(Problem(name, "missing coordinate"))
            continue
        ax = np.asarray(ds[name].values, dtype=float)
        if not np.all(np.isfinite(ax)):
            problems.append(Problem(name, "non-finite coordinate values"))
        elif ax.size > 1 and not np.all(np.diff(ax) > 0):
            problems.append(Problem(name, "not strictly ascending (non-monotonic or duplicated)"))
    for name in ("dA", "A0"):
        if name in ds:
            v = np.asarray(ds[name].values, dtype=float)
            n_nan, n_inf = int(np.isnan(v).sum()), int(np.isinf(v).sum())
            if n_nan:
                problems.append(Problem(name, f"{n_nan} NaN value(s) (masked points?)"))
            if n_inf:
                problems.append(Problem(name, f"{n_inf} infinite value(s)"))
    return problems


def check_ta(ds: xr.Dataset, *, allow_nan: bool = False) -> xr.Dataset:
    """Raise one :class:`ParameterError` listing every problem of ``ds``; return ``ds`` if valid.

    Parameters
    ----------
    ds : xarray.Dataset
        TA dataset.
    allow_nan : bool
        Accept NaN in ``dA``/``A0`` (masked points), default False.
    """
    problems = [p for p in validate_ta(ds)
                if not (allow_nan and p.what.endswith("NaN value(s) (masked points?)"))]
    if problems:
        raise ParameterError("invalid TA dataset:\n  " + "\n  ".join(map(str, problems)))
    return ds


def stack_fluence(
    datasets: Sequence[xr.Dataset],
    fluence_uJ_cm2: Sequence[float] | np.ndarray,
    N_mean: Sequence[float] | np.ndarray | None = None,
) -> xr.Dataset:
    """Stack single measurements into a fluence series along a leading ``fluence`` dim.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Measurements on identical ``delay`` and ``wavelength`` grids (resample first with
        :func:`qdgain.ta.preprocess.resample_series` if they differ).
    fluence_uJ_cm2 : array_like
        Pump fluence of each measurement, µJ cm⁻², strictly ascending.
    N_mean : array_like, optional
        ⟨N⟩ of each measurement (dimensionless); NaN where unknown.

    Returns
    -------
    xarray.Dataset
        ``dA`` (fluence, delay, wavelength) in OD, coords ``fluence`` ("uJ/cm^2") and
        ``N_mean`` ("1") on ``fluence``; ``A0`` kept if every member has the same one.
    """
    if len(datasets) == 0:
        raise ParameterError("stack_fluence: no datasets given")
    f = _axis(fluence_uJ_cm2, "fluence_uJ_cm2")
    if f.size != len(datasets):
        raise ParameterError(f"{len(datasets)} datasets but {f.size} fluence values")
    if f.size > 1 and not np.all(np.diff(f) > 0):
        raise ParameterError("fluence values must be strictly ascending (sort the series)")
    n = np.full(f.size, np.nan) if N_mean is None else np.asarray(N_mean, dtype=float)
    if n.shape != f.shape:
        raise ParameterError(f"N_mean has {n.size} values for {f.size} fluences")
    ref = datasets[0]
    for i, ds in enumerate(datasets):
        for p in validate_ta(ds):
            if "NaN" not in p.what:
                raise ParameterError(f"series member {i}: {p}")
        for ax in ("delay", "wavelength"):
            a, b = ref[ax].values, ds[ax].values
            if a.shape != b.shape or not np.array_equal(a, b):
                raise ParameterError(
                    f"series member {i} ({ds.attrs.get('source_file', 'in memory')}): {ax} grid "
                    f"differs from member 0 ({b.size} vs {a.size} points, range "
                    f"{b.min():g}–{b.max():g} vs {a.min():g}–{a.max():g}); resample onto a common "
                    "grid first (qdgain.ta.preprocess.resample_series)"
                )
    dA = np.stack([ds["dA"].values for ds in datasets])
    out = xr.Dataset(
        {"dA": (("fluence", "delay", "wavelength"), dA)},
        coords={"fluence": f, "delay": ref["delay"].values, "wavelength": ref["wavelength"].values,
                "N_mean": ("fluence", n)},
    )
    out["dA"] = with_units(out["dA"], "OD", "absorbance change ΔA")
    out["delay"] = with_units(out["delay"], "ps", "pump-probe delay")
    out["wavelength"] = with_units(out["wavelength"], "nm", "probe wavelength")
    out["fluence"] = with_units(out["fluence"], "uJ/cm^2", "pump fluence")
    out["N_mean"] = with_units(out["N_mean"], "1", "mean excitons per dot <N>")
    if all("A0" in ds for ds in datasets) and all(
        np.array_equal(ds["A0"].values, ref["A0"].values, equal_nan=True) for ds in datasets
    ):
        out["A0"] = with_units(ref["A0"].copy(), "OD", "ground-state absorbance A0")
    shared: dict[str, Any] = {}
    for k, v in ref.attrs.items():
        if k not in ("fluence_uJ_cm2", "N_mean", "pump_power_mW") and all(
            _same(ds.attrs.get(k), v) for ds in datasets
        ):
            shared[k] = v
    out.attrs.update(shared)
    return out


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(np.all(a == b))
    except Exception:  # noqa: BLE001 - attrs of odd types are simply "different"
        return False


def metadata_from(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the known metadata keys of ``attrs`` (for readers that find extra attributes)."""
    return {k: v for k, v in attrs.items() if k in METADATA_KEYS}


def describe(ds: xr.Dataset) -> dict[str, Any]:
    """A JSON-ready summary: dims, coordinate ranges and units, ΔA range, NaN count, metadata.

    Parameters
    ----------
    ds : xarray.Dataset
        TA dataset (single map or fluence series).
    """
    out: dict[str, Any] = {"dims": {k: int(v) for k, v in ds.sizes.items()}}
    for name in ("delay", "wavelength", "fluence", "N_mean"):
        if name in ds.coords:
            v = np.asarray(ds[name].values, dtype=float)
            out[name] = {"min": float(np.nanmin(v)), "max": float(np.nanmax(v)),
                         "units": ds[name].attrs.get("units")}
    for name in ("dA", "A0"):
        if name in ds:
            v = np.asarray(ds[name].values, dtype=float)
            fin = v[np.isfinite(v)]
            out[name] = {"min": float(fin.min()) if fin.size else None,
                         "max": float(fin.max()) if fin.size else None,
                         "units": ds[name].attrs.get("units"),
                         "nan_count": int(np.isnan(v).sum()), "inf_count": int(np.isinf(v).sum())}
    out["attrs"] = {k: (v.item() if isinstance(v, np.generic) else v)
                    for k, v in ds.attrs.items() if not isinstance(v, np.ndarray)}
    out["problems"] = [str(p) for p in validate_ta(ds)]
    return out
