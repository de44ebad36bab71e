"""Fluence-series target model: one kinetic scheme for all pump fluences, Poisson initial states.

A fraction ``phi`` of the dots is charged; in those, absorption makes a charged exciton (trion,
spectrum S_T) that decays with k_T. In the neutral dots the number of excitons n after the pump
is Poisson-distributed with mean <N> (SPEC §5), P(n) = <N>^n e^-<N> / n!, states with
n >= n_max lumped into n_max. An n-exciton state decays to n-1 with

    k_1 = k_X,         k_n = k_XX n^2 (n - 1) / 4   (n >= 2, statistical Auger scaling)

so k_2 = k_XX = 1 / tau_XX is the biexciton Auger rate. The signal is

    dA(t, lambda; <N>) = c_1(t) S_X(lambda) + sum_{n>=2} c_n(t) S_XX(lambda) + c_T(t) S_T(lambda)

(all multi-exciton states share the band-edge-saturated spectrum S_XX), each c convolved with the
same Gaussian IRF. The spectra are shared by all fluences: stacking the concentration matrices of
every fluence gives one linear problem per wavelength (variable projection), and only k_X, k_XX,
k_T and the IRF are searched. phi is not identifiable from TA alone: (1 - phi) scales S_X and S_XX,
phi scales S_T, exactly like a spectrum amplitude; the fit returns spectra per excited dot of the
ensemble and, when the charged fraction is known (e.g. from a stirring experiment), per neutral
or charged dot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.optimize import least_squares
from scipy.stats import poisson

from qdgain.errors import ConvergenceError, ParameterError
from qdgain.ta.dataset import check_ta
from qdgain.ta.kinetics.irf import irf_exponentials
from qdgain.ta.kinetics.varpro import amplitude_matrix, covariance_from_jacobian, project
from qdgain.units import with_units

__all__ = ["FluenceFitResult", "fluence_concentrations", "fit_fluence_series"]

SPECIES = ("X", "XX", "T")
_NAMES = ("k_X", "k_XX", "k_T", "irf.center", "irf.width")


@dataclass(frozen=True, slots=True)
class FluenceFitResult:
    """Result of :func:`fit_fluence_series`.

    Attributes
    ----------
    parameters, standard_errors : dict
        ``k_X``, ``k_XX``, ``k_T`` (ps^-1), ``irf.center``, ``irf.width`` (ps).
    lifetimes_ps, lifetime_errors_ps : dict
        ``X``, ``XX`` (biexciton Auger), ``T`` lifetimes and standard errors (ps, delta method
        sigma_tau = sigma_k / k^2).
    spectra : xarray.DataArray (species, wavelength)
        S_X, S_XX, S_T, OD; per neutral (X, XX) or charged (T) dot when ``charged_fraction`` was
        given, else per dot of the ensemble ((1 - phi) S_X, (1 - phi) S_XX, phi S_T).
    chi_square : float
        Residual sum of squares, OD^2.
    residual : xarray.DataArray (fluence, delay, wavelength)
        OD.
    """

    parameters: dict[str, float]
    standard_errors: dict[str, float]
    lifetimes_ps: dict[str, float]
    lifetime_errors_ps: dict[str, float]
    spectra: xr.DataArray
    chi_square: float
    residual: xr.DataArray
    n_evaluations: int


def fluence_concentrations(delay: np.ndarray, n_mean: np.ndarray, k_X: float, k_XX: float,
                           k_T: float, phi: float, irf_center: float, irf_width: float,
                           n_max: int = 8) -> np.ndarray:
    """IRF-convolved populations of X, XX (all n >= 2) and T for each fluence.

    Parameters
    ----------
    delay : ndarray (n_t,)
        Delays, ps.
    n_mean : ndarray (n_f,)
        Mean excitons per dot <N> at each fluence (dimensionless).
    k_X, k_XX, k_T : float
        Single-exciton, biexciton-Auger and charged-dot rates, ps^-1.
    phi : float
        Fraction of charged dots (0..1).
    irf_center, irf_width : float
        Gaussian IRF centre and standard deviation, ps.
    n_max : int
        Highest exciton number kept (higher ones lumped in), >= 2.

    Returns
    -------
    ndarray (n_f, n_t, 3)
        Populations per dot (dimensionless).
    """
    if min(k_X, k_XX, k_T) <= 0 or not 0 <= phi <= 1:
        raise ParameterError(f"rates must be > 0 ps^-1 and 0 <= phi <= 1: k_X={k_X}, "
                             f"k_XX={k_XX}, k_T={k_T}, phi={phi}")
    n = np.arange(1, n_max + 1)
    k_n = np.where(n == 1, k_X, k_XX * n**2 * (n - 1) / 4.0)
    m = n_max + 1  # states 1..n_max, then T
    K = np.zeros((m, m))
    for i in range(n_max):
        K[i, i] -= k_n[i]
        if i > 0:
            K[i - 1, i] += k_n[i]
    K[n_max, n_max] = -k_T
    lump = np.zeros((m, 3))
    lump[0, 0] = 1.0
    lump[1:n_max, 1] = 1.0
    lump[n_max, 2] = 1.0
    out = []
    for N in np.atleast_1d(n_mean):
        p = poisson.pmf(n, N)
        p[-1] = poisson.sf(n_max - 1, N)
        c0 = np.concatenate([(1.0 - phi) * p, [phi * (1.0 - np.exp(-N))]])
        rates, A = amplitude_matrix(K, c0)
        E = irf_exponentials(delay, rates, irf_center, irf_width)
        out.append(E @ A @ lump)
    return np.array(out)


def fit_fluence_series(data: xr.Dataset | xr.DataArray, *, tau_X: float = 1000.0,
                       tau_XX: float = 50.0, tau_T: float = 10.0,
                       charged_fraction: float | None = None,
                       irf_center: float = 0.0, irf_width: float = 0.1, fit_irf: bool = True,
                       n_max: int = 8, max_nfev: int = 500) -> FluenceFitResult:
    """Fit the fluence-series model (module docstring) to a whole series at once.

    Parameters
    ----------
    data : xarray.Dataset or DataArray
        ``dA`` (fluence, delay ps, wavelength nm), OD, with coord ``N_mean`` on ``fluence``.
    tau_X, tau_XX, tau_T : float
        Start lifetimes, ps.
    charged_fraction : float, optional
        Known fraction phi of charged dots (0 < phi < 1), used only to scale the spectra.
    irf_center, irf_width : float
        Start IRF centre and standard deviation, ps.
    fit_irf : bool
        Fit the IRF centre and width.
    n_max : int
        Highest exciton number kept.
    max_nfev : int
        Evaluation cap; reaching it raises ConvergenceError with the last state.
    """
    if isinstance(data, xr.Dataset):
        check_ta(data)
    da = data["dA"] if isinstance(data, xr.Dataset) else data
    if set(da.dims) != {"fluence", "delay", "wavelength"} or "N_mean" not in da.coords:
        raise ParameterError(f"fluence series needs dims (fluence, delay, wavelength) and a "
                             f"coord N_mean on fluence; got dims {da.dims}, coords "
                             f"{list(da.coords)}")
    da = da.transpose("fluence", "delay", "wavelength")
    if not np.all(np.isfinite(da.values)):
        raise ParameterError("fluence series contains NaN/inf values; drop them first")
    delay = da["delay"].values.astype(float)
    nmean = da["N_mean"].values.astype(float)
    D = da.values.reshape(-1, da.sizes["wavelength"])
    if charged_fraction is not None and not 0 < charged_fraction < 1:
        raise ParameterError(f"charged_fraction must be in (0, 1), got {charged_fraction}")
    x0 = np.array([1 / tau_X, 1 / tau_XX, 1 / tau_T, irf_center, irf_width])
    free = np.array([True] * 3 + [fit_irf] * 2)
    lo = np.array([1e-9, 1e-9, 1e-9, -np.inf, 1e-4])[free]
    hi = np.full(int(free.sum()), np.inf)
    state = {"nfev": 0, "x": x0}

    def full(x):
        v = x0.copy()
        v[free] = x
        return v

    def conc(v):  # phi = 1/2 gives unit weights; rescaled below
        c = fluence_concentrations(delay, nmean, v[0], v[1], v[2], 0.5, v[3], v[4], n_max=n_max)
        return 2.0 * c.reshape(1, -1, 3)

    def resid(x):
        state["nfev"] += 1
        state["x"] = full(x)
        _, r = project(conc(full(x)), D)
        return r.ravel()

    res = least_squares(resid, x0[free], bounds=(lo, hi), x_scale="jac", ftol=1e-10,
                        xtol=1e-10, gtol=1e-10, max_nfev=max_nfev)
    if res.status <= 0:
        last = dict(zip(_NAMES, map(float, state["x"]), strict=False))
        err = ConvergenceError(f"fluence-series fit did not converge within {max_nfev} "
                               f"evaluations; last state {last}", iterations=state["nfev"],
                               residual=float(2 * res.cost))
        err.last_state = last  # type: ignore[attr-defined]
        raise err
    v = full(res.x)
    S, r = project(conc(v), D)
    chi2 = float(np.sum(r**2))
    cov = covariance_from_jacobian(res.jac, chi2, D.size - int(free.sum()) - S.size)
    se = np.full(5, np.nan)
    if charged_fraction is not None:
        S = S / np.array([1 - charged_fraction, 1 - charged_fraction, charged_fraction])
    se[free] = np.sqrt(np.clip(np.diag(cov), 0, None))
    params = dict(zip(_NAMES, map(float, v), strict=False))
    errors = dict(zip(_NAMES, map(float, se), strict=False))
    tau = {s: 1.0 / v[i] for i, s in enumerate(SPECIES)}
    tau_err = {s: float(se[i] / v[i] ** 2) for i, s in enumerate(SPECIES)}
    spectra = xr.DataArray(S.T, dims=("species", "wavelength"),
                           coords={"species": list(SPECIES), "wavelength": da["wavelength"]})
    resid_da = xr.DataArray(r.reshape(da.shape), dims=da.dims, coords=da.coords)
    return FluenceFitResult(params, errors, tau, tau_err,
                            with_units(spectra, "OD", "species spectra per excited dot"), chi2,
                            with_units(resid_da, "OD", "residual"), state["nfev"])
