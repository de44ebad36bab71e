"""Gain bandwidth per fluence (contiguous λ with A < 0) and its overlap with the telecom bands.

The gain band at one fluence is the contiguous run of probe pixels with A < 0 that contains the
deepest gain (most negative A). Its edges are the zero crossings of A, linearly interpolated
between the last absorbing and the first amplifying pixel; an edge that touches the end of the
analysed range is reported there and flagged (the band may continue beyond).

With a noise estimate σ(λ) and ``min_sigma`` = z > 0, only runs holding at least one pixel with
A < −zσ count (noise-only dips where A0 ≈ σ are not reported as gain); the edges are still the
A = 0 crossings of the run.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from qdgain.calibration import band_overlap_nm, telecom_bands
from qdgain.convert import require_units
from qdgain.errors import ParameterError
from qdgain.units import with_units

__all__ = ["gain_bandwidth", "band_edges"]


def band_edges(wavelength_nm: np.ndarray, a: np.ndarray, threshold_od: np.ndarray | float = 0.0
               ) -> tuple[float, float, int, bool, bool]:
    """Edges of the gain band (A < 0 run containing min A) of one spectrum.

    Parameters
    ----------
    wavelength_nm : ndarray (n,)
        Ascending probe wavelengths, nm.
    a : ndarray (n,)
        Nonlinear absorbance A, OD (NaN pixels count as not amplifying).
    threshold_od : float or ndarray (n,)
        A run counts only if some pixel has A < −threshold_od (OD, ≥ 0; 0: any A < 0).

    Returns
    -------
    (lower_nm, upper_nm, n_runs, lower_at_range_end, upper_at_range_end); NaN edges and
    n_runs = 0 when A ≥ 0 everywhere.
    """
    af = np.nan_to_num(a, nan=0.0)
    neg = af < 0
    sig = af < -np.asarray(threshold_od, dtype=float)
    starts = np.flatnonzero(np.diff(np.concatenate([[0], neg.astype(np.int8)])) == 1)
    run_id = np.cumsum(np.diff(np.concatenate([[0], neg.astype(np.int8)])) == 1) * neg
    n_runs = int(np.unique(run_id[sig & neg]).size) if starts.size else 0
    if not sig.any():
        return float("nan"), float("nan"), 0, False, False
    i = int(np.argmin(np.where(sig, af, np.inf)))
    lo = i
    while lo > 0 and neg[lo - 1]:
        lo -= 1
    hi = i
    while hi < a.size - 1 and neg[hi + 1]:
        hi += 1
    wl = wavelength_nm

    def cross(j_out: int, j_in: int) -> float:
        y0, y1 = a[j_out], a[j_in]
        if not np.isfinite(y0):
            return float(wl[j_in])
        return float(wl[j_out] + (wl[j_in] - wl[j_out]) * y0 / (y0 - y1))

    lower = float(wl[0]) if lo == 0 else cross(lo - 1, lo)
    upper = float(wl[-1]) if hi == a.size - 1 else cross(hi + 1, hi)
    return lower, upper, n_runs, lo == 0, hi == a.size - 1


def gain_bandwidth(a: xr.DataArray, bands: dict[str, tuple[float, float]] | None = None, *,
                   noise_od: np.ndarray | float | None = None, min_sigma: float = 0.0
                   ) -> xr.Dataset:
    """Gain band edges, width and telecom-band overlap at each fluence.

    Parameters
    ----------
    a : xarray.DataArray
        Nonlinear absorbance A (fluence, wavelength), OD (e.g. ``gain_threshold(...)["A"]``).
    bands : dict, optional
        ``{name: (lower_nm, upper_nm)}``; default the O/E/S/C/L telecom bands.
    noise_od : float or ndarray (wavelength,), optional
        1σ noise of A, OD (e.g. ``gain_threshold(...)["noise"]``).
    min_sigma : float
        Significance z: a gain run needs a pixel with A < −z σ (0: the plain A < 0 rule).

    Returns
    -------
    xarray.Dataset
        Per fluence: ``band_lower``, ``band_upper``, ``bandwidth`` (nm), ``has_gain``,
        ``n_gain_runs``, ``edge_at_range_end`` (lower, upper flags), ``peak_gain_A`` (OD),
        ``peak_gain_wavelength`` (nm); per (fluence, band): ``telecom_overlap`` (nm) and
        ``telecom_fraction`` (fraction of the band covered).
    """
    require_units(a, "OD", "A")
    if "fluence" not in a.dims:
        a = a.expand_dims("fluence")
    a = a.transpose("fluence", "wavelength")
    bands = telecom_bands() if bands is None else bands
    if not bands:
        raise ParameterError("gain_bandwidth: empty band table")
    wl = np.asarray(a["wavelength"].values, dtype=float)
    vals = np.asarray(a.values, dtype=float)
    if min_sigma < 0:
        raise ParameterError(f"min_sigma must be >= 0, got {min_sigma}")
    thr = 0.0 if noise_od is None else min_sigma * np.asarray(noise_od, dtype=float)
    nf, names = vals.shape[0], list(bands)
    lower, upper = np.full(nf, np.nan), np.full(nf, np.nan)
    runs = np.zeros(nf, np.int32)
    at_end = np.zeros((nf, 2), np.int8)
    peak_a, peak_wl = np.full(nf, np.nan), np.full(nf, np.nan)
    ov = np.zeros((nf, len(names)))
    for f in range(nf):
        lo, hi, runs[f], e0, e1 = band_edges(wl, vals[f], thr)
        lower[f], upper[f], at_end[f] = lo, hi, (e0, e1)
        if runs[f]:
            j = int(np.nanargmin(np.where((wl >= lo) & (wl <= hi), vals[f], np.inf)))
            peak_a[f], peak_wl[f] = vals[f, j], wl[j]
        o = band_overlap_nm(lo, hi, bands)
        ov[f] = [o[b] for b in names]
    width = np.array([bands[b][1] - bands[b][0] for b in names])
    coords = {k: v for k, v in a.coords.items() if k != "wavelength"}
    out = xr.Dataset(coords={**coords, "band": names, "edge": ["lower", "upper"]})
    out["band"].attrs["units"] = "1"
    out["edge"].attrs["units"] = "1"

    def put(name: str, v: np.ndarray, dims: tuple[str, ...], units: str, long: str) -> None:
        out[name] = with_units(xr.DataArray(v, dims=dims), units, long)

    put("band_lower", lower, ("fluence",), "nm", "lower edge of the gain band (A = 0)")
    put("band_upper", upper, ("fluence",), "nm", "upper edge of the gain band (A = 0)")
    put("bandwidth", np.where(runs > 0, upper - lower, 0.0), ("fluence",), "nm",
        "gain bandwidth (0 where no gain)")
    put("has_gain", (runs > 0).astype(np.int8), ("fluence",), "1", "1 where A < 0 somewhere")
    put("n_gain_runs", runs, ("fluence",), "1",
        "number of separate A < 0 regions (holding a significant pixel)")
    put("edge_at_range_end", at_end, ("fluence", "edge"), "1",
        "1 where the band edge is the end of the analysed range (band may continue)")
    put("peak_gain_A", peak_a, ("fluence",), "OD", "most negative A (deepest gain)")
    put("peak_gain_wavelength", peak_wl, ("fluence",), "nm", "wavelength of the deepest gain")
    put("telecom_overlap", ov, ("fluence", "band"), "nm", "overlap of the gain band with band")
    put("telecom_fraction", ov / width[None, :], ("fluence", "band"), "1",
        "fraction of the telecom band covered by the gain band")
    out["band_lower_limit"] = with_units(xr.DataArray([bands[b][0] for b in names], dims="band"),
                                         "nm", "telecom band lower limit")
    out["band_upper_limit"] = with_units(xr.DataArray([bands[b][1] for b in names], dims="band"),
                                         "nm", "telecom band upper limit")
    return out
