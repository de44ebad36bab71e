"""Conversion of sp3s* sets in Vogl–Hjalmarson–Dow notation to two-centre integrals.

Vogl et al., J. Phys. Chem. Solids 44, 365 (1983) write the zincblende Bloch Hamiltonian with
sums over the four anion->cation bonds d = a/4 (±1, ±1, ±1). Summing the Slater–Koster table over
those bonds gives (``GaAs_validation_sets.json``, ``_vogl_to_two_centre``):

.. math::

    V_{ss\\sigma} = V(s,s)/4,\\quad V_{pp\\sigma} = [V(x,x) + 2V(x,y)]/4,\\quad
    V_{pp\\pi} = [V(x,x) - V(x,y)]/4,\\quad
    V_{sp\\sigma}(s_X, p_Y) = \\tfrac{\\sqrt3}{4} V(s_X, p_Y)

where the s-p integral is taken along the bond from the s atom to the p atom (the same rule for
s*-p pairs), and spin-orbit lambda = Delta/3 on each p shell (H_SO = lambda L.sigma). The Vogl
model has no s-s* or s*-s* hopping: those integrals are zero *by the model's definition* and are
written out explicitly, so the loader's completeness check still applies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from qdgain.errors import ParameterError

__all__ = ["vogl_sets", "vogl_to_native"]

_VOGL_KEYS = ("Esa", "Epa", "Esc", "Epc", "Es*a", "Es*c", "Vss", "Vxx", "Vxy", "Vsa_pc", "Vsc_pa",
              "Vs*a_pc", "Vpa_s*c")


def vogl_to_native(entry: Mapping[str, Any], cation: str = "Ga",
                   anion: str = "As") -> dict[str, Any]:
    """Native parameter layout of one ``vogl_sp3s*`` entry of ``GaAs_validation_sets.json``.

    Parameters
    ----------
    entry : mapping
        One element of ``sets`` (keys ``id``, ``source``, ``model``).
    cation, anion : str
        Species names.
    """
    sid = str(entry.get("id", "?"))
    model = entry.get("model", {})
    vp = model.get("vogl_params_eV", {})
    for key in _VOGL_KEYS:
        raw = vp.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ParameterError(f"set {sid!r}: field {key!r} (Vogl sp3s* parameters) is missing or"
                                 f" not numeric ({raw!r}); fix GaAs_validation_sets.json")
    for key in ("Delta_a_eV", "Delta_c_eV", "a_angstrom", "n_electrons"):
        if not isinstance(model.get(key), int | float):
            raise ParameterError(f"set {sid!r}: field {key!r} (Vogl model) missing or not numeric")
    r = math.sqrt(3.0) / 4.0
    nn1 = {
        "ss_sigma": vp["Vss"] / 4.0,
        "sp_sigma": r * vp["Vsc_pa"],     # cation s -> anion p
        "ps_sigma": r * vp["Vsa_pc"],     # anion s -> cation p (stored with cation orbital first)
        "pp_sigma": (vp["Vxx"] + 2.0 * vp["Vxy"]) / 4.0,
        "pp_pi": (vp["Vxx"] - vp["Vxy"]) / 4.0,
        "s*p_sigma": r * vp["Vpa_s*c"],   # cation s* -> anion p
        "ps*_sigma": r * vp["Vs*a_pc"],   # anion s* -> cation p
        "ss*_sigma": 0.0, "s*s_sigma": 0.0, "s*s*_sigma": 0.0,
    }
    return {
        "name": sid.removeprefix("validation_"),
        "source": str(entry.get("source", "")),
        "units": "eV; lattice constant in angstrom",
        "energy_reference": "as in the source (Vogl notation)",
        "lattice": {"structure": "zincblende", "a_angstrom": model["a_angstrom"],
                    "cation": cation, "anion": anion},
        "orbitals": ["s", "px", "py", "pz", "s*"],
        "n_electrons": model["n_electrons"],
        "onsite": {cation: {"s": vp["Esc"], "p": vp["Epc"], "s*": vp["Es*c"]},
                   anion: {"s": vp["Esa"], "p": vp["Epa"], "s*": vp["Es*a"]}},
        f"first_neighbour_{cation}_{anion}": nn1,
        "spin_orbit": {cation: {"p": model["Delta_c_eV"] / 3.0},
                       anion: {"p": model["Delta_a_eV"] / 3.0}},
        "provenance": {"converted_from": "Vogl notation", "expected": entry.get("expected", ""),
                       "our_check": entry.get("our_check", {})},
    }


def vogl_sets(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """All sets of a ``GaAs_validation_sets.json``-like document, keyed by id (no prefix)."""
    out = {}
    for entry in data.get("sets", []):
        if entry.get("model", {}).get("form") != "vogl_sp3s*":
            continue
        native = vogl_to_native(entry)
        out[native["name"]] = native
    return out
