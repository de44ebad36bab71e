"""``qdgain reproduce`` stage: intraband absorption of the electron- and hole-charged sphere.

The band-edge CI (stage ``excitons``) holds 24 valence spinors, 0.25 eV deep at 3.5 nm; the hole
lines next to the bleach (ħω ≈ X1 ≈ 1 eV) end on valence states ≈ 1 eV below VB1. This stage
diagonalises the dot densely for the few hundred states within ≈ 1.1 eV of each band edge
(3.5 nm: 440 valence + 80 conduction spinors, 3–6 min on 2 cores) and computes the extra
carrier's lines in that basis (:func:`qdgain.excitons.solve_carrier`,
:func:`qdgain.optics.intraband_transitions`).
``--quick`` uses the Chebyshev expansion instead (:mod:`qdgain.optics.intraband_kpm`, seconds).

Recorded: the integrated sub-gap σ of each carrier in the probe window (hc/1620 nm … X1) and in
the last 0.1 eV below X1 (the paper: hole intraband absorption is "spectrally closer to the
interband bleach and much stronger (up to 1 order of magnitude)"), and from 0 to X1 (which the
electron's CB1 → CB2 line in the mid infrared dominates).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from qdgain.cli.reproduce_stages import require, stage_surface, surface_parameters
from qdgain.constants import HC_EV_NM
from qdgain.report.stages import Stage, StageContext
from qdgain.units import with_units

__all__ = ["intraband_stage", "stage_intraband"]


def stage_intraband(ctx: StageContext) -> None:
    """Intraband σ of one extra electron / hole in a deep dense basis (module doc)."""
    p = ctx.params
    load_parameters = require("qdgain.materials", "load_parameters", owner="materials")
    Sphere = require("qdgain.structure", "Sphere", owner="structure")
    build_dot, band_edge_states = require("qdgain.electronic", "build_dot", "band_edge_states",
                                          owner="electronic (issue 2)")
    coulomb_kernel, solve_ci, solve_carrier = require(
        "qdgain.excitons", "coulomb_kernel", "solve_ci", "solve_carrier", owner="excitons")
    cross_section, intraband_tr, limit, kpm = require(
        "qdgain.optics", "cross_section_cm2", "intraband_transitions", "intraband_limit_eV",
        "intraband_cross_section_kpm", owner="optics (issue 3)")
    params = load_parameters(p["set"])
    nc, H = build_dot(params, Sphere(diameter_nm=p["diameter_nm"]), surface=stage_surface(p))
    dense = p["method"] == "dense"
    states = band_edge_states(H, n_vb=p["n_vb"], n_cb=p["n_cb"],
                              method="dense" if dense else "auto")
    eps_out = p["n_solvent"] ** 2
    kernel = coulomb_kernel(states.positions_nm, p["eps_in"], eps_out,
                            lattice_constant_nm=params.lattice_constant_nm)
    x1 = float(solve_ci(states, p["eps_in"], eps_out, 8, 24, kernel=kernel).energies_eV[0])
    grid = np.arange(p["energy_step_eV"], p["energy_max_eV"], p["energy_step_eV"])
    windows = {"probe": (HC_EV_NM / p["probe_max_nm"], x1), "near": (x1 - p["near_eV"], x1),
               "all": (0.0, x1)}
    spectra, rec = {}, {}
    for charge, name in ((-1, "electron"), (1, "hole")):
        if dense:
            c = solve_carrier(states, charge, p["eps_in"], eps_out, kernel=kernel)
            s = cross_section(intraband_tr(c, states, p["temperature_K"]), grid,
                              p["broadening_eV"]).values
            lim = limit(c, p["temperature_K"], p["broadening_eV"])
            s[grid > lim] = np.nan  # lines ending outside the basis are missing there
        else:  # exact band-edge lines + Chebyshev expansion: complete on the whole grid
            s = kpm(H, states, charge, p["eps_in"], eps_out, grid,
                    broadening_eV=p["broadening_eV"], temperature_K=p["temperature_K"],
                    kernel=kernel).values
            lim = float(grid.max())
        spectra[f"sigma_{name}"] = s
        rec[f"{name}_complete_to_eV"] = lim
        for w, (lo, hi) in windows.items():
            m = (grid >= lo) & (grid <= hi)
            rec[f"{name}_{w}_cm2_eV"] = float(np.trapezoid(s[m], grid[m]))
    for w in windows:
        e = rec[f"electron_{w}_cm2_eV"]
        rec[f"hole_over_electron_{w}"] = rec[f"hole_{w}_cm2_eV"] / e if e > 0 else float("nan")
    ctx.save_dataset("intraband", xr.Dataset(
        {k: with_units(xr.DataArray(v, dims="energy"), "cm^2") for k, v in spectra.items()},
        coords={"energy": with_units(xr.DataArray(grid, dims="energy"), "eV")},
        attrs={"diameter_nm": p["diameter_nm"], "X1_eV": x1, "method": p["method"],
               "broadening_eV": p["broadening_eV"],
               "eps_in": p["eps_in"], "eps_out": eps_out}))
    ctx.record(diameter_nm=p["diameter_nm"], n_atoms=int(nc.n_atoms), X1_eV=x1,
               n_valence_states=int((~np.asarray(states.is_conduction)).sum()),
               n_conduction_states=int(np.asarray(states.is_conduction).sum()),
               probe_edge_eV=windows["probe"][0], **rec)
    if not dense:
        ctx.record(hole_over_electron_near__note="--quick: Chebyshev expansion (hole σ within "
                   "5 % of the full run's dense deep basis, electron's up to 20 % lower near X1)")


def intraband_stage(quick: bool, tb_set: str, surface: str) -> Stage:
    """The ``intraband`` stage: dense deep basis; ``quick``: Chebyshev expansion (seconds)."""
    return Stage("intraband", stage_intraband,
                 {"set": tb_set, **surface_parameters(surface), "diameter_nm": 3.5,
                  "method": "chebyshev" if quick else "dense",
                  # dense, 3.5 nm: 1.32 eV of hole and 1.3 eV of electron levels, complete to
                  # 1.11 / 1.03 eV > X1 = 0.97 eV (intraband_limit_eV)
                  "n_vb": 24 if quick else 440, "n_cb": 8 if quick else 80,
                  "eps_in": 6.8, "n_solvent": 1.50,
                  "broadening_eV": 0.035, "temperature_K": 300.0, "probe_max_nm": 1620.0,
                  "near_eV": 0.1, "energy_step_eV": 0.002, "energy_max_eV": 2.0},
                 code=("qdgain.electronic", "qdgain.excitons", "qdgain.optics"),
                 title="intraband absorption of charged dots (deep basis)")


def merged_intraband(ctx: StageContext, grid: np.ndarray, diameter_nm: float
                     ) -> dict[str, Any] | None:
    """The ``intraband`` stage's σ on ``grid`` (cm², by carrier), if it is of this dot."""
    ds = ctx.upstream("intraband").dataset("intraband")
    if float(ds.attrs["diameter_nm"]) != float(diameter_nm):
        return None
    e = ds["energy"].values
    return {k: np.interp(grid, e, np.nan_to_num(ds[k].values), left=0.0, right=np.nan)
            for k in ("sigma_electron", "sigma_hole")}
