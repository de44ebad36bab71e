"""Vectorised saturation fit of the bleach versus ⟨N⟩, one fit per wavelength at once.

Model (the effective 4-level / gap-state model of SPEC §5 in absolute units):

.. math::
    -\\Delta A(N) = \\frac{s}{k}\\left(1 - e^{-kN}\\right),\\qquad s \\ge 0,\\ k \\ge 0

``s`` (OD) is the initial slope d(−ΔA)/dN, ``k`` the saturation rate (k = 1 for ideal Poisson
saturation of the excited fraction 1 − e^{−N}); k → 0 is the linear regime, where the
parameterisation stays well conditioned (unlike amplitude/saturation-⟨N⟩ pairs). Gain sets in
where −ΔA = A0:

.. math:: N_\\mathrm{th} = -\\frac{\\ln(1 - u)}{k},\\qquad u = \\frac{k A_0}{s} < 1

(u ≥ 1: the bleach saturates below A0, no gain at any ⟨N⟩). Levenberg–Marquardt on all
wavelengths simultaneously (2 × 2 normal equations solved in closed form).
"""

from __future__ import annotations

import numpy as np

__all__ = ["phi", "fit_saturation", "threshold_from_fit"]


def phi(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """φ = (1 − e^{−kN})/k and ∂φ/∂k, stable as k → 0 (series to 3rd order in kN)."""
    kn = k * n
    small = kn < 1e-4
    ks = np.where(small, 1.0, k)
    kns = np.where(small, kn, 0.0)
    e = np.exp(-kn)
    f = np.where(small, n * (1 - kns / 2 + kns**2 / 6), -np.expm1(-kn) / ks)
    df = np.where(small, n**2 * (-0.5 + kns / 3 - kns**2 / 8),
                  (n * e) / ks + np.expm1(-kn) / ks**2)
    return f, df


def _ssr(y: np.ndarray, n: np.ndarray, s: np.ndarray, k: np.ndarray, w: np.ndarray
         ) -> np.ndarray:
    f, _ = phi(k[None, :], n[:, None])
    return np.sum(w * (y - s[None, :] * f) ** 2, axis=0)


def fit_saturation(n: np.ndarray, y: np.ndarray, n_iter: int = 40
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Fit −ΔA = (s/k)(1 − e^{−kN}) at every wavelength.

    Parameters
    ----------
    n : ndarray (n_fluence,)
        ⟨N⟩ of each fluence (dimensionless).
    y : ndarray (n_fluence, n_wavelength)
        −ΔA, OD; NaN points (masked pixels) are left out of that wavelength's fit.
    n_iter : int
        Levenberg–Marquardt iterations.

    Returns
    -------
    s (OD), k, ssr (OD²), cov (n_wavelength, 2, 2) = (JᵀJ)⁻¹ (multiply by σ² for the covariance)
    """
    w = np.isfinite(y).astype(float)  # masked (NaN) points carry no weight anywhere
    y = np.where(w > 0, y, 0.0)
    nm = float(n.max())
    # start: best k on a grid (variable projection: s is linear for fixed k)
    grid = np.concatenate([[0.0], np.logspace(-2, 2, 25) / nm])
    best_s = np.zeros(y.shape[1])
    best_k = np.zeros(y.shape[1])
    best = np.full(y.shape[1], np.inf)
    for kg in grid:
        f, _ = phi(np.full(1, kg), n[:, None])
        f = f[:, 0]
        ff = f[:, None] * w
        s = np.sum(ff * y, axis=0) / np.maximum(np.sum(ff * f[:, None], axis=0), 1e-300)
        r = np.sum(w * (y - s * f[:, None]) ** 2, axis=0)
        upd = r < best
        best[upd], best_s[upd], best_k[upd] = r[upd], s[upd], kg
    s, k, ssr = best_s, best_k, best
    lam = np.full_like(s, 1e-3)
    for _ in range(n_iter):
        f, df = phi(k[None, :], n[:, None])
        r = w * (y - s * f)
        j1, j2 = w * f, w * s * df
        a11 = np.sum(j1 * j1, 0)
        a12 = np.sum(j1 * j2, 0)
        a22 = np.sum(j2 * j2, 0)
        b1 = np.sum(j1 * r, 0)
        b2 = np.sum(j2 * r, 0)
        d11, d22 = a11 * (1 + lam), a22 * (1 + lam) + 1e-300
        det = d11 * d22 - a12**2
        det = np.where(np.abs(det) > 0, det, 1e-300)
        ds_ = (d22 * b1 - a12 * b2) / det
        dk = (d11 * b2 - a12 * b1) / det
        s_new, k_new = s + ds_, np.clip(k + dk, 0.0, 1e4 / nm)
        with np.errstate(over="ignore", invalid="ignore"):
            ssr_new = _ssr(y, n, s_new, k_new, w)
        ok = np.isfinite(ssr_new) & (ssr_new <= ssr)
        s, k, ssr = np.where(ok, s_new, s), np.where(ok, k_new, k), np.where(ok, ssr_new, ssr)
        lam = np.where(ok, lam / 3, lam * 10)
    f, df = phi(k[None, :], n[:, None])
    j1, j2 = w * f, w * s * df
    a = np.stack([np.stack([np.sum(j1 * j1, 0), np.sum(j1 * j2, 0)], -1),
                  np.stack([np.sum(j1 * j2, 0), np.sum(j2 * j2, 0)], -1)], -2)
    cov = np.full_like(a, np.nan)
    good = np.abs(np.linalg.det(a)) > 1e-300
    cov[good] = np.linalg.inv(a[good])
    # k pinned at its bound 0: linear model, only s is free
    lin = (k == 0) | ~good
    cov[lin] = 0.0
    cov[lin, 0, 0] = 1.0 / np.maximum(a[lin, 0, 0], 1e-300)
    return s, k, ssr, cov


def threshold_from_fit(s: np.ndarray, k: np.ndarray, a0: np.ndarray
                       ) -> np.ndarray:
    """N_th = −ln(1 − kA0/s)/k (→ A0/s as k → 0); NaN where s ≤ 0, A0 ≤ 0 or kA0/s ≥ 1."""
    with np.errstate(divide="ignore", invalid="ignore"):
        u = k * a0 / s
        base = a0 / s
        g = np.where(np.abs(u) < 1e-6, 1 + u / 2 + u**2 / 3,
                     -np.log1p(-np.minimum(u, 1 - 1e-300)) / np.where(u == 0, 1.0, u))
        out = base * g
    return np.where((s > 0) & (a0 > 0) & (u < 1), out, np.nan)
