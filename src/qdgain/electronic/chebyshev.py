"""Factorisation-free band-edge solver: Chebyshev filters p(H) and a Kramers block Krylov on them.

For dots too large to factorise (≳ 5 nm: the LDLᴴ fill grows as n^1.5) the band-edge states are
found with products H·X only. A Jackson-damped Chebyshev expansion of an energy window or of a
δ peak (:mod:`qdgain.electronic.filters`) maps the states near it to p ≈ 1 and the rest of the
spectrum to |p| ≪ 1; a block Krylov space of p(H) with the Kramers
partners added for free (:mod:`qdgain.electronic.fkrylov`) then holds the wanted eigenvectors
after a few steps, and harmonic Rayleigh–Ritz on H about σ in the gap extracts them. The filter
runs as one fused, multithreaded pass per degree (:mod:`qdgain.electronic.chebkernel`).

Steps:

1. spectral bounds from 40 Lanczos steps (:func:`~qdgain.electronic.filters.spectral_bounds`);
2. *locate*: a δ filter of width W₀ at the first guess σ₀, the few states nearest σ₀ to a
   loose tolerance; the gap is placed among them — by an LDLᴴ inertia count where the dot is
   small enough to factorise (certified), otherwise by their s-orbital weight (valence states
   of II–VI and III–V dots are p-like, < 5 % s; conduction states s-like, > 50 % s: measured
   for HgTe 3.5–6 nm and CdTe 3.5 nm), reported as uncertified together with a stochastic KPM
   count below σ;
3. *solve*: one chain per band edge on a Jackson δ filter, its width π h / N ≈ the extent of
   the wanted states (estimated from the located ones, h the spectral half-width): centred on
   the valence edge; for the sparse conduction levels narrower and centred on the middle of the
   wanted states, which damps the dense valence band across the gap; the harmonic target is
   mid-gap, so each chain returns the states nearest the gap
   on its side, to ``tol_eV``.

The locate chain filters in float32 (its tolerance, 1e-3 eV, is far above the float32 floor;
the kernel runs ≈ 1.7–2× faster); the band-edge chains filter in float64, two vectors per step.

Measured alternatives (``benchmarks/RESULTS.md``, sessions 3 and 6): one window filter for both
bands needs ≈ half the products but only with the extents of the wanted states known in advance;
start blocks, filters changed mid-run, thick restarts and float32 filtering in the band-edge
chains stall the residual (deflation by inexact vectors: 1e-6 eV after a float32 phase), so each
chain starts from a random block, runs in float64, and the basis is capped instead.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from qdgain.electronic.chebkernel import ChebyshevFilter
from qdgain.electronic.filters import (  # noqa: F401 - re-exported (kpm, optics use them)
    _Counter,
    apply_filter,
    block_or_none,
    delta_filter,
    jackson_kernel,
    make_operator,
    spectral_bounds,
    window_filter,
)
from qdgain.electronic.fkrylov import filtered_block_krylov
from qdgain.electronic.hamiltonian import TBHamiltonian
from qdgain.electronic.memory import check_fits
from qdgain.errors import ConvergenceError, ParameterError

# public through ``qdgain.electronic`` (``solve`` is exported there as ``chebyshev_solve``)
__all__ = ["ChebyshevOptions", "ChebyshevResult", "chebyshev_solve"]

#: dots up to this many spin-orbitals get an exact LDLᴴ inertia count at the gap (≈ 2 nm: ~1 s)
INERTIA_MAX_BASIS = 4000
#: s-orbital weight above which a state near the gap is taken as a conduction state when no
#: inertia count is affordable (valence ≤ 0.04, conduction ≥ 0.57 for HgTe 3.5–5 nm, CdTe 3.5 nm)
CONDUCTION_S_WEIGHT = 0.25
#: band-edge δ filter degree N = DELTA_FACTOR × π h / w (w the estimated extent of the wanted
#: states, h the spectral half-width): the Jackson kernel's width π h / N is then ≈ the true
#: extent; matvec counts were flat within ±5 % for N = 80–150 at 3.5 nm (session 3)
DELTA_FACTOR = 0.8
#: the same for the conduction edge peak (dots whose gap exceeds CB_SWITCH × w): its few, widely
#: spaced levels make the linear extent law overestimate w (3.5 nm: 1.19 eV for 12 states
#: spanning 0.73 eV), and a low degree costs many Krylov steps, each one a Gram–Schmidt pass
#: over the growing basis (3.5 nm, factor 0.8 → 1.6: degree 30 → 60, 37 → 18 steps,
#: 5116 → 4644 products, 1.45 → 0.54 s; session 6)
CB_EDGE_FACTOR = 1.6
#: conduction chain where the gap is below CB_SWITCH × w (w the estimated extent of the wanted
#: states; ≳ 6 nm HgTe): δ of degree CB_DELTA_FACTOR × π h / w centred CB_CENTRE_SHIFT × w
#: above the edge. Measured session 5 with the solver's margin of 4 (gap / w: 3.5 nm 0.87,
#: 6 nm 0.62, 8 nm 0.53): 6 nm 10216 → 8436 products, 46 → 21 steps; 8 nm (margin 0) 29 → 13
#: steps; at 3.5 nm it would cost 5116 → 11604 products
CB_SWITCH = 0.75
CB_DELTA_FACTOR = 1.5
CB_CENTRE_SHIFT = 0.5
#: locate: δ at σ₀ of degree LOCATE_FACTOR × π h / w₀ (w₀ the locate half-width); 0.5 / 0.8 /
#: 1.2 / 2 / 3.5 gave 1.20 / 0.63 / 0.42 / 1.27 / 5.0 s at 3.5 nm (session 5)
LOCATE_FACTOR = 1.2
#: the δ locate is trusted if the nearest state on each side of σ₀ lies within this many widths
#: (w₀ / LOCATE_FACTOR); else a flat window of degree WINDOW_FACTOR × h / (2 w₀) is used
LOCATE_REACH = 1.5
WINDOW_FACTOR = 4.0
_DEGREE_RANGE = (16, 800)
#: Chebyshev moments of the KPM count below the gap reported when no inertia is affordable
#: (resolution π h / N ≈ 0.1 eV for HgTe; n_vectors × N / 2 products)
KPM_MOMENTS = 256
#: cap on the band-edge δ degree: where the valence levels are so dense that the rule above asks
#: for more (≳ 6 nm), a broader peak with a few more Krylov steps costs fewer products
#: (session 5, valence chain: 8 nm 800 → 400: 45072 → 25928 products, 58 → 26 s; 350: 26976
#: products, 19 steps; 250: 25496 products but 25 steps, 44 s; 6 nm 447 → 350: 25304 → 19872)
EDGE_MAX_DEGREE = 400
# states located below and above σ₀ in step 1 (two levels and the gap between them). Above σ₀
# (conduction, sparse levels: the 5th–6th state of a large dot lies beyond the locate peak's
# width) four are enough and converge much sooner; below, six give the valence extent estimate
# a state beyond the 4-fold top level (with four the estimate collapses to its 0.03 eV floor)
_LOCATE = (6, 4)
_LOCATE_PAIRS = ((_LOCATE[0],) * 2, (_LOCATE[1],) * 2)   # (wanted, strict) below, above


@dataclass(frozen=True, slots=True)
class ChebyshevOptions:
    """Options of the filtered solver.

    Attributes
    ----------
    degree : int, optional
        Chebyshev degree of every filter (mat-vecs per filter application); default from the
        width each filter needs (:data:`LOCATE_FACTOR`, :data:`DELTA_FACTOR`,
        :data:`CB_DELTA_FACTOR`).
    lanczos_steps : int
        Lanczos steps for the spectral bounds.
    block : int
        Vectors filtered per Krylov step of the band-edge chains (partners free: the basis
        grows by 2 × block); ≥ 2 keeps the 4-fold levels of the Td double group complete. Two
        need fewer products than four (a Krylov space of higher degree per product; with the
        locate at four, 10 nm 74,518 → 63,658 products, 6 nm 40,784 → 29,922; session 6) at a
        kernel ≈ 10–15 % slower per vector.
    locate_block : int
        Vectors per step of the locate chain: four, where the float32 kernel fills whole
        256-bit registers (10 nm: 1.2 ms per vector against 2.0–2.7 ms with two).
    max_basis : int
        Largest Krylov basis (columns); a run that needs more stops with ConvergenceError.
    basis_memory_GB : float
        Caps ``max_basis`` so that the basis (16 B × n_basis per column) stays below this (GB).
    operator : {"auto", "block", "csr"}
        Mat-vec: the fused block kernel (numba) or SciPy CSR.
    inertia : bool
        Use an LDLᴴ inertia count to place the gap when n_basis ≤ ``inertia_max_basis``.
    inertia_max_basis : int
        Largest n_basis given the exact count (raise it to certify larger dots at the cost of
        one or two sparse factorisations).
    locate_tol_eV : float
        Residual of the located states (step 2), eV.
    margin_tol_eV : float
        Residual of the margin states beyond the ones that may be kept, eV.
    seed : int
        Seed of the random start blocks.
    max_memory_GB : float, optional
        Refuse dots whose estimate (:mod:`qdgain.electronic.memory`) exceeds this (GB);
        default 80 % of the physical memory.
    kpm_vectors : int
        Random vectors of the KPM count below σ reported when no inertia is affordable (0: off).
    single_locate : bool
        Run the locate step's filter in float32 (twice the kernel's FMA rate; its ≈ 1e-6
        relative error is far below ``locate_tol_eV``). The band-edge chains always filter in
        float64: a float32 basis stalls their residuals near 1e-6 eV
        (:mod:`qdgain.electronic.fkrylov`). Needs the generated kernel, else ignored.
    blas_threads : int, optional
        BLAS threads during the solve (threadpoolctl); None leaves them as they are. The filter
        kernel takes the cores (``NUMBA_NUM_THREADS``): OpenBLAS on 2 threads beside it made the
        3.5 nm solve 7.1–7.5 s against 3.3–3.4 s with one (2 cores, one process, session 5).
    """

    degree: int | None = None
    lanczos_steps: int = 40
    block: int = 2
    locate_block: int = 4
    max_basis: int = 1600
    basis_memory_GB: float = 8.0
    operator: str = "auto"
    inertia: bool = True
    inertia_max_basis: int = INERTIA_MAX_BASIS
    locate_tol_eV: float = 1e-3
    margin_tol_eV: float = 1e-4
    seed: int = 2024
    max_memory_GB: float | None = None
    kpm_vectors: int = 8
    blas_threads: int | None = 1
    single_locate: bool = True


@dataclass(frozen=True, slots=True, eq=False)
class ChebyshevResult:
    """Eigenpairs around the gap and their certificate.

    Attributes
    ----------
    energies_eV : ndarray (n,)
        Ascending Ritz energies, eV.
    vectors : ndarray complex (n_basis, n)
    residuals_eV : ndarray (n,)
        ‖H v − E v‖, eV.
    sigma_in_gap_eV : float
        An energy in the gap (eV): states below are valence states.
    n_matvec : int
        Single-vector products spent (a block product on m vectors counts m).
    certificate : dict
        ``max_residual_eV``, ``count_method`` ("inertia" or the uncertified rule), the count
        below ``sigma_in_gap_eV`` (exact, or a KPM estimate and its standard error) and
        ``n_valence``.
    info : dict
        Timings (s), bounds (eV), windows (eV), degrees, Krylov steps and basis sizes.
    """

    energies_eV: np.ndarray
    vectors: np.ndarray
    residuals_eV: np.ndarray
    sigma_in_gap_eV: float
    n_matvec: int
    certificate: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


class _Products:
    """H·X and p(H)·X for the solver, with one product count."""

    def __init__(self, H: TBHamiltonian, kind: str, bounds_steps: int, seed: int) -> None:
        self.mat = H.matrix
        self.op = block_or_none(H.matrix, H.n_orbitals, kind)
        self.name = ("csr" if self.op is None else
                     "fused block kernel" if self.op.use_numba else "block-numpy")
        self.n_plain = 0
        self.filter: ChebyshevFilter | None = None
        self.bounds = spectral_bounds(self.matmat, H.n_basis, bounds_steps, seed)
        self.filter = ChebyshevFilter(self.op, self.bounds) if self.op is not None else None
        self.n_filter = 0

    def matmat(self, x: np.ndarray) -> np.ndarray:
        self.n_plain += 1 if x.ndim == 1 else x.shape[1]
        if self.op is None:
            return self.mat @ x
        # the filter's SIMD kernel once the bounds are known (the bounds' Lanczos runs before)
        return self.filter.matmat(x) if self.filter is not None else self.op.matmat(x)

    def filt(self, coeffs: np.ndarray, single: bool = False):
        def apply(x: np.ndarray) -> np.ndarray:
            if self.filter is not None:
                return self.filter.apply(x, coeffs, single)
            self.n_filter += x.shape[1] * (len(coeffs) - 1)
            return apply_filter(lambda v: self.mat @ v, x, coeffs, self.bounds)
        return apply

    @property
    def n(self) -> int:
        return self.n_plain + self.n_filter + (self.filter.n_matvec if self.filter else 0)

    @property
    def half_width(self) -> float:
        return 0.5 * (self.bounds[1] - self.bounds[0])


def s_weight(H: TBHamiltonian, vectors: np.ndarray) -> np.ndarray:
    """Weight of each state (column) on the s-type orbitals (s, s*) of all atoms (0–1)."""
    s_orb = np.array([o.startswith("s") for o in H.orbitals])
    rows = s_orb[np.asarray(H.orbital_of_basis)]
    w = np.abs(vectors) ** 2
    return w[rows].sum(axis=0) / w.sum(axis=0)


def _place_gap(H: TBHamiltonian, e: np.ndarray, v: np.ndarray, sigma: float,
               use_inertia: bool, cert: dict) -> tuple[float | None, float]:
    """(mid-gap energy or None, next σ₀) from states e (ascending) found around σ."""
    if use_inertia:
        from qdgain.electronic.solvers import inertia  # lazy: solvers imports this lazily

        below = inertia(H, sigma)
        j = H.n_valence - (below - int(np.count_nonzero(e < sigma)))
        if 0 < j < len(e):
            mid = float(0.5 * (e[j - 1] + e[j]))
            below_mid = inertia(H, mid)
            if below_mid == H.n_valence:
                cert.update(count_method="inertia", n_below=below_mid)
                return mid, mid
        return None, float(e[0] - 1e-3) if j <= 0 else float(e[-1] + 1e-3)
    cond = s_weight(H, v) >= CONDUCTION_S_WEIGHT
    if cond.all() or not cond.any():
        # all conduction-like: the gap is below; all valence-like: above
        span = float(e[-1] - e[0]) + 0.05
        return None, float(e[0] - span) if cond.all() else float(e[-1] + span)
    # boundary j (between e[j−1] and e[j]) agreeing with the most states' character
    score = [int((~cond[:j]).sum() + cond[j:].sum()) for j in range(1, len(e))]
    j = 1 + int(np.argmax(score))
    cert.update(count_method=f"s-weight rule (uncertified; threshold {CONDUCTION_S_WEIGHT})",
                misclassified_near_gap=int(len(e) - max(score)))
    return float(0.5 * (e[j - 1] + e[j])), 0.0


def _extent(dist: np.ndarray, want: int) -> float:
    """Energy range from the band edge (eV) expected to hold ``want`` states, from the distances
    ``dist`` of the states found so far: the want-th distance when known, else the farthest one
    scaled linearly with the count (the first levels of a dot are sparser than a 3D density
    N ∝ w^{3/2} predicts: the linear law underestimates the extent by 1.4–1.8× at 3.5–6 nm,
    which :data:`DELTA_FACTOR` compensates); at least 0.03 eV."""
    d = np.sort(np.asarray(dist, float))
    k = len(d)
    if k >= want:
        return max(0.03, float(d[want - 1]))
    far = float(d[-1]) if k else 0.0
    return max(0.03, far * want / max(k, 1))


def solve(H: TBHamiltonian, n_vb: int, n_cb: int, *, margin: int = 0,
          sigma_eV: float | None = None, tol_eV: float = 1e-8,
          options: ChebyshevOptions | None = None) -> ChebyshevResult:
    """At least ``n_vb`` valence and ``n_cb`` conduction eigenpairs nearest the gap (no LU).

    Parameters
    ----------
    H : TBHamiltonian
    n_vb, n_cb : int
        States wanted below / above the gap; they and the 3 states beyond each (a 4-fold level
        cut at the count) reach ``tol_eV``.
    margin : int
        Further states on each side, converged to ``options.margin_tol_eV`` only (they show
        where a degenerate level ends).
    sigma_eV : float, optional
        First guess of an energy in the gap, eV (default: the shift-invert solver's guess).
    tol_eV : float
        Residual tolerance ‖H v − E v‖, eV.
    options : ChebyshevOptions, optional

    Returns
    -------
    ChebyshevResult

    Raises
    ------
    ParameterError
        The dot would not fit in memory (the message gives the estimate and the largest sphere
        that fits), or bad options.
    ConvergenceError
        Residuals above ``tol_eV`` after the allowed steps, or the gap not found.
    """
    opts = options or ChebyshevOptions()
    if opts.blas_threads is not None and opts.blas_threads < 1:
        raise ParameterError(f"options.blas_threads = {opts.blas_threads}: at least 1 (or None "
                             "to leave BLAS as it is)")
    with (nullcontext() if opts.blas_threads is None
          else threadpool_limits(limits=int(opts.blas_threads), user_api="blas")):
        return _solve(H, n_vb, n_cb, margin, sigma_eV, tol_eV, opts)


def _solve(H: TBHamiltonian, n_vb: int, n_cb: int, margin: int, sigma_eV: float | None,
           tol_eV: float, opts: ChebyshevOptions) -> ChebyshevResult:
    """:func:`solve` with the BLAS threads set."""
    if n_vb < 0 or n_cb < 0 or n_vb + n_cb == 0 or margin < 0:
        raise ParameterError(f"n_vb, n_cb, margin must be ≥ 0, n_vb + n_cb > 0 (got {n_vb}, "
                             f"{n_cb}, {margin})")
    if opts.block < 1 or opts.locate_block < 1:
        raise ParameterError(f"options.block = {opts.block}, locate_block = "
                             f"{opts.locate_block}: at least 1 vector per step")
    t_start = time.perf_counter()
    n, norb = H.n_basis, H.n_orbitals
    mem = check_fits(n, "chebyshev", limit_GB=opts.max_memory_GB, n_states=n_vb + n_cb,
                     nnz=H.matrix.nnz, n_orbitals=norb)
    prod = _Products(H, opts.operator, opts.lanczos_steps, opts.seed)
    max_basis = int(min(opts.max_basis, max(64, opts.basis_memory_GB * 1e9 / (16.0 * n))))
    single = opts.single_locate and prod.filter is not None and prod.filter.single_available
    info: dict[str, Any] = {"operator": prod.name, "bounds_eV": prod.bounds, "runs": [],
                            "memory_estimate_GB": mem.peak_GB, "max_basis": max_basis}

    def run(coeffs: np.ndarray, log: dict, sigma: float, below: tuple[int, int],
            above: tuple[int, int], tol: float, loose: float, seed: int, locate: bool = False):
        # one filtered Krylov chain; below / above = (wanted, strict) pairs on each side of σ
        n0, t0 = prod.n, time.perf_counter()
        r = filtered_block_krylov(prod.matmat, prod.filt(coeffs, locate and single), n, sigma,
                                  below[0], above[0], norb, tol_eV=tol, loose_tol_eV=loose,
                                  strict_below=below[1], strict_above=above[1],
                                  block=opts.locate_block if locate else opts.block,
                                  max_basis=max_basis, seed=seed)
        log.update(sigma_eV=sigma, steps=r.n_steps, basis=r.basis_size, matvec=prod.n - n0,
                   time_s=time.perf_counter() - t0)
        info["runs"].append(log)
        return r

    if sigma_eV is None:
        from qdgain.electronic.solvers import _first_guess  # lazy: solvers imports us lazily

        sigma_eV = _first_guess(H)
    sigma = float(sigma_eV)
    r = np.asarray(H.positions_nm) - np.mean(H.positions_nm, axis=0)
    diameter = 2.0 * float(np.sqrt(5.0 / 3.0 * np.mean(np.sum(r * r, axis=1))))
    w0 = float(np.clip(2.0 / max(diameter, 0.5), 0.2, 0.6))   # locate half-window, eV
    use_inertia = opts.inertia and n <= opts.inertia_max_basis
    cert: dict[str, Any] = {"n_valence": H.n_valence}
    lo, hi = prod.bounds
    mid = None
    for _move in range(8):
        # 1. locate: the few states nearest σ to a loose tolerance, first with a δ peak at σ of
        # width w₀ / LOCATE_FACTOR: the states nearest σ then have the largest p and the chain
        # finds them first (4868 → 4184 products, 0.95 → 0.42 s at 3.5 nm; 11.8 → 6.4–7.4 s at
        # 6 nm; session 5). Far out in its tail (a wide gap) the damped δ is too small to be
        # trusted, so if the nearest state on either side lies beyond LOCATE_REACH widths the
        # locate is repeated with a flat window of half-width w₀ (p ≈ 1 on all of it).
        sigma = float(np.clip(sigma, lo + 1e-3, hi - 1e-3))
        deg = int(opts.degree) if opts.degree is not None else int(
            np.clip(round(LOCATE_FACTOR * np.pi * prod.half_width / w0), *_DEGREE_RANGE))
        loc = run(delta_filter(sigma, prod.bounds, deg), {"locate_centre_eV": sigma,
                                                          "width_eV": w0, "degree": deg},
                  sigma, *_LOCATE_PAIRS, opts.locate_tol_eV,
                  opts.locate_tol_eV, opts.seed, True)
        dist = np.abs(loc.energies_eV - sigma)
        reach = LOCATE_REACH * w0 / LOCATE_FACTOR
        below, above = dist[loc.energies_eV < sigma], dist[loc.energies_eV > sigma]
        if max(below.min(initial=np.inf), above.min(initial=np.inf)) > reach:
            a, b = max(sigma - w0, lo + 1e-3), min(sigma + w0, hi - 1e-3)
            deg = int(opts.degree) if opts.degree is not None else int(
                np.clip(round(WINDOW_FACTOR * prod.half_width / (b - a)), *_DEGREE_RANGE))
            loc = run(window_filter(a, b, prod.bounds, deg), {"window_eV": (a, b),
                                                              "degree": deg},
                      sigma, *_LOCATE_PAIRS, opts.locate_tol_eV,
                      opts.locate_tol_eV, opts.seed, True)
        e0, v0 = loc.energies_eV, loc.vectors
        mid, sigma = _place_gap(H, e0, v0, sigma, use_inertia, cert)
        if mid is not None:
            break
    if mid is None:
        raise ConvergenceError(f"gap not found in 8 moves of the window (last σ {sigma:.4f} eV)")
    info["t_locate_s"] = time.perf_counter() - t_start
    ev, ec = float(e0[e0 < mid].max()), float(e0[e0 > mid].min())
    nb, na = n_vb + margin, n_cb + margin
    sb, sa = min(nb, n_vb + 3), min(na, n_cb + 3)
    parts = []
    for side, edge, want, strict in (("vb", ev, nb, sb), ("cb", ec, na, sa)):
        if want == 0:
            continue
        # 2. one δ filter per band edge, its width ≈ the extent of the wanted states
        mine = (e0 < mid) if side == "vb" else (e0 > mid)
        ext = _extent(np.abs(e0[mine] - edge), want)
        # the peak on the edge, of width ≈ ext / DELTA_FACTOR; but where the gap is below
        # CB_SWITCH × ext (large dots, sparse conduction levels) that peak would reach the dense
        # valence edge, so the conduction peak goes to the middle of the wanted states and
        # narrower (8 nm: 29 → 13 Krylov steps, 29 → 18 s)
        factor, centre = (DELTA_FACTOR if side == "vb" else CB_EDGE_FACTOR), edge
        if side == "cb" and ec - ev < CB_SWITCH * ext:
            factor, centre = CB_DELTA_FACTOR, edge + CB_CENTRE_SHIFT * ext
        deg = int(opts.degree) if opts.degree is not None else int(
            np.clip(round(factor * np.pi * prod.half_width / ext), _DEGREE_RANGE[0],
                    EDGE_MAX_DEGREE))
        log = {"side": side, "centre_eV": centre, "degree": deg, "extent_eV": ext}
        pairs = (want, strict)
        parts.append(run(delta_filter(centre, prod.bounds, deg), log, mid,
                         pairs if side == "vb" else (0, 0), pairs if side == "cb" else (0, 0),
                         tol_eV, max(opts.margin_tol_eV, tol_eV), opts.seed + 1))
    res_e = np.concatenate([p.energies_eV for p in parts])
    res_x = np.hstack([p.vectors for p in parts])
    res_r = np.concatenate([p.residuals_eV for p in parts])
    e = res_e
    if np.any((e > ev + 1e-9) & (e < ec - 1e-9)):
        raise ConvergenceError(f"a state was found inside the located gap ({ev:.4f}, "
                               f"{ec:.4f}) eV: the gap placement failed")
    if cert.get("count_method") != "inertia" and opts.kpm_vectors:
        from qdgain.electronic.kpm import (  # lazy: kpm imports this module
            kpm_moments,
            moments_from_filter,
            random_phase,
        )

        t0 = time.perf_counter()
        if prod.filter is not None:   # the solver's kernel and bounds (counted by the filter)
            km = moments_from_filter(prod.filter, random_phase(n, opts.kpm_vectors, opts.seed),
                                     KPM_MOMENTS)
        else:
            km = kpm_moments(H, KPM_MOMENTS, opts.kpm_vectors, seed=opts.seed,
                             operator="csr", bounds_eV=prod.bounds)
            prod.n_plain += km.n_matvec
        cnt, err = km.count_below(mid)
        info["t_kpm_s"] = time.perf_counter() - t0
        cert.update(kpm_count_below=cnt, kpm_count_stderr=err)
    order = np.argsort(res_e)
    e, x, rr = res_e[order], res_x[:, order], res_r[order]
    cert.update(max_residual_eV=float(rr.max()), sigma_in_gap_eV=mid)
    info.update(time_s=time.perf_counter() - t_start, n_matvec=prod.n, homo_eV=ev, lumo_eV=ec)
    return ChebyshevResult(energies_eV=e, vectors=x, residuals_eV=rr, sigma_in_gap_eV=mid,
                           n_matvec=prod.n, certificate=cert, info=info)


def eigenpairs(H: TBHamiltonian, n_vb: int, n_cb: int, *, sigma_eV: float | None = None,
               tol_eV: float = 1e-8) -> tuple[np.ndarray, np.ndarray, float]:
    """Hook used by ``band_edge_states(method="chebyshev")``: (energies eV, vectors, σ in gap)."""
    r = solve(H, n_vb, n_cb, sigma_eV=sigma_eV, tol_eV=tol_eV)
    return r.energies_eV, r.vectors, r.sigma_in_gap_eV


#: package-level name of :func:`solve` (``qdgain.electronic.chebyshev_solve``)
chebyshev_solve = solve
