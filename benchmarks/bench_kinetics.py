"""Kinetics benchmark: qdgain vs pyglotaran 0.7.5 on the same data and scheme, same process.

Cases
-----
1. Hippius 2007 target analysis (measured file, ``schemes/hippius2007.toml``), both run to
   convergence with TRF and ftol = xtol = gtol = 1e-8 from the same start values. pyglotaran gets
   the same scheme, translated from our TOML file by :func:`to_pyglotaran` below.
2. Sequential 4-lifetime global fit of a simulated 1000 x 1024 map (Gaussian IRF, no dispersion),
   pyglotaran's first call (numba compilation included, as a user meets it) and a second call.

Run (pyglotaran is the optional extra ``compare``; without it only our timings are printed)::

    OMP_NUM_THREADS=1 python benchmarks/bench_kinetics.py [--append benchmarks/RESULTS.md]

BLAS is pinned to one thread with ``threadpoolctl.threadpool_limits(1)`` around every fit;
pyglotaran's numba kernels keep their default thread count (``NUMBA_NUM_THREADS``, = cores).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr
from threadpoolctl import threadpool_limits

from qdgain.ta.io import read_ta
from qdgain.ta.kinetics import fit_global, fit_target, load_scheme
from qdgain.ta.kinetics.glotaran_compat import pyglotaran_name as _pname
from qdgain.ta.kinetics.glotaran_compat import to_pyglotaran
from qdgain.ta.kinetics.irf import irf_exponentials

ROOT = Path(__file__).resolve().parents[1]
HIPPIUS = ROOT / "tests" / "data" / "demo_data_Hippius_etal_JPCC2007_111_13988_Figs5_9.ascii"
SCHEME = ROOT / "schemes" / "hippius2007.toml"
OPT = {"b1": 0.1477, "k3": 0.3462, "k4": 0.04061, "k5": 0.02001}

try:  # optional extra
    import glotaran  # noqa: F401
    from glotaran.io import load_model, load_parameters
    from glotaran.optimization.optimize import optimize
    from glotaran.project.scheme import Scheme
    HAVE_PG = True
except ImportError as exc:  # pragma: no cover - depends on the environment
    HAVE_PG = False
    PG_REASON = f"pyglotaran not importable ({exc}); install the extra: pip install -e '.[compare]'"


def _pg_data(da: xr.DataArray) -> xr.Dataset:
    return xr.Dataset({"data": (("time", "spectral"), da.values)},
                      coords={"time": da["delay"].values, "spectral": da["wavelength"].values})


def run_pyglotaran(model_yml: str, params_yml: str, da: xr.DataArray) -> dict:
    """Optimise with pyglotaran (TRF, tolerances 1e-8, no evaluation cap); wall time in s."""
    t0 = time.perf_counter()
    model = load_model(model_yml, format_name="yml_str")
    params = load_parameters(params_yml, format_name="yml_str")
    scheme = Scheme(model, params, {"dataset1": _pg_data(da)}, ftol=1e-8, gtol=1e-8, xtol=1e-8,
                    maximum_number_function_evaluations=None, add_svd=False)
    res = optimize(scheme, verbose=False, raise_exception=True)
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "chi_square": float(res.chi_square),
            "nfev": int(res.number_of_function_evaluations),
            "njev": int(getattr(res, "number_of_jacobian_evaluations", 0) or 0),
            "params": {p.label: p.value for p in res.optimized_parameters.all()}}


def hippius_case() -> dict:
    ds = read_ta(HIPPIUS)
    scheme = load_scheme(SCHEME)
    with threadpool_limits(1):
        ours = fit_target(ds, scheme)
    out = {"ours": {"wall_s": ours.wall_s, "chi_square": ours.chi_square,
                    "nfev": ours.n_evaluations, "njev": ours.n_jacobians,
                    "params": {k: ours.parameters[k] for k in OPT}}}
    if HAVE_PG:
        model, params = to_pyglotaran(scheme, ds["wavelength"].values)
        with threadpool_limits(1):
            pg = run_pyglotaran(model, params, ds["dA"])
        pg["params"] = {k: pg["params"][_pname(k)] for k in OPT}
        out["pyglotaran"] = pg
    return out


def sequential_map(n_t: int = 1000, n_w: int = 1024, seed: int = 0) -> xr.DataArray:
    """Simulated 1000 x 1024 map: sequential 0.8 -> 12 -> 150 -> 2000 ps, IRF 0.1 / 0.06 ps."""
    t = np.concatenate([np.linspace(-1, 5, 300), np.geomspace(5.05, 3000, n_t - 300)])
    wl = np.linspace(450, 850, n_w)
    taus = np.array([0.8, 12.0, 150.0, 2000.0])
    from qdgain.ta.kinetics.scheme import sequential_scheme
    from qdgain.ta.kinetics.varpro import amplitude_matrix
    s = sequential_scheme(list(taus))
    _, A = amplitude_matrix(s.rate_matrix(s.values()), np.array(s.initial))
    eas = np.array([np.exp(-((wl - c) / 50) ** 2) * a
                    for c, a in [(500, -5e-3), (600, 4e-3), (700, -3e-3), (780, 2e-3)]])
    E = irf_exponentials(t, np.sort(1 / taus)[::-1], 0.1, 0.06)
    dA = E @ A @ eas + np.random.default_rng(seed).normal(0, 1e-4, (t.size, wl.size))
    return xr.DataArray(dA, dims=("delay", "wavelength"), coords={"delay": t, "wavelength": wl})


SEQ_START = [0.5, 8.0, 100.0, 1500.0]


def sequential_case() -> dict:
    da = sequential_map()
    with threadpool_limits(1):
        ours = fit_global(da, SEQ_START, scheme="sequential", irf_center=0.0, irf_width=0.1)
    out = {"ours": {"wall_s": ours.wall_s, "chi_square": ours.chi_square,
                    "nfev": ours.n_evaluations, "njev": ours.n_jacobians,
                    "lifetimes": sorted(ours.lifetimes.tolist())}}
    if HAVE_PG:
        model = ("default_megacomplex: decay-sequential\ndataset:\n  dataset1:\n"
                 "    megacomplex: [mc1]\n    irf: irf1\nmegacomplex:\n  mc1:\n"
                 "    type: decay-sequential\n    compartments: [s1, s2, s3, s4]\n"
                 "    rates: [rates.1, rates.2, rates.3, rates.4]\nirf:\n  irf1:\n"
                 "    type: gaussian\n    center: irf.center\n    width: irf.width\n")
        params = ("rates:\n" + "".join(f"  - {1 / t!r}\n" for t in SEQ_START)
                  + "irf:\n  - ['center', 0.0]\n  - ['width', 0.1]\n")
        for call in ("first", "second"):
            with threadpool_limits(1):
                pg = run_pyglotaran(model, params, da)
            pg["lifetimes"] = sorted(1 / pg["params"][f"rates.{i}"] for i in range(1, 5))
            out[f"pyglotaran_{call}"] = pg
    return out


def _fmt(case: str, d: dict) -> str:
    lines = [f"| {case} | run | wall (s) | chi^2 | residual evals | Jacobian evals | parameters |",
             "|---|---|---|---|---|---|---|"]
    for run, r in d.items():
        par = r.get("params") or {"tau": r.get("lifetimes")}
        ptxt = ", ".join(f"{k}={v:.5g}" if isinstance(v, float) else
                         f"{k}=[{', '.join(f'{x:.4g}' for x in v)}]" for k, v in par.items())
        lines.append(f"| | {run} | {r['wall_s']:.2f} | {r['chi_square']:.6e} | {r['nfev']} | "
                     f"{r['njev']} | {ptxt} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--append", type=Path, help="append a Markdown section to this file")
    args = ap.parse_args()
    if not HAVE_PG:
        print(PG_REASON, file=sys.stderr)
    hip = hippius_case()
    seq = sequential_case()
    text = [f"\n## Kinetics: qdgain vs pyglotaran ({time.strftime('%Y-%m-%d %H:%M UTC')})\n",
            f"Machine: {platform.machine()}, nproc = {os.cpu_count()}, Python "
            f"{platform.python_version()}, numpy {np.__version__}; BLAS 1 thread "
            f"(threadpoolctl.threadpool_limits(1)); pyglotaran "
            f"{'0.7.5, numba default threads' if HAVE_PG else 'not installed'}; "
            f"both TRF with ftol = xtol = gtol = 1e-8; same process "
            f"(`python benchmarks/bench_kinetics.py`); load average at the end "
            f"{os.getloadavg()[0]:.1f} (shared box: absolute times vary, ratios less).\n",
            "Evaluation counts: ours = residual evaluations and analytic-Jacobian evaluations; "
            "pyglotaran = scipy nfev and njev, each of its Jacobians being forward differences "
            "(one residual evaluation per free parameter).\n",
            _fmt("Hippius 2007 target", hip), "", _fmt("sequential 1000x1024", seq), ""]
    if HAVE_PG:
        r1 = hip["pyglotaran"]["wall_s"] / hip["ours"]["wall_s"]
        r2 = seq["pyglotaran_first"]["wall_s"] / seq["ours"]["wall_s"]
        r3 = seq["pyglotaran_second"]["wall_s"] / seq["ours"]["wall_s"]
        text.append(f"Ratios (pyglotaran wall / qdgain wall): Hippius target {r1:.1f}x; "
                    f"sequential 1000x1024 {r2:.1f}x vs pyglotaran's first call, {r3:.1f}x vs "
                    f"its second call.\n")
    out = "\n".join(text)
    print(out)
    if args.append:
        with open(args.append, "a") as fh:
            fh.write(out)


if __name__ == "__main__":
    main()
