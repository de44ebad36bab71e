"""Nanocrystal builder: geometry, trimming, neighbour shells, dangling bonds, ASE/xyz IO, errors."""

from __future__ import annotations

import math
import types

import numpy as np
import pytest

from qdgain.errors import ParameterError, UserCodeError
from qdgain.structure import (
    Cube,
    CustomShape,
    Sphere,
    Tetrahedron,
    coordination,
    from_ase,
    nanocrystal,
    surface_atoms,
)

# A stand-in with the three fields the builder reads (the real TBParameters has more).
HGTE = types.SimpleNamespace(lattice_constant_nm=0.646, cation="Hg", anion="Te", name="stub")


@pytest.fixture(scope="module")
def nc35():
    return nanocrystal(HGTE, Sphere(diameter_nm=3.5))


def test_sphere_counts_and_bulk_density(nc35):
    # Bulk zincblende holds 8 atoms per a³: N ≈ (π d³/6)·8/a³ = 657.6 for d = 3.5 nm.
    n_bulk = math.pi * 3.5**3 / 6 * 8 / 0.646**3
    assert abs(nc35.n_atoms - n_bulk) / n_bulk < 0.03  # surface roughness of a 3.5 nm sphere
    assert nc35.counts["Hg"] + nc35.counts["Te"] == nc35.n_atoms
    assert nc35.formula == f"Hg{nc35.counts['Hg']}Te{nc35.counts['Te']}"
    assert nc35.stoichiometry == pytest.approx(nc35.counts["Hg"] / nc35.counts["Te"])
    assert np.all(np.linalg.norm(nc35.positions_nm, axis=1) <= 1.75 + 1e-9)


def test_bond_counting_and_shell_distances(nc35):
    a = 0.646
    coord = coordination(nc35)
    assert coord.min() >= 2 and coord.max() == 4
    # every atom has 4 sp3 slots: filled by a bond or dangling
    assert 2 * len(nc35.bonds) + len(nc35.dangling_atom) == 4 * nc35.n_atoms
    np.testing.assert_array_equal(np.bincount(nc35.dangling_atom, minlength=nc35.n_atoms),
                                  4 - coord)
    r1 = np.linalg.norm(nc35.bonds.d_nm, axis=1)
    r2 = np.linalg.norm(nc35.shell(2).d_nm, axis=1)
    np.testing.assert_allclose(r1, a * math.sqrt(3) / 4, rtol=1e-12)
    np.testing.assert_allclose(r2, a / math.sqrt(2), rtol=1e-12)
    # 1st shell joins unlike species, 2nd shell like species
    assert np.all(nc35.is_cation[nc35.bonds.i] != nc35.is_cation[nc35.bonds.j])
    s2 = nc35.shell(2)
    assert np.all(nc35.is_cation[s2.i] == nc35.is_cation[s2.j])
    assert np.all(nc35.bonds.i < nc35.bonds.j)


def test_dangling_bonds_point_to_empty_lattice_sites(nc35):
    # r + (bond length)·n̂ must be a vacant zincblende site: no atom within 0.1 Å of it, and it is
    # one bond length from its owner along ⟨111⟩.
    bond = 0.646 * math.sqrt(3) / 4
    site = nc35.positions_nm[nc35.dangling_atom] + bond * nc35.dangling_direction
    d = np.linalg.norm(site[:, None, :] - nc35.positions_nm[None, :, :], axis=2)
    assert d.min() > 0.1
    np.testing.assert_allclose(np.abs(nc35.dangling_direction), 1 / math.sqrt(3), rtol=1e-12)
    assert set(surface_atoms(nc35)) == set(np.flatnonzero(coordination(nc35) < 4))


@pytest.mark.parametrize("center", ["cation", "anion", "interstitial"])
def test_centres_keep_td_symmetry(center):
    # C3 about [111], (x, y, z) -> (y, z, x), and C2 about z, (x, y, z) -> (-x, -y, z), are in
    # Td: both must map the dot, species included, onto itself for every centre choice.
    nc = nanocrystal(HGTE, Sphere(diameter_nm=2.5), center=center)
    key = {tuple(np.round(p, 6)): s for p, s in zip(nc.positions_nm, nc.species, strict=True)}
    for op in (lambda p: p[:, [1, 2, 0]], lambda p: p * np.array([-1, -1, 1])):
        moved = op(nc.positions_nm)
        got = [key.get(tuple(np.round(p, 6))) for p in moved]
        assert got == list(nc.species)
    atom_at_origin = np.linalg.norm(nc.positions_nm, axis=1).min() < 1e-9
    assert atom_at_origin == (center != "interstitial")
    if center != "interstitial":
        origin = np.argmin(np.linalg.norm(nc.positions_nm, axis=1))
        assert nc.is_cation[origin] == (center == "cation")


def test_tetrahedron_equal_volume_and_cube():
    tet = Tetrahedron(equal_volume_diameter_nm=3.5)
    assert tet.volume_nm3 == pytest.approx(Sphere(diameter_nm=3.5).volume_nm3, rel=1e-12)
    nc = nanocrystal(HGTE, tet)
    n_bulk = tet.volume_nm3 * 8 / 0.646**3
    # Atoms lying on the four {111} facets make the count differ from the volume estimate by up to
    # one monolayer: area √3 L² times the {111} monolayer density 4 / (√3 a²).
    monolayer = math.sqrt(3) * tet.edge**2 * 4 / (math.sqrt(3) * 0.646**2)
    assert abs(nc.n_atoms - n_bulk) < monolayer
    cube = nanocrystal(HGTE, Cube(edge_nm=3.0))
    assert np.abs(cube.positions_nm).max() <= 1.5 + 1e-9


def test_custom_shape_and_its_errors():
    ell = CustomShape(lambda p: (p[:, 0] / 1.5) ** 2 + (p[:, 1] / 1.5) ** 2
                      + (p[:, 2] / 2.0) ** 2 <= 1.0, bounding_radius_nm=2.0)
    nc = nanocrystal(HGTE, ell)
    assert np.ptp(nc.positions_nm[:, 2]) > np.ptp(nc.positions_nm[:, 0])
    with pytest.raises(UserCodeError, match="bool array"):
        nanocrystal(HGTE, CustomShape(lambda p: np.ones(3), bounding_radius_nm=1.0))
    with pytest.raises(UserCodeError, match="raised"):
        nanocrystal(HGTE, CustomShape(lambda p: 1 / 0, bounding_radius_nm=1.0))


def test_bad_inputs_are_named():
    with pytest.raises(ParameterError, match="diameter_nm must be"):
        Sphere(diameter_nm=0)
    with pytest.raises(ParameterError, match="diameter_nm must be"):
        Sphere(diameter_nm=-1.0)
    with pytest.raises(ParameterError, match="exactly one"):
        Tetrahedron(edge_nm=2, equal_volume_diameter_nm=2)
    with pytest.raises(ParameterError, match="unknown shape"):
        nanocrystal(HGTE, "sphere")
    with pytest.raises(ParameterError, match="unknown center"):
        nanocrystal(HGTE, Sphere(diameter_nm=3), center="bond")
    with pytest.raises(ParameterError, match="no fully coordinated core"):
        nanocrystal(HGTE, Sphere(diameter_nm=0.4))
    with pytest.raises(ParameterError, match="lacks"):
        nanocrystal(object(), Sphere(diameter_nm=3))
    with pytest.raises(ParameterError, match="Unobtainium"):
        nanocrystal("Unobtainium", Sphere(diameter_nm=3))


def test_frozen_and_helpful_attribute_errors(nc35):
    with pytest.raises(AttributeError):
        nc35.passivated = False
    with pytest.raises(ValueError, match="read-only"):
        nc35.positions_nm[0, 0] = 1.0
    with pytest.raises(AttributeError, match="build a Hamiltonian first"):
        _ = nc35.eigenstates


def test_ase_round_trip_and_xyz(nc35, tmp_path):
    atoms = nc35.to_ase()
    # Å inside ASE: 1 nm = 10 Å
    np.testing.assert_allclose(atoms.get_positions(), 10 * nc35.positions_nm, rtol=0, atol=1e-12)
    back = from_ase(atoms, HGTE)
    np.testing.assert_allclose(back.positions_nm, nc35.positions_nm, rtol=0, atol=1e-13)
    np.testing.assert_array_equal(back.species, nc35.species)
    for s1, s2 in zip(back.shells, nc35.shells, strict=True):
        np.testing.assert_array_equal(s1.i, s2.i)
        np.testing.assert_array_equal(s1.j, s2.j)
    np.testing.assert_array_equal(back.dangling_atom, nc35.dangling_atom)
    # passivant H atoms are dropped on the way back
    with_h = nc35.to_ase(with_passivants=True)
    assert len(with_h) == nc35.n_atoms + len(nc35.dangling_atom)
    assert from_ase(with_h, HGTE).n_atoms == nc35.n_atoms
    with pytest.raises(ParameterError, match="neither the cation"):
        from_ase(atoms, types.SimpleNamespace(lattice_constant_nm=0.565, cation="Ga",
                                              anion="As"))
    path = nc35.write_xyz(tmp_path / "dot.xyz") or tmp_path / "dot.xyz"
    from ase.io import read

    again = read(path)
    assert len(again) == nc35.n_atoms
    np.testing.assert_allclose(again.get_positions(), atoms.get_positions(), atol=1e-7)
