"""Kinetic scheme files: validation lists every problem; rate matrix conserves population."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qdgain.errors import FormatError, ParameterError
from qdgain.ta.kinetics.scheme import evaluate_expression, load_scheme, scheme_from_dict

ROOT = Path(__file__).resolve().parents[3]
HIPPIUS = ROOT / "schemes" / "hippius2007.toml"


def _base() -> dict:
    return {"scheme": {"name": "t", "kind": "target", "species": ["a", "b"]},
            "parameters": {"k1": 1.0, "k2": 0.1},
            "transfer": [{"from": "a", "to": "b", "rate": "k1"}, {"from": "b", "rate": "k2"}],
            "initial": {"a": 1.0}, "irf": {"center": 0.0, "width": 0.1}}


def test_hippius_scheme_rate_matrix():
    s = load_scheme(HIPPIUS)
    assert s.kind == "target" and s.species[-1] == "artefact"
    K = s.rate_matrix(s.values())
    # column sums = minus the decay to the ground state (population is conserved otherwise)
    np.testing.assert_allclose(K.sum(axis=0), [0, 0, 0, -0.0192859, -99.0], atol=1e-12)
    # branching: s1 -> s2 gets b1 * k1sum
    assert K[1, 0] == pytest.approx(0.22 * 9.49943878184853)
    assert s.weights == ((280.0, 550.0, 0.1), (720.0, 890.0, 0.1))


def test_all_problems_reported_at_once():
    d = _base()
    d["transfer"].append({"from": "c", "to": "b", "rate": "k1"})  # unknown species
    d["transfer"].append({"from": "a", "rate": "-k2"})  # negative rate
    d["scheme"]["kind"] = None
    with pytest.raises(ParameterError, match=r"(?s)3 problem.*kind must be one of.*unknown species "
                                             r"'c'.*negative"):
        scheme_from_dict(d)


def test_unknown_parameter_and_unsafe_expression():
    d = _base()
    d["transfer"][0]["rate"] = "k9"
    with pytest.raises(ParameterError, match="unknown parameter 'k9'"):
        scheme_from_dict(d)
    with pytest.raises(ParameterError, match="only numbers"):
        evaluate_expression("__import__('os')", {})


def test_bad_toml_is_format_error(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[scheme\nname = 1\n")
    with pytest.raises(FormatError, match="bad.toml.*not valid TOML"):
        load_scheme(p)
