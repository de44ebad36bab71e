"""Benchmark: a 12-fluence TA series (1000 delays × 1024 wavelengths) simulated and written.

Target (issue 7): simulate + write <= 10 s on the 2-core box. Baseline in the same run: the
straightforward solution of the same master equation, P(t) = expm(M t) P(0) per delay and
fluence (scipy.linalg.expm), then the same spectra product, without the IRF (so the baseline
does strictly less work than the modal, IRF-convolved simulator).

Run:  OMP_NUM_THREADS=1 python benchmarks/bench_simulator.py
BLAS is pinned to one thread with ``threadpoolctl.threadpool_limits(1)`` around every timing.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.linalg import expm
from threadpoolctl import threadpool_limits

from qdgain.cli.ta_simulate import write_series
from qdgain.gain.kinetics import rate_matrix
from qdgain.gain.models import absorbance_scale_od_per_cm2, preset
from qdgain.gain.poisson import n_max_for, poisson_pmf
from qdgain.gain.simulator import (
    Instrument,
    _delta_absorbance,
    default_delays,
    default_wavelengths,
    simulate_ta,
)
from qdgain.gain.spectra import state_cross_sections_cm2

N = np.array([0.006, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.2])
T = default_delays(1000)
LAM = default_wavelengths(1024)
MODEL = preset("hgte-1220")


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def baseline() -> np.ndarray:
    n_max = n_max_for(N)
    M, st = rate_matrix(MODEL.kinetics, n_max)
    p0 = np.zeros((N.size, st.size))
    p = poisson_pmf(N, n_max)
    p0[:, 0] = p[:, 0]
    p0[:, 1:n_max + 1] = p[:, 1:]
    sig = absorbance_scale_od_per_cm2(MODEL) * state_cross_sections_cm2(MODEL.spectra, st, LAM)
    P = np.empty((N.size, T.size, st.size))
    for j, t in enumerate(T):
        if t < 0:  # before the pump every dot is in G
            P[:, j] = 0.0
            P[:, j, 0] = 1.0
            continue
        P[:, j] = p0 @ expm(M * t).T
    return P @ sig - sig[0]  # ΔA (F, T, W), OD


def main() -> None:
    with threadpool_limits(1):
        t_sim = best(lambda: simulate_ta(MODEL, N, delay_ps=T, wavelength_nm=LAM))
        chirped = Instrument(chirp_ps=(0.6, -0.35, 0.05))
        t_chirp = best(lambda: simulate_ta(MODEL, N, delay_ps=T, wavelength_nm=LAM,
                                           instrument=chirped), repeat=2)
        ds = simulate_ta(MODEL, N, delay_ps=T, wavelength_nm=LAM)
        with tempfile.TemporaryDirectory() as tmp:
            t_ufs = best(lambda: write_series(ds, Path(tmp) / "ufs", "ufs"), repeat=2)
            t_nc = best(lambda: write_series(ds, Path(tmp) / "nc", "netcdf"), repeat=2)
        t_core = best(lambda: _delta_absorbance(MODEL, N, T, LAM, Instrument.noiseless(0.0)))
        t_core_irf = best(lambda: _delta_absorbance(MODEL, N, T, LAM, Instrument()))
        t_base = best(baseline, repeat=2)
        ref = _delta_absorbance(MODEL, N, T, LAM, Instrument.noiseless(0.0))
        err = float(np.abs(baseline() - ref).max())
    total = t_sim + min(t_ufs, t_nc)
    print(f"machine: {platform.processor() or platform.machine()}, nproc={os.cpu_count()}, "
          f"BLAS threads=1 (threadpoolctl)")
    print(f"simulate, no chirp        : {t_sim:6.2f} s")
    print(f"simulate, chirp           : {t_chirp:6.2f} s")
    print(f"write 12 x .ufs (+A0/PL)  : {t_ufs:6.2f} s")
    print(f"write 1 x NetCDF          : {t_nc:6.2f} s")
    print(f"simulate + write (ufs)    : {t_sim + t_ufs:6.2f} s   (target <= 10 s)")
    print(f"core dA, modal, no IRF    : {t_core:6.2f} s")
    print(f"core dA, modal, IRF       : {t_core_irf:6.2f} s")
    print(f"baseline expm per delay   : {t_base:6.2f} s   (no IRF; max |diff| {err:.1e} OD)")
    print(f"ratio baseline / modal    : {t_base / t_core:6.2f} (no IRF), "
          f"{t_base / t_core_irf:6.2f} (modal with IRF); best total {total:.2f} s")


if __name__ == "__main__":
    main()
