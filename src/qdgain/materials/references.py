"""Bulk reference targets from the 8-band k·p constants of ``bulk_references.json``.

Band-edge masses of the 8-band Kane model with remote Luttinger parameters (gamma1, gamma2,
gamma3), Kane energy E_P, remote F, gap E_g = E(Γ6) − E(Γ8) (negative when inverted) and
spin–orbit splitting Δ (Novik et al., PRB 72, 035321 (2005), Eqs. for k -> 0):

.. math::

    \\frac{m_0}{m_{lh}^{[100]}} = -(\\gamma_1 + 2\\gamma_2) - \\frac{2E_P}{3E_g},\\qquad
    \\frac{m_0}{m_{lh}^{[111]}} = -(\\gamma_1 + 2\\gamma_3) - \\frac{2E_P}{3E_g}

    \\frac{m_0}{m_{hh}^{[100]}} = -(\\gamma_1 - 2\\gamma_2),\\qquad
    \\frac{m_0}{m_{hh}^{[111]}} = -(\\gamma_1 - 2\\gamma_3)

    \\frac{m_0}{m_{\\Gamma 6}} = 1 + 2F + \\frac{E_P}{3}\\Big(\\frac{2}{E_g}
        + \\frac{1}{E_g + \\Delta}\\Big)

In HgTe (E_g < 0) the "light hole" Γ8 band is the light *conduction* band (upper Γ8 pair, positive
mass) and Γ6 curves down. With the kdotpy HgTe constants at 0 K these give 0.0276, 0.0289, −0.32,
−0.67 and −0.031 m0, the values stored in the file (checked by the tests).
"""

from __future__ import annotations

import json
from typing import Any

from qdgain.errors import ParameterError
from qdgain.materials.parameters import _data_dir
from qdgain.materials.targets import Target

__all__ = ["bulk_reference", "kp_gap_eV", "kp_masses", "kp_targets"]


def bulk_reference(material: str) -> dict[str, Any]:
    """The ``bulk_references.json`` entry of a material (HgTe, CdTe)."""
    data = json.loads((_data_dir() / "bulk_references.json").read_text())
    if material not in data or material.startswith("_"):
        known = [k for k in data if not k.startswith("_")]
        raise ParameterError(f"no bulk reference for {material!r}; known: {known}")
    return data[material]


def kp_gap_eV(material: str, temperature_K: float) -> float:
    """E(Γ6) − E(Γ8) (eV) at temperature T from the reference's Varshni-type formula."""
    if temperature_K < 0:
        raise ParameterError(f"temperature must be >= 0 K, got {temperature_K}")
    ref = bulk_reference(material)
    t = float(temperature_K)
    if material == "HgTe":
        return (-303.0 + 0.495 * t**2 / (11.0 + t)) / 1000.0
    if material == "CdTe":
        return (1606.0 - 0.325 * t**2 / (78.7 + t)) / 1000.0
    raise ParameterError(f"no gap formula for {material!r} in {sorted(ref)}")


def kp_masses(material: str, temperature_K: float = 0.0) -> dict[str, float]:
    """8-band k·p band-edge masses (m0) at temperature T (module docstring formulas)."""
    ref = bulk_reference(material)
    g1, g2, g3 = ref["Luttinger_remote_gamma1_2_3"]
    ep, f, delta = ref["Ep_eV"], ref.get("F", 0.0), ref["Delta_so_eV"]
    eg = kp_gap_eV(material, temperature_K)
    kane = 2.0 * ep / (3.0 * eg)
    return {
        "light_100": 1.0 / (-(g1 + 2 * g2) - kane),
        "light_111": 1.0 / (-(g1 + 2 * g3) - kane),
        "heavy_100": 1.0 / (-(g1 - 2 * g2)),
        "heavy_111": 1.0 / (-(g1 - 2 * g3)),
        "Gamma6": 1.0 / (1.0 + 2.0 * f + ep / 3.0 * (2.0 / eg + 1.0 / (eg + delta))),
    }


def kp_targets(material: str = "HgTe", temperature_K: float = 0.0) -> list[Target]:
    """Fit targets (gap, Δ, E_P, five masses) for an inverted-gap material such as HgTe.

    Tolerances: 2 meV on the gap, 10 meV on Δ, 2 % on E_P and the light masses, 5 % on the heavy
    and Γ6 masses (the k·p remote parameters themselves are uncertain at that level).
    """
    ref = bulk_reference(material)
    src = f"bulk_references.json [{material}] at {temperature_K:g} K: {ref['source']}"
    eg = kp_gap_eV(material, temperature_K)
    m = kp_masses(material, temperature_K)
    light, heavy = ("Gamma8_upper", "Gamma8_lower") if eg < 0 else ("Gamma8_lower",
                                                                      "Gamma8_upper")
    return [
        Target("E6_minus_E8", eg, tolerance=0.002, source=src),
        Target("Delta_so", ref["Delta_so_eV"], tolerance=0.01, source=src),
        Target("Ep", ref["Ep_eV"], tolerance=0.02, source=src),
        Target("mass", m["light_100"], band=light, direction="100", tolerance=0.02,
               source=src + " (8-band formula)"),
        Target("mass", m["light_111"], band=light, direction="111", tolerance=0.02,
               source=src + " (8-band formula)"),
        Target("mass", m["heavy_100"], band=heavy, direction="100", tolerance=0.05,
               source=src + " (8-band formula)"),
        Target("mass", m["heavy_111"], band=heavy, direction="111", tolerance=0.05,
               source=src + " (8-band formula)"),
        Target("mass", m["Gamma6"], band="Gamma6", direction="100", tolerance=0.05,
               source=src + " (8-band formula)"),
    ]
