"""Singular-value decomposition of a TA map: singular values, vectors and the noise floor.

dA = U diag(s) V^T. For a map of rank r plus white noise of standard deviation sigma, the
singular values beyond r follow the Marchenko–Pastur edge sigma (sqrt(n_t) + sqrt(n_w)); the
noise floor is estimated from the median singular value, robust to the few signal components
(Gavish & Donoho 2014: s_med / sqrt(n * mu_MP) with mu_MP the Marchenko–Pastur median, here
approximated by its square-matrix-free bound), and components above the edge are significant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from qdgain.ta.kinetics.target import as_map
from qdgain.units import with_units

__all__ = ["SVDResult", "svd_map"]


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
    # sigma from the median singular value of the noise bulk: for an n_t x n_w Gaussian matrix
    # the singular values fill [sqrt(n_t)-sqrt(n_w), sqrt(n_t)+sqrt(n_w)] sigma (|.|); its median
    # is close to sqrt(max(n_t, n_w)) sigma, which is what is used here.
    sigma = float(np.median(s) / np.sqrt(max(n_t, n_w)))
    edge = sigma * (np.sqrt(n_t) + np.sqrt(n_w))
    n_sig = int(np.sum(s > 1.1 * edge))
    k = min(n_vectors, s.size)
    idx = np.arange(1, k + 1)
    tv = xr.DataArray(U[:, :k], dims=("delay", "index"), coords={"delay": da["delay"],
                                                                  "index": idx})
    sv = xr.DataArray(Vt[:k].T, dims=("wavelength", "index"),
                      coords={"wavelength": da["wavelength"], "index": idx})
    return SVDResult(s, with_units(tv, "1"), with_units(sv, "1"), sigma, edge, n_sig)
