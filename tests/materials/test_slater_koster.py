"""Slater–Koster engine against explicit table entries, symmetry and spin–orbit algebra."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.materials import hopping_blocks, load_parameters, onsite_energies, spin_orbit_matrix
from qdgain.materials.slater_koster import angular_momentum_matrices, neighbour_shell_distances_nm

S3 = np.sqrt(3.0)


@pytest.fixture(scope="module")
def rand_params():
    """HgTe layout with every integral replaced by a distinct random number."""
    p = load_parameters()
    rng = np.random.default_rng(7)
    return p.with_values({k: rng.uniform(-2, 2) for k in p.values})


def _dirs(n=6, seed=3):
    v = np.random.default_rng(seed).normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


ORB = {o: i for i, o in enumerate(("s", "px", "py", "pz", "dxy", "dyz", "dzx", "dx2-y2", "dz2"))}


def test_table_entries_first_shell(rand_params):
    """Compare with Slater & Koster, Phys. Rev. 94, 1498 (1954), Table I (exact algebra)."""
    p = rand_params
    n = _dirs()
    d1 = neighbour_shell_distances_nm(p)[0]
    e = hopping_blocks(p, "Hg", "Te", d1 * n)
    l, m, nn = n.T
    v = {k.split(".")[-1]: val for k, val in p.values.items() if k.startswith("nn1.")}
    checks = {
        ("s", "s"): v["ss_sigma"] * np.ones_like(l),
        ("s", "px"): l * v["sp_sigma"],
        ("px", "s"): -l * v["ps_sigma"],
        ("px", "px"): l**2 * v["pp_sigma"] + (1 - l**2) * v["pp_pi"],
        ("px", "py"): l * m * (v["pp_sigma"] - v["pp_pi"]),
        ("s", "dxy"): S3 * l * m * v["sd_sigma"],
        ("s", "dx2-y2"): 0.5 * S3 * (l**2 - m**2) * v["sd_sigma"],
        ("s", "dz2"): (nn**2 - 0.5 * (l**2 + m**2)) * v["sd_sigma"],
        ("dxy", "s"): S3 * l * m * v["ds_sigma"],
        ("px", "dxy"): S3 * l**2 * m * v["pd_sigma"] + m * (1 - 2 * l**2) * v["pd_pi"],
        ("px", "dyz"): S3 * l * m * nn * v["pd_sigma"] - 2 * l * m * nn * v["pd_pi"],
        ("px", "dx2-y2"): 0.5 * S3 * l * (l**2 - m**2) * v["pd_sigma"]
        + l * (1 - l**2 + m**2) * v["pd_pi"],
        ("pz", "dx2-y2"): 0.5 * S3 * nn * (l**2 - m**2) * v["pd_sigma"]
        - nn * (l**2 - m**2) * v["pd_pi"],
        ("px", "dz2"): l * (nn**2 - 0.5 * (l**2 + m**2)) * v["pd_sigma"]
        - S3 * l * nn**2 * v["pd_pi"],
        ("pz", "dz2"): nn * (nn**2 - 0.5 * (l**2 + m**2)) * v["pd_sigma"]
        + S3 * nn * (l**2 + m**2) * v["pd_pi"],
        ("dxy", "px"): -(S3 * l**2 * m * v["dp_sigma"] + m * (1 - 2 * l**2) * v["dp_pi"]),
        ("dxy", "dxy"): 3 * l**2 * m**2 * v["dd_sigma"] + (l**2 + m**2 - 4 * l**2 * m**2)
        * v["dd_pi"] + (nn**2 + l**2 * m**2) * v["dd_delta"],
        ("dxy", "dyz"): 3 * l * m**2 * nn * v["dd_sigma"] + l * nn * (1 - 4 * m**2) * v["dd_pi"]
        + l * nn * (m**2 - 1) * v["dd_delta"],
        ("dxy", "dx2-y2"): 1.5 * l * m * (l**2 - m**2) * v["dd_sigma"]
        + 2 * l * m * (m**2 - l**2) * v["dd_pi"] + 0.5 * l * m * (l**2 - m**2) * v["dd_delta"],
        ("dz2", "dz2"): (nn**2 - 0.5 * (l**2 + m**2)) ** 2 * v["dd_sigma"]
        + 3 * nn**2 * (l**2 + m**2) * v["dd_pi"] + 0.75 * (l**2 + m**2) ** 2 * v["dd_delta"],
        ("dx2-y2", "dx2-y2"): 0.75 * (l**2 - m**2) ** 2 * v["dd_sigma"]
        + (l**2 + m**2 - (l**2 - m**2) ** 2) * v["dd_pi"]
        + (nn**2 + 0.25 * (l**2 - m**2) ** 2) * v["dd_delta"],
    }
    for (a, b), want in checks.items():
        np.testing.assert_allclose(e[:, ORB[a], ORB[b]], want, atol=1e-12, err_msg=f"{a},{b}")


def test_reverse_bond_is_transpose(rand_params):
    """<j b|H|i a> = <i a|H|j b> (real): E^{ji}(-d) = E^{ij}(d)^T, for both shells."""
    p = rand_params
    d1, d2, _ = neighbour_shell_distances_nm(p)
    n = _dirs(8, seed=11)
    for si, sj, r in (("Hg", "Te", d1), ("Te", "Hg", d1), ("Hg", "Hg", d2), ("Te", "Te", d2)):
        fwd = hopping_blocks(p, si, sj, r * n)
        back = hopping_blocks(p, sj, si, -r * n)
        np.testing.assert_allclose(back, np.swapaxes(fwd, 1, 2), atol=1e-12)
        assert np.abs(fwd).max() > 0.1


def test_shells_and_zero_blocks():
    p = load_parameters()
    d1, d2, d3 = neighbour_shell_distances_nm(p)
    n = np.array([[1.0, 0.0, 0.0]])
    assert np.abs(hopping_blocks(p, "Hg", "Hg", d1 * n)).max() == 0.0   # like species, 1st shell
    assert np.abs(hopping_blocks(p, "Hg", "Te", d2 * n)).max() == 0.0   # unlike, 2nd shell
    assert np.abs(hopping_blocks(p, "Hg", "Hg", d3 * n)).max() == 0.0   # beyond the set
    assert np.abs(hopping_blocks(p, "Hg", "Hg", d2 * n)).max() > 0.0
    g = load_parameters("GaAs_vogl")   # max_shell = 1: no second-neighbour blocks at all
    d2g = neighbour_shell_distances_nm(g)[1]
    assert np.abs(hopping_blocks(g, "Ga", "Ga", d2g * n)).max() == 0.0
    assert hopping_blocks(p, "Hg", "Te", np.zeros((0, 3))).shape == (0, 9, 9)


def test_errors():
    p = load_parameters()
    with pytest.raises(ParameterError, match="not 'Cd'"):
        hopping_blocks(p, "Cd", "Te", np.ones((1, 3)))
    with pytest.raises(ParameterError, match="zero length"):
        hopping_blocks(p, "Hg", "Te", np.zeros((1, 3)))
    with pytest.raises(ParameterError, match=r"shape \(M, 3\)"):
        hopping_blocks(p, "Hg", "Te", np.ones((2, 2)))


def test_onsite():
    p = load_parameters()
    e = onsite_energies(p, "Te")
    np.testing.assert_allclose(e, [-10.1191] + [-1.2874] * 3 + [9.7816] * 5)


@pytest.mark.parametrize("orbs,l", [(("px", "py", "pz"), 1),
                                    (("dxy", "dyz", "dzx", "dx2-y2", "dz2"), 2)])
def test_angular_momentum_algebra(orbs, l):
    lm = angular_momentum_matrices(orbs)
    np.testing.assert_allclose(lm[0] @ lm[1] - lm[1] @ lm[0], 1j * lm[2], atol=1e-12)
    l2 = sum(x @ x for x in lm)
    np.testing.assert_allclose(l2, l * (l + 1) * np.eye(len(orbs)), atol=1e-12)
    for x in lm:
        np.testing.assert_allclose(x, x.conj().T, atol=1e-14)


def test_spin_orbit_spectrum():
    """L.sigma = 2 L.S has eigenvalues l (j = l+1/2) and -(l+1) (j = l-1/2)."""
    p = load_parameters()
    h = spin_orbit_matrix(p, "Hg")
    assert h.shape == (18, 18)
    np.testing.assert_allclose(h, h.conj().T, atol=1e-14)
    ev = np.sort(np.linalg.eigvalsh(h))
    lam_p, lam_d = 0.52, 0.31
    want = np.sort([0.0] * 2 + [lam_p] * 4 + [-2 * lam_p] * 2 + [2 * lam_d] * 6 + [-3 * lam_d] * 4)
    np.testing.assert_allclose(ev, want, atol=1e-12)
    # basis index spin*norb + orbital: L_z sigma_z couples px(up) to py(up) with -i lambda
    assert h[1, 2] == pytest.approx(-1j * lam_p)
    assert h[9 + 1, 9 + 2] == pytest.approx(1j * lam_p)
