"""Dielectric constant ε_in of a dot from tight binding in a uniform static field (SPEC §2).

A dot in vacuum sits in an external field F₀ (potential energy of an electron U_ext(R) = e F₀ z).
The occupied states respond; their induced charges (points on the atoms) add a Hartree potential,
and the total potential is found self-consistently in linear response:

.. math::

    \\delta n(R) = g \\sum_{o\\in occ}\\sum_{u\\in empty}
        2\\,\\mathrm{Re}\\,\\frac{\\rho_{ou}(R)\\,\\langle u|U|o\\rangle}{E_o - E_u}, \\qquad
    U = U_{ext} + v\\,\\delta n, \\quad
    v(R,R') = \\frac{e^2}{|R-R'|},\\ v(R,R) = \\frac{6 e^2}{5 r_0},

solved as (1 − v χ₀) U = U_ext with GMRES (one χ₀ product per iteration, two BLAS-3 products
over the occupied × empty block). The total potential on the interior atoms (|R| < f a) is fitted
to the classical dielectric sphere in vacuum, whose inside field is uniform:

.. math::

    F_{in} = \\frac{3}{\\varepsilon_{in} + 2} F_0 \\;\\Rightarrow\\;
    \\varepsilon_{in} = 3 F_0 / F_{in} - 2 .

Method: full (dense) diagonalisation (``method="dense"``), or the polynomial response of
:mod:`qdgain.optics.dielectric_poly` (``method="poly"``: same SCF and fit, χ₀ from a Chebyshev
expansion, no diagonalisation); ``"auto"`` diagonalises up to ``AUTO_DENSE_MAX_ROWS``.
Without spin–orbit coupling the Hamiltonian is
spin-diagonal, so only the spin-up block is diagonalised (g = 2, real arithmetic: about 16× cheaper
than the complex SOC problem); ``soc=True`` Hamiltonians are diagonalised in full (g = 1). The
effect of dropping SOC on ε_in is measured on a small dot in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from qdgain.constants import COULOMB_EV_NM
from qdgain.errors import ConvergenceError, ParameterError
from qdgain.excitons.coulomb import onsite_radius_nm

__all__ = ["DielectricResult", "linear_response_density", "dielectric_constant",
           "fit_sphere_field", "reduce_spin", "dense_spectrum", "dielectric_vs_diameter",
           "screened_response"]

#: ways to compute χ₀: full diagonalisation, polynomial response, or chosen by size
METHODS = ("auto", "dense", "poly")
#: ``method="auto"`` diagonalises matrices up to this many rows (the spin block without SOC),
#: above it the polynomial path is faster (docs/optics_checks.md: 3.0 nm, 3393 rows, dense 13 s
#: vs poly 10–12 s; 3.5 nm, 5373 rows, 87 s vs 32 s)
AUTO_DENSE_MAX_ROWS = 3500


@dataclass(frozen=True, slots=True)
class DielectricResult:
    """ε_in from a static-field TB calculation (saved results).

    Attributes
    ----------
    eps_in : float
        Fitted dielectric constant of the dot.
    field_ext_V_nm, field_in_V_nm : float
        Applied field and fitted uniform inside field, V/nm.
    potential_eV : ndarray (n_atoms,)
        Self-consistent potential energy of an electron on each atom, eV.
    induced_electrons : ndarray (n_atoms,)
        Induced electron number on each atom.
    radius_nm : float
        Sphere radius (max |R| + d_nn/2), nm.
    n_fit_atoms : int
        Interior atoms used in the fit.
    iterations : int
        GMRES iterations (χ₀ products).
    spin_degeneracy : int
        2 when the spin-free block was used, 1 with SOC.
    """

    eps_in: float
    field_ext_V_nm: float
    field_in_V_nm: float
    potential_eV: np.ndarray
    induced_electrons: np.ndarray
    radius_nm: float
    n_fit_atoms: int
    iterations: int
    spin_degeneracy: int


def reduce_spin(ham: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """Dense matrix to diagonalise, its atom index per row, and the spin degeneracy g.

    Without SOC (spin off-diagonal block ≡ 0) the spin-up block is returned (real when H is),
    with g = 2; otherwise the full matrix with g = 1.
    """
    M = sp.csr_matrix(ham.matrix)
    atom = np.asarray(ham.atom_of_basis)
    spin = getattr(ham, "spin_of_basis", None)
    if spin is not None:
        spin = np.asarray(spin)
        up, dn = np.flatnonzero(spin == 0), np.flatnonzero(spin == 1)
        off = M[up][:, dn]
        if up.size and up.size == dn.size and (off.nnz == 0 or abs(off).max() < 1e-12):
            B = M[up][:, up].toarray()
            if np.abs(B.imag).max() < 1e-12:
                B = B.real
            return B, atom[up], 2
    return M.toarray(), atom, 1


def linear_response_density(C: np.ndarray, energies_eV: np.ndarray, n_occ: int,
                            atom: np.ndarray, n_atoms: int, U_atom_eV: np.ndarray,
                            spin_degeneracy: int = 1) -> np.ndarray:
    """δn(R) = χ₀ U: induced electrons per atom for a site potential U (eV), formula above.

    Parameters
    ----------
    C : ndarray (n_basis, n_basis)
        All eigenvectors (columns), ascending energies.
    energies_eV : ndarray (n_basis,)
        Eigenvalues, eV.
    n_occ : int
        Number of occupied (per spin block) states.
    atom : ndarray (n_basis,)
        Atom of each basis function.
    n_atoms : int
        Number of atoms.
    U_atom_eV : ndarray (n_atoms,)
        Potential energy of an electron on each atom, eV.
    spin_degeneracy : int
        g (2 for a spin-free block).
    """
    Co, Cu = C[:, :n_occ], C[:, n_occ:]
    Eo, Eu = energies_eV[:n_occ], energies_eV[n_occ:]
    Ub = np.asarray(U_atom_eV)[atom]
    M = Cu.conj().T @ (Ub[:, None] * Co)
    M /= (Eo[None, :] - Eu[:, None])
    X = Cu @ M
    dn_b = 2.0 * spin_degeneracy * np.real(np.einsum("bo,bo->b", Co.conj(), X))
    return np.bincount(atom, weights=dn_b, minlength=n_atoms)


def fit_sphere_field(positions_nm: np.ndarray, potential_eV: np.ndarray, radius_nm: float,
                     fit_fraction: float = 0.6) -> tuple[float, int]:
    """Uniform field (eV/nm along z) of the best plane U = F z + b·(x, y) + c on |R| < f a."""
    pos = np.asarray(positions_nm, dtype=float)
    inner = np.linalg.norm(pos, axis=1) < fit_fraction * radius_nm
    if inner.sum() < 8:
        raise ParameterError(f"only {int(inner.sum())} atoms inside {fit_fraction} x radius; "
                             "raise fit_fraction or use a larger dot")
    A = np.column_stack([pos[inner], np.ones(int(inner.sum()))])
    coef, *_ = np.linalg.lstsq(A, np.asarray(potential_eV)[inner], rcond=None)
    return float(coef[2]), int(inner.sum())


def dense_spectrum(ham: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Full diagonalisation of (the spin block of) a TB Hamiltonian.

    Returns ``(energies_eV, vectors, atom_of_row, g, n_occ)`` with ``n_occ`` the occupied states
    of the block (``ham.n_valence // g``; the electron count of the neutral dot).
    """
    Hd, atom, g = reduce_spin(ham)
    w, C = sla.eigh(Hd, overwrite_a=True, check_finite=False, driver="evd")
    n_val = getattr(ham, "n_valence", None)
    if n_val is None:
        raise ParameterError("the Hamiltonian has no n_valence (electron count); pass fermi_eV")
    return w, C, atom, g, int(n_val) // g


def dielectric_constant(ham: Any, fermi_eV: float | None = None, *, field_V_nm: float = 0.01,
                        lattice_constant_nm: float = 0.646, fit_fraction: float = 0.6,
                        tol: float = 1e-8, max_iter: int = 60,
                        spectrum: tuple | None = None, method: str = "auto",
                        **poly: Any) -> DielectricResult:
    """ε_in of a dot: self-consistent linear response to a uniform field, fitted to a sphere.

    Parameters
    ----------
    ham : TBHamiltonian
        Field-free Hamiltonian (``matrix``, ``positions_nm``, ``atom_of_basis``, optionally
        ``spin_of_basis``); ``soc=False`` Hamiltonians use the cheaper spin block.
    fermi_eV : float, optional
        Energy in the gap separating occupied from empty states, eV (e.g. (homo + lumo)/2);
        default: fill ``ham.n_valence`` spin-orbitals (the neutral dot).
    field_V_nm : float
        External field F₀, V/nm (linear response: ε_in does not depend on it).
    lattice_constant_nm : float
        Lattice constant (nm) for the on-site Coulomb radius r_0.
    fit_fraction : float
        Fit the potential on atoms with |R| < fit_fraction × radius.
    tol : float
        GMRES relative tolerance on the potential.
    max_iter : int
        Maximum GMRES iterations.
    spectrum : tuple, optional
        Output of :func:`dense_spectrum` for this Hamiltonian, to reuse a diagonalisation.
    method : {"auto", "dense", "poly"}
        χ₀ by full diagonalisation, by :func:`qdgain.optics.dielectric_poly.response_poly`, or
        dense up to ``AUTO_DENSE_MAX_ROWS`` rows (and whenever ``spectrum`` is given).
    **poly
        Options of :func:`qdgain.optics.dielectric_poly.response_poly` (``method="poly"``).
    """
    if method not in METHODS:
        raise ParameterError(f"method = {method!r}: choose one of {', '.join(METHODS)}")
    if method == "auto":
        soc = bool(getattr(ham, "options", {}).get("soc", True))
        rows = ham.matrix.shape[0] // (1 if soc else 2)      # rows dense would diagonalise
        method = "dense" if spectrum is not None or rows <= AUTO_DENSE_MAX_ROWS else "poly"
    if method == "poly":
        from qdgain.optics.dielectric_poly import dielectric_constant_poly

        if spectrum is not None:
            raise ParameterError("spectrum= is a dense diagonalisation; use method='dense'")
        return dielectric_constant_poly(ham, fermi_eV, field_V_nm=field_V_nm,
                                        lattice_constant_nm=lattice_constant_nm,
                                        fit_fraction=fit_fraction, tol=tol, max_iter=max_iter,
                                        **poly)
    if poly:
        raise ParameterError(f"options {sorted(poly)} belong to method='poly'")
    if not field_V_nm > 0:
        raise ParameterError(f"field_V_nm = {field_V_nm}: the applied field must be > 0 V/nm")
    pos = np.asarray(ham.positions_nm, dtype=float)
    pos = pos - pos.mean(axis=0)
    n_at = len(pos)
    w, C, atom, g, n_occ = dense_spectrum(ham) if spectrum is None else spectrum
    if fermi_eV is not None:
        n_occ = int(np.searchsorted(w, fermi_eV))
    if n_occ in (0, len(w)):
        raise ParameterError(f"fermi_eV = {fermi_eV} lies outside the spectrum "
                             f"[{w[0]:.3f}, {w[-1]:.3f}] eV; pass an energy in the gap")

    def chi0(U: np.ndarray) -> np.ndarray:
        return linear_response_density(C, w, n_occ, atom, n_at, U, g)

    return screened_response(pos, chi0, g, field_V_nm=field_V_nm,
                             lattice_constant_nm=lattice_constant_nm,
                             fit_fraction=fit_fraction, tol=tol, max_iter=max_iter)


def screened_response(pos_nm: np.ndarray, chi0: Any, spin_degeneracy: int, *,
                      field_V_nm: float, lattice_constant_nm: float, fit_fraction: float,
                      tol: float, max_iter: int) -> DielectricResult:
    """Self-consistent (Hartree, point-charge) potential of a uniform field, fitted to a sphere.

    Solves U = U_ext + v χ₀ U by GMRES (U_ext = F₀ z, v the site Coulomb matrix with the
    on-site value 1.2 e²/r₀) and fits F_in inside the dot: ε_in = 3 F₀ / F_in − 2. Shared by
    the dense and the polynomial χ₀ (``chi0``: site potentials (eV) → induced electrons).

    Parameters
    ----------
    pos_nm : ndarray (N, 3)
        Atom positions centred on the dot, nm.
    chi0 : callable
        U ↦ χ₀ U.
    spin_degeneracy : int
        Reported in the result (2 for the spin-free block).
    """
    pos = pos_nm
    n_at = len(pos)
    d = np.sqrt(((pos[:, None] - pos[None]) ** 2).sum(-1))
    np.fill_diagonal(d, 1.0)
    v = COULOMB_EV_NM / d
    np.fill_diagonal(v, 1.2 * COULOMB_EV_NM / onsite_radius_nm(lattice_constant_nm))
    np.fill_diagonal(d, np.inf)
    radius = float(np.linalg.norm(pos, axis=1).max() + 0.5 * d.min())
    U_ext = field_V_nm * pos[:, 2]
    count = [0]

    def apply(U: np.ndarray) -> np.ndarray:
        count[0] += 1
        return U - v @ chi0(U)

    A = spla.LinearOperator((n_at, n_at), matvec=apply, dtype=float)
    U, info = spla.gmres(A, U_ext, rtol=tol, atol=0.0, restart=max_iter, maxiter=1)
    res = float(np.linalg.norm(apply(U) - U_ext) / np.linalg.norm(U_ext))
    count[0] -= 1
    if info != 0 and res > 1e3 * tol:
        raise ConvergenceError("self-consistent field response did not converge; raise "
                               "max_iter", iterations=count[0], residual=res)
    dn = chi0(U)
    F_in, n_fit = fit_sphere_field(pos, U, radius, fit_fraction)
    return DielectricResult(eps_in=3.0 * field_V_nm / F_in - 2.0, field_ext_V_nm=field_V_nm,
                            field_in_V_nm=F_in, potential_eV=U, induced_electrons=dn,
                            radius_nm=radius, n_fit_atoms=n_fit, iterations=count[0],
                            spin_degeneracy=spin_degeneracy)


def dielectric_vs_diameter(diameters_nm: list[float], material: Any = "HgTe", *,
                           soc: bool = False, surface: Any = None,
                           **kw: Any) -> list[DielectricResult]:
    """ε_in(d) for spheres of the given diameters (nm); ``soc=False`` uses the spin block.

    Dots come from :func:`qdgain.electronic.build_dot` (the library's dot model: for HgTe the
    fitted 300 K set, two-fold Te removed, dangling hybrids projected out).

    Parameters
    ----------
    diameters_nm : list of float
        Sphere diameters, nm (> 0).
    material : str or TBParameters
        Material (its dot parameter set), set name or a loaded set.
    soc : bool
        Spin–orbit coupling in the Hamiltonian (16× costlier diagonalisation).
    surface : str or SurfaceModel, optional
        Surface model (:data:`qdgain.electronic.SURFACES`; default the library's).
    **kw
        Passed to :func:`dielectric_constant` (e.g. ``method="dense" | "poly" | "auto"``).
    """
    from qdgain.electronic import build_dot
    from qdgain.structure import Sphere

    if kw.get("method", "auto") not in METHODS:
        raise ParameterError(f"method = {kw['method']!r}: choose one of {', '.join(METHODS)}")
    opts = {} if surface is None else {"surface": surface}
    out = []
    for d in diameters_nm:
        if not d > 0:
            raise ParameterError(f"diameter {d} nm: diameters must be > 0")
        nc, ham = build_dot(material, Sphere(diameter_nm=float(d)), soc=soc, **opts)
        out.append(dielectric_constant(ham, **{"lattice_constant_nm": nc.lattice_constant_nm,
                                               **kw}))
    return out
