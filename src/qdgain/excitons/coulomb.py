"""Coulomb integrals from atomic transition densities (point charges on the atomic sites).

Every two-body integral is a product of transition densities and one site–site kernel,

.. math::

    \\langle ab|cd\\rangle = \\sum_{R,R'} \\rho_{ac}(R)\\, W(R,R')\\, \\rho_{bd}(R'), \\qquad
    \\rho_{ab}(R) = \\sum_{\\mu \\in R} c^*_{\\mu a} c_{\\mu b},

where the sum over μ runs over all orbitals and both spin components on atom R. Evaluated as BLAS
products (``rho.T @ W @ rho``), never as a Python loop over pairs of states.

The kernel ``W`` (eV) is the screened Coulomb energy of two unit charges in a dielectric sphere:

.. math::

    W(R,R') = \\frac{e^2}{\\varepsilon_{in} |R-R'|} + P(R,R'), \\qquad
    W(R,R) = \\frac{6}{5}\\,\\frac{e^2}{\\varepsilon_{in} r_0} + P(R,R),

* on-site regularisation: two uniformly charged spheres of radius ``r_0`` on top of each other
  (6/5 e²/r_0), with ``r_0`` the radius of the sphere whose volume is the volume per atom of the
  zincblende crystal, ``r_0 = (3 a^3 / 32\\pi)^{1/3}`` (0.200 nm for HgTe);
* ``P`` the surface-polarisation (image) potential of a dielectric sphere of radius ``a`` and
  permittivity ε_in in a medium ε_out (Jackson §4.4, Brus 1984):

  .. math::

      P(r,r') = \\frac{e^2}{a} \\sum_{l\\ge 0}
      \\frac{(\\varepsilon_{in}-\\varepsilon_{out})(l+1)}
           {\\varepsilon_{in}\\,[l\\varepsilon_{in}+(l+1)\\varepsilon_{out}]}
      \\left(\\frac{r r'}{a^2}\\right)^l P_l(\\cos\\gamma),

  truncated where ``(r r'/a^2)^l < 1e-6``. The self-energy of one carrier is Σ(r) = P(r, r)/2.
  The dielectric radius ``a`` is the largest atomic radius plus half the nearest-neighbour
  distance, so every site lies strictly inside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qdgain.constants import COULOMB_EV_NM
from qdgain.errors import ParameterError

__all__ = [
    "StatesLike",
    "CoulombKernel",
    "coulomb_kernel",
    "transition_densities",
    "site_matrix",
    "polarisation_kernel",
    "kernel_memory_GB",
    "onsite_radius_nm",
]


class StatesLike(Protocol):
    """The part of ``qdgain.electronic.States`` this layer reads (see docs/interfaces.md)."""

    energies_eV: np.ndarray
    vectors: np.ndarray
    is_conduction: np.ndarray
    atom_of_basis: np.ndarray
    positions_nm: np.ndarray


@dataclass(frozen=True, slots=True)
class CoulombKernel:
    """Site–site interaction kernel of a dot (eV per pair of unit charges).

    Attributes
    ----------
    W_eV : ndarray (n_atoms, n_atoms)
        Full screened kernel: bare/ε_in (with on-site term) + surface polarisation.
    bare_eV : ndarray (n_atoms, n_atoms)
        e²/(ε_in |R−R'|) with the regularised diagonal, eV.
    polarisation_eV : ndarray (n_atoms, n_atoms)
        Image term P(R, R') = W − bare, eV (zero when ε_in == ε_out); computed on access (only
        W and bare are stored: 2 × 8 B × N², 3.7 GB for a 10 nm sphere of 15k atoms).
    self_energy_eV : ndarray (n_atoms,)
        Σ(R) = P(R, R)/2, eV: polarisation self-energy of one carrier on site R.
    eps_in, eps_out : float
        Dielectric constants inside and outside the dot.
    radius_nm : float
        Radius of the dielectric sphere, nm.
    onsite_radius_nm : float
        r_0 of the on-site regularisation, nm.
    l_max : int
        Highest multipole kept in P.
    """

    W_eV: np.ndarray
    bare_eV: np.ndarray
    self_energy_eV: np.ndarray
    eps_in: float
    eps_out: float
    radius_nm: float
    onsite_radius_nm: float
    l_max: int

    @property
    def polarisation_eV(self) -> np.ndarray:
        """Image term P = W − bare (eV), (n_atoms, n_atoms)."""
        return self.W_eV - self.bare_eV


#: temporaries of the kernel construction are built in row blocks of about this many bytes
_CHUNK_BYTES = 256e6


def kernel_memory_GB(n_atoms: int) -> float:
    """Peak memory (GB) of :func:`coulomb_kernel` for ``n_atoms`` sites: W and bare (8 B × N²
    each) plus the row-block temporaries (sized to :data:`_CHUNK_BYTES` in all; ×2 margin)."""
    n2 = float(n_atoms) ** 2
    return (16.0 * n2 + 2.0 * min(_CHUNK_BYTES, 64.0 * n2)) / 1e9


def _row_blocks(n: int, arrays: int):
    """Row ranges of an (n, n) construction whose ``arrays`` float64 temporaries per row block
    stay under :data:`_CHUNK_BYTES` in all."""
    step = max(1, int(_CHUNK_BYTES // (8.0 * max(n, 1) * arrays)))
    for i0 in range(0, n, step):
        yield i0, min(n, i0 + step)


def onsite_radius_nm(lattice_constant_nm: float) -> float:
    """Radius r_0 (nm) of a sphere with the volume per atom of zincblende, (3a³/32π)^(1/3).

    Parameters
    ----------
    lattice_constant_nm : float
        Cubic lattice constant a, nm.
    """
    return float((3.0 * lattice_constant_nm**3 / (32.0 * np.pi)) ** (1.0 / 3.0))


def _check_eps(eps_in: float, eps_out: float) -> None:
    if not (np.isfinite(eps_in) and eps_in > 0):
        raise ParameterError(f"eps_in = {eps_in!r}: the dielectric constant inside the dot must "
                             "be a finite number > 0 (HgTe dots: about 5-15)")
    if not (np.isfinite(eps_out) and eps_out > 0):
        raise ParameterError(f"eps_out = {eps_out!r}: the solvent dielectric constant must be a "
                             "finite number > 0 (TCE: n^2 = 2.25)")


def polarisation_kernel(positions_nm: np.ndarray, radius_nm: float, eps_in: float,
                        eps_out: float, tol: float = 1e-6) -> tuple[np.ndarray, int]:
    """Image potential P(R, R') (eV) of a dielectric sphere for unit charges at the sites.

    .. math::

        P(r,r') = \\frac{e^2}{a}\\sum_l c_l\\, x^l P_l(\\cos\\gamma), \\quad
        c_l = \\frac{(\\varepsilon_{in}-\\varepsilon_{out})(l+1)}
                   {\\varepsilon_{in}[l\\varepsilon_{in}+(l+1)\\varepsilon_{out}]}, \\quad
        x = r r'/a^2

    Parameters
    ----------
    positions_nm : ndarray (N, 3)
        Site positions relative to the sphere centre, nm.
    radius_nm : float
        Sphere radius a, nm (every site must lie inside).
    eps_in, eps_out : float
        Permittivities inside and outside (dimensionless).
    tol : float
        Truncation: stop at the first l with x_max^l < tol.

    Returns
    -------
    P_eV : ndarray (N, N)
    l_max : int
    """
    _check_eps(eps_in, eps_out)
    pos = np.asarray(positions_nm, dtype=float)
    r = _radii_inside(pos, radius_nm)
    n = len(pos)
    out = np.zeros((n, n))
    if eps_in == eps_out or n == 0:
        return out, 0
    l_max = _l_max(r, radius_nm, tol)
    for i0, i1 in _row_blocks(n, 8):
        out[i0:i1] = _polarisation_rows(pos, r, i0, i1, radius_nm, eps_in, eps_out, l_max)
    return out, l_max


def _radii_inside(pos: np.ndarray, radius_nm: float) -> np.ndarray:
    """|R| of the sites (nm); ParameterError unless all lie inside the sphere."""
    r = np.linalg.norm(pos, axis=1)
    if np.any(r >= radius_nm):
        raise ParameterError(f"dielectric radius {radius_nm:.4g} nm does not enclose all sites "
                             f"(max |R| = {r.max():.4g} nm); pass a larger radius_nm")
    return r


def _l_max(r: np.ndarray, radius_nm: float, tol: float) -> int:
    """First l with (r_max/a)^(2l) < tol (0 without sites)."""
    xmax = float(r.max()) ** 2 / radius_nm**2 if len(r) else 0.0
    return int(np.ceil(np.log(tol) / np.log(xmax))) if xmax > 0 else 0


def _polarisation_rows(pos: np.ndarray, r: np.ndarray, i0: int, i1: int, radius_nm: float,
                       eps_in: float, eps_out: float, l_max: int) -> np.ndarray:
    """Rows i0:i1 of P(R, R') (eV), multipoles 0..l_max (see :func:`polarisation_kernel`)."""
    x = np.outer(r[i0:i1], r) / radius_nm**2
    with np.errstate(invalid="ignore", divide="ignore"):
        cosg = (pos[i0:i1] @ pos.T) / np.outer(r[i0:i1], r)
    cosg = np.where(np.isfinite(cosg), np.clip(cosg, -1.0, 1.0), 1.0)
    # Legendre recurrence (l+1) P_{l+1} = (2l+1) t P_l - l P_{l-1}, on the row block
    p_prev, p_cur = np.ones_like(cosg), cosg.copy()
    xl = np.ones_like(x)
    total = np.zeros_like(x)
    for ell in range(l_max + 1):
        c_l = (eps_in - eps_out) * (ell + 1) / (eps_in * (ell * eps_in + (ell + 1) * eps_out))
        p_l = p_prev if ell == 0 else p_cur
        total += c_l * xl * p_l
        if ell >= 1:
            p_prev, p_cur = p_cur, ((2 * ell + 1) * cosg * p_cur - ell * p_prev) / (ell + 1)
        xl = xl * x
    return COULOMB_EV_NM / radius_nm * total


def coulomb_kernel(positions_nm: np.ndarray, eps_in: float, eps_out: float = 2.25, *,
                   lattice_constant_nm: float = 0.646, radius_nm: float | None = None,
                   polarisation: bool = True) -> CoulombKernel:
    """Screened site–site Coulomb kernel with on-site regularisation and image terms.

    .. math::

        W(R,R') = \\frac{e^2}{\\varepsilon_{in}|R-R'|}\\;(R\\ne R'), \\quad
        W(R,R) = \\frac{6 e^2}{5 \\varepsilon_{in} r_0}, \\quad + P(R,R')

    Parameters
    ----------
    positions_nm : ndarray (N, 3)
        Atomic positions, nm (centred on the dot centre: the centroid is subtracted).
    eps_in : float
        Dielectric constant of the dot (screens every term).
    eps_out : float
        Dielectric constant of the surrounding medium (TCE: 1.50² = 2.25).
    lattice_constant_nm : float
        Lattice constant a (nm), sets the on-site radius r_0 = (3a³/32π)^(1/3).
    radius_nm : float, optional
        Dielectric sphere radius, nm; default max|R| + d_nn/2.
    polarisation : bool
        Include the surface-polarisation (image) terms.
    """
    _check_eps(eps_in, eps_out)
    pos = np.asarray(positions_nm, dtype=float)
    pos = pos - pos.mean(axis=0)
    n = len(pos)
    r0 = onsite_radius_nm(lattice_constant_nm)
    # bare kernel in row blocks (no (N, N, 3) difference array), nearest-neighbour distance
    bare = np.empty((n, n))
    d_nn = np.inf
    for i0, i1 in _row_blocks(n, 4):
        d = np.sqrt(((pos[i0:i1, None, :] - pos[None, :, :]) ** 2).sum(-1))
        rows = np.arange(i0, i1)
        d[rows - i0, rows] = np.inf
        d_nn = min(d_nn, float(d.min())) if d.size else d_nn
        bare[i0:i1] = COULOMB_EV_NM / (eps_in * d)
        bare[rows, rows] = 1.2 * COULOMB_EV_NM / (eps_in * r0)
    if radius_nm is None:
        d_nn = d_nn if n > 1 else 2 * r0
        radius_nm = float(np.linalg.norm(pos, axis=1).max() + 0.5 * d_nn)
    W = bare.copy()
    l_max = 0
    if polarisation:
        r = _radii_inside(pos, radius_nm)
        l_max = _l_max(r, radius_nm, 1e-6)
        if eps_in != eps_out:
            for i0, i1 in _row_blocks(n, 8):
                W[i0:i1] += _polarisation_rows(pos, r, i0, i1, radius_nm, eps_in, eps_out, l_max)
    self_energy = 0.5 * (np.diag(W) - np.diag(bare))
    return CoulombKernel(W_eV=W, bare_eV=bare, self_energy_eV=self_energy,
                         eps_in=float(eps_in), eps_out=float(eps_out), radius_nm=float(radius_nm),
                         onsite_radius_nm=r0, l_max=l_max)


def transition_densities(states: StatesLike, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Atomic transition densities ρ_ab(R) = Σ_{μ on R} c*_{μa} c_{μb} (units of e).

    Parameters
    ----------
    states : States
        Single-particle states (``vectors`` (n_basis, n), ``atom_of_basis``).
    a, b : array of int
        Indices of the states (columns of ``states.vectors``).

    Returns
    -------
    ndarray (n_atoms, len(a), len(b)) complex
    """
    C = np.asarray(states.vectors)
    atom = np.asarray(states.atom_of_basis)
    n_atoms = len(states.positions_nm)
    a = np.atleast_1d(np.asarray(a, dtype=int))
    b = np.atleast_1d(np.asarray(b, dtype=int))
    n_basis = C.shape[0]
    m = n_basis // n_atoms if n_atoms else 0
    Ca, Cb = C[:, a], C[:, b]
    if m * n_atoms == n_basis and np.array_equal(atom, np.repeat(np.arange(n_atoms), m)):
        # contiguous equal blocks per atom: one batched matmul (n_at, na, m) @ (n_at, m, nb)
        A = Ca.reshape(n_atoms, m, len(a)).conj().transpose(0, 2, 1)
        return np.matmul(A, Cb.reshape(n_atoms, m, len(b)))
    prod = (Ca.conj()[:, :, None] * Cb[:, None, :]).reshape(n_basis, -1)
    out = np.zeros((n_atoms, prod.shape[1]), dtype=complex)
    np.add.at(out, atom, prod)
    return out.reshape(n_atoms, len(a), len(b))


def site_matrix(states: StatesLike, a: np.ndarray, b: np.ndarray,
                site_values: np.ndarray) -> np.ndarray:
    """Matrix of a site-diagonal operator, Σ_R ρ_ab(R) u(R) = C_aᴴ diag(u(R(μ))) C_b.

    Parameters
    ----------
    states : States
        Single-particle states (``vectors`` (n_basis, n), ``atom_of_basis``).
    a, b : array of int
        Indices of the states (columns of ``states.vectors``).
    site_values : ndarray (n_atoms,) or (n_atoms, k)
        u(R) per atom (any unit; e.g. a potential in eV or a coordinate in nm).

    Returns
    -------
    ndarray (len(a), len(b)) or (len(a), len(b), k) complex, in the unit of ``site_values``.
    One GEMM per column of u: O(n_basis · len(a) · len(b)), without the (n_atoms, len(a),
    len(b)) array of :func:`transition_densities`.
    """
    C = np.asarray(states.vectors)
    u = np.asarray(site_values, dtype=float)
    if u.shape[0] != len(states.positions_nm):
        raise ParameterError(f"site_values has {u.shape[0]} rows but the dot has "
                             f"{len(states.positions_nm)} atoms")
    atom = np.asarray(states.atom_of_basis)
    Ca = C[:, np.atleast_1d(np.asarray(a, dtype=int))]
    Cb = C[:, np.atleast_1d(np.asarray(b, dtype=int))]
    uc = u[atom]
    if uc.ndim == 1:
        return Ca.conj().T @ (uc[:, None] * Cb)
    return np.stack([Ca.conj().T @ (uc[:, k, None] * Cb) for k in range(uc.shape[1])], axis=-1)
