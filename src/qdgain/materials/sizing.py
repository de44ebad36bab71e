"""Published experimental HgTe sizing data (size <-> optical energy), with their citations.

The points live in ``materials/data/hgte_sizing_experimental.json`` (sources, how diameters were
measured, which optical quantity, whether approximate or derived). Energies are computed from the
printed wavelengths,

.. math::

    E = \\frac{hc}{\\lambda} + \\delta E,

with δE = 0 except for derived points (the reference paper's first-exciton absorption = PL peak
+ its stated 0.120 eV apparent Stokes shift).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from qdgain.convert import ev_to_nm, nm_to_ev
from qdgain.errors import FormatError, ParameterError
from qdgain.materials.parameters import _data_dir
from qdgain.units import with_units

__all__ = ["experimental_sizing", "SIZING_FILES"]

#: material -> data file of published sizing points
SIZING_FILES = {"HgTe": "hgte_sizing_experimental.json"}
_REQUIRED = ("source", "diameter_nm", "quantity", "wavelength_nm", "approximate", "derived")


def _points(material: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if material not in SIZING_FILES:
        raise ParameterError(f"no experimental sizing data for {material!r}; "
                             f"available: {sorted(SIZING_FILES)}")
    path = _data_dir() / SIZING_FILES[material]
    data = json.loads(path.read_text())
    points = data.get("points", [])
    for i, p in enumerate(points):
        missing = [k for k in _REQUIRED if k not in p]
        if missing:
            raise FormatError(f"point {i} lacks {missing}", str(path))
        if p["source"] not in data.get("sources", {}):
            raise FormatError(f"point {i} cites unknown source {p['source']!r}", str(path))
    return data, points


def experimental_sizing(material: str = "HgTe") -> xr.Dataset:
    """Published size <-> optical-energy points of colloidal dots, one entry per point.

    Parameters
    ----------
    material : str
        Material (only ``"HgTe"``).

    Returns
    -------
    xarray.Dataset
        Dimension ``point`` (sorted by diameter); variables ``diameter_nm`` (nm),
        ``diameter_error_nm`` (nm, NaN if not printed), ``energy_eV`` (eV), ``wavelength_nm``
        (nm, of ``energy_eV``), ``temperature_K`` (K, NaN if not stated), ``quantity``,
        ``source``, ``approximate``, ``derived``; ``attrs["sources"]`` is a JSON string of the
        full citations (authors, journal, year, DOI, where in the paper, diameter method).
    """
    data, points = _points(material)

    def num(p: dict[str, Any], key: str) -> float:
        v = p.get(key)
        return np.nan if v is None else float(v)

    pts = sorted(points, key=lambda p: float(p["diameter_nm"]))
    energy = np.array([float(nm_to_ev(p["wavelength_nm"])) + num(p, "energy_offset_eV")
                       if p.get("energy_offset_eV") is not None
                       else float(nm_to_ev(p["wavelength_nm"])) for p in pts])
    dims = ("point",)
    ds = xr.Dataset({
        "diameter_nm": with_units(xr.DataArray([float(p["diameter_nm"]) for p in pts], dims=dims),
                                  "nm", "dot diameter (as printed by the source)"),
        "diameter_error_nm": with_units(
            xr.DataArray([num(p, "diameter_error_nm") for p in pts], dims=dims), "nm",
            "printed size spread"),
        "energy_eV": with_units(xr.DataArray(energy, dims=dims), "eV", "optical energy"),
        "wavelength_nm": with_units(xr.DataArray(ev_to_nm(energy), dims=dims), "nm",
                                    "vacuum wavelength of energy_eV"),
        "temperature_K": with_units(xr.DataArray([num(p, "temperature_K") for p in pts],
                                                 dims=dims), "K", "measurement temperature"),
        "quantity": xr.DataArray([str(p["quantity"]) for p in pts], dims=dims),
        "source": xr.DataArray([str(p["source"]) for p in pts], dims=dims),
        "approximate": xr.DataArray([bool(p["approximate"]) for p in pts], dims=dims),
        "derived": xr.DataArray([bool(p["derived"]) for p in pts], dims=dims),
    }, coords={"point": np.arange(len(pts))})
    ds.attrs.update({"material": material, "about": data.get("_about", ""),
                     "sources": json.dumps(data["sources"])})
    return ds
