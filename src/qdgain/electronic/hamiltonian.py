"""Sparse tight-binding Hamiltonian of a nanocrystal (vectorised COO assembly, complex CSR).

Basis: spin-orbital ``atom * (2 norb) + spin * norb + orbital`` (spin 0 = up, 1 = down), energies
in eV. The triplets are built per (species pair × neighbour shell) with NumPy from the one
Slater–Koster implementation in :mod:`qdgain.materials.slater_koster`; no loop runs per atom or
bond.

.. math::

    H = \\sum_i \\big(E^{(0)}_{s_i} \\otimes 1_2 + H^{SO}_{s_i} + U(\\mathbf r_i)\\big)
      + \\sum_{\\langle ij \\rangle} E_{s_i s_j}(\\mathbf r_j - \\mathbf r_i) \\otimes 1_2
      + \\Delta_{pas} \\sum_{\\text{dangling } (i,\\hat n)}
        |h_{i\\hat n}\\rangle\\langle h_{i\\hat n}| \\otimes 1_2

with the sp3 hybrid along a dangling bond |h⟩ = ½|s⟩ + (√3/2) n̂·|p⟩ and the potential energy
of an electron (charge −e) in a static uniform field E, U(r) = e E·(r − r_c) (eV for E in V/nm,
r in nm; r_c = centroid of the atoms, so the field does not move the mean level).

With Δ_pas = ∞ the dangling hybrids are projected out exactly (the Δ → ∞ limit, which a large
finite shift approaches as V²/Δ; docs/boundary_states.md §1):

.. math::

    Q = \\sum_{\\text{dangling } (i,\\hat n)} |h_{i\\hat n}\\rangle\\langle h_{i\\hat n}|
        \\otimes 1_2, \\quad P = 1 - Q, \\quad H' = P H P + c\\, Q

Q is block-diagonal per atom (the hybrids of one atom along distinct tetrahedral directions are
orthonormal: ⟨h|h'⟩ = ¼ + ¾ n̂·n̂' = 0; checked at assembly). H' commutes with Q, so the 2D parked
states (D dangling bonds) are exact eigenvectors with eigenvalue c and decouple, and the rest of
the spectrum is exactly that of P H P on the range of P. c is the largest diagonal element of H
on basis functions that Q does not touch (d and s* orbitals, every orbital of fully bonded
atoms; for the HgTe sets the Te d on-site energy, 9.78 eV): a Rayleigh quotient of P H P, so c
lies inside its spectral interval and Chebyshev/KPM bounds are not inflated, while it is far
above any energy in the gap, so inertia counts and :func:`valence_state_count` are unchanged.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from qdgain.errors import ParameterError
from qdgain.materials import TBParameters, bulk_eigh, load_parameters
from qdgain.materials.slater_koster import hopping_blocks, onsite_energies, spin_orbit_matrix
from qdgain.structure import Nanocrystal

__all__ = [
    "TBHamiltonian",
    "PROJECTION",
    "hamiltonian",
    "estimate_memory_GB",
    "valence_state_count",
    "DEFAULT_PASSIVATION_SHIFT_EV",
    "dangling_hybrid_weight",
]

#: shift (eV) of each dangling sp3 hybrid: far above the conduction-band states of interest
#: (the raw builder's default; the named dot models are in :mod:`qdgain.electronic.models`)
DEFAULT_PASSIVATION_SHIFT_EV = 20.0
#: ``passivation_shift_eV`` value selecting the exact projection of the dangling hybrids
PROJECTION = math.inf
# largest |⟨h|h'⟩ − δ| accepted between the dangling hybrids of one atom (ideal tetrahedral bonds
# give exact zeros up to round-off ~1e-16; a distorted dot would need Löwdin orthogonalisation)
_ORTHO_TOL = 1e-10
# bytes per stored entry during assembly: COO (16 B complex + 2 × 8 B index) + CSR (16 + 4 B)
# + one sorted copy during COO → CSR conversion
_BYTES_PER_ENTRY = 32 + 20 + 20
# two-centre matrix elements below this (eV) are rotation round-off, not couplings
_ZERO_EV = 1e-12


@dataclass(frozen=True, slots=True, eq=False)
class TBHamiltonian:
    """A finalised nanocrystal Hamiltonian (immutable).

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix, complex, (n_basis, n_basis)
        H in eV, Hermitian.
    positions_nm : ndarray (N, 3)
        Atom positions, nm.
    species : ndarray of str (N,)
    orbitals : tuple of str
        Orbital names in basis order (spin not included).
    n_orbitals : int
        Orbitals per atom and spin (norb); 2 norb spin-orbitals per atom.
    atom_of_basis, orbital_of_basis, spin_of_basis : ndarray of int (n_basis,)
        Orbital table of the basis.
    site_ranges : ndarray of int (N + 1,)
        Basis functions of atom a are ``site_ranges[a]:site_ranges[a+1]`` (Kwant style).
    n_valence : int
        Number of spin-orbital states below the gap (bond and electron counting, see
        :func:`valence_state_count`).
    bulk_vbm_eV, bulk_cbm_eV : float
        Bulk valence-band maximum and conduction-band minimum at Γ of the parameter set (eV);
        the solver's first guess of the mid-gap energy starts from them.
    content_hash : str
        SHA-256 of everything the matrix depends on (positions, species, dangling bonds,
        parameters, options), for caching.
    options : dict
        ``soc``, ``field_V_nm``, ``passivation_shift_eV``, parameter-set name.
    """

    matrix: sp.csr_matrix
    positions_nm: np.ndarray
    species: np.ndarray
    orbitals: tuple[str, ...]
    n_orbitals: int
    atom_of_basis: np.ndarray
    orbital_of_basis: np.ndarray
    spin_of_basis: np.ndarray
    site_ranges: np.ndarray
    n_valence: int
    bulk_vbm_eV: float
    bulk_cbm_eV: float
    content_hash: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def n_basis(self) -> int:
        """Dimension of H (spin-orbitals)."""
        return self.matrix.shape[0]

    @property
    def n_atoms(self) -> int:
        """Number of atoms."""
        return len(self.positions_nm)


def valence_state_count(nc: Nanocrystal, params: TBParameters) -> int:
    """Spin-orbital states below the gap of a (passivated) dot, by bond counting.

    Each atom carries four sp3 hybrids; a bond makes one bonding state (below the gap) per spin,
    a passivated dangling hybrid is pushed far up. Filled semicore shells add all their states:

    .. math:: n_{val} = 2 N_{bond} + 2 \\sum_i n^{filled}_{s_i}
              = (4 N - D) + 2 \\sum_i n^{filled}_{s_i}

    (D dangling bonds; unpassivated, the D dangling hybrids hold one electron each: +D).
    The filled shells per cell, n_electrons/2 − 4 orbitals, must be d shells (5 each), assigned to
    the species with the lower d on-site energy first (Hg 5d in HgTe).
    """
    n = nc.n_atoms
    d = len(nc.dangling_atom)
    count = 4 * n - (d if nc.passivated else 0)
    extra = params.n_electrons // 2 - 4
    if extra == 0:
        return count
    has_d = [o for o in params.orbitals if o.startswith("d")]
    if extra not in (5, 10) or len(has_d) != 5:
        raise ParameterError(
            f"set {params.name!r}: {params.n_electrons} electrons per cell need {extra} filled "
            f"semicore orbitals per cell; only full d shells (5 or 10) are supported")
    e_d = {s: float(np.mean(onsite_energies(params, s)[[o.startswith("d")
                                                        for o in params.orbitals]]))
           for s in params.species}
    filled = sorted(params.species, key=e_d.get)[: extra // 5]
    n_filled_atoms = int(sum(np.count_nonzero(nc.species == s) for s in filled))
    return count + 2 * 5 * n_filled_atoms


def _nnz_estimate(nc: Nanocrystal, params: TBParameters) -> int:
    nb = 2 * params.n_orbitals
    pairs = sum(len(sh) for sh in nc.shells if sh.shell <= params.max_shell)
    return nc.n_atoms * nb * nb + 2 * pairs * 2 * params.n_orbitals**2


def estimate_memory_GB(nc: Nanocrystal, params: TBParameters) -> float:
    """Peak memory (GB) of assembling H: stored entries × (COO + CSR + one sorted copy)."""
    return _nnz_estimate(nc, params) * _BYTES_PER_ENTRY / 1e9


def _physical_memory_GB() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 16.0


def _hybrid(directions: np.ndarray, orbitals: tuple[str, ...]) -> np.ndarray:
    """sp3 hybrids (D, norb) along unit vectors: ½ s + (√3/2) n̂·p (other orbitals 0)."""
    h = np.zeros((len(directions), len(orbitals)))
    idx = {o: k for k, o in enumerate(orbitals)}
    if "s" not in idx or not {"px", "py", "pz"} <= set(idx):
        raise ParameterError(f"passivation needs s and p orbitals; the set has {orbitals}")
    h[:, idx["s"]] = 0.5
    for c, o in enumerate(("px", "py", "pz")):
        h[:, idx[o]] = 0.5 * np.sqrt(3.0) * directions[:, c]
    return h


def _spin_blocks(atom_i: np.ndarray, atom_j: np.ndarray, blocks: np.ndarray, norb: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COO triplets of spin-diagonal blocks (M, norb, norb) between atoms i and j, both spins."""
    nb = 2 * norb
    a = np.arange(norb)
    keep = np.abs(blocks) > _ZERO_EV
    m, ra, cb = np.nonzero(keep)
    vals = blocks[m, ra, cb]
    rows = [atom_i[m] * nb + s * norb + a[ra] for s in (0, 1)]
    cols = [atom_j[m] * nb + s * norb + a[cb] for s in (0, 1)]
    return np.concatenate(rows), np.concatenate(cols), np.concatenate([vals, vals])


def _content_hash(nc: Nanocrystal, params: TBParameters, opts: dict[str, Any]) -> str:
    h = hashlib.sha256()
    for arr in (nc.positions_nm, nc.dangling_atom, nc.dangling_direction):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update("|".join(nc.species).encode())
    h.update(repr(sorted(params.values.items())).encode())
    h.update(repr((params.orbitals, params.lattice_constant_nm, sorted(opts.items()))).encode())
    return h.hexdigest()


def hamiltonian(nc: Nanocrystal, params: TBParameters | str | None = None, *, soc: bool = True,
                field_V_nm: tuple[float, float, float] | np.ndarray | None = None,
                passivation_shift_eV: float = DEFAULT_PASSIVATION_SHIFT_EV,
                max_memory_GB: float | None = None) -> TBHamiltonian:
    """Assemble the sparse tight-binding Hamiltonian of a nanocrystal.

    Parameters
    ----------
    nc : Nanocrystal
        The dot (positions in nm, neighbour shells, dangling bonds).
    params : TBParameters or str, optional
        Parameter set (default: the set named after the dot's material, e.g. ``"HgTe"``).
    soc : bool
        Include on-site spin–orbit coupling.
    field_V_nm : sequence of 3 floats, optional
        Static uniform electric field, V/nm; adds U(r) = e E·(r − r_c) on every spin-orbital.
    passivation_shift_eV : float
        Energy (eV) added to each sp3 hybrid pointing along a dangling bond (if ``nc.passivated``).
        ``math.inf`` (:data:`PROJECTION`) projects the hybrids out exactly (module docstring):
        H' = P H P + c Q, the parked states at c inside the band range.
    max_memory_GB : float, optional
        Refuse to assemble if the estimated peak memory exceeds this (GB); default half the
        physical memory.

    Returns
    -------
    TBHamiltonian

    Raises
    ------
    ParameterError
        Species not in the set, a too-large dot (message gives the estimate), a bad field vector.
    """
    if params is None:
        params = load_parameters(f"{nc.cation}{nc.anion}")
    elif isinstance(params, str):
        params = load_parameters(params)
    if {nc.cation, nc.anion} != set(params.species):
        raise ParameterError(f"dot species ({nc.cation}, {nc.anion}) differ from set "
                             f"{params.name!r} species {params.species}")
    if not abs(nc.lattice_constant_nm - params.lattice_constant_nm) < 1e-9:
        raise ParameterError(f"dot lattice constant {nc.lattice_constant_nm} nm differs from set "
                             f"{params.name!r} ({params.lattice_constant_nm} nm): rebuild the dot "
                             "with the same parameter set")
    limit = 0.5 * _physical_memory_GB() if max_memory_GB is None else float(max_memory_GB)
    need = estimate_memory_GB(nc, params)
    if need > limit:
        raise ParameterError(
            f"dot of {nc.n_atoms} atoms needs about {need:.2f} GB to assemble H "
            f"({_nnz_estimate(nc, params):,} entries), above the limit of {limit:.2f} GB; "
            "use a smaller dot or raise max_memory_GB")
    shift = float(passivation_shift_eV)
    if math.isnan(shift) or shift == -math.inf:
        raise ParameterError(f"passivation_shift_eV = {passivation_shift_eV!r}: give a finite "
                             "energy in eV or math.inf (exact projection)")
    efield = None
    if field_V_nm is not None:
        efield = np.asarray(field_V_nm, dtype=float)
        if efield.shape != (3,) or not np.all(np.isfinite(efield)):
            raise ParameterError(f"field_V_nm must be 3 finite numbers (V/nm), got {field_V_nm!r}")

    norb = params.n_orbitals
    nb = 2 * norb
    n = nc.n_atoms
    rows, cols, vals = [], [], []
    # on-site blocks (2 norb × 2 norb) per species
    for s in params.species:
        atoms = np.flatnonzero(nc.species == s)
        if not len(atoms):
            continue
        block = np.kron(np.eye(2), np.diag(onsite_energies(params, s))).astype(complex)
        if soc:
            block = block + spin_orbit_matrix(params, s)
        r, c = np.nonzero(np.abs(block) > _ZERO_EV)
        rows.append((atoms[:, None] * nb + r[None, :]).ravel())
        cols.append((atoms[:, None] * nb + c[None, :]).ravel())
        vals.append(np.broadcast_to(block[r, c], (len(atoms), len(r))).ravel())
    # hoppings per (shell × ordered species pair), plus their Hermitian conjugates
    for sh in nc.shells:
        if sh.shell > params.max_shell:
            continue
        for si in params.species:
            for sj in params.species:
                sel = (nc.species[sh.i] == si) & (nc.species[sh.j] == sj)
                if not sel.any():
                    continue
                blocks = hopping_blocks(params, si, sj, sh.d_nm[sel])
                r, c, v = _spin_blocks(sh.i[sel], sh.j[sel], blocks, norb)
                rows += [r, c]
                cols += [c, r]
                vals += [v.astype(complex), v.astype(complex)]
    # passivation: Δ |h⟩⟨h| on the dangling hybrids
    project = nc.passivated and len(nc.dangling_atom) > 0 and math.isinf(shift)
    if nc.passivated and len(nc.dangling_atom) and shift != 0.0 and not project:
        h = _hybrid(np.asarray(nc.dangling_direction), params.orbitals)
        blocks = shift * np.einsum("ma,mb->mab", h, h)
        r, c, v = _spin_blocks(nc.dangling_atom, nc.dangling_atom, blocks, norb)
        rows.append(r)
        cols.append(c)
        vals.append(v.astype(complex))
    # static field: U = e E·(r − r_c) on the diagonal
    if efield is not None:
        u = (np.asarray(nc.positions_nm) - np.mean(nc.positions_nm, axis=0)) @ efield
        diag = np.arange(n * nb)
        rows.append(diag)
        cols.append(diag)
        vals.append(np.repeat(u, nb).astype(complex))
    mat = sp.coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                        shape=(n * nb, n * nb)).tocsr()
    mat.sum_duplicates()
    if project:
        mat = _project_dangling(mat, nc, params.orbitals)
    mat.sort_indices()

    opts = {"soc": bool(soc), "field_V_nm": None if efield is None else tuple(efield.tolist()),
            "passivation_shift_eV": shift if nc.passivated else 0.0,
            "parameter_set": params.name}
    e_bulk = bulk_eigh(params, np.zeros(3), soc=soc)[0]
    atom = np.repeat(np.arange(n), nb)
    local = np.tile(np.arange(nb), n)
    arrays = (atom, local % norb, local // norb, np.arange(n + 1) * nb)
    for arr in arrays:
        arr.setflags(write=False)
    return TBHamiltonian(
        matrix=mat, positions_nm=nc.positions_nm, species=nc.species,
        orbitals=tuple(params.orbitals), n_orbitals=norb, atom_of_basis=arrays[0],
        orbital_of_basis=arrays[1], spin_of_basis=arrays[2], site_ranges=arrays[3],
        n_valence=valence_state_count(nc, params),
        bulk_vbm_eV=float(e_bulk[params.n_electrons - 1]),
        bulk_cbm_eV=float(e_bulk[params.n_electrons]),
        content_hash=_content_hash(nc, params, opts), options=opts)


def _hybrid_columns(nc: Nanocrystal, orbitals: tuple[str, ...]) -> sp.csc_matrix:
    """Sparse (n_basis, 2D) matrix whose columns are the spin-resolved dangling hybrids."""
    norb = len(orbitals)
    nb = 2 * norb
    h = _hybrid(np.asarray(nc.dangling_direction), orbitals)              # (D, norb)
    d_idx, a_idx = np.nonzero(h)
    rows = [nc.dangling_atom[d_idx] * nb + s * norb + a_idx for s in (0, 1)]
    cols = [2 * d_idx + s for s in (0, 1)]
    vals = np.concatenate([h[d_idx, a_idx]] * 2)
    return sp.csc_matrix((vals, (np.concatenate(rows), np.concatenate(cols))),
                         shape=(nc.n_atoms * nb, 2 * len(h)))


def _project_dangling(mat: sp.csr_matrix, nc: Nanocrystal, orbitals: tuple[str, ...]
                      ) -> sp.csr_matrix:
    """H' = P H P + c Q with Q = W W^T, W the hybrid columns (module docstring); sparse products.

    .. math:: P H P = H - Q H - H Q + Q H Q
    """
    W = _hybrid_columns(nc, orbitals)
    err = abs(W.T @ W - sp.identity(W.shape[1], format="csc")).max()
    if err > _ORTHO_TOL:
        raise ParameterError(
            f"dangling hybrids of one atom are not orthonormal (max |<h|h'> - delta| = {err:.2e}):"
            " the bond directions are not tetrahedral; use a finite passivation_shift_eV")
    Q = (W @ W.T).tocsr()
    HQ = (mat @ Q).tocsr()
    QHQ = (Q @ HQ).tocsr()
    touched = np.asarray(abs(Q).sum(axis=1)).ravel() > 0
    diag = mat.diagonal().real
    c = float(diag[~touched].max()) if (~touched).any() else float(diag.max())
    out = (mat - HQ - HQ.conj().T + QHQ + c * Q).tocsr()
    out = ((out + out.conj().T) * 0.5).tocsr()     # exact Hermiticity after round-off
    out.data[np.abs(out.data) <= _ZERO_EV] = 0.0   # cancelled entries, not couplings
    out.eliminate_zeros()
    return out


def dangling_hybrid_weight(nc: Nanocrystal, H: TBHamiltonian, vectors: np.ndarray) -> np.ndarray:
    """Weight of each state on the dangling sp3 hybrids of the dot (surface-state indicator).

    .. math:: w_n = \\sum_{(i,\\hat n)\\,\\text{dangling}} \\sum_\\sigma
              |\\langle h_{i\\hat n}, \\sigma | \\psi_n \\rangle|^2

    A dangling-bond surface state has w of order 1/4 or more; a passivated dot's states ≪ 1.

    Parameters
    ----------
    nc : Nanocrystal
    H : TBHamiltonian
        Hamiltonian of ``nc`` (for the basis layout).
    vectors : ndarray (n_basis, n)
        States as columns.
    """
    if not len(nc.dangling_atom):
        return np.zeros(vectors.shape[1])
    norb = H.n_orbitals
    h = _hybrid(np.asarray(nc.dangling_direction), H.orbitals)           # (D, norb)
    v = vectors.reshape(nc.n_atoms, 2, norb, -1)[nc.dangling_atom]       # (D, 2, norb, n)
    amp = np.einsum("da,dsan->dsn", h, v)
    return np.sum(np.abs(amp) ** 2, axis=(0, 1))
