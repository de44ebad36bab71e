"""Radiative lifetime of a dot with Boltzmann-populated exciton states (SPEC §2).

.. math::

    \\frac{1}{\\tau_{rad}} = \\frac{4 e^2 F^2 n}{3 c^3 \\hbar}
      \\sum_i p_i\\, \\omega_i^3\\, |\\langle 0|\\mathbf r|\\Psi_i\\rangle|^2, \\qquad
    p_i = \\frac{e^{-(E_i-E_0)/k_BT}}{Z},

F = 3ε_out/(ε_in + 2ε_out), n = √ε_out. In eV–nm units
e² ω³ |d|² / (c³ ħ) = (e²)[eV nm] (ħω)³ |d|² / ((ħc)³ ħ) with ħ in eV s, so the rate is in s⁻¹.
"""

from __future__ import annotations

import numpy as np

from qdgain.constants import COULOMB_EV_NM, HBAR_EV_S
from qdgain.optics.cross_section import HBARC_EV_NM, Transitions, boltzmann, local_field_factor

__all__ = ["radiative_rates_per_s", "radiative_lifetime_ns"]


def radiative_rates_per_s(transitions: Transitions, local_field: bool = True) -> np.ndarray:
    """Spontaneous emission rate of each state, Γ_i = 4e²F²n ω_i³ |d_i|² / (3 c³ ħ), s⁻¹."""
    F = local_field_factor(transitions.eps_in, transitions.eps_out) if local_field else 1.0
    n = np.sqrt(transitions.eps_out)
    E = np.asarray(transitions.energies_eV, dtype=float)
    return (4.0 * COULOMB_EV_NM * F**2 * n / 3.0 * E**3 * transitions.dipole_sq_nm2
            / (HBARC_EV_NM**3 * HBAR_EV_S))


def radiative_lifetime_ns(transitions: Transitions, temperature_K: float = 300.0,
                          local_field: bool = True) -> float:
    """τ_rad (ns) of the thermalised exciton manifold of a neutral dot.

    Parameters
    ----------
    transitions : Transitions
        Neutral-dot transitions (:func:`qdgain.optics.neutral_transitions`); every state of the
        CI is Boltzmann-populated.
    temperature_K : float
        Temperature, K (default 300).
    local_field : bool
        Include F² (the SPEC formula does).
    """
    p = boltzmann(transitions.energies_eV, temperature_K)
    rate = float((p * radiative_rates_per_s(transitions, local_field)).sum())
    return 1e9 / rate if rate > 0 else float("inf")
