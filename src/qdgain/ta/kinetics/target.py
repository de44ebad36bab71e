"""Global and target analysis of a TA map by variable projection (rates nonlinear, spectra linear).

Minimises the weighted residual sum of squares

    chi^2 = sum_l w(l)^2 sum_t ( dA(t, l) - sum_s C_s(t; theta, l) S_s(l) )^2     (l: wavelength)

over the nonlinear parameters theta (rates, branching ratios, IRF centre/width/dispersion) with
scipy's trust-region-reflective least squares; for every theta the spectra S are eliminated by
QR (``varpro.project``), so only the few theta are searched. Per-wavelength weights do not change
S (a scalar per column of the data), only the residual.

Standard errors are in the units of each parameter: cov = s^2 (J^T J)^-1 with J the Jacobian of
the projected residual with respect to the parameters themselves (ps^-1, ps, 1) at the optimum
and s^2 = chi^2 / (N - n_free - n_spectra), N data points, n_spectra linear amplitudes.
For variable projection this is the marginal covariance of theta in the full problem
(Golub & Pereyra 2003).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.optimize import least_squares

from qdgain.errors import ConvergenceError, ParameterError
from qdgain.ta.dataset import check_ta
from qdgain.ta.kinetics.jacobian import compressed_model, model_and_jacobian
from qdgain.ta.kinetics.scheme import KineticScheme, parallel_scheme, sequential_scheme
from qdgain.ta.kinetics.varpro import covariance_from_jacobian, project, scheme_concentrations
from qdgain.units import with_units

__all__ = ["TargetFitResult", "fit_target", "fit_global", "as_map", "wavelength_weights"]


@dataclass(frozen=True, slots=True)
class TargetFitResult:
    """Result of :func:`fit_target` / :func:`fit_global`.

    Attributes
    ----------
    parameters, standard_errors : dict
        Fitted values and standard errors by parameter name, in the parameter's units
        (rates ps^-1, IRF ps, branching 1); errors NaN for fixed parameters.
    lifetimes : ndarray
        1 / eigen-rate of the scheme, ps (inf for a zero rate), ascending rate order as DAS.
    chi_square : float
        Weighted residual sum of squares, OD^2.
    reduced_chi_square : float
        chi_square / (N - n_free - n_spectra), OD^2.
    species_spectra : xarray.DataArray (species, wavelength)
        SAS (EAS for a sequential scheme, DAS-like amplitudes for parallel), OD.
    das : xarray.DataArray (component, wavelength)
        Decay-associated spectra, OD; coord ``lifetime`` (ps).
    residual : xarray.DataArray (delay, wavelength)
        Unweighted residual dA - model, OD.
    irf_center : ndarray (n_w,)
        IRF centre per wavelength, ps.
    n_evaluations : int
        Residual evaluations (with forward differences each Jacobian column counts as one).
    n_jacobians : int
        Analytic Jacobian evaluations (0 with forward differences).
    wall_s : float
        Wall time of the fit, s.
    """

    scheme: KineticScheme
    parameters: dict[str, float]
    standard_errors: dict[str, float]
    lifetimes: np.ndarray
    chi_square: float
    reduced_chi_square: float
    species_spectra: xr.DataArray
    das: xr.DataArray
    residual: xr.DataArray
    irf_center: np.ndarray
    n_evaluations: int
    n_jacobians: int
    wall_s: float
    message: str

    def summary(self) -> dict:
        """JSON-ready summary (rates ps^-1, lifetimes ps, chi^2 OD^2)."""
        def clean(d: dict) -> dict:  # NaN (fixed parameters) -> null: strict JSON
            return {k: (None if not np.isfinite(v) else float(v)) for k, v in d.items()}

        return {"scheme": self.scheme.name, "kind": self.scheme.kind,
                "parameters": clean(self.parameters),
                "standard_errors": clean(self.standard_errors),
                "lifetimes_ps": [float(x) for x in self.lifetimes],
                "chi_square": self.chi_square, "reduced_chi_square": self.reduced_chi_square,
                "n_evaluations": self.n_evaluations, "n_jacobians": self.n_jacobians,
                "wall_s": self.wall_s,
                "message": self.message}


def as_map(data: xr.Dataset | xr.DataArray) -> xr.DataArray:
    """The ``dA`` map (delay, wavelength) of a TA dataset, checked (ParameterError lists all).

    A Dataset goes through ``qdgain.ta.dataset.check_ta`` (units, axes, NaN: every problem at
    once); a bare DataArray (simulations, tests) gets the dims/axes/NaN checks below.
    """
    if isinstance(data, xr.Dataset):
        check_ta(data)
    da = data["dA"] if isinstance(data, xr.Dataset) else data
    problems = []
    if set(da.dims) != {"delay", "wavelength"}:
        problems.append(f"dims must be (delay, wavelength), got {da.dims}")
    else:
        da = da.transpose("delay", "wavelength")
        for dim in ("delay", "wavelength"):
            v = da[dim].values
            if v.size > 1 and np.any(np.diff(v) <= 0):
                problems.append(f"{dim} coordinate is not strictly ascending")
        if not np.all(np.isfinite(da.values)):
            problems.append(f"{int(np.sum(~np.isfinite(da.values)))} NaN/inf values in dA; "
                            f"drop or interpolate them first")
    if problems:
        raise ParameterError("TA map: " + "; ".join(problems))
    return da


def wavelength_weights(scheme: KineticScheme, wavelength: np.ndarray) -> np.ndarray:
    """Residual weight per wavelength: product of the scheme's range weights (default 1).

    A range [lo, hi] nm covers the grid points from the one nearest lo to the one nearest hi,
    both included (the convention of pyglotaran's ``global_interval`` weights).
    """
    w = np.ones(wavelength.size)
    for lo, hi, val in scheme.weights:
        i0 = int(np.abs(wavelength - lo).argmin())
        i1 = int(np.abs(wavelength - hi).argmin())
        w[i0:i1 + 1] *= val
    return w


def _rate_params(scheme: KineticScheme) -> set[str]:
    """Free parameters that are, on their own, the rate of a transfer (ps^-1)."""
    direct = {t.rate.strip() for t in scheme.transfers}
    return {p.name for p in scheme.parameters if p.vary and p.name in direct}


def _check_lifetimes(scheme: KineticScheme, values: dict[str, float], delay: np.ndarray,
                     when: str) -> None:
    step = float(np.min(np.diff(delay)))
    rates = _rate_params(scheme)
    for p in scheme.parameters:
        if p.name in rates and values[p.name] > 1.0 / step:
            raise ParameterError(
                f"{when}: rate {p.name} = {values[p.name]:.4g} ps^-1 (lifetime "
                f"{1 / values[p.name]:.3g} ps) is faster than the delay step {step:.3g} ps; "
                f"it cannot be resolved: fix it or remove that component")


def fit_target(data: xr.Dataset | xr.DataArray, scheme: KineticScheme, *,
               max_nfev: int = 2000, tol: float = 1e-8, jacobian: str = "analytic",
               check_components: bool = True) -> TargetFitResult:
    """Fit a kinetic scheme to a TA map (see module docstring).

    Parameters
    ----------
    data : xarray.Dataset or DataArray
        ``dA`` (delay ps, wavelength nm), OD.
    scheme : KineticScheme
        Scheme with start values; its ``kind`` decides the meaning of the species spectra.
    max_nfev : int
        Cap on optimiser iterations' residual evaluations; hitting it raises ConvergenceError.
    tol : float
        ftol = xtol = gtol of ``scipy.optimize.least_squares``.
    jacobian : {"analytic", "2-point"}
        Analytic variable-projection Jacobian (:mod:`jacobian`, needs a Gaussian IRF) or
        forward differences (one residual evaluation per free parameter).
    check_components : bool
        Raise ParameterError when two fitted rates coincide or are fully correlated (more
        components than the data support).

    Returns
    -------
    TargetFitResult
    """
    t0 = time.perf_counter()
    da = as_map(data)
    delay = da["delay"].values.astype(float)
    wl = da["wavelength"].values.astype(float)
    D = da.values.astype(float)
    w = wavelength_weights(scheme, wl)
    values0 = scheme.values()
    _check_lifetimes(scheme, values0, delay, "start value")
    free = [p for p in scheme.parameters if p.vary]
    names = [p.name for p in free]
    x0 = np.array([p.value for p in free])
    lo = np.array([p.min for p in free])
    hi = np.array([p.max for p in free])
    state = {"nfev": 0, "njev": 0, "x": x0.copy(), "chi2": np.nan}

    def full(x: np.ndarray) -> dict[str, float]:
        v = dict(values0)
        v.update(zip(names, x, strict=False))
        return v

    def resid(x: np.ndarray) -> np.ndarray:
        state["nfev"] += 1
        try:
            conc = scheme_concentrations(scheme, full(x), delay, wl)
        except ParameterError:
            return np.full(D.size, 1e3)  # a defective trial point: reject it, keep searching
        _, r = project(conc.matrix, D)
        r = (r * w[None, :]).ravel(order="F")
        state["x"] = x
        state["chi2"] = float(r @ r)
        state["E"] = (x.tobytes(), conc.exponentials)  # reused by jac at the same x
        return r

    analytic = "irf.width" in values0 and jacobian == "analytic"
    compressed = analytic and scheme.n_dispersion == 0
    cache: dict[bytes, np.ndarray] = {}

    def ctilde(x: np.ndarray) -> np.ndarray:
        # shared C: exactly compressed (n_free + 1)-residual, see jacobian.compressed_model
        state["nfev"] += 1
        try:
            r_t, J_t, chi2 = compressed_model(scheme, full(x), names, delay, D, w)
        except ParameterError:
            r_t, J_t, chi2 = np.full(len(names) + 1, 1e3), np.zeros((len(names) + 1,
                                                                     len(names))), np.inf
        cache.clear()
        cache[x.tobytes()] = J_t
        state["x"], state["chi2"] = x, chi2
        return r_t

    def jac(x: np.ndarray) -> np.ndarray:
        state["njev"] += 1
        if compressed:
            if x.tobytes() not in cache:
                ctilde(x)
            return cache[x.tobytes()]
        key, E = state.get("E", (None, None))
        try:
            return model_and_jacobian(scheme, full(x), names, delay, wl, D, w,
                                      E if key == x.tobytes() else None)[1]
        except ParameterError:
            return np.zeros((D.size, len(names)))

    if names:
        res = least_squares(ctilde if compressed else resid, x0,
                            jac=jac if analytic else "2-point", bounds=(lo, hi),
                            method="trf", x_scale="jac", ftol=tol, xtol=tol, gtol=tol,
                            max_nfev=max_nfev)
        if res.status <= 0:
            last = ", ".join(f"{n}={v:.6g}" for n, v in zip(names, state["x"], strict=False))
            err = ConvergenceError(
                f"target fit of scheme {scheme.name!r} did not converge within max_nfev="
                f"{max_nfev} ({res.message}); last state: {last}, chi^2={state['chi2']:.6g} OD^2."
                f" Give better start values or raise max_nfev", iterations=state["nfev"],
                residual=state["chi2"])
            err.last_state = dict(zip(names, state["x"], strict=False))  # type: ignore[attr-defined]
            raise err
        x, J, message = res.x, res.jac, str(res.message)
    else:
        x, J, message = x0, np.zeros((D.size, 0)), "no free parameters"
    values = full(x)
    conc = scheme_concentrations(scheme, values, delay, wl)
    S, r = project(conc.matrix, D)
    chi2 = float(np.sum((r * w[None, :]) ** 2))
    n_lin = S.size
    dof = D.size - len(names) - n_lin
    s2 = chi2 / dof if dof > 0 else np.nan
    errors = {p.name: float("nan") for p in scheme.parameters}
    if names:
        cov = covariance_from_jacobian(J, chi2, dof)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        errors.update(zip(names, map(float, se), strict=False))
        if check_components:
            sv = np.linalg.svd(J, compute_uv=False)
            _check_identifiable(scheme, names, x, cov, bool(sv[-1] > sv[0] * 1e-12))
        _check_lifetimes(scheme, values, delay, "fitted value")
    return _result(scheme, values, errors, conc, S, r, w, chi2, s2, da,
                   (state["nfev"], state["njev"]), time.perf_counter() - t0, message)


def _check_identifiable(scheme: KineticScheme, names: list[str], x: np.ndarray,
                        cov: np.ndarray, full_rank: bool) -> None:
    rates = _rate_params(scheme)
    ks = [i for i, n in enumerate(names) if n in rates]
    d = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    corr = cov / np.outer(d, d)
    for a in ks:
        for b in ks:
            # not separable: equal within 0.1 %, or within 2 combined standard errors, or
            # (almost) fully correlated, or a singular Jacobian
            gap = abs(x[a] - x[b])
            if a < b and (gap <= 1e-3 * max(x[a], x[b]) or gap < 2 * np.hypot(d[a], d[b])
                          or abs(corr[a, b]) > 0.9999 or not full_rank):
                raise ParameterError(
                    f"scheme {scheme.name!r}: rates {names[a]}={x[a]:.4g} and {names[b]}="
                    f"{x[b]:.4g} ps^-1 are not separately determined (equal or correlation "
                    f"{corr[a, b]:+.5f}): the model has more components than the data support; "
                    f"remove one")


def _result(scheme, values, errors, conc, S, r, w, chi2, s2, da, nfev, wall, message):
    wl = da["wavelength"]
    sas = xr.DataArray(S.T, dims=("species", "wavelength"),
                       coords={"species": list(conc.columns), "wavelength": wl})
    sp = list(scheme.species)
    full_S = np.full((len(sp), S.shape[0]), np.nan)
    for i, c in enumerate(conc.columns):
        full_S[sp.index(c)] = S[:, i]
    for tgt, src, ratio in scheme.equal_spectra:
        full_S[sp.index(tgt)] = ratio * full_S[sp.index(src)]
    das_vals = conc.a_matrix @ np.nan_to_num(full_S)
    with np.errstate(divide="ignore"):
        lifetimes = np.where(conc.rates > 0, 1.0 / conc.rates, np.inf)
    order = np.argsort(-conc.rates)
    das = xr.DataArray(das_vals[order], dims=("component", "wavelength"),
                       coords={"component": np.arange(1, len(order) + 1), "wavelength": wl,
                               "lifetime": ("component", lifetimes[order])})
    das["lifetime"].attrs["units"] = "ps"
    sas = xr.DataArray(full_S, dims=("species", "wavelength"),
                       coords={"species": sp, "wavelength": wl})
    resid = xr.DataArray(r, dims=("delay", "wavelength"), coords={"delay": da["delay"],
                                                                  "wavelength": wl})
    center = np.broadcast_to(np.asarray(conc.irf_center, float), wl.shape).copy()
    return TargetFitResult(
        scheme, values, errors, lifetimes[order], chi2, float(s2),
        with_units(sas, "OD", "species-associated spectra"),
        with_units(das, "OD", "decay-associated spectra"),
        with_units(resid, "OD", "residual"), center, int(nfev[0]), int(nfev[1]), float(wall),
        message)


def fit_global(data: xr.Dataset | xr.DataArray, lifetimes: list[float] | tuple[float, ...], *,
               scheme: str, irf_center: float = 0.0, irf_width: float = 0.1,
               fit_irf: bool = True, dispersion: int = 0, **kwargs) -> TargetFitResult:
    """Global analysis with a sequential (EAS) or parallel (DAS) scheme.

    Parameters
    ----------
    data : xarray.Dataset or DataArray
        ``dA`` (delay ps, wavelength nm), OD.
    lifetimes : sequence of float
        Start lifetimes, ps (``inf`` in a parallel scheme: fixed offset).
    scheme : {"sequential", "parallel"}
        Required, never inferred (glotaran#131).
    irf_center, irf_width : float
        Start IRF centre and standard deviation, ps.
    fit_irf : bool
        Fit the IRF centre and width.
    dispersion : int
        Order of the IRF-centre polynomial in wavelength (chirp modelled; 0: data already
        chirp-corrected), reference at the middle of the wavelength range.
    **kwargs
        Passed to :func:`fit_target`.
    """
    wl = as_map(data)["wavelength"].values
    kw = dict(irf_center=irf_center, irf_width=irf_width, fit_irf=fit_irf,
              dispersion=dispersion, dispersion_reference_nm=float(0.5 * (wl[0] + wl[-1])))
    if scheme == "sequential":
        sch = sequential_scheme(lifetimes, **kw)
    elif scheme == "parallel":
        sch = parallel_scheme(lifetimes, **kw)
    else:
        raise ParameterError(f"scheme must be 'sequential' or 'parallel', got {scheme!r}; "
                             f"use fit_target with a scheme file for a target model")
    return fit_target(data, sch, **kwargs)
