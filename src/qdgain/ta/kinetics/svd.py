"""Singular-value decomposition of a TA map: singular values, vectors and the noise floor.

dA = U diag(s) V^T. For a map of rank r plus white noise of standard deviation sigma
(n x m, n >= m, beta = m / n) the squared noise singular values s^2 / (n sigma^2) follow the
Marchenko–Pastur law with density sqrt((b - x)(x - a)) / (2 pi beta x) on
[a, b] = [(1 - sqrt(beta))^2, (1 + sqrt(beta))^2]. The median singular value is barely moved by
a few signal components, so sigma = s_med / sqrt(n mu_beta) with mu_beta the Marchenko–Pastur
median (Gavish & Donoho, IEEE Trans. Inf. Theory 60, 5040 (2014)); components above the bulk
edge sigma (sqrt(n) + sqrt(m)) (+10 %) are significant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.integrate import quad
from scipy.optimize import brentq

from qdgain.ta.kinetics.target import as_map
from qdgain.units import with_units

__all__ = ["SVDResult", "svd_map"]


def _mp_median(beta: float) -> float:
    """Median of the Marchenko–Pastur law of aspect ratio 0 < beta <= 1 (dimensionless)."""
    a, b = (1 - np.sqrt(beta)) ** 2, (1 + np.sqrt(beta)) ** 2

    def cdf(x: float) -> float:
        f = lambda t: np.sqrt(max((b - t) * (t - a), 0.0)) / (2 * np.pi * beta * t)  # noqa: E731
        return quad(f, a, x, limit=200)[0]

    return float(brentq(lambda x: cdf(x) - 0.5, a + 1e-12, b))


@dataclass(frozen=True, slots=True)
class SVDResult:
    """SVD of a map. ``singular_values`` in OD; ``time_vectors`` (delay, index) and
    ``spectral_vectors`` (wavelength, index) dimensionless; ``noise_sigma`` per point, OD;
    ``n_significant`` components above the noise edge."""

    singular_values: np.ndarray
    time_vectors: xr.DataArray
    spectral_vectors: xr.DataArray
    noise_sigma: float
    noise_edge: float
    n_significant: int


def svd_map(data: xr.Dataset | xr.DataArray, n_vectors: int = 10) -> SVDResult:
    """SVD of ``dA`` with a noise-floor estimate.

    Parameters
    ----------
    data : xarray.Dataset or DataArray
        ``dA`` (delay ps, wavelength nm), OD.
    n_vectors : int
        Number of singular vectors returned.

    Returns
    -------
    SVDResult
    """
    da = as_map(data)
    D = da.values
    U, s, Vt = np.linalg.svd(D, full_matrices=False)
    n_t, n_w = D.shape
    n, m = max(n_t, n_w), min(n_t, n_w)
    sigma = float(np.median(s) / np.sqrt(n * _mp_median(m / n)))
    edge = sigma * (np.sqrt(n_t) + np.sqrt(n_w))
    n_sig = int(np.sum(s > 1.1 * edge))
    k = min(n_vectors, s.size)
    idx = np.arange(1, k + 1)
    tv = xr.DataArray(U[:, :k], dims=("delay", "index"), coords={"delay": da["delay"],
                                                                  "index": idx})
    sv = xr.DataArray(Vt[:k].T, dims=("wavelength", "index"),
                      coords={"wavelength": da["wavelength"], "index": idx})
    return SVDResult(s, with_units(tv, "1"), with_units(sv, "1"), sigma, edge, n_sig)
