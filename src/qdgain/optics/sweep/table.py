"""Gather per-dot records into one (shape, diameter) table with units; sizing fits per shape."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from qdgain.optics.sweep.sizing import SizingFit, bulk_gap_eV, fit_sizing
from qdgain.optics.sweep.spec import SCHEMA_VERSION, SweepOptions
from qdgain.units import with_units

__all__ = ["VARIABLES", "build_table", "sizing_fits", "sweep_summary"]

#: table variables: name → (units, long name)
VARIABLES: dict[str, tuple[str, str]] = {
    "n_atoms": ("1", "atoms in the dot"),
    "n_basis": ("1", "spin-orbitals"),
    "memory_GB": ("GB", "estimated peak memory"),
    "CB1_eV": ("eV", "lowest conduction level"),
    "CB2_eV": ("eV", "second conduction level"),
    "VB1_eV": ("eV", "highest valence level"),
    "VB2_eV": ("eV", "second valence level"),
    "CB1_degeneracy": ("1", "CB1 degeneracy"),
    "CB2_degeneracy": ("1", "CB2 degeneracy"),
    "VB1_degeneracy": ("1", "VB1 degeneracy"),
    "VB2_degeneracy": ("1", "VB2 degeneracy"),
    "gap_eV": ("eV", "single-particle gap"),
    "X1_eV": ("eV", "X1 = CB1xVB1 exciton energy (manifold mean)"),
    "X2_eV": ("eV", "X2 = CB1xVB2 exciton energy (manifold mean)"),
    "X1_wavelength_nm": ("nm", "first-exciton wavelength"),
    "X1_splitting_meV": ("meV", "fine-structure spread of X1"),
    "X2_minus_X1_meV": ("meV", "X2 - X1"),
    "f_X1": ("1", "oscillator strength of the X1 manifold"),
    "f_X2": ("1", "oscillator strength of the X2 manifold"),
    "sigma_int_X1_cm2_eV": ("cm^2 eV", "integrated cross section of X1"),
    "sigma_int_X2_cm2_eV": ("cm^2 eV", "integrated cross section of X2"),
    "tau_rad_ns": ("ns", "radiative lifetime (thermalised excitons)"),
    "n_e": ("1", "CI conduction states"),
    "n_h": ("1", "CI valence states"),
    "time_s": ("s", "wall time of the dot"),
}
_STATUS_CODE = {"ok": 0, "refused": 1, "failed": 2}


def build_table(records: list[dict[str, Any]], options: SweepOptions, params: Any) -> xr.Dataset:
    """One Dataset over (shape, diameter) from per-dot records (NaN where a dot is missing).

    Variables are listed in :data:`VARIABLES`; ``status`` is 0 ok, 1 refused (memory), 2 failed,
    −1 not in the sweep. Attrs carry the options, the parameter set and the schema version.
    """
    shapes = sorted({r["shape"] for r in records})
    diam = np.unique(np.round([float(r["diameter_nm"]) for r in records], 6))
    pos = {(s, d): (i, j) for i, s in enumerate(shapes) for j, d in enumerate(diam)}
    data = {k: np.full((len(shapes), len(diam)), np.nan) for k in VARIABLES}
    status = np.full((len(shapes), len(diam)), -1, dtype=np.int8)
    for r in records:
        i, j = pos[(r["shape"], round(float(r["diameter_nm"]), 6))]
        status[i, j] = _STATUS_CODE[r.get("status", "ok")]
        for k in VARIABLES:
            v = r.get(k)
            if isinstance(v, (int, float, np.number)):
                data[k][i, j] = float(v)
    coords = {"shape": ("shape", np.array(shapes, dtype=str)),
              "diameter": with_units(xr.DataArray(diam, dims=["diameter"]), "nm",
                                     "diameter (equal-volume sphere)")}
    ds = xr.Dataset(coords=coords)
    for k, (units, name) in VARIABLES.items():
        ds[k] = with_units(xr.DataArray(data[k], dims=["shape", "diameter"]), units, name)
    st = xr.DataArray(status, dims=["shape", "diameter"])
    st.attrs.update({"units": "1", "flag_values": np.array([-1, 0, 1, 2], dtype=np.int8),
                     "flag_meanings": "not_in_sweep ok refused_memory failed"})
    ds["status"] = st
    ds.attrs.update({"params": options.params, "params_name": params.name,
                     "surface": options.surface,
                     "n_e_min": options.n_e, "n_h_min": options.n_h, "eps_in": options.eps_in,
                     "eps_out": options.eps_out, "temperature_K": options.temperature_K,
                     "method": options.method, "soc": int(options.soc),
                     "schema_version": SCHEMA_VERSION})
    return ds


def sizing_fits(table: xr.Dataset, params: Any) -> dict[str, SizingFit]:
    """Empirical sizing fit per shape with >= 3 distinct structures (X1 energies) above E_bulk."""
    e_bulk = bulk_gap_eV(params)
    out = {}
    for shape in table["shape"].values:
        e = table["X1_eV"].sel(shape=shape).values
        ok = np.isfinite(e) & (e > e_bulk)
        if np.unique(np.round(e[ok], 9)).size >= 3:
            out[str(shape)] = fit_sizing(table["diameter"].values[ok], e[ok], e_bulk)
    return out


def sweep_summary(result: Any) -> dict[str, Any]:
    """JSON-able summary of a :class:`~qdgain.optics.sweep.SweepResult`: one row per dot."""
    t = result.table
    rows = []
    for shape in t["shape"].values:
        for d in t["diameter"].values:
            r = t.sel(shape=shape, diameter=d)
            if int(r["status"]) < 0:
                continue
            row = {"shape": str(shape), "diameter_nm": float(d),
                   "status": ("ok", "refused", "failed")[int(r["status"])]}
            for k in VARIABLES:
                v = float(r[k])
                row[k] = v if np.isfinite(v) else None
            rows.append(row)
    return {"params": t.attrs.get("params_name"), "surface": t.attrs.get("surface"),
            "dots": rows, "n_dots": len(rows), "n_computed": result.n_computed,
            "n_cached": result.n_cached, "n_workers": result.n_workers,
            "refused": list(result.refused), "failed": list(result.failed),
            "sizing_fit": {s: f.as_dict() for s, f in result.fits.items()},
            "table_file": str(result.path) if result.path else None}
