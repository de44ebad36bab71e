"""Interior eigensolvers for the band-edge states: shift-invert block Krylov and dense.

Shift-invert (default above ``DENSE_MAX_BASIS``): one LDLᴴ of H − σ I without pivoting across
the symmetric elimination order — the multifrontal factor of :mod:`qdgain.electronic.multifrontal`
on a geometric nested-dissection tree of the atoms (:mod:`qdgain.electronic.ordering`). By
Sylvester's law the number of negative eigenvalues of D is the number of eigenvalues below σ;
comparing it with the number of valence states (bond counting) tells whether σ lies in the gap
(σ is moved until it does). With σ in the gap the transformed spectrum ν = 1/(E − σ) separates the
bands: the largest ν are the lowest conduction states and the most negative ν the highest valence
states, so one factorisation serves both; they are extracted together by the Kramers block Krylov
method of :mod:`qdgain.electronic.krylov` (time-reversal partners for free, harmonic Ritz). A
shift that turns out to sit next to a band edge is moved to mid-gap (one more factorisation).
ARPACK (``eigs`` on the factor) only serves the gap search when σ starts outside the gap.

Every path ends with the same finishing step: time-reversal partners Θv = iσ_y K v are added
(Kramers completeness), a Rayleigh–Ritz step on H, residuals, and a cut to complete degenerate
multiplets on each side of the gap.

``method="chebyshev"`` imports :mod:`qdgain.electronic.chebyshev` lazily; that module must provide
``eigenpairs(H, n_vb, n_cb, *, sigma_eV, tol_eV) -> (energies_eV, vectors, sigma_in_gap_eV)``
with at least ``n_vb`` + a margin states below and ``n_cb`` + a margin above ``sigma_in_gap_eV``.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, eigs, splu

from qdgain.electronic.hamiltonian import TBHamiltonian
from qdgain.electronic.krylov import Recentre, kramers_block_krylov, time_reversed
from qdgain.electronic.multifrontal import MultifrontalLDL
from qdgain.electronic.ordering import DissectionTree, atom_graph, dissection_tree
from qdgain.electronic.states import DEFAULT_DEGENERACY_TOL_EV, States, degeneracy_groups
from qdgain.errors import ConvergenceError, ParameterError

__all__ = ["band_edge_states", "inertia", "time_reversed", "METHODS", "DENSE_MAX_BASIS",
           "SHIFT_INVERT_MAX_BASIS"]

METHODS = ("auto", "shift-invert", "dense", "chebyshev", "slepc")
#: "auto" diagonalises densely up to this many spin-orbitals (≈ 220 atoms of sp3d5: ~30 s)
DENSE_MAX_BASIS = 4000
#: "auto" uses shift-invert (certified by the inertia count) up to this many spin-orbitals
#: (≈ 4.8 nm HgTe sphere, factor ≈ 2.5 GB) and the factorisation-free Chebyshev solver above:
#: at 3.5 nm both take ≈ 12 s on one core, at 6 nm shift-invert needs 131 s and 6.4 GB against
#: the filter's time in benchmarks/RESULTS.md (session 3) and < 1 GB
SHIFT_INVERT_MAX_BASIS = 30000
# extra states asked for beyond n on each side: a 4-fold level (the largest of the Td double
# group) cut at the edge plus one state beyond it to prove the level complete
_MARGIN = 6
_MAX_SHIFTS = 6
# a shift this many states from the gap is kept: the windows grow by |excess| instead of paying
# for another factorisation
_ACCEPT_EXCESS = 24
#: inverse-iteration refinements of the Ritz vectors when a kept state stops short of tol_eV
_MAX_REFINE = 3
#: right-hand sides per block-Krylov step (the basis grows by 2× this with the Θ partners);
#: 3.5 nm, 22 + 14 states: block 2/4/8/16 → 102/148/232/384 solves; 4 keeps room for the
#: 4-fold levels of the Td double group plus an accidental degeneracy
KRYLOV_BLOCK = 4


class _Factor:
    """Factor of H − σ I without pivoting across the symmetric order: ``solve`` (blocks welcome)
    and the Sylvester inertia ``below``.

    With an elimination tree (atoms of a dot): the multifrontal LDLᴴ of
    :mod:`qdgain.electronic.multifrontal` (dense BLAS-3 fronts; 3.5 nm: 3.0 s vs 5.9 s for SuperLU
    in the same order, 4.5 nm: 12 s vs 28 s). Without: SuperLU with the symmetric MMD order.
    """

    __slots__ = ("lu", "below", "fill")

    def __init__(self, matrix: sp.csr_matrix, sigma: float,
                 tree: DissectionTree | None = None) -> None:
        n = matrix.shape[0]
        if tree is not None:
            self.lu = MultifrontalLDL(matrix, sigma, tree)
            self.below, self.fill = self.lu.below, self.lu.fill
            return
        shifted = matrix - sigma * sp.identity(n, dtype=complex, format="csr")
        self.lu = splu(shifted.tocsc(), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                       options={"SymmetricMode": True})
        self.below = None
        if np.array_equal(self.lu.perm_r, self.lu.perm_c):   # symmetric: Sylvester applies
            self.below = int(np.count_nonzero(self.lu.U.diagonal().real < 0))
        self.fill = (self.lu.L.nnz + self.lu.U.nnz) / matrix.nnz

    def solve(self, b: np.ndarray) -> np.ndarray:
        """(H − σ I)⁻¹ b for a vector or an (n, m) block."""
        return self.lu.solve(np.ascontiguousarray(b))


def _atom_order(H: TBHamiltonian) -> DissectionTree:
    """Elimination tree of the dot's atoms (geometric nested dissection)."""
    return dissection_tree(H.positions_nm, atom_graph(H.matrix, H.n_atoms))


def _factorise(matrix: sp.csr_matrix, sigma: float, tree: DissectionTree | None = None
               ) -> tuple[_Factor, int | None, float]:
    """Factor of H − σ I (no pivoting, symmetric ordering); inertia and fill ratio."""
    f = _Factor(matrix, sigma, tree)
    return f, f.below, f.fill


def inertia(H: TBHamiltonian | sp.spmatrix, sigma_eV: float) -> int:
    """Number of eigenvalues of H below ``sigma_eV`` (eV), from the pivots of one LDLᴴ.

    Raises :class:`ConvergenceError` if SuperLU had to pivot off the diagonal (then the count
    would not be an inertia).
    """
    if isinstance(H, TBHamiltonian):
        _, below, _ = _factorise(H.matrix, sigma_eV, _atom_order(H))
    else:
        _, below, _ = _factorise(sp.csr_matrix(H), sigma_eV)
    if below is None:
        raise ConvergenceError(f"LU of H − {sigma_eV} eV pivoted off the diagonal; no inertia")
    return below


def _arpack(matrix: sp.csr_matrix, lu: _Factor, sigma: float, k: int, which: str,
            tol: float) -> tuple[np.ndarray, np.ndarray]:
    n = matrix.shape[0]
    k = min(k, n - 2)
    op = LinearOperator((n, n), matvec=lu.solve, dtype=complex)
    rng = np.random.default_rng(12345)    # fixed start vector: reproducible runs
    v0 = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    try:
        w, v = eigs(matrix, k=k, sigma=sigma, which=which, OPinv=op, tol=tol, v0=v0,
                    ncv=min(n, max(2 * k + 1, 20)), maxiter=n)
    except Exception as exc:  # ArpackNoConvergence and friends
        raise ConvergenceError(f"ARPACK ({which}, k={k}) around {sigma:.4f} eV failed: {exc}"
                               ) from exc
    return w.real, v


def _rayleigh_ritz(matrix: sp.csr_matrix, basis: np.ndarray, n_orbitals: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ritz pairs of H on span{V, ΘV}; returns energies, vectors, residual norms (eV)."""
    y = np.hstack([basis, time_reversed(basis, n_orbitals)])
    gram = y.conj().T @ y
    s, u = np.linalg.eigh(gram)
    keep = s > 1e-10 * s.max()
    q = y @ (u[:, keep] / np.sqrt(s[keep]))
    hq = matrix @ q
    e, c = np.linalg.eigh(q.conj().T @ hq)
    x = q @ c
    res = np.linalg.norm(hq @ c - x * e, axis=0)
    return e, x, res


def _cut(energies_from_gap: np.ndarray, n_want: int, tol: float) -> int | None:
    """States to keep on one side (ordered away from the gap) so that whole levels are kept and
    at least ``n_want`` states; None if the window cannot prove the last level complete."""
    if n_want == 0:
        return 0
    lev = degeneracy_groups(np.abs(energies_from_gap - energies_from_gap[0]), tol)
    if len(lev) < n_want:
        return None
    last = lev[n_want - 1]
    end = int(np.searchsorted(lev, last, side="right"))
    return end if end < len(lev) else None


def _assemble(H: TBHamiltonian, e: np.ndarray, x: np.ndarray, res: np.ndarray,
              is_cb: np.ndarray, n_vb: int, n_cb: int, tol_deg: float, method: str,
              info: dict[str, Any]) -> States | None:
    vb = np.flatnonzero(~is_cb)[::-1]
    cb = np.flatnonzero(is_cb)
    kv = _cut(e[vb], n_vb, tol_deg) if len(vb) else (0 if n_vb == 0 else None)
    kc = _cut(e[cb], n_cb, tol_deg) if len(cb) else (0 if n_cb == 0 else None)
    if kv is None or kc is None:
        return None
    sel = np.sort(np.concatenate([vb[:kv], cb[:kc]]))
    e, x, res, is_cb = e[sel], x[:, sel], res[sel], is_cb[sel]
    homo = float(e[~is_cb].max()) if (~is_cb).any() else float("nan")
    lumo = float(e[is_cb].min()) if is_cb.any() else float("nan")
    for arr in (e, x, res, is_cb):
        arr.setflags(write=False)
    return States(energies_eV=e, vectors=x, is_conduction=is_cb, atom_of_basis=H.atom_of_basis,
                  positions_nm=H.positions_nm, homo_eV=homo, lumo_eV=lumo, gap_eV=lumo - homo,
                  residuals_eV=res, level_index=degeneracy_groups(e, tol_deg),
                  degeneracy_tol_eV=tol_deg, method=method, hamiltonian_hash=H.content_hash,
                  n_orbitals=H.n_orbitals, info=info)


def _dense(H: TBHamiltonian, n_vb: int, n_cb: int, tol_deg: float) -> States:
    t0 = time.perf_counter()
    n = H.n_basis
    for margin in (_MARGIN, 4 * _MARGIN, n):
        lo = max(0, H.n_valence - n_vb - margin)
        hi = min(n - 1, H.n_valence + n_cb + margin - 1)
        e, x = sla.eigh(H.matrix.toarray(), subset_by_index=(lo, hi), driver="evr")
        res = np.linalg.norm(H.matrix @ x - x * e, axis=0)
        is_cb = np.arange(lo, hi + 1) >= H.n_valence
        info = {"time_s": time.perf_counter() - t0, "index_window": (lo, hi)}
        out = _assemble(H, e, x, res, is_cb, n_vb, n_cb, tol_deg, "dense", info)
        if out is not None or (lo == 0 and hi == n - 1):
            break
    if out is None:
        raise ParameterError(f"the dot has fewer than {n_vb} valence or {n_cb} conduction states")
    return out


def _locate_gap(H: TBHamiltonian, sigma: float, tol: float, info: dict[str, Any]
                ) -> tuple[float, _Factor, int]:
    """Move σ until it lies within ``_ACCEPT_EXCESS`` states of the gap (inertia − n_valence);
    return σ, its factor and that excess (0 = σ in the gap)."""
    mat = H.matrix
    order = _atom_order(H)
    lu = None
    for _step in range(_MAX_SHIFTS):
        t0 = time.perf_counter()
        lu = None   # one factor alive at a time (peak memory)
        lu, below, fill = _factorise(mat, sigma, order)
        info.setdefault("factorisations", []).append(
            {"sigma_eV": sigma, "n_below": below, "fill": fill,
             "time_s": time.perf_counter() - t0})
        if below is None:
            raise ConvergenceError("SuperLU pivoted off the diagonal: no inertia count; "
                                   "try method='dense' or another sigma_eV")
        excess = below - H.n_valence
        if abs(excess) <= _ACCEPT_EXCESS:
            return sigma, lu, excess
        # σ lies `excess` states above the gap (or −excess below). The |excess| + 1 states on the
        # gap side of σ are the most negative ν ("SR", σ too high) or the largest ν ("LR", σ too
        # low); their global indices follow from the inertia, so the HOMO and LUMO are among them.
        k = min(abs(excess) + 1 + _MARGIN, H.n_basis - 2)
        w, _ = _arpack(mat, lu, sigma, k, "SR" if excess > 0 else "LR", tol)
        w = np.sort(w)
        first = below - int(np.count_nonzero(w < sigma))   # global index of w[0]
        j = H.n_valence - first
        if not 0 < j < len(w):
            raise ConvergenceError(f"gap search around {sigma:.4f} eV lost the band edges")
        info.setdefault("moves", []).append({"from_eV": sigma, "excess": excess})
        sigma = float(0.5 * (w[j - 1] + w[j]))
    raise ConvergenceError(f"no shift with inertia = n_valence ({H.n_valence}) found in "
                           f"{_MAX_SHIFTS} factorisations; last sigma {sigma:.4f} eV",
                           iterations=_MAX_SHIFTS)


def _first_guess(H: TBHamiltonian) -> float:
    """Energy (eV) probably inside the dot's gap: bulk mid-gap + 0.25 eV × min(1, (3.5 nm / d)²).

    Confinement lifts the conduction edge more than it lowers the valence edge, ∝ 1/d² (d the
    diameter of the uniform sphere with the atoms' radius of gyration, d = 2 √(5/3) r_g); the
    0.25 eV at 3.5 nm is the HgTe measurement (default dot model: mid-gap at 60–65 % of the gap
    from 2.5 to 6 nm). Inertia counts and the recentring step correct a poor guess.
    """
    r = np.asarray(H.positions_nm) - np.mean(H.positions_nm, axis=0)
    d = 2.0 * np.sqrt(5.0 / 3.0 * np.mean(np.sum(r * r, axis=1)))
    # not raised above the 3.5 nm value for smaller dots: their spectra are sparse and cheap,
    # and the Chebyshev path (no inertia to correct a guess) is tested on 1.8 nm dots
    return 0.5 * (H.bulk_vbm_eV + H.bulk_cbm_eV) + 0.25 * min(1.0, (3.5 / max(d, 1.0)) ** 2)


#: σ closer to a band edge than this fraction of the gap is moved to mid-gap
_OFF_CENTRE = 0.2


def _recentre(sigma: float):
    """Mid-gap shift if σ lies within ``_OFF_CENTRE`` × gap of the HOMO or LUMO, else None."""
    def check(homo: float, lumo: float) -> float | None:
        gap = lumo - homo
        if min(sigma - homo, lumo - sigma) < _OFF_CENTRE * gap:
            return 0.5 * (homo + lumo)
        return None
    return check


def _split_energy(e: np.ndarray, sigma: float, excess: int) -> float:
    """Energy between the highest valence and lowest conduction Ritz value when ``excess``
    conduction states (excess > 0) or −excess valence states (< 0) lie on the wrong side of σ."""
    if excess == 0:
        return sigma
    if excess > 0:
        side = np.sort(e[e < sigma])[::-1]
    else:
        side = np.sort(e[e > sigma])
    m = abs(excess)
    if len(side) <= m:
        raise ConvergenceError("shift-invert window too small to reach the gap")
    return float(0.5 * (side[m - 1] + side[m]))


def _shift_invert(H: TBHamiltonian, n_vb: int, n_cb: int, sigma0: float, tol_eV: float,
                  tol_deg: float) -> States:
    info: dict[str, Any] = {}
    t0 = time.perf_counter()
    sigma, lu, excess = _locate_gap(H, sigma0, 1e-8, info)
    extra = 0
    for _attempt in range(3):
        # below σ: n_vb valence states plus the `excess` conduction states under σ; above alike.
        # The states that may be kept (n plus a straddling 4-fold level) must reach tol_eV, the
        # margin beyond only has to show where the last level ends
        nb, na = n_vb + max(excess, 0), n_cb + max(-excess, 0)
        try:
            kr = kramers_block_krylov(
                H.matrix, lu.solve, sigma, nb + _MARGIN + extra, na + _MARGIN + extra,
                H.n_orbitals, tol_eV=tol_eV, block=KRYLOV_BLOCK, strict_below=nb + 3,
                strict_above=na + 3,
                recentre=_recentre(sigma) if excess == 0 and _attempt == 0 else None)
        except Recentre as move:
            # σ sat next to a band edge (e.g. the bulk-based guess at the LUMO of a 6 nm dot):
            # one more factorisation at mid-gap instead of a Krylov run that barely converges
            info.setdefault("moves", []).append({"from_eV": sigma, "to_eV": move.sigma_eV,
                                                 "reason": "off-centre in the gap"})
            info["n_solves"] = info.get("n_solves", 0) + move.n_solves
            lu = None   # free the old factor before the new one is built (peak memory)
            sigma, lu, excess = _locate_gap(H, move.sigma_eV, 1e-8, info)
            nb, na = n_vb + max(excess, 0), n_cb + max(-excess, 0)
            kr = kramers_block_krylov(
                H.matrix, lu.solve, sigma, nb + _MARGIN + extra, na + _MARGIN + extra,
                H.n_orbitals, tol_eV=tol_eV, block=KRYLOV_BLOCK, strict_below=nb + 3,
                strict_above=na + 3)
        info.update(n_solves=info.get("n_solves", 0) + kr.n_solves, krylov_steps=kr.n_steps,
                    krylov_basis=kr.basis_size)
        parts = [kr.vectors]
        e, x, res = _rayleigh_ritz(H.matrix, np.hstack(parts), H.n_orbitals)
        split = _split_energy(e, sigma, excess)
        info.update(sigma_eV=sigma, excess=excess, split_eV=split,
                    time_s=time.perf_counter() - t0)
        out = _assemble(H, e, x, res, e > split, n_vb, n_cb, tol_deg, "shift-invert", info)
        for _refine in range(_MAX_REFINE):
            # a state kept to complete a multiplet may come from the loosely converged margin:
            # one step of subspace inverse iteration with the factor already at hand, then
            # Rayleigh–Ritz again; the wanted states are those nearest σ, so it sharpens them
            if out is None or out.residuals_eV.max() <= tol_eV:
                break
            e, x, res = _rayleigh_ritz(H.matrix, lu.solve(np.ascontiguousarray(x)),
                                       H.n_orbitals)
            info["refinements"] = _refine + 1
            out = _assemble(H, e, x, res, e > split, n_vb, n_cb, tol_deg, "shift-invert", info)
        if out is not None:
            if out.residuals_eV.max() > tol_eV:
                raise ConvergenceError("shift-invert residual above tolerance",
                                       residual=float(out.residuals_eV.max()))
            return out
        extra += 2 * _MARGIN
    raise ConvergenceError("could not isolate complete multiplets at the band edges")


def band_edge_states(H: TBHamiltonian, n_vb: int = 8, n_cb: int = 8, method: str = "auto", *,
                     sigma_eV: float | None = None, tol_eV: float = 1e-8,
                     degeneracy_tol_eV: float = DEFAULT_DEGENERACY_TOL_EV) -> States:
    """The ``n_vb`` highest valence and ``n_cb`` lowest conduction states of a nanocrystal.

    Only complete degenerate multiplets are returned, so a side may hold more states than asked
    (e.g. ``n_vb=6`` with two 4-fold levels at the top returns 8). The band of each state is fixed
    by counting: exactly ``H.n_valence`` states lie below the gap.

    Parameters
    ----------
    H : TBHamiltonian
        From :func:`qdgain.electronic.hamiltonian`.
    n_vb, n_cb : int
        Minimum numbers of valence and conduction states (spin-orbital states, not levels).
    method : {"auto", "shift-invert", "dense", "chebyshev", "slepc"}
        "auto" = dense up to ``DENSE_MAX_BASIS`` spin-orbitals, shift-invert up to
        ``SHIFT_INVERT_MAX_BASIS``, the factorisation-free Chebyshev solver above. "slepc" =
        the optional SLEPc/MUMPS backend (:mod:`qdgain.electronic.slepc_backend`; needs SLEPc).
    sigma_eV : float, optional
        First guess of an energy in the gap (eV); default bulk mid-gap + 0.25 eV × (3.5 nm/d)²
        for d ≥ 3.5 nm, + 0.25 eV below
        (confinement lifts the conduction edge more than it lowers the valence edge). The guess
        is corrected with inertia counts and moved to mid-gap if it sits next to a band edge; a
        good one saves a factorisation.
    tol_eV : float
        Largest accepted residual ‖H v − E v‖, eV (iterative methods).
    degeneracy_tol_eV : float
        States closer than this (eV) form one degenerate level.

    Returns
    -------
    States

    Raises
    ------
    ParameterError
        Unknown method or negative counts. ConvergenceError if the solver fails.
    """
    if method not in METHODS:
        raise ParameterError(f"unknown method {method!r}; choose one of {METHODS}")
    if n_vb < 0 or n_cb < 0 or n_vb + n_cb == 0:
        raise ParameterError(f"n_vb and n_cb must be ≥ 0 and not both 0 (got {n_vb}, {n_cb})")
    if method == "auto":
        method = ("dense" if H.n_basis <= DENSE_MAX_BASIS else
                  "shift-invert" if H.n_basis <= SHIFT_INVERT_MAX_BASIS else "chebyshev")
    if method == "slepc":   # before check_fits: MUMPS runs in worker processes
        from qdgain.electronic.slepc_backend import eigenpairs as slepc_eigenpairs

        t0 = time.perf_counter()
        _, v, split = slepc_eigenpairs(H, n_vb + _MARGIN, n_cb + _MARGIN, sigma_eV=sigma_eV,
                                       tol_eV=tol_eV)
        e, x, res = _rayleigh_ritz(H.matrix, v, H.n_orbitals)
        out = _assemble(H, e, x, res, e > split, n_vb, n_cb, degeneracy_tol_eV, "slepc",
                        {"sigma_eV": split, "time_s": time.perf_counter() - t0})
        if out is None:
            raise ConvergenceError("slepc backend returned too few states at a band edge")
        return out
    # refuse, before anything large is allocated, a solve that would not fit in memory
    from qdgain.electronic.memory import check_fits

    check_fits(H.n_basis, method, n_states=n_vb + n_cb, nnz=H.matrix.nnz,
               n_orbitals=H.n_orbitals)
    if method == "dense":
        return _dense(H, n_vb, n_cb, degeneracy_tol_eV)
    sigma0 = sigma_eV if sigma_eV is not None else _first_guess(H)
    if method == "chebyshev":
        try:
            cheb = importlib.import_module("qdgain.electronic.chebyshev")
        except ImportError as exc:
            raise ParameterError("method='chebyshev' needs qdgain.electronic.chebyshev, which is "
                                 "not installed in this version; use 'shift-invert'") from exc
        t0 = time.perf_counter()
        r = cheb.solve(H, n_vb, n_cb, margin=4, sigma_eV=sigma0, tol_eV=tol_eV)
        e, x, res = _rayleigh_ritz(H.matrix, r.vectors, H.n_orbitals)
        out = _assemble(H, e, x, res, e > r.sigma_in_gap_eV, n_vb, n_cb, degeneracy_tol_eV,
                        "chebyshev", {"sigma_eV": r.sigma_in_gap_eV, "n_matvec": r.n_matvec,
                                      "certificate": r.certificate, **r.info,
                                      "time_s": time.perf_counter() - t0})
        if out is None:
            raise ConvergenceError("chebyshev backend returned too few states at a band edge")
        return out
    return _shift_invert(H, n_vb, n_cb, sigma0, tol_eV, degeneracy_tol_eV)
