"""Foundation: constants, units helpers, error family, CLI entry point."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from qdgain import constants as C
from qdgain.cli import app
from qdgain.convert import ev_to_nm, nm_to_ev, require_units
from qdgain.errors import ConvergenceError, FormatError, ParameterError, QdgainError
from qdgain.testing import assert_units
from qdgain.units import with_units


def test_derived_constants_match_textbook_values():
    # hc = 1239.84 eV nm, e^2/4πε0 = 1.43996 eV nm, ħ²/2m = 0.0380998 eV nm², α = 1/137.036
    assert C.HC_EV_NM == pytest.approx(1239.8419843, rel=1e-9)
    assert C.COULOMB_EV_NM == pytest.approx(1.439964548, rel=1e-8)
    assert C.HBAR2_2M_EV_NM2 == pytest.approx(0.0380998212, rel=1e-8)
    assert 1 / C.ALPHA_FS == pytest.approx(137.035999, rel=1e-8)


def test_wavelength_energy_round_trip():
    lam = np.linspace(400, 1700, 7)
    np.testing.assert_allclose(ev_to_nm(nm_to_ev(lam)), lam, rtol=1e-14)
    assert nm_to_ev(1240.0) == pytest.approx(0.99987, rel=1e-4)
    with pytest.raises(ParameterError, match="> 0 nm"):
        nm_to_ev(0.0)


def test_with_units_sets_attr_without_touching_input():
    da = xr.DataArray(np.zeros(3), dims="x", name="a")
    out = with_units(da, "cm^-1")
    assert "units" not in da.attrs
    assert_units(out, {"a": "cm^-1"})
    with pytest.raises(ParameterError, match="expected units 'OD'"):
        require_units(out, "OD")


def test_error_family_messages():
    err = FormatError("bad magic", path="x.ufs", offset=12)
    assert isinstance(err, QdgainError) and isinstance(err, ValueError)
    assert str(err) == "x.ufs @ 12: bad magic"
    conv = ConvergenceError("Lanczos stalled", iterations=50, residual=1e-3)
    assert "iterations=50" in str(conv) and isinstance(conv, RuntimeError)


def test_cli_help_runs():
    res = CliRunner().invoke(app, ["--help"])
    assert res.exit_code == 0
    assert "quantum dots" in res.output
