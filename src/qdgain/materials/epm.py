"""Local empirical pseudopotential (EPM) bands of zincblende crystals: an independent reference.

Used to give tight-binding fits zone-boundary targets (X, L) where no k·p reference exists, from
a published band-structure model: the local form factors of Cohen & Bergstresser, Phys. Rev.
141, 789 (1966) (no spin–orbit coupling; numbers as tabulated in the public file
AwadhootLoharkar/SSP_and_NM, Misc/CohenBergstresser_1966.m, commit 9c044d3).
Plane-wave Hamiltonian (atoms at ±τ,
τ = a(1,1,1)/8, G in units of 2π/a, form factors in Ry, nonzero only for |G|^2 = 3, 4, 8, 11):

.. math::

    H_{G,G'}(k) = \\frac{\\hbar^2}{2m_0}|k + G|^2\\,\\delta_{GG'}
        + V_S(|G-G'|^2)\\cos((G-G')\\cdot\\tau) + i\\,V_A(|G-G'|^2)\\sin((G-G')\\cdot\\tau)

All plane waves with |G|^2 <= ``cutoff`` (2π/a)^2 are kept (the default 21 gives 113 waves,
converged to a few meV for the levels used). The Rydberg is ħ²/(2 m0 a_B²) from
:mod:`qdgain.constants`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from qdgain.constants import BOHR_M, HBAR2_2M_EV_NM2
from qdgain.errors import ParameterError

__all__ = ["EPMFormFactors", "COHEN_BERGSTRESSER_1966", "epm_bands"]

#: Rydberg energy (eV), ħ²/(2 m0 a_B²)
RYDBERG_EV = HBAR2_2M_EV_NM2 / (BOHR_M * 1e9) ** 2


@dataclass(frozen=True, slots=True)
class EPMFormFactors:
    """Local pseudopotential form factors of one zincblende crystal.

    Attributes
    ----------
    name : str
        Material.
    a_angstrom : float
        Lattice constant used with the form factors, Å.
    vs, va : dict
        Symmetric and antisymmetric form factors (Ry) keyed by |G|^2 in units of (2π/a)^2.
    source : str
        Citation.
    """

    name: str
    a_angstrom: float
    vs: dict[int, float]
    va: dict[int, float]
    source: str


_CB66 = ("M. L. Cohen and T. K. Bergstresser, Phys. Rev. 141, 789 (1966) (local form factors, "
         "Ry, and lattice constant as used there; read from GitHub AwadhootLoharkar/SSP_and_NM "
         "Misc/CohenBergstresser_1966.m @ 9c044d3)")
#: Published local form factors (Ry) of Cohen & Bergstresser (1966)
COHEN_BERGSTRESSER_1966 = {
    "CdTe": EPMFormFactors("CdTe", 6.41, {3: -0.20, 8: 0.00, 11: 0.04},
                           {3: 0.15, 4: 0.09, 11: 0.04}, _CB66),
    "GaAs": EPMFormFactors("GaAs", 5.64, {3: -0.23, 8: 0.01, 11: 0.06},
                           {3: 0.07, 4: 0.05, 11: 0.01}, _CB66),
}


def _g_vectors(cutoff: float) -> np.ndarray:
    n = int(np.ceil(np.sqrt(cutoff))) + 1
    g = np.array([v for v in itertools.product(range(-n, n + 1), repeat=3)
                  # fcc reciprocal lattice (bcc): all-even or all-odd integer triples
                  if len({c % 2 for c in v}) == 1], dtype=float)
    return g[np.einsum("ij,ij->i", g, g) <= cutoff + 1e-9]


def epm_bands(ff: EPMFormFactors, k_2pi_a: np.ndarray, *, cutoff: float = 21.0,
              n_bands: int = 12) -> np.ndarray:
    """Lowest band energies (eV) at k-points given in units of 2π/a (zero: as computed).

    Parameters
    ----------
    ff : EPMFormFactors
        Form factors and lattice constant.
    k_2pi_a : array (nk, 3) or (3,)
        k-points, units of 2π/a.
    cutoff : float
        Plane-wave cutoff |G|^2 in units of (2π/a)^2.
    n_bands : int
        Bands returned per k-point (lowest first).
    """
    if cutoff < 3:
        raise ParameterError(f"cutoff must be >= 3 (2π/a)^2, got {cutoff}")
    k = np.atleast_2d(np.asarray(k_2pi_a, dtype=float))
    g = _g_vectors(cutoff)
    if n_bands > len(g):
        raise ParameterError(f"n_bands = {n_bands} exceeds the {len(g)} plane waves; raise cutoff")
    a_nm = ff.a_angstrom / 10.0
    unit_ev = HBAR2_2M_EV_NM2 * (2.0 * np.pi / a_nm) ** 2      # ħ²/2m (2π/a)^2 in eV
    dg = g[:, None, :] - g[None, :, :]
    dg2 = np.rint(np.einsum("ijk,ijk->ij", dg, dg)).astype(int)
    phase = 2.0 * np.pi * dg.sum(axis=-1) / 8.0                 # (G - G')·τ, τ = a(1,1,1)/8
    vs = np.vectorize(lambda q: ff.vs.get(int(q), 0.0))(dg2)
    va = np.vectorize(lambda q: ff.va.get(int(q), 0.0))(dg2)
    v = RYDBERG_EV * (vs * np.cos(phase) + 1j * va * np.sin(phase))
    out = np.empty((len(k), n_bands))
    for i, kk in enumerate(k):
        kin = unit_ev * np.einsum("ij,ij->i", kk + g, kk + g)
        out[i] = np.linalg.eigvalsh(v + np.diag(kin))[:n_bands]
    return out
