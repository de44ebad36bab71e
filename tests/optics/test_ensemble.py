"""Ensemble spectra: inhomogeneous width from the computed E(d), shape mixtures, errors."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.materials import load_parameters
from qdgain.optics.ensemble import ensemble_spectrum
from qdgain.optics.sweep import DotSpec, SweepOptions, build_table, compute_dot

E_BULK, A, B, C = -0.3, 0.02, 0.1, 0.2   # empirical sizing law, eV and nm


def e_x1(d):
    return E_BULK + 1.0 / (A * d**2 + B * d + C)


def de_x1(d):
    return -(2 * A * d + B) / (A * d**2 + B * d + C) ** 2


def synthetic_table(offsets=None):
    """Sweep-like table from the exact law: X2 = X1 + 54 meV, ∫σ ∝ d³ (X2 10× X1)."""
    recs = []
    for shape, off in (offsets or {"sphere": 0.0}).items():
        for d in np.round(np.arange(1.5, 5.51, 0.1), 6):
            i1 = 1e-16 * (d / 3.5) ** 3
            recs.append({"shape": shape, "diameter_nm": d, "X1_eV": e_x1(d) + off,
                         "X2_eV": e_x1(d) + off + 0.054, "sigma_int_X1_cm2_eV": i1,
                         "sigma_int_X2_cm2_eV": 10 * i1, "status": "ok"})
    return build_table(recs, SweepOptions(), load_parameters("HgTe"))


def spectral_std(ds, var):
    E, s = ds["photon_energy"].values, ds[var].values
    m = np.trapezoid(E * s, E) / np.trapezoid(s, E)
    return np.sqrt(np.trapezoid((E - m) ** 2 * s, E) / np.trapezoid(s, E))


def test_width_follows_dE_dd_times_sigma_d():
    t = synthetic_table()
    ens = ensemble_spectrum(t, 3.5, 0.3, span_std=4.0, n_points=81,
                            photon_energy_eV=np.arange(0.2, 2.0, 5e-4))
    # the spectrum's own second moment equals the reported total width (grid 0.5 meV ≪ widths)
    assert spectral_std(ens, "sigma_X1") == pytest.approx(ens.attrs["X1_std_eV"], rel=5e-3)
    # first order: σ_inh = |dE/dd| σ_d. Corrections: curvature (E''/E' ≈ −3/d → ~½(3σ_d/d)² ≈
    # 3 % of the variance) and the ∝ d³ weights (~(3σ_d/d)² ≈ 7 % of the variance); both
    # change σ_inh by < 5 %, so 5 % is the tolerance.
    slope = de_x1(3.5)
    assert ens.attrs["dX1_dd_eV_per_nm"] == pytest.approx(slope, rel=1e-3)
    assert ens.attrs["X1_inhomogeneous_std_eV"] == pytest.approx(abs(slope) * 0.3, rel=0.05)
    total = np.hypot(0.035, abs(slope) * 0.3)
    assert ens.attrs["X1_std_eV"] == pytest.approx(total, rel=0.05)
    # wider than the single dot of the mean size (homogeneous width only)
    assert spectral_std(ens, "sigma") > 2 * spectral_std(ens, "sigma_dot")
    assert ens["sigma"].attrs["units"] == "cm^2" and ens["wavelength"].attrs["units"] == "nm"
    # monodisperse limit: only the homogeneous width is left
    mono = ensemble_spectrum(t, 3.5, 0.0)
    assert mono.attrs["X1_std_eV"] == pytest.approx(0.035, rel=1e-12)


def test_shape_mixture_adds_the_shape_splitting():
    t = synthetic_table({"sphere": 0.0, "tetrahedron": 0.1})
    one = ensemble_spectrum(t, 3.5, 0.1)
    mix = ensemble_spectrum(t, 3.5, 0.1, shape_weights={"sphere": 1, "tetrahedron": 1})
    # equal weights of two copies 0.1 eV apart (amplitudes equal): variance + (0.1/2)²
    assert mix.attrs["X1_mean_eV"] == pytest.approx(one.attrs["X1_mean_eV"] + 0.05, abs=1e-9)
    assert mix.attrs["X1_std_eV"] ** 2 == pytest.approx(one.attrs["X1_std_eV"] ** 2 + 0.05**2,
                                                        rel=1e-9)


def test_real_sweep_ensemble_is_wider():
    opts = SweepOptions(params="GaAs_vogl", eps_in=10.9, surface="hybrid20")  # 1.0 nm: 29 atoms
    recs = [dict(compute_dot(DotSpec("sphere", d), opts), status="ok")
            for d in (1.0, 1.2, 1.4, 1.6)]
    t = build_table(recs, opts, load_parameters("GaAs_vogl"))
    ens = ensemble_spectrum(t, 1.3, 0.1, span_std=2.0)
    assert spectral_std(ens, "sigma") > spectral_std(ens, "sigma_dot")
    assert ens.attrs["X1_inhomogeneous_std_eV"] > 0.02   # X1 moves 0.66 eV over 1.0–1.6 nm


def test_errors():
    t = synthetic_table()
    with pytest.raises(ParameterError, match="extend the sweep"):
        ensemble_spectrum(t, 5.0, 0.3)
    with pytest.raises(ParameterError, match="not in the sweep"):
        ensemble_spectrum(t, 3.5, 0.3, shape_weights={"tetrahedron": 1.0})
    with pytest.raises(ParameterError, match="std >= 0"):
        ensemble_spectrum(t, 3.5, -0.1)
    with pytest.raises(ParameterError, match="not all 0"):
        ensemble_spectrum(t, 3.5, 0.1, shape_weights={"sphere": 0.0})
