"""Sweep on a real dask.distributed LocalCluster: results, units, sizing curve, cache, memory."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.materials import load_parameters
from qdgain.optics.sweep import (
    DotSpec,
    SweepOptions,
    build_dot,
    compute_dot,
    dot_grid,
    dot_key,
    fit_sizing,
    parse_diameters,
    parse_shapes,
    run_sweep,
    sizing_energy,
)
from tests.optics.sweep.conftest import DIAMETERS, GAAS


def test_twelve_sizes_on_two_workers(gaas_sweep):
    res, out, lines = gaas_sweep
    t = res.table
    assert res.n_workers == 2 and res.n_computed == 12 and res.n_cached == 0
    assert t.sizes == {"shape": 1, "diameter": 12}
    assert (t["status"] == 0).all()
    # every dot announced its memory estimate before it started
    assert sum("estimated peak memory" in s for s in lines) == 12
    for v in ("X1_eV", "gap_eV", "tau_rad_ns", "sigma_int_X1_cm2_eV", "diameter"):
        assert t[v].attrs["units"] in ("eV", "ns", "cm^2 eV", "nm")
    # physics of every dot: exciton binding is attractive (X1 below the single-particle gap),
    # X2 above X1, Kramers-degenerate (even) levels, oscillator strengths and τ_rad positive
    ok = t.sel(shape="sphere")
    assert np.all(ok["X1_eV"] < ok["gap_eV"])
    assert np.all(ok["X2_eV"] > ok["X1_eV"])
    assert np.all(ok["CB1_degeneracy"] % 2 == 0) and np.all(ok["VB1_degeneracy"] % 2 == 0)
    assert np.all(ok["f_X1"] + ok["f_X2"] > 0) and np.all(ok["tau_rad_ns"] > 0)
    # the NetCDF on disk is the gathered table
    disk = xr.open_dataset(out / "sweep.nc", engine="h5netcdf").load()
    xr.testing.assert_allclose(disk["X1_eV"], t["X1_eV"])
    assert (out / "sizing.png").stat().st_size > 1000
    assert not list(out.glob("*.tmp")) and not list((out / "cache").glob("*.tmp"))


def test_sizing_curve_monotonic_and_fit(gaas_sweep):
    t = gaas_sweep[0].table.sel(shape="sphere")
    e = t["X1_eV"].values
    # confinement: X1 never rises with size (equal where two diameters cut the same atoms)
    assert np.all(np.diff(e) <= 1e-9)
    assert np.unique(np.round(e, 6)).size >= 3
    lam = t["X1_wavelength_nm"].values
    assert np.all(np.diff(lam) >= -1e-6)
    fit = gaas_sweep[0].fits["sphere"]
    assert fit.e_bulk_eV == pytest.approx(1.55, abs=0.01)   # Vogl GaAs Γ6 − Γ8 (eV)
    # the fitted curve falls over the range and stays within the step noise of the data:
    # plateaus of identical structures make rms ~ a quarter of the confinement range at most
    ef = sizing_energy(fit, t["diameter"].values)
    assert ef[0] > ef[-1]
    assert fit.rms_eV < 0.25 * (e.max() - e.min())


def test_fit_recovers_empirical_coefficients():
    d = np.linspace(2.5, 8.0, 23)
    truth = (0.05, 0.3, 0.1)
    e = -0.3 + 1.0 / (truth[0] * d**2 + truth[1] * d + truth[2])
    f = fit_sizing(d, e, -0.3)
    assert (f.a_per_eV_nm2, f.b_per_eV_nm, f.c_per_eV) == pytest.approx(truth, rel=1e-8)
    assert f.rms_eV < 1e-12
    with pytest.raises(ParameterError, match="at or below"):
        fit_sizing(d, e - 5.0, -0.3)


def test_resume_from_cache_and_untrusted_files(gaas_sweep, tmp_path):
    res, out, _ = gaas_sweep
    again = run_sweep(dot_grid(["sphere"], parse_diameters(DIAMETERS)), GAAS, out,
                      n_workers=2, processes=False)
    assert again.n_cached == 12 and again.n_computed == 0
    xr.testing.assert_identical(again.table["X1_eV"], res.table["X1_eV"])
    # a truncated cache file and a stray temporary file are not trusted: that dot is recomputed
    cache = sorted((out / "cache").glob("*.json"))
    cache[0].write_text(cache[0].read_text()[:40])
    (out / "cache" / f".{cache[1].name}.x.tmp").write_text("{")
    third = run_sweep(dot_grid(["sphere"], parse_diameters(DIAMETERS)), GAAS, out,
                      n_workers=1, processes=False)
    assert third.n_cached == 11 and third.n_computed == 1
    np.testing.assert_allclose(third.table["X1_eV"], res.table["X1_eV"], rtol=1e-12)


def test_memory_refusal():
    dots = dot_grid(["sphere"], np.array([1.0, 1.45]))   # 29 and 59 atoms
    opts = SweepOptions(params="GaAs_vogl", eps_in=10.9, max_memory_GB=1e-9, surface="hybrid20")
    with pytest.raises(ParameterError, match="every dot was refused.*estimated peak memory"):
        run_sweep(dots, opts, None, n_workers=1, processes=False)
    # a limit between the two estimates refuses only the bigger dot, with its estimate
    lines: list[str] = []
    mid = SweepOptions(params="GaAs_vogl", eps_in=10.9, max_memory_GB=0.01, surface="hybrid20")
    res = run_sweep(dots, mid, None, n_workers=1, processes=False, log=lines.append)
    assert list(res.table["status"].values[0]) == [0, 1]
    assert len(res.refused) == 1 and "59 atoms" in res.refused[0] and "GB" in res.refused[0]
    with pytest.raises(ParameterError, match="refused: estimated peak memory"):
        compute_dot(DotSpec("sphere", 1.45), mid, limit_GB=0.01)


@pytest.mark.parametrize("text, msg", [
    ("2.5:8", "cannot read"), ("a:b:c", "cannot read"), ("8:2.5:0.25", "STOP >= START"),
    ("2.5:8:0", "STEP > 0"), ("-1,2", "must be numbers > 0"), ("", "must be numbers > 0")])
def test_bad_diameters(text, msg):
    with pytest.raises(ParameterError, match=msg):
        parse_diameters(text)


def test_diameter_grid_and_shapes():
    np.testing.assert_allclose(parse_diameters("2.5:8:0.25"), 2.5 + 0.25 * np.arange(23))
    assert parse_shapes("Sphere, tetrahedron,sphere") == ("sphere", "tetrahedron")
    with pytest.raises(ParameterError, match="unknown shape.*cube"):
        parse_shapes("sphere,cube")
    with pytest.raises(ParameterError, match="unknown shape"):
        DotSpec("cube", 3.0)


def test_existing_scheduler(gaas_sweep):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        res = run_sweep(dot_grid(["sphere"], np.array([1.0, 1.3])), GAAS, None,
                        scheduler=cluster.scheduler_address)
        assert len(cluster.scheduler.workers) == 1     # the cluster survives the sweep
    assert res.n_workers == 1 and res.n_computed == 2
    ref = gaas_sweep[0].table["X1_eV"].sel(shape="sphere")
    np.testing.assert_allclose(res.table["X1_eV"].values[0],
                               ref.sel(diameter=[1.0, 1.3]).values, rtol=1e-10)


def test_unreachable_scheduler():
    with pytest.raises(ParameterError, match="cannot connect"):
        run_sweep([DotSpec("sphere", 1.0)], GAAS, None, scheduler="tcp://127.0.0.1:9")


def test_failed_dot_is_reported_and_not_cached(monkeypatch, tmp_path):
    import qdgain.optics.sweep.driver as drv
    from qdgain.errors import ConvergenceError

    real = drv.compute_dot

    def flaky(spec, options, limit_GB=None):
        if spec.diameter_nm > 1.2:
            raise ConvergenceError("shift-invert residual above tolerance")
        return real(spec, options, limit_GB)

    monkeypatch.setattr(drv, "compute_dot", flaky)
    dots = dot_grid(["sphere"], np.array([1.0, 1.3]))
    res = run_sweep(dots, GAAS, tmp_path, n_workers=1, processes=False)
    assert list(res.table["status"].values[0]) == [0, 2]
    assert len(res.failed) == 1 and "residual above tolerance" in res.failed[0]
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1   # only the finished dot
    monkeypatch.setattr(drv, "compute_dot", real)
    again = run_sweep(dots, GAAS, tmp_path, n_workers=1, processes=False)
    assert again.n_cached == 1 and again.n_computed == 1 and not again.failed


def test_surface_model_in_cache_key_and_dots():
    # same dot, other surface model: another cache entry, and the model's own atoms
    spec = DotSpec("sphere", 1.6)
    keys = {dot_key(spec, SweepOptions(params="GaAs_vogl", surface=s), "h")
            for s in ("hybrid20", "no-twofold-te")}
    assert len(keys) == 2
    p = load_parameters("GaAs_vogl")
    assert build_dot(spec, p, "hybrid20").n_atoms == 87
    assert build_dot(spec, p, "no-twofold-te").n_atoms < 87   # two-fold As removed
    assert SweepOptions().params == "HgTe_sp3d5_soc_2nn_fit300K"
    assert SweepOptions().surface == "no-twofold-te"
    with pytest.raises(ParameterError, match="unknown surface model"):
        SweepOptions(surface="ligands")
