"""The TA data model: constructor, validation, fluence stacking, mOD → OD."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.ta import check_ta, stack_fluence, ta_dataset, to_od, validate_ta
from qdgain.testing import assert_units


def small(scale: float = 1.0, wl=(500.0, 600.0, 700.0)):
    return ta_dataset(scale * np.arange(6.0).reshape(2, 3), [-1.0, 5.0], wl,
                      A0=[0.1, 0.2, 0.3], pump_wavelength_nm=700.0)


def test_units_and_dims() -> None:
    ds = small()
    assert ds["dA"].dims == ("delay", "wavelength")
    assert_units(ds, {"dA": "OD", "A0": "OD", "delay": "ps", "wavelength": "nm"})
    assert ds.attrs["pump_wavelength_nm"] == 700.0
    assert validate_ta(ds) == []


def test_mOD_converted_once() -> None:
    ds = ta_dataset(np.full((2, 2), 5.0), [0, 1], [500, 600], dA_units="mOD")
    np.testing.assert_allclose(ds["dA"].values, 5e-3, rtol=1e-15)
    np.testing.assert_allclose(to_od(np.array([2.0]), "uOD"), [2e-6], rtol=1e-15)
    with pytest.raises(ParameterError, match="unknown absorbance unit 'au'"):
        to_od(np.ones(2), "au")


def test_descending_axis_is_flipped_with_data() -> None:
    ds = ta_dataset(np.array([[1.0, 2.0, 3.0]]), [0.0], [700, 600, 500], A0=[7.0, 6.0, 5.0])
    np.testing.assert_array_equal(ds["wavelength"].values, [500, 600, 700])
    np.testing.assert_array_equal(ds["dA"].values, [[3.0, 2.0, 1.0]])
    np.testing.assert_array_equal(ds["A0"].values, [5.0, 6.0, 7.0])


@pytest.mark.parametrize(("delay", "match"), [
    ([0.0, 2.0, 1.0], r"delay axis is non-monotonic at index 2 \(2.0 then 1.0\)"),
    ([0.0, 1.0, 1.0], r"delay axis is duplicated at index 2"),
    ([0.0, np.nan, 1.0], r"delay: non-finite value at index 1"),
])
def test_bad_axes(delay, match) -> None:
    with pytest.raises(ParameterError, match=match):
        ta_dataset(np.zeros((3, 2)), delay, [500, 600])


def test_typo_in_metadata_key_raises() -> None:
    with pytest.raises(ParameterError, match=r"unknown metadata key\(s\) \['pump_wavelenght_nm'\]"):
        ta_dataset(np.zeros((1, 1)), [0], [500], pump_wavelenght_nm=700)


def test_shape_mismatch() -> None:
    with pytest.raises(ParameterError, match=r"dA has shape \(2, 3\), expected .* \(3, 2\)"):
        ta_dataset(np.zeros((2, 3)), [0, 1, 2], [500, 600])


def test_validate_lists_every_problem() -> None:
    ds = small()
    ds["dA"].values[0, 0] = np.nan
    ds["dA"].values[1, 1] = np.inf
    ds["delay"].attrs["units"] = "fs"
    del ds["A0"].attrs["units"]
    problems = [str(p) for p in validate_ta(ds)]
    assert problems == ["A0: units None, expected 'OD'", "delay: units 'fs', expected 'ps'",
                        "dA: 1 NaN value(s) (masked points?)", "dA: 1 infinite value(s)"]
    with pytest.raises(ParameterError, match=r"(?s)invalid TA dataset:.*delay: units 'fs'"):
        check_ta(ds)


def test_stack_fluence() -> None:
    series = stack_fluence([small(1.0), small(2.0)], [1.0, 3.0], N_mean=[0.1, 0.3])
    assert series["dA"].dims == ("fluence", "delay", "wavelength")
    assert_units(series, {"fluence": "uJ/cm^2", "N_mean": "1", "dA": "OD", "A0": "OD"})
    np.testing.assert_array_equal(series["dA"].values[1], 2 * series["dA"].values[0])
    np.testing.assert_array_equal(series["N_mean"].values, [0.1, 0.3])
    assert series.attrs["pump_wavelength_nm"] == 700.0
    assert validate_ta(series) == []


def test_stack_fluence_mismatched_grid() -> None:
    with pytest.raises(ParameterError, match=r"series member 1 .*wavelength grid differs from "
                                             r"member 0.*resample"):
        stack_fluence([small(), small(wl=(500.0, 600.0, 701.0))], [1.0, 2.0])
    with pytest.raises(ParameterError, match="strictly ascending"):
        stack_fluence([small(), small()], [2.0, 1.0])


def test_package_exports_resolve() -> None:
    """Every name in qdgain.ta.__all__ exists (the analysis ones are imported on first use)."""
    import qdgain.ta as ta

    for name in ta.__all__:
        assert getattr(ta, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'read_tá'"):
        ta.read_tá  # noqa: B018
