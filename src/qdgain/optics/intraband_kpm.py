"""Intraband σ of a charged dot without the deep states: Chebyshev spectral densities.

The dense deep basis (:func:`qdgain.excitons.solve_carrier` on hundreds of states) costs minutes
at 3.5 nm and is out of reach beyond. The lines it gives are, per initial level i,

.. math::

    \\sigma(\\hbar\\omega) = \\mathcal P\\,\\hbar\\omega \\sum_i p_i \\sum_{x}
        \\langle x i|\\, G_s\\big(\\epsilon_i \\mp \\hbar\\omega - H'\\big)\\, |x i\\rangle ,
    \\qquad H' = H \\pm \\Sigma(R)

(upper sign electron, lower sign hole; 𝒫 the prefactor of
:mod:`qdgain.optics.cross_section`, G_s a normalised Gaussian of standard deviation s, Σ(R)
the surface-polarisation self-energy as a site potential, |x i⟩ = x|i⟩). The spectral density
of each vector x|i⟩ is expanded in Chebyshev polynomials of H̃' (moments by
:func:`qdgain.electronic.kpm.vector_moments`, the fused kernel); the Gaussian itself is
expanded, so no damping kernel is needed, with N = ⌈5.5 h / s⌉ moments (truncation
≈ exp(−(N s/h)²/2) ≈ 3e-7 of the peak; h the half spectral width).

The band-edge states already computed split the sum: lines among them come exactly from
:func:`~qdgain.optics.cross_section.intraband_transitions` (net populations p_i − p_f), and the
vectors x|i⟩ are projected off them, so the expansion only adds the lines into the unpopulated
rest of the spectrum. Final states of the other band sit at ħω < 0 and drop out.
Approximation: the final states see H ± Σ rather than Σ projected on one band (second order in
Σ / gap).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.fft
import scipy.sparse as sp
import xarray as xr

from qdgain.electronic.filters import spectral_bounds
from qdgain.electronic.kpm import vector_moments
from qdgain.errors import ParameterError
from qdgain.excitons import coulomb_kernel, solve_carrier
from qdgain.excitons.coulomb import CoulombKernel, StatesLike
from qdgain.optics.cross_section import (
    _prefactor_cm2_eV,
    boltzmann,
    cross_section_cm2,
    intraband_transitions,
)
from qdgain.units import with_units

__all__ = ["intraband_cross_section_kpm", "gaussian_chebyshev_coefficients"]

#: moments per (half spectral width / Gaussian standard deviation)
MOMENTS_PER_WIDTH = 5.5


def gaussian_chebyshev_coefficients(centres_eV: np.ndarray, sigma_eV: float,
                                    bounds_eV: tuple[float, float], n_moments: int
                                    ) -> np.ndarray:
    """a_k(E) with G_s(E − H) = Σ_k a_k(E) T_k(H̃), H̃ = (H − c)/h; shape (n_E, N), 1/eV.

    a_k = (2 − δ_k0)/π ∫ G_s(E − c − h x) T_k(x) / √(1 − x²) dx by Chebyshev–Gauss quadrature on
    K = 2N nodes (a DCT-II), exact up to the Gaussian's own truncation.
    """
    lo, hi = bounds_eV
    c, h = 0.5 * (hi + lo), 0.5 * (hi - lo)
    K = 2 * n_moments
    x = np.cos(np.pi * (np.arange(K) + 0.5) / K)
    g = np.exp(-0.5 * ((np.asarray(centres_eV)[:, None] - c - h * x[None, :]) / sigma_eV) ** 2)
    g /= sigma_eV * np.sqrt(2.0 * np.pi)
    a = scipy.fft.dct(g, type=2, axis=1)[:, :n_moments] / K   # Σ_j g_j cos(kθ_j) × 2/K
    a[:, 0] *= 0.5
    return a


def intraband_cross_section_kpm(ham: Any, states: StatesLike, charge: int, eps_in: float,
                                eps_out: float = 2.25, photon_energy_eV: np.ndarray | None = None,
                                *, broadening_eV: float = 0.035, temperature_K: float = 300.0,
                                kernel: CoulombKernel | None = None,
                                min_population: float = 1e-4) -> xr.DataArray:
    """Intraband σ(ħω) (cm²) of one extra electron (−1) or hole (+1), formula in module doc.

    Parameters
    ----------
    ham : TBHamiltonian
        The dot's Hamiltonian (``matrix``, ``n_orbitals``, ``atom_of_basis``).
    states : States
        Its band-edge states (all populated carrier levels must be among them).
    charge : int
        −1 or +1.
    eps_in, eps_out : float
        Dielectric constants (self-energy and local field).
    photon_energy_eV : array
        Photon energies, eV (> 0).
    broadening_eV : float
        Gaussian standard deviation, eV.
    temperature_K : float
        Carrier temperature, K.
    kernel : CoulombKernel, optional
        Precomputed kernel (its self-energy is used).
    min_population : float
        Initial levels below this Boltzmann population are left out.
    """
    if photon_energy_eV is None:
        raise ParameterError("give photon_energy_eV (eV)")
    E = np.asarray(photon_energy_eV, dtype=float)
    if np.any(E <= 0) or not np.all(np.isfinite(E)):
        raise ParameterError("photon energies must be finite and > 0 eV")
    if not (np.isfinite(broadening_eV) and broadening_eV > 0):
        raise ParameterError(f"broadening_eV = {broadening_eV!r}: must be > 0 eV")
    if np.asarray(states.vectors).shape[0] != ham.matrix.shape[0] or (
            getattr(states, "hamiltonian_hash", None) not in (None, "")
            and getattr(ham, "content_hash", None) not in (None, states.hamiltonian_hash)):
        raise ParameterError("states and ham belong to different Hamiltonians (rows "
                             f"{np.asarray(states.vectors).shape[0]} vs {ham.matrix.shape[0]}); "
                             "pass the Hamiltonian the states were solved from")
    if kernel is None:
        kernel = coulomb_kernel(states.positions_nm, eps_in, eps_out)
    c = solve_carrier(states, charge, eps_in, eps_out, kernel=kernel)
    exact = intraband_transitions(c, states, temperature_K)
    sigma = cross_section_cm2(exact, E, broadening_eV).values
    # initial levels: electron-picture energies ε' (hole: ε' = −E_h) and vectors
    p = boltzmann(c.energies_eV, temperature_K)
    live = np.flatnonzero(p >= min_population)
    C = np.asarray(states.vectors)[:, c.states]
    vi = C @ c.vectors[:, live]
    eps_i = c.energies_eV[live] if charge == -1 else -c.energies_eV[live]
    atom = np.asarray(states.atom_of_basis)
    pos = np.asarray(states.positions_nm, dtype=float)
    # x|i⟩ for x, y, z, projected off every computed state (their lines are in `exact`)
    Z = np.concatenate([pos[atom, a][:, None] * vi for a in range(3)], axis=1)
    Call = np.asarray(states.vectors)
    Z -= Call @ (Call.conj().T @ Z)
    s_site = np.asarray(kernel.self_energy_eV)[atom]
    Hp = ham.matrix + sp.diags(s_site if charge == -1 else -s_site)
    bounds = spectral_bounds(lambda x: Hp @ x, Hp.shape[0], 40, 0)
    n_mom = int(np.ceil(MOMENTS_PER_WIDTH * 0.5 * (bounds[1] - bounds[0]) / broadening_eV))
    n_mom += n_mom % 2
    mu, bounds, _ = vector_moments(sp.csr_matrix(Hp), ham.n_orbitals, Z, n_mom, bounds)
    mu = mu.reshape(n_mom, 3, len(live)).sum(axis=1)            # Σ over x, y, z: (N, n_live)
    pref = _prefactor_cm2_eV(exact, local_field=True)
    for j, (e0, pj) in enumerate(zip(eps_i, p[live], strict=True)):
        centres = e0 + E if charge == -1 else e0 - E
        a = gaussian_chebyshev_coefficients(centres, broadening_eV, bounds, n_mom)
        sigma += pref * E * pj * (a @ mu[:, j])
    return xr.DataArray(sigma, dims=["photon_energy"], name="sigma_intraband",
                        coords={"photon_energy": with_units(
                            xr.DataArray(E, dims=["photon_energy"]), "eV")},
                        attrs={"units": "cm^2", "method": "exact band-edge lines + Chebyshev",
                               "n_moments": n_mom})
