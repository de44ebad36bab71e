"""Variable projection: concentrations (nonlinear in rates) times spectra (linear), solved by QR.

For a scheme with rate matrix K = V diag(-k) V^-1 and initial populations c0, the IRF-convolved
populations are (Holzwarth / van Stokkum)

    C(t) = E(t) A,   E_tj = E(t; k_j, t0(lambda), w),   A = diag(V^-1 c0) V^T

and the data model at wavelength lambda is d = C S(lambda). For fixed nonlinear parameters the
spectra follow from linear least squares; with C = QR (thin QR, batched over wavelengths when the
IRF centre depends on wavelength) the projected residual is r = d - Q Q^T d and S = R^-1 Q^T d.
The decay-associated spectra are DAS = A S (one row per eigen-rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdgain.errors import ParameterError
from qdgain.ta.kinetics.irf import irf_center_dispersion, irf_exponentials
from qdgain.ta.kinetics.scheme import KineticScheme

__all__ = ["Concentrations", "scheme_concentrations", "project", "amplitude_matrix",
           "covariance_from_jacobian"]


@dataclass(frozen=True, slots=True)
class Concentrations:
    """Model matrices of one evaluation.

    Attributes
    ----------
    matrix : ndarray, shape (n_w or 1, n_t, n_col)
        Columns after equal-spectra merging (dimensionless populations).
    columns : tuple of str
        Species of the columns.
    rates : ndarray (n_k,)
        Eigen-rates, ps^-1.
    a_matrix : ndarray (n_k, n_species)
        Amplitudes of each eigen-decay in each species' population.
    irf_center : ndarray (n_w,) or float
        IRF centre used, ps.
    exponentials : ndarray (n_w or 1, n_t, n_k)
        The IRF-convolved exponentials E (C = E A before merging).
    """

    matrix: np.ndarray
    columns: tuple[str, ...]
    rates: np.ndarray
    a_matrix: np.ndarray
    irf_center: np.ndarray | float
    exponentials: np.ndarray


def amplitude_matrix(K: np.ndarray, c0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigen-rates k_j (ps^-1) and amplitude matrix A (n_k, n_species) of dc/dt = K c.

    c(t) = sum_j exp(-k_j t) A[j, :]; raises ParameterError when K is not diagonalisable
    (two equal rates in a chain: perturb one start value).
    """
    lam, V = np.linalg.eig(K)
    if np.max(np.abs(lam.imag)) > 1e-9 * max(1.0, np.max(np.abs(lam.real))):
        raise ParameterError("rate matrix has complex eigenvalues; kinetic schemes must be "
                             "compartmental (check reverse transfers)")
    lam, V = lam.real, V.real
    if np.linalg.cond(V) > 1e10:
        raise ParameterError(f"rate matrix is (nearly) defective: rates {-lam} ps^-1 coincide; "
                             f"give distinct start values or fewer components")
    order = np.argsort(lam)  # fastest first: a stable order under small parameter changes
    lam, V = lam[order], V[:, order]
    gamma = np.linalg.solve(V, c0)
    A = (V * gamma[None, :]).T
    A[np.abs(A) < 1e-14 * max(np.abs(A).max(), 1e-300)] = 0.0
    return -lam, A


def scheme_concentrations(scheme: KineticScheme, values: dict[str, float], delay: np.ndarray,
                          wavelength: np.ndarray) -> Concentrations:
    """Concentration matrix C for the scheme at parameter ``values`` (see module docstring).

    Parameters
    ----------
    scheme : KineticScheme
        The scheme (IRF parameters ``irf.center``, ``irf.width``, ``irf.disp*``).
    values : dict
        Parameter values (ps^-1, ps, 1).
    delay : ndarray (n_t,)
        Delays, ps.
    wavelength : ndarray (n_w,)
        Probe wavelengths, nm (used only with IRF dispersion).
    """
    K = scheme.rate_matrix(values)
    rates, A = amplitude_matrix(K, np.asarray(scheme.initial, dtype=float))
    if np.any(rates < -1e-12):
        raise ParameterError(f"negative eigen-rate {rates.min()} ps^-1 (growing population)")
    rates = np.clip(rates, 0.0, None)
    center = values.get("irf.center", 0.0)
    width = values.get("irf.width", None)
    if scheme.n_dispersion:
        coef = [values[f"irf.disp{i + 1}"] for i in range(scheme.n_dispersion)]
        center = irf_center_dispersion(wavelength, center, coef,
                                       float(scheme.dispersion_reference_nm))
    if width is None:
        E = np.exp(-np.outer(np.clip(delay - center, 0, None), rates)) * (delay >= center)[:, None]
    else:
        E = irf_exponentials(delay, rates, center, width)
    if E.ndim == 2:
        E = E[None]
    C = E @ A
    cols = list(scheme.species)
    keep = np.ones(len(cols), bool)
    for tgt, src, ratio in scheme.equal_spectra:
        i, j = cols.index(src), cols.index(tgt)
        C[..., i] += ratio * C[..., j]
        keep[j] = False
    populated = np.any(A != 0.0, axis=0)
    keep &= populated
    columns = tuple(c for c, k in zip(cols, keep, strict=True) if k)
    return Concentrations(C[..., keep], columns, rates, A, center, E)


def project(C: np.ndarray, data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear least-squares spectra and residual for each wavelength.

    Parameters
    ----------
    C : ndarray, shape (1 or n_w, n_t, n_c)
        Concentrations (shared by all wavelengths when the first dim is 1).
    data : ndarray, shape (n_t, n_w)
        Data, OD.

    Returns
    -------
    spectra : ndarray (n_w, n_c)
        Least-squares amplitudes, OD.
    residual : ndarray (n_t, n_w)
        data - C spectra, OD.
    """
    if C.shape[-1] == 0:
        raise ParameterError("model has no populated species")
    if C.shape[0] == 1:
        Q, R = np.linalg.qr(C[0])
        qd = Q.T @ data
        res = data - Q @ qd
        spectra = np.linalg.solve(R, qd).T
        return spectra, res
    Q, R = np.linalg.qr(C)  # (n_w, n_t, n_c), (n_w, n_c, n_c)
    qd = np.einsum("wtc,tw->wc", Q, data)
    res = data - np.einsum("wtc,wc->tw", Q, qd)
    spectra = np.linalg.solve(R, qd[..., None])[..., 0]
    return spectra, res


def covariance_from_jacobian(J: np.ndarray, chi2: float, dof: int) -> np.ndarray:
    """Parameter covariance s^2 (J^T J)^-1 with s^2 = chi2 / dof (pseudo-inverse via SVD).

    Parameters
    ----------
    J : ndarray (n_residuals, n_params)
        Jacobian of the (weighted) residual with respect to the parameters in their own units.
    chi2 : float
        Residual sum of squares at the optimum.
    dof : int
        Degrees of freedom N - n_free - n_linear.
    """
    if J.shape[1] == 0:
        return np.zeros((0, 0))
    _, sv, vt = np.linalg.svd(J, full_matrices=False)
    ok = sv > sv[0] * 1e-12
    s2 = chi2 / dof if dof > 0 else np.nan
    return (vt[ok].T / sv[ok] ** 2) @ vt[ok] * s2
