"""One extra carrier in a dot: its levels in a large basis, for intraband absorption.

A dot with one extra electron (charge −1) or hole (+1) absorbs below the gap by lifting that
carrier to a higher level of its own band. Those lines reach far into the band — the hole lines
near the band-edge bleach (ħω ≈ X1) end on valence states about X1 below VB1 — so they need many
more states than the band-edge CI (:mod:`.charged`, whose trion basis grows as N_c² N_other).
The carrier alone costs only an N_c × N_c matrix (eV):

.. math::

    h^{e}_{cc'} = \\varepsilon_c\\,\\delta_{cc'} + \\Sigma_{cc'}, \\qquad
    h^{h}_{vv'} = -\\varepsilon_v\\,\\delta_{vv'} + \\Sigma_{v'v}, \\qquad
    \\Sigma_{ab} = \\sum_R \\rho_{ab}(R)\\, \\Sigma(R),

with Σ(R) the surface-polarisation self-energy of a unit charge on site R
(:class:`~qdgain.excitons.coulomb.CoulombKernel`); the same one-body terms as the exciton and
trion CI, so the levels agree with theirs on the shared states. Σ is one product
C_aᴴ diag(Σ(R)) C_b, never the (n_atoms, N_c, N_c) transition-density array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdgain.errors import ParameterError
from qdgain.excitons.ci import level_groups
from qdgain.excitons.coulomb import CoulombKernel, StatesLike, coulomb_kernel, site_matrix

__all__ = ["Carrier", "solve_carrier"]


@dataclass(frozen=True, slots=True)
class Carrier:
    """Levels of one extra carrier (saved results).

    Attributes
    ----------
    charge : int
        −1 (electron) or +1 (hole).
    energies_eV : ndarray (n,)
        Carrier energies (electron: ε + Σ; hole: −ε_v + Σ), ascending, eV.
    vectors : ndarray (n, n) complex
        Eigenvectors in the basis ``states`` (columns of ``States.vectors``).
    states : ndarray of int
        Basis: the conduction (electron) or valence (hole) states, nearest the gap first.
    eps_in, eps_out : float
        Dielectric constants of the self-energy.
    """

    charge: int
    energies_eV: np.ndarray
    vectors: np.ndarray
    states: np.ndarray
    eps_in: float
    eps_out: float

    @property
    def span_eV(self) -> float:
        """Energy range of the basis (eV): no intraband line from the lowest level is longer."""
        return float(self.energies_eV[-1] - self.energies_eV[0])


def solve_carrier(states: StatesLike, charge: int, eps_in: float, eps_out: float = 2.25,
                  n_states: int | None = None, *, kernel: CoulombKernel | None = None,
                  lattice_constant_nm: float = 0.646, polarisation: bool = True) -> Carrier:
    """Levels of one extra electron (charge −1) or hole (+1), formula in the module doc.

    Parameters
    ----------
    states : States
        Single-particle states (docs/interfaces.md); intraband lines of energy ħω need the states
        within about ħω + 0.1 eV of the band edge.
    charge : int
        −1 or +1.
    eps_in, eps_out : float
        Dielectric constants inside / outside (> 0).
    n_states : int, optional
        Carrier basis: this many states of the band nearest the gap (complete multiplets);
        default every computed state of that band.
    kernel : CoulombKernel, optional
        Precomputed kernel (only its self-energy is used).
    lattice_constant_nm : float
        Lattice constant (nm) for the on-site regularisation of a kernel built here.
    polarisation : bool
        Include the surface-polarisation self-energy (False: Σ = 0, bare TB levels).
    """
    if charge not in (-1, 1):
        raise ParameterError(f"charge = {charge!r}: one extra carrier is -1 (electron) or +1 "
                             "(hole)")
    if not (eps_in > 0 and eps_out > 0):
        raise ParameterError(f"eps_in = {eps_in}, eps_out = {eps_out}: must be > 0")
    cond, val = level_groups(states)
    groups = cond if charge == -1 else val
    have = sum(len(g) for g in groups)
    if have == 0:
        raise ParameterError(f"no {'conduction' if charge == -1 else 'valence'} states computed")
    n = have if n_states is None else n_states
    sizes = np.cumsum([len(g) for g in groups])
    if not isinstance(n, (int, np.integer)) or n < 1 or n > have:
        raise ParameterError(f"n_states = {n_states!r}: need 1 ... {have} (computed states of "
                             "the band)")
    if n not in sizes:
        raise ParameterError(f"n_states = {n} splits a degenerate level; use one of "
                             f"{[int(s) for s in sizes if abs(s - n) <= 8]}")
    idx = np.concatenate(groups)[:n]
    e = np.asarray(states.energies_eV, dtype=float)[idx]
    h = np.diag(e if charge == -1 else -e).astype(complex)
    if polarisation and eps_in != eps_out:
        if kernel is None:
            kernel = coulomb_kernel(states.positions_nm, eps_in, eps_out,
                                    lattice_constant_nm=lattice_constant_nm)
        sig = site_matrix(states, idx, idx, kernel.self_energy_eV)
        h += sig if charge == -1 else sig.T
    w, v = np.linalg.eigh(0.5 * (h + h.conj().T))
    return Carrier(charge=int(charge), energies_eV=w, vectors=v, states=idx,
                   eps_in=float(eps_in), eps_out=float(eps_out))
