"""Fixtures for the TA format tests: a small synthetic map with awkward float values."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qdgain.ta import ta_dataset


def make_map(n_t: int = 7, n_wl: int = 5, seed: int = 0, *, a0: bool = True) -> xr.Dataset:
    """Random ΔA on a non-uniform delay grid: values whose decimal repr is long (exactness)."""
    rng = np.random.default_rng(seed)
    # realistic grids: delays from before time zero on a non-uniform grid; a spectrometer's
    # near-uniform wavelength grid with jitter (so decimal reprs are long)
    t = np.concatenate([[-rng.uniform(0.5, 2)], np.sort(rng.uniform(0, 300, n_t - 1))])
    wl = np.linspace(450, 1600, n_wl) + rng.uniform(-0.1, 0.1, n_wl)
    dA = rng.normal(0, 1e-3, (n_t, n_wl)) / 3.0
    return ta_dataset(dA, t, wl, A0=rng.uniform(0.05, 0.2, n_wl) if a0 else None,
                      pump_wavelength_nm=700.0, sample="HgTe QD 1/3", path_length_cm=0.1)


@pytest.fixture
def ta_map() -> xr.Dataset:
    return make_map()
