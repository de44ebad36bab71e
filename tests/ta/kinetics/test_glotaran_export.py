"""pyglotaran export without pyglotaran: the YAML it writes parses and carries the scheme
(the fit-level comparison with pyglotaran itself is test_compare_pyglotaran.py, skipped here
when pyglotaran is absent)."""

from __future__ import annotations

import numpy as np
import yaml

from qdgain.ta.kinetics import pyglotaran_name, sequential_scheme, to_pyglotaran


def test_parameter_names_map_to_groups() -> None:
    assert pyglotaran_name("k3") == "p.k3"
    assert pyglotaran_name("irf.width") == "irf.width"


def test_sequential_scheme_round_trips_through_yaml() -> None:
    scheme = sequential_scheme([2.0, 50.0], irf_center=0.3, irf_width=0.12, fit_irf=False)
    model_text, params_text = to_pyglotaran(scheme, np.linspace(500.0, 700.0, 11))
    model, params = yaml.safe_load(model_text), yaml.safe_load(params_text)
    # one k-matrix entry per transfer, (target, source) -> our rate parameter
    kmat = model["k_matrix"]["km1"]["matrix"]
    want = {f"({t.target or t.source}, {t.source})": pyglotaran_name(t.rate)
            for t in scheme.transfers}
    assert kmat == want
    assert model["initial_concentration"]["ic1"]["compartments"] == list(scheme.species)
    # parameter values are the scheme's (rates 1/τ in ps^-1), exactly as typed
    ours = {p.name: p.value for p in scheme.parameters}
    exported = {f"{'irf.' if group == 'irf' else ''}{row[0]}": row[1]
                for group in ("p", "irf") for row in params[group]}
    for name, value in ours.items():
        assert exported[name] == value, name
    assert exported["k1"] == 1.0 / 2.0 and exported["k2"] == 1.0 / 50.0
    # fit_irf=False: the IRF parameters are held fixed in pyglotaran too
    irf_opts = {row[0]: row[2] for row in params["irf"]}
    assert irf_opts["center"] == {"vary": False} and irf_opts["width"] == {"vary": False}
    assert [row[1] for row in params["init"]] == list(scheme.initial)
