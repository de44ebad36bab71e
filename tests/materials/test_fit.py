"""The bulk fitter: closed loop, GaAs restore, shipped HgTe sets, guards and error paths."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qdgain.errors import ConvergenceError, FormatError, ParameterError
from qdgain.materials import gamma_levels, load_parameters
from qdgain.materials.fit import FitSpec, fit_parameters, fit_spec_toml, load_fit_spec
from qdgain.materials.guards import band_order_scan
from qdgain.materials.parameters import _data_dir
from qdgain.materials.references import kp_masses, kp_targets
from qdgain.materials.targets import Target, evaluate_targets, target_from_mapping


def _self_targets(p):
    """Targets computed from the set itself (gap, Δ, Ep, 5 masses, X/L band edges)."""
    proto = [Target("E6_minus_E8", 0.0, tolerance=1e-3), Target("Delta_so", 1.0, tolerance=1e-3),
             Target("Ep", 1.0, tolerance=1e-3)]
    proto += [Target("mass", 1.0, band=b, direction=d, tolerance=1e-3)
              for b, d in (("Gamma8_upper", "100"), ("Gamma8_upper", "111"),
                           ("Gamma8_lower", "100"), ("Gamma8_lower", "111"), ("Gamma6", "100"))]
    proto += [Target("band_energy", 0.0, band=b, k=k, tolerance=1e-3)
              for k in ("X", "L") for b in (0, 1)]
    vals = evaluate_targets(p, proto)
    return [Target(t.kind, float(v), tolerance=t.tolerance, band=t.band, direction=t.direction,
                   k=t.k, source="the set itself") for t, v in zip(proto, vals, strict=True)]


@pytest.mark.slow
def test_closed_loop_recovers_public_set():
    truth = load_parameters("HgTe")
    free = ["onsite.Hg.s", "nn1.Hg-Te.sp_sigma", "soc.Te.p", "nn1.Hg-Te.pp_pi"]
    kick = {"onsite.Hg.s": 0.08, "nn1.Hg-Te.sp_sigma": -0.1, "soc.Te.p": 0.03,
            "nn1.Hg-Te.pp_pi": 0.05}
    start = truth.with_values({k: truth.value(k) + v for k, v in kick.items()})
    res = fit_parameters(start, _self_targets(truth), free, regularization=0.0)
    want = np.array([truth.value(k) for k in free])
    # the 12 targets pin these 4 parameters; 1e-3 eV is 1-2 % of the smallest kick
    np.testing.assert_allclose(res.x_fit, want, atol=1e-3)
    assert res.guard.ok
    assert start.value("onsite.Hg.s") == pytest.approx(0.1441 + 0.08)   # start untouched


def test_gaas_vogl_restore_gap():
    vogl = load_parameters("GaAs_vogl")
    start = vogl.with_values({"onsite.Ga.s": vogl.value("onsite.Ga.s") + 0.3})
    assert abs(gamma_levels(start).e6_minus_e8 - 1.55) > 0.1   # the kick really moves the gap
    tgt = [Target("E6_minus_E8", 1.550, tolerance=0.001, source="Vogl et al. 1983")]
    res = fit_parameters(start, tgt, ["onsite.Ga.s"], regularization=0.0)
    assert res.fitted_values[0] == pytest.approx(1.550, abs=1e-3)
    # one target, one parameter: the restored value is Vogl's up to the 0.5 meV gap tolerance
    assert res.x_fit[0] == pytest.approx(-2.6569, abs=0.01)


@pytest.mark.parametrize("temp,fname", [(0, "HgTe_sp3d5_soc_2nn_fit0K"),
                                        (300, "HgTe_sp3d5_soc_2nn_fit300K")])
def test_shipped_fitted_sets(temp, fname):
    p = load_parameters(fname)
    g = gamma_levels(p)
    ref = {t.label: t.value for t in kp_targets("HgTe", temp)}
    # issue 11 acceptance: gap within 10 meV, Δ within 30 meV, light mass within 10 %
    assert g.e6_minus_e8 == pytest.approx(ref["E6_minus_E8"], abs=0.010)
    assert g.delta_so == pytest.approx(ref["Delta_so"], abs=0.030)
    vals = evaluate_targets(p, [Target("mass", 1.0, band="Gamma8_upper", direction="100"),
                                Target("Ep", 1.0)])
    assert vals[0] == pytest.approx(ref["mass[Gamma8_upper,100]"], rel=0.10)
    assert vals[1] == pytest.approx(18.8, rel=0.10)
    assert band_order_scan(p, inverted=True, n_grid=10).ok
    fit = p.provenance["fit"]
    assert fit["start_set"] == "HgTe_sp3d5_soc_2nn"
    assert all(r["source"] for r in fit["targets"]) and all("residual" in r for r in fit["targets"])


def test_shipped_targets_files_are_reproducible():
    for temp in (0, 300):
        spec = load_fit_spec(_data_dir() / "targets" / f"HgTe_{temp}K.toml")
        assert spec.targets[:8] == tuple(kp_targets("HgTe", temp))


def test_kp_masses_match_reference_file():
    ref = json.loads((_data_dir() / "bulk_references.json").read_text())
    d = ref["HgTe"]["derived_8band_masses_T0_m0"]
    m = kp_masses("HgTe", 0.0)
    # the file gives 3 significant digits
    assert m["light_100"] == pytest.approx(d["light_Gamma8_electron_100"], rel=5e-3)
    assert m["light_111"] == pytest.approx(d["light_Gamma8_electron_111"], rel=5e-3)
    assert m["heavy_100"] == pytest.approx(d["heavy_hole_100"], rel=1e-2)
    assert m["heavy_111"] == pytest.approx(d["heavy_hole_111"], rel=1e-2)
    assert m["Gamma6"] == pytest.approx(d["Gamma6_band"], rel=1e-2)


def test_toml_roundtrip(tmp_path):
    spec = FitSpec((Target("mass", 0.07, band="Gamma6", direction="111", source='a "q"'),
                    Target("band_energy", 1.9, band=1, k=(0.5, 0.5, 0.0))),
                   ("onsite.Ga.s",), {"onsite.Ga.s": (-3.0, -2.0)}, 0.5)
    f = tmp_path / "t.toml"
    f.write_text(fit_spec_toml(spec, "header"))
    back = load_fit_spec(f)
    assert back.targets == spec.targets and back.free == spec.free
    assert dict(back.bounds) == dict(spec.bounds) and back.regularization == 0.5


def test_error_paths(tmp_path):
    p = load_parameters("GaAs_vogl")
    with pytest.raises(ParameterError, match="unknown target kind 'gap_X'"):
        target_from_mapping({"kind": "gap_X", "value": 1.0})
    with pytest.raises(ParameterError, match="unknown key"):
        target_from_mapping({"kind": "Ep", "value": 1.0, "wieght": 2})
    with pytest.raises(ParameterError, match="outside the first Brillouin zone"):
        Target("band_energy", 1.0, band=1, k=(1.0, 1.0, 0.0))
    with pytest.raises(ParameterError, match="mass band 'Gamma9'"):
        Target("mass", 1.0, band="Gamma9", direction="100")
    tgt = [Target("E6_minus_E8", 1.55)]
    with pytest.raises(ParameterError, match="no parameter 'onsite.Ga.f'"):
        fit_parameters(p, tgt, ["onsite.Ga.f"])
    with pytest.raises(ParameterError, match="must lie inside its bounds"):
        fit_parameters(p, tgt, ["onsite.Ga.s"], bounds={"onsite.Ga.s": (0.0, 1.0)})
    kicked = p.with_values({"onsite.Ga.s": p.value("onsite.Ga.s") + 0.5})
    with pytest.raises(ConvergenceError, match="stopped on its budget of 1 evaluations"):
        fit_parameters(kicked, tgt, ["onsite.Ga.s"], max_nfev=1, regularization=0.0)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[target]]\nkind = 'Ep'\nvalue = \n")
    with pytest.raises(FormatError, match="not valid TOML"):
        load_fit_spec(bad)


def test_guard_refuses_band_in_gap():
    """Pulling the X conduction valley below Γ6 makes an indirect gap: the scan must refuse it."""
    p = load_parameters("GaAs_vogl")
    tgt = [Target("band_energy", 1.0, band=1, k="X", tolerance=0.01),
           Target("E6_minus_E8", 1.55, tolerance=0.01)]
    with pytest.raises(ParameterError, match="refused by the band-order scan.*dips"):
        fit_parameters(p, tgt, ["onsite.Ga.s*", "onsite.As.s*"], regularization=0.0, n_grid=8)


def test_guard_reports_wrong_order():
    p = load_parameters("HgTe")
    normal = p.with_values({"onsite.Hg.s": p.value("onsite.Hg.s") + 1.0})
    rep = band_order_scan(normal, inverted=True, n_grid=6)
    assert not rep.ok and "not inverted" in rep.reasons[0]
    assert band_order_scan(p, inverted=True, n_grid=6).ok
    with pytest.raises(ParameterError, match="n_grid must be >= 4"):
        band_order_scan(p, n_grid=2)


def test_guard_refuses_spurious_remote_band():
    """An earlier fit without remote-band anchors met the k.p masses by pulling the next Γ level
    to 0.75 eV above Γ8 (public set: 3.26 eV); the guard must refuse such a set."""
    p = load_parameters("HgTe")
    bad = p.with_values({
        "onsite.Hg.s": 0.7772, "onsite.Hg.p": 4.4916, "onsite.Te.p": -1.3148,
        "nn1.Hg-Te.sp_sigma": 1.9625, "nn1.Hg-Te.pp_sigma": 0.7675, "nn1.Hg-Te.pp_pi": -0.4242,
        "soc.Te.p": 0.3803, "soc.Hg.p": 0.5467, "nn2.Hg-Hg.pp_sigma": 0.2395,
        "nn2.Hg-Hg.pp_pi": -0.3342, "nn2.Te-Te.pp_sigma": 0.3698, "nn2.Te-Te.pp_pi": -0.0107})
    rep = band_order_scan(bad, inverted=True, n_grid=6)
    assert not rep.ok and any("remote band sits 0.7" in r for r in rep.reasons)
