"""Benchmark: full gain analysis of a 10-fluence series of 1000 delays × 1024 wavelengths.

Target (issue 5): ≤ 5 s on the 2-core box. Run: ``OMP_NUM_THREADS=1 python
benchmarks/bench_gain_analysis.py``. BLAS is pinned to one thread with threadpoolctl.

Baseline (same run, same data): the straightforward per-wavelength implementation — a Python
loop over pixels with ``scipy.optimize.curve_fit`` for the saturation model and a Python loop for
the zero crossing — on the late window only. Its thresholds are compared with ours.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.optimize import curve_fit
from threadpoolctl import threadpool_limits

from qdgain.ta.gain_analysis import GainOptions, analyze_gain_series, gain_threshold
from qdgain.ta.gain_analysis.figures import plot_fluence_series, plot_material_gain


def make_series(n_fluence: int = 10, n_delay: int = 1000, n_wl: int = 1024,
                seed: int = 0) -> xr.Dataset:
    """Explicit small model (as tests/ta/gain_analysis/synth.py) on the benchmark grid."""
    wl = np.linspace(900.0, 1620.0, n_wl)
    t = np.concatenate([np.linspace(-5, -0.5, 20), np.geomspace(0.1, 2500.0, n_delay - 20)])
    n = np.geomspace(0.006, 0.3, n_fluence)
    a0 = 0.08 * np.exp(-((wl - 1280) ** 2) / (2 * 70.0**2)) + 0.05 / (1 + np.exp((wl - 1150) / 30))
    g = 0.03 * np.exp(-((wl - 1430) ** 2) / (2 * 50.0**2))
    x = 1 - np.exp(-n)
    decay = np.where(t > 0, np.exp(-np.clip(t, 0, None) / 34000.0), 0.0)
    rng = np.random.default_rng(seed)
    da = -x[:, None, None] * decay[None, :, None] * (a0 + g)[None, None, :]
    da += 1e-4 * rng.standard_normal(da.shape)
    ds = xr.Dataset({"dA": (("fluence", "delay", "wavelength"), da), "A0": ("wavelength", a0)},
                    coords={"fluence": n * 10, "delay": t, "wavelength": wl,
                            "N_mean": ("fluence", n)})
    for k, u in (("dA", "OD"), ("A0", "OD"), ("delay", "ps"), ("wavelength", "nm"),
                 ("fluence", "uJ/cm^2"), ("N_mean", "1")):
        ds[k].attrs["units"] = u
    return ds


def baseline_thresholds(ds: xr.Dataset, delay_ps: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel loops: zero crossing and curve_fit of −ΔA = b (1 − e^{−N/Ns})."""
    i = int(np.argmin(np.abs(ds["delay"].values - delay_ps)))
    da = ds["dA"].values[:, i, :]
    a0 = ds["A0"].values
    n = ds["N_mean"].values
    interp = np.full(a0.size, np.nan)
    fit = np.full(a0.size, np.nan)
    for j in range(a0.size):
        a = np.concatenate([[a0[j]], da[:, j] + a0[j]])
        nn = np.concatenate([[0.0], n])
        for k in range(1, a.size):
            if a[k] < 0 <= a[k - 1]:
                interp[j] = nn[k - 1] + (nn[k] - nn[k - 1]) * a[k - 1] / (a[k - 1] - a[k])
                break
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                (b, ns), _ = curve_fit(lambda x, b, s: b * (1 - np.exp(-x / s)), n, -da[:, j],
                                       p0=[max(-da[-1, j], 1e-6) * 2, 1.0], maxfev=2000)
            if b > a0[j] > 0:
                fit[j] = -ns * np.log(1 - a0[j] / b)
        except RuntimeError:
            pass
    return interp, fit


def best_of(func, repeat: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ds = make_series()
    opts = GainOptions(delay_ps=2500.0, early_delay_ps=10.0, a400_od=1.0)
    with threadpool_limits(1):
        t_full, res = best_of(lambda: analyze_gain_series(ds, options=opts))
        optw = GainOptions(delay_ps=2250.0, window_ps=500.0, early_delay_ps=10.0,
                           early_window_ps=2.0, a400_od=1.0)
        t_win, _ = best_of(lambda: analyze_gain_series(ds, options=optw))
        with tempfile.TemporaryDirectory() as tmp:
            def save():
                res.to_netcdf(Path(tmp) / "g.nc", engine="h5netcdf")
                plot_fluence_series(res, Path(tmp) / "f3.png")
                plot_material_gain(res, Path(tmp) / "f6.png")
            t_save, _ = best_of(save, repeat=2)
        t_late, late = best_of(lambda: gain_threshold(ds, delay_ps=2500.0))
        t_base, (b_int, b_fit) = best_of(lambda: baseline_thresholds(ds, 2500.0), repeat=1)
    ok = np.isfinite(b_int) & np.isfinite(late["N_th"].values)
    d_int = np.nanmax(np.abs(late["N_th"].values[ok] - b_int[ok]))
    okf = np.isfinite(b_fit) & np.isfinite(late["N_th_fit"].values) & (late["snr"].values > 3)
    rel_fit = np.nanmedian(np.abs(late["N_th_fit"].values[okf] / b_fit[okf] - 1))
    print(f"machine: {platform.machine()}, nproc={os.cpu_count()}, BLAS threads=1 (threadpoolctl)")
    print(f"series: dA {ds['dA'].shape} float64 ({ds['dA'].nbytes / 1e6:.0f} MB)")
    print(f"full analysis (late+early thresholds, bandwidth, material gain, lifetime): "
          f"{t_full:6.2f} s   (target <= 5 s)")
    print(f"full analysis, 500 ps late window + 2 ps early window:  {t_win:6.2f} s")
    print(f"NetCDF + Fig. 3 + Fig. 6 of the result:                  {t_save:6.2f} s")
    print(f"late thresholds only (interp + saturation fit, vectorised): {t_late:6.2f} s")
    print(f"baseline per-pixel loops (interp + curve_fit), late only:   {t_base:6.2f} s")
    print(f"ratio baseline / ours (late thresholds): {t_base / t_late:6.1f}")
    print(f"agreement: zero crossing max |diff| {d_int:.2e}; fit median rel diff "
          f"{rel_fit:.2e} over {int(okf.sum())} pixels (snr > 3)")
    print(f"pixels with a threshold: {int(np.isfinite(res['N_th'].values).sum())} / "
          f"{res.sizes['wavelength']}")


if __name__ == "__main__":
    main()
