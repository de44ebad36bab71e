"""High-energy absorption from all single-particle transitions (independent particles).

Far above the gap (e.g. 400 nm, 3.1 eV) Coulomb effects on σ are small and the exciton CI basis
would need thousands of states, so σ is summed over every occupied → empty transition of a full
diagonalisation, with the same prefactor as :mod:`qdgain.optics.cross_section`:

.. math::

    \\sigma(\\hbar\\omega) = \\frac{4\\pi^2 e^2 F^2 \\omega}{n c}\\, g
      \\sum_{o,u} \\frac{|\\langle u|\\mathbf r|o\\rangle|^2}{3}\\, L(\\hbar\\omega - E_u + E_o),

g = 2 for the spin-free block (spin-conserving dipoles), 1 with SOC. Per dot volume
V = N_atoms a³/8 this is compared with the bulk intrinsic absorption μ_i (SPEC §3).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from qdgain.constants import COULOMB_EV_NM
from qdgain.errors import ParameterError
from qdgain.optics.cross_section import HBARC_EV_NM, NM2_TO_CM2, local_field_factor
from qdgain.optics.dielectric import dense_spectrum
from qdgain.units import with_units

__all__ = ["independent_particle_cross_section_cm2", "dot_volume_cm3"]


def dot_volume_cm3(n_atoms: int, lattice_constant_nm: float) -> float:
    """Volume of a zincblende dot of ``n_atoms`` atoms, N a³/8, in cm³ (a in nm)."""
    return n_atoms * lattice_constant_nm**3 / 8.0 * 1e-21


def independent_particle_cross_section_cm2(ham: Any, photon_energy_eV: np.ndarray,
                                           eps_in: float, eps_out: float = 2.25,
                                           broadening_eV: float = 0.035, *,
                                           spectrum: tuple | None = None) -> xr.DataArray:
    """σ(ħω) (cm²) from all occupied → empty single-particle transitions (formula above).

    Parameters
    ----------
    ham : TBHamiltonian
        Hamiltonian of the dot (``soc=False`` uses the spin block, g = 2).
    photon_energy_eV : array
        Photon energies, eV.
    eps_in, eps_out : float
        Dielectric constants for the local-field factor F; n = √ε_out.
    broadening_eV : float
        Gaussian standard deviation, eV.
    spectrum : tuple, optional
        Output of :func:`qdgain.optics.dielectric.dense_spectrum` to reuse.
    """
    if not broadening_eV > 0:
        raise ParameterError(f"broadening_eV = {broadening_eV}: must be > 0 eV")
    E = np.asarray(photon_energy_eV, dtype=float)
    w, C, atom, g, n_occ = dense_spectrum(ham) if spectrum is None else spectrum
    pos = np.asarray(ham.positions_nm, dtype=float)
    pos = pos - pos.mean(axis=0)
    xb = pos[atom]
    de = w[n_occ:][:, None] - w[:n_occ][None, :]
    lo, hi = E.min() - 6 * broadening_eV, E.max() + 6 * broadening_eV
    keep_o = np.flatnonzero(w[:n_occ] > w[n_occ] - hi)
    keep_u = np.flatnonzero(w[n_occ:] < w[n_occ - 1] + hi)
    de = de[np.ix_(keep_u, keep_o)]
    Co, Cu = C[:, keep_o], C[:, n_occ + keep_u]
    d2 = np.zeros(de.shape)
    for x in range(3):
        d2 += np.abs(Cu.conj().T @ (xb[:, x][:, None] * Co)) ** 2
    m = (de > lo) & (de < hi)
    de, d2 = de[m], d2[m]
    s = broadening_eV
    L = np.exp(-0.5 * ((E[:, None] - de[None, :]) / s) ** 2) / (s * np.sqrt(2 * np.pi))
    F = local_field_factor(eps_in, eps_out)
    pref = 4 * np.pi**2 * COULOMB_EV_NM * F**2 / (np.sqrt(eps_out) * HBARC_EV_NM) / 3.0
    sigma = pref * g * E * (L @ d2) * NM2_TO_CM2
    da = xr.DataArray(sigma, dims=["photon_energy"], name="sigma",
                      coords={"photon_energy": with_units(
                          xr.DataArray(E, dims=["photon_energy"]), "eV")})
    da.attrs.update({"broadening_eV": float(s), "eps_in": float(eps_in),
                     "eps_out": float(eps_out), "spin_degeneracy": int(g)})
    return with_units(da, "cm^2", "independent-particle absorption cross section")
