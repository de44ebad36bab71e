"""Analytic Jacobian of the variable-projection residual for Gaussian-IRF kinetic schemes.

Derivatives of E(t; k, t0, w) (see :mod:`irf`), with tau = t - t0 and the normalised Gaussian
g(tau) = exp(-tau^2 / 2w^2) / (sqrt(2 pi) w):

    dE/dk  = (k w^2 - tau) E - w^2 g
    dE/dt0 = k E - g
    dE/dw  = k^2 w E - g (k w + tau / w)

C = E M with M = A P (amplitude matrix times the species -> column merge of equal-spectra
constraints). Rates and M depend on the rate parameters only through a small eigenproblem; their
derivatives are taken by central differences of that n_species x n_species problem (cheap, and
accurate to ~1e-9 relative), the rest is analytic. The Jacobian of the projected residual
r = P_perp d (Golub & Pereyra 1973, full form, not Kaufman's approximation) is

    dr/dtheta = -P_perp (dC/dtheta) S - (C^+)^T (dC/dtheta)^T r,    C^+ = R^-1 Q^T.
"""

from __future__ import annotations

import numpy as np

from qdgain.ta.kinetics.irf import irf_center_dispersion, irf_exponentials
from qdgain.ta.kinetics.scheme import KineticScheme
from qdgain.ta.kinetics.varpro import amplitude_matrix

__all__ = ["model_and_jacobian", "irf_exponential_derivatives"]

_SQRT2PI = np.sqrt(2.0 * np.pi)


def irf_exponential_derivatives(delay: np.ndarray, rates: np.ndarray, center: np.ndarray,
                                width: float, E: np.ndarray) -> tuple[np.ndarray, ...]:
    """dE/dk, dE/dt0, dE/dw (module docstring) for ``E`` of shape (n_w, n_t, n_k).

    Parameters
    ----------
    delay : ndarray (n_t,)
        Delays, ps.
    rates : ndarray (n_k,)
        Rates, ps^-1.
    center : ndarray (n_w,)
        IRF centre per wavelength, ps.
    width : float
        IRF standard deviation, ps.
    E : ndarray (n_w, n_t, n_k)
        :func:`irf_exponentials` at these arguments.

    Returns
    -------
    tuple of ndarray
        dE/dk (ps), dE/dt0 (ps^-1), dE/dw (ps^-1), each (n_w, n_t, n_k).
    """
    tau = (delay[None, :] - np.asarray(center)[:, None])[:, :, None]
    g = np.exp(-0.5 * (tau / width) ** 2) / (_SQRT2PI * width)
    k = rates[None, None, :]
    dk = (k * width**2 - tau) * E - width**2 * g
    dc = k * E - g
    dw = k**2 * width * E - g * (k * width + tau / width)
    return dk, dc, dw


def _merge(scheme: KineticScheme, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge matrix P (n_species, n_col) and the kept species mask (as in scheme_concentrations)."""
    n = len(scheme.species)
    P = np.eye(n)
    keep = np.ones(n, bool)
    for tgt, src, ratio in scheme.equal_spectra:
        i, j = scheme.species.index(src), scheme.species.index(tgt)
        P[j, i] += ratio
        keep[j] = False
    keep &= np.any(A != 0.0, axis=0)
    return P[:, keep], keep


def _rates_M(scheme: KineticScheme, values: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    rates, A = amplitude_matrix(scheme.rate_matrix(values), np.asarray(scheme.initial, float))
    P, _ = _merge(scheme, A)
    return np.clip(rates, 0.0, None), A @ P


def model_and_jacobian(scheme: KineticScheme, values: dict[str, float], names: list[str],
                       delay: np.ndarray, wavelength: np.ndarray, data: np.ndarray,
                       weights: np.ndarray, E: np.ndarray | None = None,
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Weighted projected residual and its Jacobian with respect to the parameters ``names``.

    Parameters
    ----------
    scheme : KineticScheme
        Scheme with a Gaussian IRF (``irf.width``).
    values : dict
        All parameter values (ps^-1, ps, 1).
    names : list of str
        Free parameters (Jacobian columns, in their own units).
    delay : ndarray (n_t,)
        Delays, ps.
    wavelength : ndarray (n_w,)
        Wavelengths, nm.
    data : ndarray (n_t, n_w)
        dA, OD.
    weights : ndarray (n_w,)
        Residual weight per wavelength.
    E : ndarray (n_w or 1, n_t, n_k), optional
        IRF-convolved exponentials at these ``values`` when already computed (reused).

    Returns
    -------
    residual : ndarray (n_t n_w,)
        Weighted residual, wavelength-major (index w n_t + t), OD.
    jacobian : ndarray (n_t n_w, n_free)
        OD per parameter unit.
    """
    rates, M = _rates_M(scheme, values)
    width = values["irf.width"]
    disp = scheme.n_dispersion
    center = values.get("irf.center", 0.0)
    if disp:
        coef = [values[f"irf.disp{i + 1}"] for i in range(disp)]
        ref = float(scheme.dispersion_reference_nm)
        centers = irf_center_dispersion(wavelength, center, coef, ref)
    else:
        centers = np.array([center])
    if E is None:
        E = irf_exponentials(delay, rates, centers, width)  # (n_w', n_t, n_k)
    C = E @ M
    Q, R = np.linalg.qr(C)
    Dw = np.ascontiguousarray(data.T)  # (n_w, n_t): per-wavelength rows, batched matmuls
    Qt = np.swapaxes(Q, 1, 2)
    if C.shape[0] == 1:
        qd = (Dw @ Q[0])  # (n_w, n_c)
        S = np.linalg.solve(R[0], qd.T).T
        r = Dw - qd @ Qt[0]
    else:
        qd = (Qt @ Dw[..., None])[..., 0]
        S = np.linalg.solve(R, qd[..., None])[..., 0]
        r = Dw - (Q @ qd[..., None])[..., 0]
    dk, dc, dw = irf_exponential_derivatives(delay, rates, centers, width, E)
    Rt = np.swapaxes(R, 1, 2)
    cols: dict[str, np.ndarray] = {}
    d_center = None
    for name in names:
        if name.startswith("irf.disp") or name == "irf.center":
            if d_center is None:
                d_center = _dresidual(dc @ M, Q, Qt, Rt, S, r)
            # the centre shift at wavelength l is x(l)^i per unit coefficient: the residual
            # derivative of that wavelength scales by the same number
            i = 0 if name == "irf.center" else int(name[len("irf.disp"):])
            x = ((wavelength - float(scheme.dispersion_reference_nm or 0.0)) / 100.0) ** i
            cols[name] = d_center * x[:, None]
        elif name == "irf.width":
            cols[name] = _dresidual(dw @ M, Q, Qt, Rt, S, r)
        else:
            h = 1e-6 * max(abs(values[name]), 1e-3)
            rp, Mp = _rates_M(scheme, values | {name: values[name] + h})
            rm, Mm = _rates_M(scheme, values | {name: values[name] - h})
            dC = (dk * ((rp - rm) / (2 * h))[None, None, :]) @ M + E @ ((Mp - Mm) / (2 * h))
            cols[name] = _dresidual(dC, Q, Qt, Rt, S, r)
    rw = (r * weights[:, None]).ravel()
    J = np.empty((rw.size, len(names)))
    for j, name in enumerate(names):
        J[:, j] = (cols[name] * weights[:, None]).ravel()
    return rw, J


def _dresidual(dC: np.ndarray, Q: np.ndarray, Qt: np.ndarray, Rt: np.ndarray, S: np.ndarray,
               r: np.ndarray) -> np.ndarray:
    """-P_perp dC S - Q R^-T dC^T r per wavelength, shape (n_w, n_t) (batched matmuls)."""
    n_w = S.shape[0]
    if dC.shape[0] == 1 and Q.shape[0] == 1:
        q, dc = Q[0], dC[0]
        a = S @ dc.T  # (n_w, n_t)
        t1 = a - (a @ q) @ q.T
        u = np.linalg.solve(Rt[0], dc.T @ r.T)  # (n_c, n_w)
        return -(t1 + (q @ u).T)
    if Q.shape[0] == 1:
        Q, Qt, Rt = (np.broadcast_to(z, (n_w,) + z.shape[1:]) for z in (Q, Qt, Rt))
    if dC.shape[0] == 1:
        dC = np.broadcast_to(dC, (n_w,) + dC.shape[1:])
    a = (dC @ S[..., None])[..., 0]
    t1 = a - (Q @ (Qt @ a[..., None]))[..., 0]
    b = (r[:, None, :] @ dC)[:, 0, :]
    u = np.linalg.solve(Rt, b[..., None])
    return -(t1 + (Q @ u)[..., 0])


def compressed_model(scheme: KineticScheme, values: dict[str, float], names: list[str],
                     delay: np.ndarray, data: np.ndarray,
                     weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Exactly compressed residual and Jacobian when all wavelengths share C (no dispersion).

    With C = Q R, S = R^-1 Q^T D, the weighted residual is Res W = P_perp D W and each Jacobian
    column (module docstring) is the rank-2n_c matrix -[B_a, Q] [S W; U_a W] with
    B_a = P_perp dC_a and U_a W = R^-T dC_a^T Res W. Hence, without forming the
    (n_t n_w x n_free) Jacobian,

        G_ab = (J^T J)_ab = sum( ([B_a, Q]^T [B_b, Q]) * ([S W; U_a W] [S W; U_b W]^T) )
        g_a  = (J^T r)_a  = -sum( (S W) * (dC_a^T Res W) )          (Q^T Res = 0)

    and with G = V diag(s^2) V^T the (n_free + 1)-vector r~ = [s^-1 V^T g; sqrt(chi^2 - |.|^2)]
    and J~ = [diag(s) V^T; 0] have the same chi^2, J^T r and J^T J as the full problem, so
    least squares on (r~, J~) takes the same steps at O(n_t n_w n_c) per parameter.

    Returns
    -------
    (r~, J~, chi2) : ndarray (n_free + 1,), ndarray (n_free + 1, n_free), float (OD^2)
    """
    rates, M = _rates_M(scheme, values)
    width = values["irf.width"]
    center = np.array([values.get("irf.center", 0.0)])
    E = irf_exponentials(delay, rates, center, width)
    C = (E @ M)[0]
    Q, R = np.linalg.qr(C)
    Dw = data * weights[None, :]
    res_w = Dw - Q @ (Q.T @ Dw)  # (n_t, n_w)
    chi2 = float(np.einsum("ij,ij->", res_w, res_w))
    SW = np.linalg.solve(R, Q.T @ data) * weights[None, :]  # (n_c, n_w)
    dk, dc, dw = (d[0] for d in irf_exponential_derivatives(delay, rates, center, width, E))
    Ms, Ns, g = [], [], np.empty(len(names))
    for j, name in enumerate(names):
        if name == "irf.width":
            dC = dw @ M
        elif name == "irf.center":
            dC = dc @ M
        else:
            h = 1e-6 * max(abs(values[name]), 1e-3)
            rp, Mp = _rates_M(scheme, values | {name: values[name] + h})
            rm, Mm = _rates_M(scheme, values | {name: values[name] - h})
            dC = (dk * ((rp - rm) / (2 * h))[None, :]) @ M + E[0] @ ((Mp - Mm) / (2 * h))
        P = dC.T @ res_w  # (n_c, n_w)
        g[j] = -float(np.sum(SW * P))
        Ms.append(np.hstack([dC - Q @ (Q.T @ dC), Q]))
        Ns.append(np.vstack([SW, np.linalg.solve(R.T, P)]))
    n = len(names)
    G = np.empty((n, n))
    for a in range(n):
        for b in range(a, n):
            G[a, b] = G[b, a] = float(np.sum((Ms[a].T @ Ms[b]) * (Ns[a] @ Ns[b].T)))
    lam, V = np.linalg.eigh(G)
    keep = lam > max(lam.max(), 1e-300) * 1e-14
    s = np.sqrt(lam[keep])
    r_par = (V[:, keep].T @ g) / s
    r_t = np.zeros(n + 1)
    r_t[: keep.sum()] = r_par
    r_t[n] = np.sqrt(max(chi2 - float(r_par @ r_par), 0.0))
    J_t = np.zeros((n + 1, n))
    J_t[: keep.sum()] = s[:, None] * V[:, keep].T
    return r_t, J_t, chi2
