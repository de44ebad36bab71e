"""Published HgTe sizing data: loader, citations and sanity (energies fall with size)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qdgain.constants import HC_EV_NM
from qdgain.errors import ParameterError
from qdgain.materials.sizing import experimental_sizing


@pytest.fixture(scope="module")
def ds():
    return experimental_sizing("HgTe")


def test_loader_units_and_citations(ds):
    for var, unit in [("diameter_nm", "nm"), ("energy_eV", "eV"), ("wavelength_nm", "nm"),
                      ("diameter_error_nm", "nm"), ("temperature_K", "K")]:
        assert ds[var].attrs["units"] == unit
    sources = json.loads(ds.attrs["sources"])
    for key in set(ds["source"].values.tolist()):
        src = sources[key]
        assert src["citation"] and src["where"] and src["diameter_method"]
        assert src["doi"] is None or src["doi"].startswith("10.")
    assert np.all(np.diff(ds["diameter_nm"].values) >= 0)       # sorted by size


def test_reference_paper_point(ds):
    paper = ds["source"].values == "paper"
    derived = ds["derived"].values.astype(bool)
    pl = ds.isel(point=np.flatnonzero(paper & ~derived))
    der = ds.isel(point=np.flatnonzero(paper & derived))
    assert pl.sizes["point"] == 1 and der.sizes["point"] == 1
    assert float(pl["diameter_nm"][0]) == 3.5
    assert float(pl["energy_eV"][0]) == pytest.approx(HC_EV_NM / 1220.0, rel=1e-12)
    # derived absorption = PL + the paper's 120 meV apparent Stokes shift
    assert float(der["energy_eV"][0] - pl["energy_eV"][0]) == pytest.approx(0.120, abs=1e-12)


def test_energies_fall_with_diameter(ds):
    e, d = ds["energy_eV"].values, ds["diameter_nm"].values
    # size-quantised HgTe (bulk semimetal) dots: positive gaps, well below the CdTe gap
    assert np.all((e > 0.1) & (e < 1.5))
    # within one source and one kind of quantity, larger dots have lower energy
    for src in set(ds["source"].values.tolist()):
        sel = ds.isel(point=np.flatnonzero((ds["source"].values == src)
                                           & ~ds["derived"].values.astype(bool)))
        if sel.sizes["point"] >= 2:
            assert np.all(np.diff(sel["energy_eV"].values) < 0), src
    # across all sources and quantities: strong negative rank correlation (Spearman)
    rd, re = np.argsort(np.argsort(d)), np.argsort(np.argsort(e))
    rho = np.corrcoef(rd, re)[0, 1]
    assert rho < -0.8


def test_unknown_material():
    with pytest.raises(ParameterError, match="no experimental sizing data for 'PbS'"):
        experimental_sizing("PbS")
