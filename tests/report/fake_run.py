"""A fake ``qdgain reproduce`` run for testing the *report* alone (rendering, tables, files).

The datasets follow the layouts the real stages write (see qdgain.cli.reproduce_*), filled with
simple analytic shapes. They test that the report reads and shows what is saved; they are not
physics and nothing here is compared with the paper.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from qdgain.report.cache import atomic_write_json
from qdgain.report.paper_numbers import PAPER_NUMBERS
from qdgain.report.results import RUN_FILE
from qdgain.report.stages import Stage, run_stages

WL = np.linspace(900.0, 1620.0, 73)
DELAY = np.concatenate([np.linspace(-2, 5, 8), np.geomspace(6, 2500, 30)])
N = np.array([0.006, 0.03, 0.1, 0.3, 0.6, 1.2])


def _u(data, dims, units):
    return xr.DataArray(data, dims=dims, attrs={"units": units})


def _values(stage: str) -> dict:
    """A recorded value for every table key of ``stage`` (1.5 × paper; ranges as their low end)."""
    out = {}
    for num in PAPER_NUMBERS:
        st, _, key = num.ours.partition(":")
        if st == stage:
            out[key] = 1.5 * (num.paper[0] if isinstance(num.paper, tuple) else num.paper)
    return out


def _tb(ctx):
    e = np.array([-0.3, -0.2, -0.15, 0.8, 1.0])
    ctx.save_dataset("levels", xr.Dataset({"energy": _u(e, "level", "eV"),
                                           "degeneracy": _u([4, 4, 4, 2, 2], "level", "1")}))
    grid = np.linspace(-0.5, 1.2, 200)
    dos = np.exp(-((grid[:, None] - e) / 0.02) ** 2).sum(1)
    ctx.save_dataset("dos", xr.Dataset({"dos": _u(dos, "energy", "1/eV")},
                                       coords={"energy": _u(grid, "energy", "eV")}))
    ctx.record(**_values(ctx.name))


def _excitons(ctx):
    energy = np.linspace(0.7, 1.4, 120)
    wl = 1239.84 / energy
    base = 1e-15 / (1 + np.exp(-(energy - 1.05) / 0.02))
    ctx.save_dataset("spectra", xr.Dataset(
        {"sigma_neutral": _u(base, "energy", "cm^2"),
         "sigma_electron": _u(0.7 * base, "energy", "cm^2"),
         "sigma_hole": _u(0.5 * base + 2e-16 * np.exp(-((energy - 0.8) / 0.05) ** 2), "energy",
                          "cm^2")},
        coords={"energy": _u(energy, "energy", "eV"), "wavelength": _u(wl, "energy", "nm")}))
    ctx.save_dataset("transitions", xr.Dataset(
        {"wavelength": _u([1200.0, 1150.0], "exciton", "nm"),
         "oscillator_strength": _u([0.1, 1.0], "exciton", "1")},
        attrs={"X1_nm": 1200.0, "X2_nm": 1150.0}))
    ctx.record(**_values("excitons"))


def _series():
    bleach = -0.05 * np.exp(-((WL - 1200) / 60) ** 2) - 0.02 * np.exp(-((WL - 1420) / 80) ** 2)
    pop = (1 - np.exp(-N))[:, None, None] * (DELAY > 0)[None, :, None]
    dA = pop * bleach[None, None, :] * (1 + 0.3 * np.exp(-np.clip(DELAY, 0, None) / 700))[
        None, :, None]
    a0 = 0.1 * np.exp(-((WL - 1180) / 90) ** 2)
    return xr.Dataset(
        {"dA": _u(dA, ("fluence", "delay", "wavelength"), "OD"),
         "A0": _u(a0, "wavelength", "OD")},
        coords={"fluence": _u(N * 10, "fluence", "uJ/cm^2"), "N_mean": _u(N, "fluence", "1"),
                "delay": _u(DELAY, "delay", "ps"), "wavelength": _u(WL, "wavelength", "nm")})


def _ta_gain(ctx):
    ctx.save_dataset("series", _series())
    nth = np.where((WL > 1290) & (WL < 1510), 0.005 + 1e-5 * (WL - 1400) ** 2, np.nan)
    ctx.save_dataset("thresholds", xr.Dataset(
        {"N_th_late": _u(nth, "wavelength", "1"), "N_th_early": _u(nth * 3, "wavelength", "1")},
        coords={"wavelength": _u(WL, "wavelength", "nm")}))
    ctx.record(**_values("ta_gain"))


def _kinetics(ctx):
    fit = np.tile(-0.01 * np.exp(-np.clip(DELAY, 0, None) / 3e4), (len(N), 1))
    ctx.save_dataset("traces", xr.Dataset({"fit_1340": _u(fit, ("fluence", "delay"), "OD")},
                                          coords={"delay": _u(DELAY, "delay", "ps")}))
    probes = np.array([1340.0, 1400.0, 1500.0])
    nb = np.outer(1 - np.exp(-N), [1.5, 2.2, 1.2]) * 3
    ctx.save_dataset("normalized_bleach", xr.Dataset(
        {"bleach_norm": _u(nb, ("fluence", "probe"), "1")},
        coords={"N_mean": _u(N, "fluence", "1"), "probe": _u(probes, "probe", "nm")}))
    e = np.linspace(0.95, 1.2, 60)
    x1 = 0.02 * np.exp(-((e - 1.03) / 0.03) ** 2)
    x2 = 0.05 * np.exp(-((e - 1.106) / 0.03) ** 2)
    ctx.save_dataset("decomposition", xr.Dataset(
        {"bleach": _u(x1 + x2, "energy", "OD"), "X1_component": _u(x1, "energy", "OD"),
         "X2_component": _u(x2, "energy", "OD")}, coords={"energy": _u(e, "energy", "eV")}))
    ctx.record(**_values("kinetics"))


def _gain_model(ctx):
    ctx.save_json("model", {"levels_eV": {"CB1": 0.8, "VB1": -0.2, "VB2": -0.25,
                                          "gap state": -0.05},
                            "interband_nm": 1150.0, "gain_nm": 1450.0})
    ctx.record(**_values("gain_model"))


def _material_gain(ctx):
    g = np.outer(1 - np.exp(-N), 400 * np.exp(-((WL - 1420) / 90) ** 2)) - 50
    ctx.save_dataset("material_gain", xr.Dataset(
        {"g_intrinsic": _u(g, ("fluence", "wavelength"), "cm^-1"),
         "g_film_low": _u(0.2 * g, ("fluence", "wavelength"), "cm^-1"),
         "g_film_high": _u(0.3 * g, ("fluence", "wavelength"), "cm^-1")},
        coords={"wavelength": _u(WL, "wavelength", "nm"), "N_mean": _u(N, "fluence", "1")}))
    ctx.record(**_values("material_gain"))


def _plain(ctx):
    ctx.record(**_values(ctx.name))
    if ctx.name == "dielectric":  # a stage may qualify a value for the table
        ctx.record(eps_in__note="fake 2.5 nm dot")


def _broken(ctx):
    raise RuntimeError("layer not there (test)")


def fake_stages(break_stage: str | None = None) -> list[Stage]:
    """The fake pipeline (``break_stage`` raises, to test the missing paths)."""
    funcs = {"bulk": _plain, "tb_sphere": _tb, "tb_tetra": _tb, "excitons": _excitons,
             "intraband": _plain, "dielectric": _plain, "gain_model": _gain_model,
             "simulate": _plain,
             "ta_gain": _ta_gain, "calibration": _plain, "material_gain": _material_gain,
             "kinetics": _kinetics}
    needs = {"excitons": ("tb_sphere",), "ta_gain": ("simulate",),
             "material_gain": ("ta_gain", "calibration"), "kinetics": ("ta_gain",)}
    return [Stage(n, _broken if n == break_stage else f, {"fake": True},
                  needs=needs.get(n, ()), title=f"fake {n}") for n, f in funcs.items()]


def fake_run(out: Path, *, break_stage: str | None = None) -> Path:
    """Write a fake run into ``out`` (``break_stage`` fails, to test the missing paths)."""
    records = run_stages(fake_stages(break_stage), out)
    run = {"stages": {n: {"name": r.name, "key": r.key, "status": r.status,
                          "seconds": r.seconds, "path": r.path, "reason": r.reason,
                          "title": r.title, "params": dict(r.params),
                          "upstream": dict(r.upstream)} for n, r in records.items()},
           "provenance": {"versions": {"qdgain": "test"}, "command": "fake"}}
    atomic_write_json(out / RUN_FILE, run)
    return out
