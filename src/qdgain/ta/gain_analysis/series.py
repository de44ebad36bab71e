"""From files to a saved gain analysis: read, calibrate ⟨N⟩, stack, analyse, write (CLI backend)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdgain._io import atomic_write
from qdgain.calibration import (
    PAPER_MU_I_400_CM,
    mean_excitons,
    photons_per_cm2_from_fluence,
    propagate_linear,
    propagate_monte_carlo,
    pump_cross_section_cm2,
)
from qdgain.errors import ParameterError
from qdgain.ta.dataset import stack_fluence
from qdgain.ta.gain_analysis.analysis import GainOptions, analyze_gain_series, gain_summary
from qdgain.ta.gain_analysis.figures import (
    plot_bleach_saturation,
    plot_fluence_series,
    plot_material_gain,
)
from qdgain.ta.io import read_spectrum, read_ta
from qdgain.units import with_units

__all__ = ["PumpCalibration", "load_fluence_series", "run_gain_analysis"]


@dataclass(frozen=True, slots=True)
class PumpCalibration:
    """What turns a pump fluence into ⟨N⟩ (SPEC §3).

    Attributes
    ----------
    diameter_nm : float
        Dot diameter (TEM), nm.
    absorbance_pump_od : float
        Sample absorbance at the pump wavelength, OD.
    absorbance_400_od : float
        Sample absorbance at 400 nm, OD.
    pump_wavelength_nm : float
        Pump wavelength, nm.
    mu_i_400_cm : float
        Intrinsic absorption coefficient at 400 nm, cm⁻¹.
    diameter_err_nm : float
        1σ error of the diameter, nm (0: not propagated).
    """

    diameter_nm: float
    absorbance_pump_od: float
    absorbance_400_od: float
    pump_wavelength_nm: float = 700.0
    mu_i_400_cm: float = PAPER_MU_I_400_CM
    diameter_err_nm: float = 0.0

    def n_mean(self, fluence_uJ_cm2: np.ndarray, diameter_nm: np.ndarray | float | None = None
               ) -> np.ndarray:
        """⟨N⟩ = J σ_pump (1 − e^{−αL})/(αL) for fluences in µJ cm⁻²."""
        d = self.diameter_nm if diameter_nm is None else diameter_nm
        sig = pump_cross_section_cm2(d, self.mu_i_400_cm, self.absorbance_pump_od,
                                     self.absorbance_400_od)
        j = photons_per_cm2_from_fluence(fluence_uJ_cm2, self.pump_wavelength_nm)
        return np.asarray(mean_excitons(j, sig, self.absorbance_pump_od), dtype=float)

    def n_mean_relative_error(self, seed: int = 0) -> dict[str, float]:
        """Relative 1σ error of every ⟨N⟩ from the diameter error (V ∝ d³), linear and MC.

        It is a common scale factor on all ⟨N⟩ and thresholds of the series.
        """
        def one(diameter_nm: np.ndarray | float) -> np.ndarray:
            return self.n_mean(np.asarray(1.0), diameter_nm)

        vals, sig = {"diameter_nm": self.diameter_nm}, {"diameter_nm": self.diameter_err_nm}
        lin = propagate_linear(one, vals, sig)
        mc = propagate_monte_carlo(one, vals, sig, n_samples=20000, seed=seed)
        return {"linear": lin.rel_std, "monte_carlo": mc.rel_std, "seed": seed,
                "diameter_err_nm": self.diameter_err_nm}


def load_fluence_series(paths: Sequence[str | Path], *,
                        fluence_uJ_cm2: Sequence[float] | None = None,
                        N_mean: Sequence[float] | None = None,
                        calibration: PumpCalibration | None = None,
                        read_options: dict[str, Any] | None = None) -> xr.Dataset:
    """Read TA files (one per fluence, or one series file) into a fluence series sorted by ⟨N⟩.

    Parameters
    ----------
    paths : sequence of path
        TA files (any format :func:`qdgain.ta.io.read_ta` knows), or one file already holding a
        ``fluence`` dim.
    fluence_uJ_cm2 : sequence of float, optional
        Pump fluence per file, µJ cm⁻² (needs ``calibration`` unless ``N_mean`` is given).
    N_mean : sequence of float, optional
        ⟨N⟩ per file (dimensionless).
    calibration : PumpCalibration, optional
        Turns fluences into ⟨N⟩.
    read_options : dict, optional
        Options passed to :func:`read_ta` (e.g. ``{"dA_unit": "mOD"}``).
    """
    opts = read_options or {}
    if len(paths) == 1:
        one = read_ta(paths[0], **opts)
        if "fluence" in one.dims:
            if N_mean is not None:
                one = one.assign_coords(N_mean=("fluence", np.asarray(N_mean, float)))
            elif calibration is not None:
                one = one.assign_coords(N_mean=("fluence", calibration.n_mean(one.fluence.values)))
            one["N_mean"].attrs["units"] = "1"
            return one
    dsets = [read_ta(p, **opts) for p in paths]
    if N_mean is None and fluence_uJ_cm2 is None:
        raise ParameterError("give the fluence of each file (--fluence, with the calibration "
                             "options) or its ⟨N⟩ (--N)")
    for name, vals in (("fluence", fluence_uJ_cm2), ("N", N_mean)):
        if vals is not None and len(vals) != len(paths):
            raise ParameterError(f"{len(paths)} files but {len(vals)} --{name} values")
    if N_mean is None:
        if calibration is None:
            raise ParameterError("--fluence needs the ⟨N⟩ calibration: --diameter, --a-pump and "
                                 "--a400 (or give --N directly)")
        N_mean = calibration.n_mean(np.asarray(fluence_uJ_cm2, float))
    n = np.asarray(N_mean, dtype=float)
    f = None if fluence_uJ_cm2 is None else np.asarray(fluence_uJ_cm2, dtype=float)
    order = np.argsort(n, kind="stable")
    if np.any(np.diff(n[order]) == 0):
        raise ParameterError(f"duplicated ⟨N⟩ in {n.tolist()}; average the repeated "
                             "measurements or drop one")
    if np.any(order != np.arange(n.size)):
        warnings.warn(f"files not in ascending ⟨N⟩ ({n.tolist()}); sorted", UserWarning,
                      stacklevel=2)
    dsets = [dsets[i] for i in order]
    n = n[order]
    placeholder = f is None
    ds = stack_fluence(dsets, n if placeholder else f[order], n)
    if placeholder:
        ds = ds.assign_coords(fluence=("fluence", np.full(n.size, np.nan)))
        ds["fluence"] = with_units(ds["fluence"], "uJ/cm^2", "pump fluence (not given)")
    return ds


def _write_netcdf(ds: xr.Dataset, path: Path) -> None:
    clean = ds.copy()
    for k, v in list(clean.attrs.items()):
        if isinstance(v, bool):
            clean.attrs[k] = int(v)
    atomic_write(path, lambda tmp: clean.to_netcdf(tmp, engine="h5netcdf"))


def run_gain_analysis(paths: Sequence[str | Path], out_dir: str | Path, *,
                      a0_path: str | Path | None = None,
                      fluence_uJ_cm2: Sequence[float] | None = None,
                      N_mean: Sequence[float] | None = None,
                      calibration: PumpCalibration | None = None,
                      options: GainOptions | None = None, figures: bool = True,
                      progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Read, analyse and save a fluence series; return the JSON summary (with output paths).

    Parameters
    ----------
    paths : sequence of path
        TA files (see :func:`load_fluence_series`).
    out_dir : path
        Directory for ``gain_analysis.nc`` and the figures (created; inputs never overwritten).
    a0_path : path, optional
        Two-column A0 spectrum (nm, OD); default: A0 stored in the TA files.
    fluence_uJ_cm2, N_mean, calibration
        See :func:`load_fluence_series`.
    options : GainOptions, optional
        Analysis options.
    figures : bool
        Write ``fig3_gain.png``, ``fig6_material_gain.png`` (when A_400 is known) and
        ``figS4_bleach.png``.
    progress : callable, optional
        Called with a short message before each step.
    """
    say = progress or (lambda _msg: None)
    say("reading files")
    ds = load_fluence_series(paths, fluence_uJ_cm2=fluence_uJ_cm2, N_mean=N_mean,
                             calibration=calibration)
    a0 = read_spectrum(a0_path, kind="A0") if a0_path is not None else None
    opt = options or GainOptions()
    if calibration is not None and opt.a400_od is None:
        opt = replace(opt, a400_od=calibration.absorbance_400_od,
                      mu_i_400_cm=calibration.mu_i_400_cm)
    say("analysing")
    res = analyze_gain_series(ds, a0, opt)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    inputs = {Path(p).resolve() for p in paths} | ({Path(a0_path).resolve()} if a0_path else set())
    nc = out / "gain_analysis.nc"
    if nc.resolve() in inputs:
        raise ParameterError(f"{nc} is an input file; choose another --out directory")
    say("writing results")
    _write_netcdf(res, nc)
    summary = gain_summary(res)
    if calibration is not None and calibration.diameter_err_nm > 0:
        summary["N_calibration_relative_error"] = calibration.n_mean_relative_error()
    summary["outputs"] = {"netcdf": str(nc)}
    if figures:
        say("drawing figures")
        summary["outputs"]["fig3"] = str(plot_fluence_series(res, out / "fig3_gain.png"))
        f6 = plot_material_gain(res, out / "fig6_material_gain.png")
        summary["outputs"]["fig6"] = None if f6 is None else str(f6)
        summary["outputs"]["figS4"] = str(plot_bleach_saturation(res, out / "figS4_bleach.png"))
    return summary
