"""Public assertion helpers for tests (ours and users'), in the spirit of ``xarray.testing``."""

from __future__ import annotations

import xarray as xr

__all__ = ["assert_units"]


def assert_units(obj: xr.Dataset | xr.DataArray, expected: dict[str, str]) -> None:
    """Assert that each named variable/coordinate of ``obj`` has ``attrs["units"]`` as expected.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataArray
        Object to check (a DataArray is checked on its own name and its coordinates).
    expected : dict
        ``{name: units}``; for a DataArray use its ``name`` for the values.
    """
    for name, units in expected.items():
        if isinstance(obj, xr.DataArray) and name == obj.name:
            var = obj
        else:
            var = obj[name]
        got = var.attrs.get("units")
        assert got == units, f"{name}: units {got!r}, expected {units!r}"
