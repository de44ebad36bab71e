"""Synthetic TA maps with known kinetics (simulate -> fit -> recover, STYLE R10)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from qdgain.ta import ta_dataset
from qdgain.ta.kinetics.irf import irf_exponentials

#: delays: 50 fs steps around time zero, then log-spaced to the end of a 2.5 ns window (ps)
DELAY = np.concatenate([np.arange(-2.0, 5.0, 0.05), np.geomspace(5.0, 2500.0, 200)])
WAVELENGTH = np.linspace(1000.0, 1600.0, 60)


def gaussian_spectra(centres_amps: list[tuple[float, float]], wl: np.ndarray = WAVELENGTH,
                     width_nm: float = 60.0) -> np.ndarray:
    """Gaussian band spectra (n_comp, n_wl), OD per unit population."""
    return np.array([a * np.exp(-((wl - c) / width_nm) ** 2) for c, a in centres_amps])


def parallel_map(lifetimes_ps, spectra, *, noise_OD: float, seed: int = 0, t0: float = 0.1,
                 width: float = 0.08, delay: np.ndarray = DELAY,
                 wl: np.ndarray = WAVELENGTH) -> xr.Dataset:
    """dA = sum_j E(t; 1/tau_j, t0, w) DAS_j(lambda) + white noise."""
    E = irf_exponentials(delay, 1.0 / np.asarray(lifetimes_ps, float), t0, width)
    rng = np.random.default_rng(seed)
    dA = E @ spectra + rng.normal(0.0, noise_OD, (delay.size, wl.size))
    return ta_dataset(dA, delay, wl)
