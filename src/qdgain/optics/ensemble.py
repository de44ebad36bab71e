"""Ensemble absorption: band-edge lines averaged over a size distribution and a shape mixture.

The size dependence is the computed one: X1/X2 energies and integrated cross sections of a
sweep table (:mod:`qdgain.optics.sweep`) are interpolated in diameter (monotone PCHIP) for each
shape, so the inhomogeneous broadening follows from E(d), not from an assumed width:

.. math::

    \\sigma_{ens}(E) = \\sum_s w_s \\int p(d)\\, \\sum_{L=X1,X2} I_{L,s}(d)\\,
        g\\big(E - E_{L,s}(d); \\sigma_h\\big)\\, \\mathrm{d}d,
    \\qquad p(d) = \\mathcal N(\\bar d, \\sigma_d^2),

with I the integrated cross section (cm² eV), g a normalised Gaussian of standard deviation
σ_h (the homogeneous width of :func:`qdgain.optics.cross_section_cm2`, eV) and w_s the shape
weights. The d integral is a Gauss-weighted uniform quadrature over ±``span_std`` σ_d. For a
linear E(d) the variance of line L is σ_h² + (dE/dd)² σ_d² (plus the spread between shapes);
moments are reported per line in the attrs (``X1_std_eV`` total, ``X1_inhomogeneous_std_eV``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr
from scipy.interpolate import PchipInterpolator

from qdgain.convert import ev_to_nm
from qdgain.errors import ParameterError
from qdgain.units import with_units

__all__ = ["LINES", "ensemble_spectrum", "line_moments"]

#: band-edge lines of the ensemble: name → (energy variable, integrated cross-section variable)
LINES: dict[str, tuple[str, str]] = {"X1": ("X1_eV", "sigma_int_X1_cm2_eV"),
                                     "X2": ("X2_eV", "sigma_int_X2_cm2_eV")}


def _shape_curves(table: xr.Dataset, shape: str) -> dict[str, PchipInterpolator]:
    if shape not in list(table["shape"].values):
        raise ParameterError(f"shape {shape!r} is not in the sweep (shapes: "
                             f"{list(map(str, table['shape'].values))}); sweep it first")
    row = table.sel(shape=shape)
    ok = np.isfinite(row["X1_eV"].values) & np.isfinite(row["X2_eV"].values)
    if "status" in row:
        ok &= row["status"].values == 0
    d = row["diameter"].values[ok]
    if d.size < 2:
        raise ParameterError(f"shape {shape!r}: {d.size} computed sizes; an ensemble needs >= 2 "
                             "to interpolate E(d)")
    return {v: PchipInterpolator(d, row[v].values[ok], extrapolate=False)
            for pair in LINES.values() for v in pair}


def line_moments(energies_eV: np.ndarray, weights: np.ndarray, homogeneous_eV: float
                 ) -> tuple[float, float, float]:
    """Mean (eV), total std (eV) and inhomogeneous std (eV) of a sum of weighted Gaussians.

    .. math:: \\bar E = \\frac{\\sum W_k E_k}{\\sum W_k}, \\quad
              \\sigma_{inh}^2 = \\frac{\\sum W_k (E_k - \\bar E)^2}{\\sum W_k}, \\quad
              \\sigma^2 = \\sigma_h^2 + \\sigma_{inh}^2
    """
    w = np.asarray(weights, float)
    e = np.asarray(energies_eV, float)
    mean = float((w * e).sum() / w.sum())
    inh = float(np.sqrt((w * (e - mean) ** 2).sum() / w.sum()))
    return mean, float(np.hypot(homogeneous_eV, inh)), inh


def ensemble_spectrum(table: xr.Dataset, mean_nm: float, std_nm: float, *,
                      shape_weights: Mapping[str, float] | None = None,
                      broadening_eV: float = 0.035,
                      photon_energy_eV: np.ndarray | None = None,
                      n_points: int = 41, span_std: float = 3.0) -> xr.Dataset:
    """Size- and shape-averaged band-edge absorption of an ensemble (formula in module doc).

    Parameters
    ----------
    table : xarray.Dataset
        Sweep table over (shape, diameter) with ``X1_eV``, ``X2_eV`` (eV) and
        ``sigma_int_X1_cm2_eV``, ``sigma_int_X2_cm2_eV`` (cm² eV).
    mean_nm, std_nm : float
        Mean and standard deviation of the Gaussian diameter distribution, nm.
    shape_weights : mapping, optional
        Number fraction of each shape, e.g. ``{"sphere": 0.7, "tetrahedron": 0.3}`` (normalised
        here); default all dots spheres.
    broadening_eV : float
        Homogeneous Gaussian standard deviation of each line, eV.
    photon_energy_eV : array, optional
        Energy grid, eV (default: ±8 total widths around the lines, 1 meV steps).
    n_points : int
        Quadrature points in diameter.
    span_std : float
        Half-width of the diameter quadrature in σ_d (the sweep must cover it).

    Returns
    -------
    xarray.Dataset on ``photon_energy`` (eV; ``wavelength`` nm coordinate): ``sigma`` (ensemble,
    cm²), ``sigma_X1``, ``sigma_X2`` (per line, cm²), ``sigma_dot`` (the shape mixture at the mean
    diameter only, cm²). Attrs per line L: ``L_mean_eV``, ``L_std_eV``,
    ``L_inhomogeneous_std_eV``, ``L_sigma_int_cm2_eV``, ``dL_dd_eV_per_nm`` (at the mean size),
    and ``L_dot_eV`` (mean-size dot).
    """
    if not (np.isfinite(mean_nm) and mean_nm > 0 and np.isfinite(std_nm) and std_nm >= 0):
        raise ParameterError(f"size distribution {mean_nm!r} ± {std_nm!r} nm: need mean > 0 "
                             "and std >= 0 nm")
    if not broadening_eV > 0:
        raise ParameterError(f"broadening_eV = {broadening_eV}: must be > 0 eV")
    if int(n_points) < 3 or not span_std > 0:
        raise ParameterError(f"n_points = {n_points}, span_std = {span_std}: need >= 3 points "
                             "and span_std > 0")
    weights = dict(shape_weights) if shape_weights else {"sphere": 1.0}
    if any(not (np.isfinite(w) and w >= 0) for w in weights.values()) or \
            sum(weights.values()) <= 0:
        raise ParameterError(f"shape weights {weights}: need numbers >= 0, not all 0")
    total = sum(weights.values())
    x = np.linspace(-span_std, span_std, int(n_points))
    p = np.exp(-0.5 * x**2)
    p /= p.sum()
    d = mean_nm + std_nm * x
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {k: [] for k in LINES}
    dots: dict[str, list[tuple[float, float]]] = {k: [] for k in LINES}
    slopes: dict[str, float] = {k: 0.0 for k in LINES}
    for shape, w in weights.items():
        if w == 0:
            continue
        cur = _shape_curves(table, shape)
        lo, hi = cur["X1_eV"].x[0], cur["X1_eV"].x[-1]
        if d[0] < lo - 1e-9 or d[-1] > hi + 1e-9:
            raise ParameterError(
                f"size distribution {mean_nm:g} ± {std_nm:g} nm spans {d[0]:.3g}–{d[-1]:.3g} nm "
                f"(±{span_std:g}σ) but the {shape} sweep covers {lo:.3g}–{hi:.3g} nm; extend "
                "the sweep or lower span_std")
        dc = np.clip(d, lo, hi)
        for name, (ev, iv) in LINES.items():
            parts[name].append((cur[ev](dc), w / total * p * cur[iv](dc)))
            dots[name].append((float(cur[ev](mean_nm)), w / total * float(cur[iv](mean_nm))))
            slopes[name] += w / total * float(cur[ev].derivative()(mean_nm))
    centres = {k: np.concatenate([c for c, _ in v]) for k, v in parts.items()}
    amps = {k: np.concatenate([a for _, a in v]) for k, v in parts.items()}
    attrs: dict[str, float] = {"mean_nm": float(mean_nm), "std_nm": float(std_nm),
                               "broadening_eV": float(broadening_eV), "n_points": int(n_points),
                               "span_std": float(span_std)}
    for k in LINES:
        mean, std, inh = line_moments(centres[k], amps[k], broadening_eV)
        attrs.update({f"{k}_mean_eV": mean, f"{k}_std_eV": std, f"{k}_inhomogeneous_std_eV": inh,
                      f"{k}_sigma_int_cm2_eV": float(amps[k].sum()),
                      f"d{k}_dd_eV_per_nm": slopes[k],
                      f"{k}_dot_eV": float(sum(e * a for e, a in dots[k])
                                           / sum(a for _, a in dots[k]))})
    if photon_energy_eV is None:
        lo_e = min(c.min() for c in centres.values()) - 8 * max(
            attrs["X1_std_eV"], attrs["X2_std_eV"])
        hi_e = max(c.max() for c in centres.values()) + 8 * max(
            attrs["X1_std_eV"], attrs["X2_std_eV"])
        photon_energy_eV = np.arange(max(lo_e, 1e-3), hi_e, 1e-3)
    E = np.asarray(photon_energy_eV, dtype=float)
    if E.ndim != 1 or E.size < 2 or np.any(E <= 0):
        raise ParameterError("photon_energy_eV must be a 1-D grid of energies > 0 eV")
    norm = 1.0 / (broadening_eV * np.sqrt(2 * np.pi))

    def lines(c: np.ndarray, a: np.ndarray) -> np.ndarray:
        return norm * (np.exp(-0.5 * ((E[:, None] - c[None, :]) / broadening_eV) ** 2) @ a)

    coord = {"photon_energy": with_units(xr.DataArray(E, dims=["photon_energy"]), "eV"),
             "wavelength": with_units(xr.DataArray(np.asarray(ev_to_nm(E)),
                                                   dims=["photon_energy"]), "nm")}
    out = {f"sigma_{k}": lines(centres[k], amps[k]) for k in LINES}
    out["sigma"] = sum(out.values())
    out["sigma_dot"] = sum(lines(np.array([e for e, _ in dots[k]]),
                                 np.array([a for _, a in dots[k]])) for k in LINES)
    ds = xr.Dataset({k: with_units(xr.DataArray(v, dims=["photon_energy"]), "cm^2",
                                   "absorption cross section per dot")
                     for k, v in out.items()}, coords=coord)
    ds.attrs.update(attrs)
    ds.attrs["shape_weights"] = ", ".join(f"{s}:{w / total:.4g}" for s, w in weights.items())
    return ds
