"""Slater–Koster two-centre hoppings, on-site energies and spin–orbit matrices (s, p, d, s*).

The one implementation used by the bulk bands and the nanocrystal Hamiltonian.

Hoppings by rotation (Podolskiy & Vogl, PRB 69, 233101 (2004), in matrix form): in a frame whose
z' axis is the bond direction n = d/|d| from atom i to atom j, the two-centre matrix is diagonal
in the magnetic quantum number |m| (sigma, pi, delta),

.. math::

    H'_{\\alpha\\beta} = s_{l_\\alpha l_\\beta}\\, V_{l_\\alpha l_\\beta |m|}\\,
    \\delta_{\\mathrm{type}(\\alpha),\\mathrm{type}(\\beta)}, \\qquad
    s_{l_a l_b} = 1 \\ (l_a \\le l_b), \\quad (-1)^{l_a+l_b}\\ (l_a > l_b)

with V the tabulated integral whose first letter is the orbital of atom i (e.g. ``ps_sigma`` of
the Hg-Te set: Hg p, Te s). The lab-frame block is E(d) = U_i H' U_j^T, where U maps lab real
orbitals onto bond-frame ones: U = R for p (R = [u1 u2 n]) and, for d written as quadratic forms
d_k(r) = r^T Q_k r with orthonormal traceless Q_k, U_jk = tr(Q_j R Q_k R^T). This reproduces the
Slater–Koster table (e.g. E_{x,x} = l^2 V_pps + (1 - l^2) V_ppp, E_{s,x} = l V_sps,
E_{x,s} = -l V_pss); tests compare with explicit table entries.

Spin–orbit: H_SO = lambda_shell L.sigma (Pauli sigma), basis index spin * norb + orbital, with
<a|L_k|b> of real orbitals from L = -i r x grad (hbar = 1).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from qdgain.errors import ParameterError
from qdgain.materials.parameters import ORBITAL_SHELL, TBParameters

__all__ = [
    "hopping_blocks",
    "onsite_energies",
    "spin_orbit_matrix",
    "angular_momentum_matrices",
    "neighbour_shell_distances_nm",
    "shell_of_distance",
]

_L = {"s": 0, "p": 1, "d": 2, "s*": 0}
_M_NAME = {0: "sigma", 1: "pi", 2: "delta"}
# bond-frame character (|m|, component) of each real orbital when z' is the bond axis
_BOND_TYPE = {
    "s": (0, "0"), "s*": (0, "0"), "pz": (0, "0"), "dz2": (0, "0"),
    "px": (1, "x"), "dzx": (1, "x"), "py": (1, "y"), "dyz": (1, "y"),
    "dx2-y2": (2, "c"), "dxy": (2, "s"),
}
_P_INDEX = {"px": 0, "py": 1, "pz": 2}
_D_NAMES = ("dxy", "dyz", "dzx", "dx2-y2", "dz2")


def _d_forms() -> np.ndarray:
    """Orthonormal (Frobenius) traceless symmetric matrices Q_k of the five real d orbitals."""
    q = np.zeros((5, 3, 3))
    h = 1.0 / np.sqrt(2.0)
    q[0, 0, 1] = q[0, 1, 0] = h                       # xy
    q[1, 1, 2] = q[1, 2, 1] = h                       # yz
    q[2, 0, 2] = q[2, 2, 0] = h                       # zx
    q[3] = np.diag([h, -h, 0.0])                      # x^2 - y^2
    q[4] = np.diag([-1.0, -1.0, 2.0]) / np.sqrt(6.0)  # 3z^2 - r^2
    return q


_Q = _d_forms()
_LEVI = np.zeros((3, 3, 3))
_LEVI[0, 1, 2] = _LEVI[1, 2, 0] = _LEVI[2, 0, 1] = 1.0
_LEVI[0, 2, 1] = _LEVI[2, 1, 0] = _LEVI[1, 0, 2] = -1.0


def neighbour_shell_distances_nm(params: TBParameters) -> np.ndarray:
    """Zincblende neighbour distances a(sqrt3/4, 1/sqrt2, sqrt11/4) in nm (shells 1, 2, 3)."""
    a = params.lattice_constant_nm
    return a * np.array([np.sqrt(3.0) / 4.0, 1.0 / np.sqrt(2.0), np.sqrt(11.0) / 4.0])


def shell_of_distance(params: TBParameters, dist_nm: np.ndarray) -> np.ndarray:
    """Neighbour shell (1, 2, or 0 = beyond the set) of bond lengths, split at the midpoints."""
    d1, d2, d3 = neighbour_shell_distances_nm(params)
    dist = np.asarray(dist_nm, dtype=float)
    shell = np.where(dist < 0.5 * (d1 + d2), 1, np.where(dist < 0.5 * (d2 + d3), 2, 0))
    return np.where(shell > params.max_shell, 0, shell)


def _check_species(params: TBParameters, species: str) -> None:
    if species not in params.species:
        raise ParameterError(f"set {params.name!r} has species {params.species}, not {species!r}")


def _integral(params: TBParameters, si: str, sj: str, shell: int, sa: str, sb: str,
              m: int) -> float:
    """V_{sa sb m} with orbital shell ``sa`` on species ``si`` and ``sb`` on ``sj``."""
    comp = _M_NAME[m]
    if shell == 1:
        if si == params.cation:
            key = f"nn1.{si}-{sj}.{sa}{sb}_{comp}"
        else:   # stored with the cation orbital first: V(a on anion, b on cation) = V_{b a}
            key = f"nn1.{sj}-{si}.{sb}{sa}_{comp}"
        return params.value(key)
    order = ("s", "p", "d", "s*")
    lo, hi = sorted((sa, sb), key=order.index)
    return params.value(f"nn2.{si}-{si}.{lo}{hi}_{comp}")


def _bond_frame_block(params: TBParameters, si: str, sj: str, shell: int) -> np.ndarray:
    """H' (norb, norb) in the bond frame, from the integrals and the parity rule."""
    orbs = params.orbitals
    norb = len(orbs)
    hb = np.zeros((norb, norb))
    for a, oa in enumerate(orbs):
        for b, ob in enumerate(orbs):
            ta, tb = _BOND_TYPE[oa], _BOND_TYPE[ob]
            if ta != tb:
                continue
            sa, sb = ORBITAL_SHELL[oa], ORBITAL_SHELL[ob]
            la, lb = _L[sa], _L[sb]
            sign = 1.0 if la <= lb else (-1.0) ** (la + lb)
            hb[a, b] = sign * _integral(params, si, sj, shell, sa, sb, ta[0])
    return hb


@lru_cache(maxsize=64)
def _rotations_small(n_bytes: bytes, shape: tuple[int, int],
                     orbitals: tuple[str, ...]) -> np.ndarray:
    u = _rotations_impl(np.frombuffer(n_bytes).reshape(shape), orbitals)
    u.flags.writeable = False
    return u


def _rotations(n: np.ndarray, orbitals: tuple[str, ...]) -> np.ndarray:
    """U (M, norb, norb): lab orbital a = sum_alpha U[a, alpha] * bond-frame orbital alpha.

    Small bond sets (the bulk neighbour stars, M <= 16) are cached by value.
    """
    if n.shape[0] <= 16:
        n = np.ascontiguousarray(n, dtype=float)
        return _rotations_small(n.tobytes(), n.shape, orbitals)
    return _rotations_impl(n, orbitals)


def _rotations_impl(n: np.ndarray, orbitals: tuple[str, ...]) -> np.ndarray:
    m = n.shape[0]
    helper = np.where(np.abs(n[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    u1 = np.cross(helper, n)
    u1 /= np.linalg.norm(u1, axis=1, keepdims=True)
    u2 = np.cross(n, u1)
    rot = np.stack([u1, u2, n], axis=2)               # columns = bond-frame axes, (M, 3, 3)
    # d: U_jk = tr(Q_j R Q_k R^T)
    rqr = np.einsum("mab,kbc,mdc->mkad", rot, _Q, rot)
    dmat = np.einsum("jda,mkad->mjk", _Q, rqr)
    norb = len(orbitals)
    u = np.zeros((m, norb, norb))
    idx = {o: i for i, o in enumerate(orbitals)}
    for o, i in idx.items():
        if ORBITAL_SHELL[o] in ("s", "s*"):
            u[:, i, i] = 1.0
    for o, i in idx.items():
        sh = ORBITAL_SHELL[o]
        for o2, i2 in idx.items():
            if sh == "p" and ORBITAL_SHELL[o2] == "p":
                u[:, i, i2] = rot[:, _P_INDEX[o], _P_INDEX[o2]]
            elif sh == "d" and ORBITAL_SHELL[o2] == "d":
                u[:, i, i2] = dmat[:, _D_NAMES.index(o), _D_NAMES.index(o2)]
    return u


def hopping_blocks(params: TBParameters, species_i: str, species_j: str,
                   d_nm: np.ndarray) -> np.ndarray:
    """Two-centre hopping blocks <i, a|H|j, b> for many bonds at once.

    .. math:: E_{ab}(\\mathbf d) = [U(\\hat d)\\, H'_{ij}\\, U(\\hat d)^T]_{ab}

    Parameters
    ----------
    params : TBParameters
        Parameter set.
    species_i, species_j : str
        Species of the atom at the bond origin (i) and at its end (j).
    d_nm : ndarray, shape (M, 3) or (3,)
        Bond vectors r_j - r_i, nm. The shell is recognised from |d| (zincblende distances of the
        set's lattice constant, split at the midpoints); blocks of shells the set does not have
        are zero.

    Returns
    -------
    ndarray, shape (M, norb, norb), float
        Hopping matrices in eV, rows = orbitals of i, columns = orbitals of j (basis order
        ``params.orbitals``).
    """
    _check_species(params, species_i)
    _check_species(params, species_j)
    d = np.atleast_2d(np.asarray(d_nm, dtype=float))
    if d.ndim != 2 or d.shape[1] != 3:
        raise ParameterError(f"d_nm must have shape (M, 3), got {np.shape(d_nm)}")
    norb = params.n_orbitals
    out = np.zeros((d.shape[0], norb, norb))
    dist = np.linalg.norm(d, axis=1)
    if np.any(dist < 1e-6):
        raise ParameterError("a bond vector has zero length (two atoms on the same site)")
    shell = shell_of_distance(params, dist)
    same = species_i == species_j
    for sh in (1, 2):
        sel = (shell == sh) & ((sh == 1) != same)   # 1st shell: unlike; 2nd shell: like species
        if not np.any(sel):
            continue
        hb = _bond_frame_block(params, species_i, species_j, sh)
        n = d[sel] / dist[sel, None]
        u = _rotations(n, params.orbitals)
        out[sel] = np.einsum("mai,ij,mbj->mab", u, hb, u)
    return out


def onsite_energies(params: TBParameters, species: str) -> np.ndarray:
    """On-site energies (norb,) in eV of one species, in basis order.

    Parameters
    ----------
    params : TBParameters
        Parameter set.
    species : str
        Cation or anion name of the set.
    """
    _check_species(params, species)
    return np.array([params.value(f"onsite.{species}.{ORBITAL_SHELL[o]}")
                     for o in params.orbitals])


@lru_cache(maxsize=16)
def angular_momentum_matrices(orbitals: tuple[str, ...]) -> np.ndarray:
    """<a|L_k|b> (3, norb, norb) complex, hbar = 1, for real s, p, d, s* orbitals.

    .. math:: L_k = -i (\\mathbf r \\times \\nabla)_k;\\quad
              \\langle p_a|L_k|p_b\\rangle = -i\\,\\epsilon_{kab};\\quad
              \\langle d_j|L_k|d_\\alpha\\rangle =
              -i\\,\\mathrm{tr}[Q_j\\,\\mathrm{sym}(2\\epsilon_k Q_\\alpha)]

    (for f = r^T Q r, (r x grad)_k f = r^T (2 eps_k Q) r with (eps_k)_ab = epsilon_kab).
    """
    norb = len(orbitals)
    lmat = np.zeros((3, norb, norb), dtype=complex)
    idx = {o: i for i, o in enumerate(orbitals)}
    lp = -1j * _LEVI                                   # (k, a, b)
    a2 = 2.0 * np.einsum("kab,qbc->kqac", _LEVI, _Q)
    sym = 0.5 * (a2 + np.swapaxes(a2, -1, -2))
    ld = -1j * np.einsum("jac,kqac->kjq", _Q, sym)
    for o, i in idx.items():
        for o2, i2 in idx.items():
            if o in _P_INDEX and o2 in _P_INDEX:
                lmat[:, i, i2] = lp[:, _P_INDEX[o], _P_INDEX[o2]]
            elif o in _D_NAMES and o2 in _D_NAMES:
                lmat[:, i, i2] = ld[:, _D_NAMES.index(o), _D_NAMES.index(o2)]
    lmat.flags.writeable = False     # cached: shared between calls
    return lmat


_PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex)


def spin_orbit_matrix(params: TBParameters, species: str) -> np.ndarray:
    """On-site spin–orbit matrix (2 norb, 2 norb) complex, eV, basis index spin*norb + orbital.

    .. math:: H_{SO} = \\sum_{shell} \\lambda_{shell}\\, \\mathbf L \\cdot \\boldsymbol\\sigma
              = \\sum_k \\sigma_k \\otimes (\\Lambda L_k)

    with Lambda = diag(lambda of each orbital's shell). On a p shell j = 3/2 lies lambda above and
    j = 1/2 2 lambda below zero (splitting 3 lambda).

    Parameters
    ----------
    params : TBParameters
        Parameter set (``soc.<species>.p``, ``soc.<species>.d``).
    species : str
        Cation or anion name.
    """
    _check_species(params, species)
    lam = np.array([params.values.get(f"soc.{species}.{ORBITAL_SHELL[o]}", 0.0)
                    if ORBITAL_SHELL[o] in ("p", "d") else 0.0 for o in params.orbitals])
    lmat = angular_momentum_matrices(params.orbitals)
    lam_l = lam[None, :, None] * lmat
    return np.einsum("kst,kab->satb", _PAULI, lam_l).reshape(2 * params.n_orbitals,
                                                             2 * params.n_orbitals)
