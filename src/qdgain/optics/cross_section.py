"""Absorption cross section σ(ħω) of one dot in a solvent (SPEC §2), neutral and charged.

.. math::

    \\sigma(\\hbar\\omega) = \\frac{4\\pi^2 e^2 F^2 \\omega}{n c}
      \\sum_i \\overline{|\\langle 0|\\hat e\\cdot\\mathbf r|\\Psi_i\\rangle|^2}\\,
      L(\\hbar\\omega - \\hbar\\omega_i), \\qquad
    F = \\frac{3\\varepsilon_{out}}{\\varepsilon_{in}+2\\varepsilon_{out}},\\quad
    n = \\sqrt{\\varepsilon_{out}},

with the orientation average |ê·d|² → |d|²/3 and L a normalised Gaussian whose standard
deviation is ``broadening_eV`` (35 meV by default; the paper does not say FWHM or σ).
In eV–nm units e² = 1.44 eV nm and ω/c = ħω/(ħc), so
σ [nm²] = 4π² (e²)[eV nm] F² ħω/(n ħc) Σ |d|²/3 L [1/eV]; reported in cm².

A charged dot absorbs through its trions (interband) and through its extra carrier (intraband);
the initial one-carrier states are Boltzmann-populated at ``temperature_K``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from qdgain.constants import C_M_S, COULOMB_EV_NM, HBAR_EV_S, K_B_EV_K
from qdgain.convert import ev_to_nm, nm_to_ev
from qdgain.errors import ParameterError
from qdgain.excitons import Carrier, ChargedDot, Excitons
from qdgain.excitons.coulomb import StatesLike
from qdgain.optics.dipoles import carrier_dipoles_nm, exciton_dipoles_nm, trion_dipoles_nm
from qdgain.units import with_units

__all__ = [
    "Transitions",
    "local_field_factor",
    "neutral_transitions",
    "charged_transitions",
    "intraband_transitions",
    "intraband_limit_eV",
    "cross_section_cm2",
    "integrated_cross_section_cm2_eV",
    "boltzmann",
]

HBARC_EV_NM = HBAR_EV_S * C_M_S * 1e9
NM2_TO_CM2 = 1e-14


@dataclass(frozen=True, slots=True)
class Transitions:
    """Optical transitions of a dot (what σ and τ_rad need).

    Attributes
    ----------
    energies_eV : ndarray (n,)
        Transition energies ħω_i, eV.
    dipole_sq_nm2 : ndarray (n,)
        Population-weighted |⟨i|r|f⟩|² summed over x, y, z, nm².
    kind : ndarray (n,) of str
        ``"exciton"``, ``"trion"`` or ``"intraband"``.
    eps_in, eps_out : float
        Dielectric constants (for the local-field factor; n = √ε_out).
    charge : int
        Charge of the dot the transitions start from.
    """

    energies_eV: np.ndarray
    dipole_sq_nm2: np.ndarray
    kind: np.ndarray
    eps_in: float
    eps_out: float
    charge: int = 0


def local_field_factor(eps_in: float, eps_out: float) -> float:
    """F = 3 ε_out / (ε_in + 2 ε_out) (dimensionless)."""
    if not (eps_in > 0 and eps_out > 0):
        raise ParameterError(f"eps_in = {eps_in}, eps_out = {eps_out}: dielectric constants "
                             "must be > 0")
    return 3.0 * eps_out / (eps_in + 2.0 * eps_out)


def boltzmann(energies_eV: np.ndarray, temperature_K: float) -> np.ndarray:
    """Boltzmann populations p_i = exp(−(E_i − E_min)/k_B T) / Z (T in K; T = 0 → ground level)."""
    e = np.asarray(energies_eV, dtype=float)
    if temperature_K < 0 or not np.isfinite(temperature_K):
        raise ParameterError(f"temperature_K = {temperature_K}: must be a finite number >= 0 K")
    if temperature_K == 0:
        w = (e - e.min() < 1e-4).astype(float)
    else:
        w = np.exp(-(e - e.min()) / (K_B_EV_K * temperature_K))
    return w / w.sum()


def neutral_transitions(excitons: Excitons, states: StatesLike) -> Transitions:
    """Ground state → exciton i transitions of the neutral dot."""
    d = exciton_dipoles_nm(excitons, states)
    return Transitions(energies_eV=np.asarray(excitons.energies_eV, dtype=float),
                       dipole_sq_nm2=(np.abs(d) ** 2).sum(-1),
                       kind=np.full(len(d), "exciton"), eps_in=excitons.eps_in,
                       eps_out=excitons.eps_out, charge=0)


def intraband_lines(carrier: ChargedDot | Carrier, states: StatesLike,
                    temperature_K: float = 300.0) -> tuple[np.ndarray, np.ndarray]:
    """Intraband lines of the extra carrier: energies (eV) and net |d|² (nm²).

    Initial levels i carry Boltzmann populations p_i at ``temperature_K``; a line j > i has
    weight (p_i − p_j) |⟨j|r|i⟩|² (absorption minus stimulated emission).
    """
    ec = carrier.energies_eV if isinstance(carrier, Carrier) else carrier.carrier_energies_eV
    p = boltzmann(ec, temperature_K)
    dc = carrier_dipoles_nm(carrier, states)  # [j, i, x]
    de = ec[:, None] - ec[None, :]
    up = de > 1e-6
    w = (np.abs(dc) ** 2).sum(-1) * (p[None, :] - p[:, None])
    return de[up], w[up]


def intraband_transitions(carrier: Carrier, states: StatesLike,
                          temperature_K: float = 300.0) -> Transitions:
    """Intraband transitions of a dot with one extra carrier, in the carrier's own basis.

    Lines of energy ħω end on levels ħω above (electron) or below (hole) the initial ones, so
    they are complete only up to about ``carrier.span_eV`` − 4 k_B T
    (:func:`intraband_limit_eV`).
    """
    e, w = intraband_lines(carrier, states, temperature_K)
    return Transitions(energies_eV=e, dipole_sq_nm2=w, kind=np.full(e.size, "intraband"),
                       eps_in=carrier.eps_in, eps_out=carrier.eps_out, charge=carrier.charge)


def intraband_limit_eV(carrier: Carrier | ChargedDot, temperature_K: float = 300.0,
                       broadening_eV: float = 0.0) -> float:
    """Photon energy (eV) up to which the intraband spectrum of ``carrier`` is complete.

    Lines start on levels within 4 k_B T of the lowest (populations ≥ e⁻⁴ of the lowest) and end
    inside the basis, so every line below span − 4 k_B T is present; a Gaussian line shape of
    standard deviation ``broadening_eV`` needs 3 of them more.
    """
    e = carrier.energies_eV if isinstance(carrier, Carrier) else carrier.carrier_energies_eV
    return float(np.ptp(e)) - 4.0 * K_B_EV_K * temperature_K - 3.0 * broadening_eV


def charged_transitions(charged: ChargedDot, states: StatesLike, temperature_K: float = 300.0,
                        intraband: bool = True, carrier: Carrier | None = None) -> Transitions:
    """Trion (interband) and extra-carrier (intraband) transitions of a charged dot.

    Initial one-carrier states i carry Boltzmann populations p_i; intraband lines j > i use the
    net population p_i − p_j (absorption minus stimulated emission). ``carrier`` (same charge,
    from :func:`qdgain.excitons.solve_carrier`) supplies the intraband lines from a larger basis
    than the CI active space; without it they come from the active space.
    """
    if carrier is not None and carrier.charge != charged.charge:
        raise ParameterError(f"carrier has charge {carrier.charge} but the charged dot "
                             f"{charged.charge}")
    p = boltzmann(charged.carrier_energies_eV, temperature_K)
    live = p > 1e-8
    dt = trion_dipoles_nm(charged, states)[:, live, :]  # (n_t, n_live, 3)
    e_tr = charged.trion_energies_eV[:, None] - charged.carrier_energies_eV[None, live]
    w_tr = (np.abs(dt) ** 2).sum(-1) * p[None, live]
    energies, d2 = [e_tr.ravel()], [w_tr.ravel()]
    kinds = [np.full(e_tr.size, "trion")]
    if intraband:
        e, w = intraband_lines(charged if carrier is None else carrier, states, temperature_K)
        energies.append(e)
        d2.append(w)
        kinds.append(np.full(e.size, "intraband"))
    return Transitions(energies_eV=np.concatenate(energies), dipole_sq_nm2=np.concatenate(d2),
                       kind=np.concatenate(kinds), eps_in=charged.eps_in,
                       eps_out=charged.eps_out, charge=charged.charge)


def _prefactor_cm2_eV(tr: Transitions, local_field: bool) -> float:
    """4π² e² F² / (n ħc) × 1/3 × nm²→cm²: σ = pref × Σ E |d|² L."""
    F = local_field_factor(tr.eps_in, tr.eps_out) if local_field else 1.0
    n = np.sqrt(tr.eps_out)
    return 4.0 * np.pi**2 * COULOMB_EV_NM * F**2 / (n * HBARC_EV_NM) / 3.0 * NM2_TO_CM2


def integrated_cross_section_cm2_eV(transitions: Transitions, local_field: bool = True,
                                    kind: str | None = None) -> float:
    """Analytic ∫σ d(ħω) (cm² eV) = pref × Σ_i ħω_i |d_i|² (Gaussian lines, mean ħω_i)."""
    sel = np.ones(len(transitions.energies_eV), bool) if kind is None else \
        transitions.kind == kind
    return float(_prefactor_cm2_eV(transitions, local_field)
                 * (transitions.energies_eV[sel] * transitions.dipole_sq_nm2[sel]).sum())


def cross_section_cm2(transitions: Transitions, photon_energy_eV: np.ndarray | None = None,
                      broadening_eV: float = 0.035, local_field: bool = True, *,
                      wavelength_nm: np.ndarray | None = None,
                      kind: str | None = None) -> xr.DataArray:
    """σ(ħω) in cm² on an energy grid (eV) or a wavelength grid (nm), formula in module doc.

    Parameters
    ----------
    transitions : Transitions
        From :func:`neutral_transitions` or :func:`charged_transitions`.
    photon_energy_eV : array, optional
        Photon energies, eV (give this or ``wavelength_nm``).
    broadening_eV : float
        Standard deviation of the Gaussian line shape, eV (> 0).
    local_field : bool
        Multiply by F² (F from ε_in, ε_out of the transitions).
    wavelength_nm : array, optional
        Vacuum wavelengths, nm; the result then has a ``wavelength`` dim.
    kind : str, optional
        Keep only one kind of transition (``"exciton"``, ``"trion"``, ``"intraband"``).

    Returns
    -------
    xarray.DataArray ``sigma`` (cm²) on ``photon_energy`` (eV) or ``wavelength`` (nm).
    """
    if not (np.isfinite(broadening_eV) and broadening_eV > 0):
        raise ParameterError(f"broadening_eV = {broadening_eV!r}: the Gaussian width must be "
                             "> 0 eV (default 0.035)")
    if (photon_energy_eV is None) == (wavelength_nm is None):
        raise ParameterError("give exactly one of photon_energy_eV or wavelength_nm")
    if wavelength_nm is not None:
        grid = np.asarray(wavelength_nm, dtype=float)
        E = np.asarray(nm_to_ev(grid), dtype=float)
        dim, units = "wavelength", "nm"
    else:
        grid = np.asarray(photon_energy_eV, dtype=float)
        E = grid
        if np.any(E <= 0):
            raise ParameterError("photon energies must be > 0 eV")
        dim, units = "photon_energy", "eV"
    sel = np.ones(len(transitions.energies_eV), bool) if kind is None else \
        transitions.kind == kind
    Ei = transitions.energies_eV[sel]
    d2 = transitions.dipole_sq_nm2[sel]
    s = broadening_eV
    L = np.exp(-0.5 * ((E[:, None] - Ei[None, :]) / s) ** 2) / (s * np.sqrt(2 * np.pi))
    sigma = _prefactor_cm2_eV(transitions, local_field) * E * (L @ d2)
    da = xr.DataArray(sigma, dims=[dim], name="sigma",
                      coords={dim: with_units(xr.DataArray(grid, dims=[dim]), units)})
    if dim == "photon_energy":
        da = da.assign_coords(wavelength=with_units(
            xr.DataArray(np.asarray(ev_to_nm(E)), dims=[dim]), "nm"))
    da.attrs.update({"broadening_eV": float(broadening_eV), "local_field": int(local_field),
                     "eps_in": transitions.eps_in, "eps_out": transitions.eps_out,
                     "charge": transitions.charge})
    return with_units(da, "cm^2", "absorption cross section")
