"""Parameter loading, validation (never substitute 0) and saving."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from qdgain.errors import FormatError, ParameterError
from qdgain.materials import list_parameter_sets, load_parameters, save_parameters
from qdgain.materials.parameters import _data_dir, required_integrals


def _hgte_json() -> dict:
    return json.loads((_data_dir() / "HgTe_sp3d5_soc_2nn.json").read_text())


def test_default_set_fields():
    p = load_parameters()
    assert p.name == "HgTe_sp3d5_soc_2nn"
    assert p.orbitals == ("s", "px", "py", "pz", "dxy", "dyz", "dzx", "dx2-y2", "dz2")
    assert p.n_orbitals == 9 and p.max_shell == 2 and p.n_electrons == 18
    assert math.isclose(p.lattice_constant_nm, 0.646)
    assert (p.cation, p.anion) == ("Hg", "Te")
    # 3 on-site shells x2 + 14 hetero integrals + 2 x 10 homo integrals + 2 x 2 SOC
    assert len(p.values) == 6 + 14 + 20 + 4
    assert p.value("nn1.Hg-Te.sp_sigma") == pytest.approx(1.58154985033517)
    assert "Rauch" in p.source or "SKext2PythTB" in p.source


def test_aliases_and_list():
    names = list_parameter_sets()
    assert {"HgTe_sp3d5_soc_2nn", "GaAs_vogl1983_sp3sstar",
            "GaAs_klimeck2000_sp3sstar_so"} <= set(names)
    assert load_parameters("HgTe").name == "HgTe_sp3d5_soc_2nn"
    g = load_parameters("GaAs_klimeck")
    assert g.orbitals == ("s", "px", "py", "pz", "s*") and g.max_shell == 1


def test_vogl_conversion():
    # V_sp_sigma(Ga s, As p) = sqrt3/4 * V(sc, pa) (Vogl 1983, 4 bonds with cosines 1/sqrt3)
    g = load_parameters("GaAs_vogl")
    assert g.value("nn1.Ga-As.sp_sigma") == pytest.approx(math.sqrt(3) / 4 * 5.7839)
    assert g.value("nn1.Ga-As.ps_sigma") == pytest.approx(math.sqrt(3) / 4 * 4.48)
    assert g.value("nn1.Ga-As.pp_sigma") == pytest.approx((1.9546 + 2 * 5.0779) / 4)
    assert g.value("nn1.Ga-As.pp_pi") == pytest.approx((1.9546 - 5.0779) / 4)
    assert g.value("soc.As.p") == 0.0
    k = load_parameters("GaAs_klimeck")
    assert k.value("soc.As.p") == pytest.approx(0.32703 / 3)


def test_unknown_set():
    with pytest.raises(ParameterError, match="unknown parameter set 'CdSe_foo'.*shipped sets"):
        load_parameters("CdSe_foo")


def test_missing_field_names_set_field_shell(tmp_path: Path):
    data = _hgte_json()
    del data["first_neighbour_Hg_Te"]["dd_delta"]
    f = tmp_path / "broken.json"
    f.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match=r"set 'broken'.*'dd_delta'.*Hg-Te 1st neighbours"):
        load_parameters(f)
    data = _hgte_json()
    del data["second_neighbour"]["Te_Te"]["pd_pi"]
    f.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match=r"'pd_pi'.*Te-Te 2nd neighbours"):
        load_parameters(f)


def test_non_numeric_field(tmp_path: Path):
    data = _hgte_json()
    data["onsite"]["Hg"]["s"] = "0.14"
    f = tmp_path / "strs.json"
    f.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match=r"field 's'.*on-site Hg.*not a finite number"):
        load_parameters(f)
    data["onsite"]["Hg"]["s"] = None
    f.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match="not a finite number"):
        load_parameters(f)


def test_missing_soc_section(tmp_path: Path):
    data = _hgte_json()
    del data["spin_orbit"]
    f = tmp_path / "nosoc.json"
    f.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match="missing section 'spin_orbit'"):
        load_parameters(f)


def test_bad_json(tmp_path: Path):
    f = tmp_path / "bad.json"
    f.write_text('{"name": "x",\n "onsite": }')
    with pytest.raises(FormatError, match=r"bad.json @ 2"):
        load_parameters(f)


def test_missing_file(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="parameter file not found"):
        load_parameters(tmp_path / "nope.json")


def test_required_integrals_counts():
    spd = ("s", "px", "py", "pz", "dxy", "dyz", "dzx", "dx2-y2", "dz2")
    assert len(required_integrals(spd, same_species=False)) == 14
    assert len(required_integrals(spd, same_species=True)) == 10
    assert len(required_integrals(("s", "px", "py", "pz", "s*"), same_species=False)) == 10


def test_with_values_and_save_roundtrip(tmp_path: Path):
    p = load_parameters()
    q = p.with_values({"onsite.Hg.s": 0.3}, name="shifted")
    assert q.value("onsite.Hg.s") == 0.3 and p.value("onsite.Hg.s") == pytest.approx(0.1441)
    with pytest.raises(ParameterError, match="no parameter 'onsite.Hg.f'"):
        p.with_values({"onsite.Hg.f": 1.0})
    out = save_parameters(q, tmp_path / "shifted.json")
    r = load_parameters(out)
    assert dict(r.values) == dict(q.values)
    assert r.lattice_constant_nm == pytest.approx(p.lattice_constant_nm)
    with pytest.raises(ParameterError, match="exists; choose another"):
        save_parameters(q, out)
    with pytest.raises(AttributeError):
        p.name = "x"  # frozen


def test_renamed_keeps_physics():
    import numpy as np

    from qdgain.materials import bulk_bands
    from qdgain.materials.parameters import renamed

    p = load_parameters()
    q = renamed(p, cation="Cd", name="CdTe_start")
    assert q.cation == "Cd" and q.value("nn1.Cd-Te.sp_sigma") == p.value("nn1.Hg-Te.sp_sigma")
    assert q.value("nn2.Cd-Cd.pp_pi") == p.value("nn2.Hg-Hg.pp_pi")
    k = np.array([[0.3, 1.1, -2.0]])
    np.testing.assert_allclose(bulk_bands(q, k), bulk_bands(p, k), atol=1e-12)
    with pytest.raises(ParameterError, match="must differ"):
        renamed(p, cation="Te")
    with pytest.raises(ParameterError, match="lattice constant must be > 0"):
        renamed(p, lattice_constant_nm=0.0)
