"""Hamiltonian assembly: bulk limit, counting, passivation, static field, memory guard, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla
from scipy.spatial import cKDTree

from qdgain.electronic import (
    band_edge_states,
    dangling_hybrid_weight,
    hamiltonian,
    inertia,
    time_reversed,
)
from qdgain.errors import ParameterError
from qdgain.materials import bulk_bands
from qdgain.structure import Nanocrystal, NeighbourShell, Sphere, nanocrystal
from qdgain.structure.lattice import shell_distances_nm, zincblende_block


def _periodic_supercell(params, n_cells: int) -> Nanocrystal:
    """n³ conventional cells with periodic (minimum-image) neighbour shells, no surface."""
    a = params.lattice_constant_nm
    box = n_cells * a
    pos, cat = zincblende_block(a, 0.0, np.zeros(3))
    frac = pos / a
    inside = np.all((frac >= -1e-9) & (frac < n_cells - 1e-9), axis=1)
    pos, cat = pos[inside] % box, cat[inside]
    # n_cells ≥ 2 keeps the 2nd shell (a/√2) below half the box: minimum images are unique
    pairs = cKDTree(pos, boxsize=box).query_pairs(0.5 * sum(shell_distances_nm(a)[1:]),
                                                  output_type="ndarray")
    d = pos[pairs[:, 1]] - pos[pairs[:, 0]]
    d -= box * np.round(d / box)
    r = np.linalg.norm(d, axis=1)
    shells = []
    for s, dist in enumerate(shell_distances_nm(a)[:2], start=1):
        sel = np.abs(r - dist) < 1e-6
        shells.append(NeighbourShell(s, pairs[sel, 0], pairs[sel, 1], d[sel]))
    return Nanocrystal(positions_nm=pos, species=np.where(cat, params.cation, params.anion),
                       is_cation=cat, shells=tuple(shells), dangling_atom=np.zeros(0, int),
                       dangling_direction=np.zeros((0, 3)), lattice_constant_nm=a,
                       cation=params.cation, anion=params.anion, passivated=False)


def test_periodic_supercell_reproduces_bulk_bands(hgte):
    # A 2×2×2 periodic supercell (32 primitive cells) at Γ holds the bulk bands of the 32 k-points
    # k = (π/a)(n1, n2, n3) that fold onto its Γ. The 64 points n ∈ {0..3}³ list each of them
    # twice. This checks species pairs, bond directions, conjugates and SOC of the assembly
    # against the bulk code (itself checked against published Γ levels and masses).
    nc = _periodic_supercell(hgte, 2)
    assert len(nc.shell(1)) == 2 * nc.n_atoms and len(nc.shell(2)) == 6 * nc.n_atoms
    e_dot = np.linalg.eigvalsh(hamiltonian(nc, hgte).matrix.toarray())
    n = np.stack(np.meshgrid(*[np.arange(4)] * 3, indexing="ij"), -1).reshape(-1, 3)
    e_bulk = np.sort(bulk_bands(hgte, np.pi / hgte.lattice_constant_nm * n).ravel())
    np.testing.assert_allclose(np.repeat(e_dot, 2), e_bulk, atol=1e-9)


def test_counting_and_no_dangling_bond_state_near_the_gap(small_dot, dense_small):
    # Sylvester count at mid-gap = bond-counted valence states; the states at the band edges
    # (dense: every state between the 8th valence and 4th conduction state) have < 5 % weight on
    # the dangling sp3 hybrids, while the bare-surface states of the next test carry 25-55 %.
    nc, H = small_dot
    mid = 0.5 * (dense_small.homo_eV + dense_small.lumo_eV)
    assert inertia(H, mid) == H.n_valence
    assert dangling_hybrid_weight(nc, H, dense_small.vectors).max() < 0.05


def test_passivation_removes_dangling_bond_states(hgte, small_dot, dense_small):
    # Without passivation, dangling-bond states fill the gap of the passivated dot (16 in the
    # 1.8 nm dot), each with a large weight on the dangling hybrids.
    bare = nanocrystal(hgte, Sphere(diameter_nm=1.8), passivate=False)
    Hb = hamiltonian(bare, hgte)
    lo, hi = dense_small.homo_eV + 0.05, dense_small.lumo_eV - 0.05
    e, v = sla.eigh(Hb.matrix.toarray(), subset_by_value=(lo, hi))
    assert len(e) >= 8
    assert np.median(dangling_hybrid_weight(bare, Hb, v)) > 0.2


def test_time_reversal_symmetry_with_field(small_dot, hgte):
    # Θ H Θ⁻¹ = H with SOC and a static field (both time-even): H Θv = Θ H v for any v
    nc, H0 = small_dot
    H = hamiltonian(nc, hgte, field_V_nm=(0.02, -0.01, 0.03))
    v = np.random.default_rng(0).standard_normal((H.n_basis, 3)) * (1 + 0.5j)
    lhs = H.matrix @ time_reversed(v, H.n_orbitals)
    rhs = time_reversed(H.matrix @ v, H.n_orbitals)
    np.testing.assert_allclose(lhs, rhs, atol=1e-12)


def test_field_term_is_e_E_dot_r(small_dot, hgte):
    nc, H0 = small_dot
    field = np.array([0.05, 0.0, -0.02])   # V/nm
    H = hamiltonian(nc, hgte, field_V_nm=field)
    diff = (H.matrix - H0.matrix).toarray()
    r = np.asarray(nc.positions_nm) - np.mean(nc.positions_nm, axis=0)
    # U = e E·(r − r_c) in eV for E in V/nm: diagonal only, zero trace
    np.testing.assert_allclose(np.diag(diff).real, np.repeat(r @ field, 2 * H.n_orbitals),
                               atol=1e-13)
    np.testing.assert_allclose(diff - np.diag(np.diag(diff)), 0, atol=1e-14)
    assert H.content_hash != H0.content_hash


def test_quadratic_stark_shift_of_cb1(small_dot, hgte):
    # The Kramers-degenerate CB1 of a Td dot has no permanent dipole: its shift is quadratic,
    # ΔE(2F)/ΔE(F) = 4 up to the quartic term (< 2 % at these fields, checked by halving F).
    nc, H0 = small_dot
    st0 = band_edge_states(H0, 2, 2, method="dense")
    mid = 0.5 * (st0.homo_eV + st0.lumo_eV)
    shifts = [band_edge_states(hamiltonian(nc, hgte, field_V_nm=(0, 0, f)), 2, 2,
                               method="shift-invert", sigma_eV=mid).lumo_eV - st0.lumo_eV
              for f in (0.05, 0.1)]
    assert shifts[0] < 0 and shifts[1] / shifts[0] == pytest.approx(4.0, rel=0.02)


def test_memory_guard_and_bad_inputs(small_dot, hgte):
    nc, _ = small_dot
    with pytest.raises(ParameterError, match=r"needs about .* GB"):
        hamiltonian(nc, hgte, max_memory_GB=1e-4)
    with pytest.raises(ParameterError, match="field_V_nm must be 3"):
        hamiltonian(nc, hgte, field_V_nm=(1.0, 2.0))
    with pytest.raises(ParameterError, match="differ from set"):
        hamiltonian(nc, "GaAs_vogl")


def test_orbital_table(small_dot):
    nc, H = small_dot
    nb = 2 * H.n_orbitals
    assert H.n_basis == nc.n_atoms * nb
    k = 5 * nb + 1 * H.n_orbitals + 3      # atom 5, spin down, orbital 3 (pz)
    assert (H.atom_of_basis[k], H.spin_of_basis[k], H.orbital_of_basis[k]) == (5, 1, 3)
    assert H.orbitals[3] == "pz" and H.site_ranges[5] == 5 * nb
