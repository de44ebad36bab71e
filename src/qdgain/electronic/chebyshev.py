"""Factorisation-free band-edge solver: Jackson-damped Chebyshev filter + block LOBPCG.

The filter is the kernel-polynomial expansion of δ(E − σ) on the scaled spectrum
x = (E − c)/h ∈ [−1, 1] (bounds from a short Lanczos run):

.. math::

    p_\\sigma(H) = \\sum_{k=0}^{N} g_k\\,(2 - \\delta_{k0})\\,T_k(x_\\sigma)\\,T_k(\\tilde H),
    \\qquad g_k = \\text{Jackson kernel},\\quad \\tilde H = (H - c)/h,

normalised to p(σ) = 1. Its largest eigenvalues belong to the eigenstates of H nearest σ, so a
block eigensolver for the largest eigenvalues of p(H) (SciPy LOBPCG, the block applied with
one multi-vector mat-vec per degree) finds them without any factorisation; a Rayleigh–Ritz step
on H over span{V, ΘV} (Θ = iσ_y K, Kramers partners for free since [H, Θ] = 0) gives the
energies, and filtered subspace steps polish the residuals to ``tol_eV``.

Valence and conduction edges are solved separately (the valence levels are much denser): a
cheap run at the first guess locates the gap, then one run is centred on each band edge. Which
side of the gap a state lies on is fixed by counting: an LDLᴴ inertia (Sylvester) at the gap
where the dot is small enough to factorise (``INERTIA_MAX_BASIS``); otherwise a spacing rule
(valence levels dense, conduction levels sparse), reported as uncertified together with a
stochastic KPM count below σ (estimate ± standard error; too coarse to fix the band of one
level, but it catches a σ far from the gap).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh, lobpcg

from qdgain.electronic.blockop import block_operator
from qdgain.electronic.hamiltonian import TBHamiltonian
from qdgain.electronic.memory import check_fits
from qdgain.electronic.solvers import time_reversed
from qdgain.errors import ConvergenceError, ParameterError

# public through ``qdgain.electronic`` (``solve`` is exported there as ``chebyshev_solve``); the
# building blocks (eigenpairs, make_operator, filters, bounds) stay namespaced in this module
__all__ = ["ChebyshevOptions", "ChebyshevResult", "chebyshev_solve"]

#: dots up to this many spin-orbitals get an exact LDLᴴ inertia count at the gap (≈ 2 nm: ~1 s;
#: 3.5 nm already costs 10–130 s of factorisation on the shared box)
INERTIA_MAX_BASIS = 4000
# "auto" operator: blocks of at least this many vectors go to the block operator
_BLOCK_MIN = 8
# uncertified gap rule (large dots): first spacing above this fraction of the largest
_GAP_FRACTION = 0.3


@dataclass(frozen=True, slots=True)
class ChebyshevOptions:
    """Options of the filtered solver.

    Attributes
    ----------
    degree : int
        Chebyshev degree N of the δ filter (mat-vecs per filter application).
    lanczos_steps : int
        Lanczos steps for the spectral bounds.
    max_iter : int
        LOBPCG iterations per band-edge run.
    polish_steps : int
        Filtered subspace steps allowed after LOBPCG to reach ``tol_eV``.
    guard : int
        Extra block vectors beyond the wanted count (they speed up convergence).
    operator : {"auto", "block", "csr"}
        Mat-vec: block operator (numba when installed) or SciPy CSR.
    inertia : bool
        Use an LDLᴴ inertia count to place the gap when n_basis ≤ ``INERTIA_MAX_BASIS``.
    seed : int
        Seed of the random start block.
    inner : {"arpack", "lobpcg"}
        Eigensolver on p(H): implicitly restarted Lanczos (one vector per step) or block LOBPCG.
    filter_tol_factor : float
        Convergence tolerance on p(H) (p(σ) = 1) as a multiple of ``tol_eV``; the Ritz step on H
        and the polishing steps enforce ``tol_eV`` itself.
    max_memory_GB : float, optional
        Refuse dots whose estimate (:mod:`qdgain.electronic.memory`) exceeds this (GB);
        default 80 % of the physical memory.
    kpm_vectors : int
        Random vectors of the KPM count below σ reported when no inertia is affordable (0: off).
    inertia_max_basis : int
        Largest n_basis given the exact LDLᴴ inertia count (raise it to certify the band
        assignment of larger dots at the cost of one or two sparse factorisations).
    """

    degree: int = 100
    lanczos_steps: int = 40
    max_iter: int = 60
    polish_steps: int = 6
    guard: int = 4
    operator: str = "auto"
    inertia: bool = True
    seed: int = 2024
    inner: str = "arpack"
    filter_tol_factor: float = 1.0
    max_memory_GB: float | None = None
    kpm_vectors: int = 8
    inertia_max_basis: int = INERTIA_MAX_BASIS


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
        Single-vector mat-vecs spent (a block product on m vectors counts m).
    certificate : dict
        ``max_residual_eV``, ``count_method`` ("inertia" or "kpm"), the count below
        ``sigma_in_gap_eV`` (exact, or estimate and standard error) and ``n_valence``.
    info : dict
        Timings (s), bounds (eV), runs.
    """

    energies_eV: np.ndarray
    vectors: np.ndarray
    residuals_eV: np.ndarray
    sigma_in_gap_eV: float
    n_matvec: int
    certificate: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


class _Counter:
    """Wraps a block mat-vec and counts single-vector products."""

    def __init__(self, apply: Callable[[np.ndarray], np.ndarray]):
        self.apply, self.n = apply, 0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        self.n += 1 if x.ndim == 1 else x.shape[1]
        return self.apply(x)


def make_operator(H: TBHamiltonian | sp.spmatrix, kind: str = "auto", n_orbitals: int = 0
                  ) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    """H·X as a callable: the block operator (``kind`` "block"/"auto") or CSR (``"csr"``).

    "auto" falls back to CSR if H has no block structure (e.g. a non-spin-diagonal hopping).
    """
    mat = H.matrix if isinstance(H, TBHamiltonian) else sp.csr_matrix(H)
    norb = H.n_orbitals if isinstance(H, TBHamiltonian) else n_orbitals
    if kind not in ("auto", "block", "csr"):
        raise ParameterError(f"operator must be 'auto', 'block' or 'csr', got {kind!r}")
    if kind != "csr" and norb:
        try:
            op = block_operator(mat, norb)
        except ParameterError:
            if kind == "block":
                raise
        else:
            name = "block-numba" if op.use_numba else "block-numpy"
            if kind == "block":
                return op.matmat, name

            def apply(x: np.ndarray) -> np.ndarray:
                # single vectors (Lanczos) stream CSR faster; blocks amortise the table walk
                return mat @ x if x.ndim == 1 or x.shape[1] < _BLOCK_MIN else op.matmat(x)
            return apply, f"csr (1 vector) + {name} (≥ {_BLOCK_MIN} vectors)"
    return (lambda x: mat @ x), "csr"


def jackson_kernel(n: int) -> np.ndarray:
    """Jackson damping factors g_k, k = 0..n−1 (Weiße et al., Rev. Mod. Phys. 78, 275 (2006)).

    .. math:: g_k = \\frac{(N-k+1)\\cos\\frac{\\pi k}{N+1}
              + \\sin\\frac{\\pi k}{N+1}\\cot\\frac{\\pi}{N+1}}{N+1}
    """
    k = np.arange(n)
    q = np.pi / (n + 1)
    return ((n - k + 1) * np.cos(q * k) + np.sin(q * k) / np.tan(q)) / (n + 1)


def spectral_bounds(apply: Callable[[np.ndarray], np.ndarray], n: int, steps: int = 40,
                    seed: int = 0) -> tuple[float, float]:
    """Lower and upper bounds of the spectrum (eV) from ``steps`` Lanczos steps.

    Extreme Ritz values θ widened by their residual bounds β_m |y_m| and by 1 % of the width
    (the filter must see the whole spectrum inside [−1, 1]).
    """
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    q /= np.linalg.norm(q)
    q_prev = np.zeros_like(q)
    alpha, beta = [], [0.0]
    for _ in range(min(steps, n)):
        w = apply(q) - beta[-1] * q_prev
        a = float(np.vdot(q, w).real)
        w -= a * q
        b = float(np.linalg.norm(w))
        alpha.append(a)
        beta.append(b)
        if b < 1e-12:
            break
        q_prev, q = q, w / b
    t = np.diag(alpha) + np.diag(beta[1:-1], 1) + np.diag(beta[1:-1], -1)
    theta, y = np.linalg.eigh(t)
    err = beta[-1] * np.abs(y[-1])
    lo, hi = theta[0] - err[0], theta[-1] + err[-1]
    pad = 0.01 * (hi - lo)
    return float(lo - pad), float(hi + pad)


def delta_filter(sigma_eV: float, bounds_eV: tuple[float, float], degree: int) -> np.ndarray:
    """Chebyshev coefficients of the Jackson-damped δ(E − σ), normalised to p(σ) = 1."""
    lo, hi = bounds_eV
    x0 = (sigma_eV - 0.5 * (hi + lo)) / (0.5 * (hi - lo))
    if not -1.0 < x0 < 1.0:
        raise ParameterError(f"filter centre {sigma_eV} eV lies outside the spectrum "
                             f"[{lo:.3f}, {hi:.3f}] eV")
    k = np.arange(degree + 1)
    c = jackson_kernel(degree + 1) * np.cos(k * np.arccos(x0)) * np.where(k == 0, 1.0, 2.0)
    return c / np.polynomial.chebyshev.chebval(x0, c)


def apply_filter(apply: Callable[[np.ndarray], np.ndarray], x: np.ndarray, coeffs: np.ndarray,
                 bounds_eV: tuple[float, float]) -> np.ndarray:
    """p(H) X by the three-term recurrence T_{k+1} = 2 H̃ T_k − T_{k−1} (len(coeffs)−1 mat-vecs)."""
    lo, hi = bounds_eV
    c, h = 0.5 * (hi + lo), 0.5 * (hi - lo)
    t0 = x
    y = coeffs[0] * x
    t1 = (apply(x) - c * x) / h
    y += coeffs[1] * t1
    for ck in coeffs[2:]:
        t2 = apply(t1)
        t2 -= c * t1
        t2 *= 2.0 / h
        t2 -= t0
        y += ck * t2
        t0, t1 = t1, t2
    return y


def _ritz(apply: Callable[[np.ndarray], np.ndarray], v: np.ndarray, norb: int
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rayleigh–Ritz of H on span{V, ΘV}; H ΘV = Θ H V costs no mat-vec."""
    hv = apply(v)
    y = np.hstack([v, time_reversed(v, norb)])
    hy = np.hstack([hv, time_reversed(hv, norb)])
    s, u = np.linalg.eigh(y.conj().T @ y)
    keep = s > 1e-10 * s.max()
    b = u[:, keep] / np.sqrt(s[keep])
    q, hq = y @ b, hy @ b
    e, c = np.linalg.eigh(q.conj().T @ hq)
    x, hx = q @ c, hq @ c
    res = np.linalg.norm(hx - x * e, axis=0)
    return e, x, res


def _edge_run(apply: _Counter, n: int, norb: int, sigma: float, k: int, bounds: tuple,
              opts: ChebyshevOptions, tol_eV: float, start: np.ndarray | None,
              rng: np.random.Generator, runs: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k eigenpairs of H nearest σ: LOBPCG on p_σ(H), then Ritz + filtered polishing."""
    coeffs = delta_filter(sigma, bounds, opts.degree)
    m = min(k + opts.guard, n // 4)
    x = rng.standard_normal((n, m)) + 1j * rng.standard_normal((n, m))
    if start is not None and start.shape[1]:
        ns = min(start.shape[1], m)
        x[:, :ns] = start[:, :ns]
    op = LinearOperator((n, n), matvec=lambda v: apply_filter(apply, v, coeffs, bounds),
                        matmat=lambda v: apply_filter(apply, v, coeffs, bounds), dtype=complex)
    # residual of p(H) (normalised p(σ) = 1) that makes the H residual ≈ tol after Ritz
    ptol = opts.filter_tol_factor * tol_eV
    n0 = apply.n
    if opts.inner == "lobpcg":
        with warnings.catch_warnings():   # LOBPCG warns when a guard vector lags; polished below
            warnings.simplefilter("ignore", UserWarning)
            _, vecs, hist = lobpcg(op, x, largest=True, tol=ptol, maxiter=opts.max_iter,
                                   verbosityLevel=0, retResidualNormsHistory=True)
        iters = len(hist)
    else:
        # Lanczos on p(H): one vector per step; Kramers partners and degenerate copies that a
        # single Krylov space misses are restored by the Θ-doubled Ritz step and the polishing
        try:
            _, vecs = eigsh(op, k=m, which="LA", tol=ptol, v0=x[:, 0],
                            ncv=min(n - 1, max(2 * m + 1, 20)), maxiter=50 * m)
        except ArpackNoConvergence as exc:
            vecs = exc.eigenvectors
        iters = None
    log = {"sigma_eV": sigma, "k": k, "block": m, "inner_iter": iters,
           "inner_matvec": apply.n - n0}
    for _step in range(opts.polish_steps + 1):
        e, v, res = _ritz(apply, vecs, norb)
        near = np.argsort(np.abs(e - sigma))[: max(k, 1)]
        if res[near].max() <= tol_eV:
            break
        # one filtered subspace step on the nearest m Ritz vectors (orthonormal)
        keep = np.argsort(np.abs(e - sigma))[:m]
        vecs = apply_filter(apply, v[:, keep], coeffs, bounds)
        vecs, _ = np.linalg.qr(vecs)
    log.update(polish=_step, matvec=apply.n - n0, max_res_eV=float(res[near].max()))
    runs.append(log)
    near = np.sort(np.argsort(np.abs(e - sigma))[: max(k, 1)])
    return e[near], v[:, near], res[near]


def _find_gap(apply: _Counter, H: TBHamiltonian, sigma: float, bounds: tuple,
              opts: ChebyshevOptions, rng: np.random.Generator, runs: list, cert: dict
              ) -> tuple[float, np.ndarray, np.ndarray]:
    """σ in the gap, with the Ritz pairs found near it.

    With an inertia count (small dots): the k states nearest σ are a contiguous slice of the
    spectrum and the count below σ gives the global index of the first, so the gap (between
    global indices n_valence − 1 and n_valence) is located exactly and checked by a second count;
    σ is moved just past the end of the slice when the gap lies outside it. Without: the largest
    level spacing above 0.3 × the largest among the states nearest σ (uncertified).
    """
    n = H.n_basis
    use_inertia = opts.inertia and n <= opts.inertia_max_basis
    if use_inertia:
        from qdgain.electronic.solvers import inertia  # lazy: solvers imports this lazily
    for _move in range(6):
        e0, v0, _ = _edge_run(apply, n, H.n_orbitals, sigma, 16, bounds, opts, 1e-6, None,
                              rng, runs)
        if not use_inertia:
            # valence levels are dense, conduction levels sparse: the gap is the lowest spacing
            # above 0.3 × the largest one (the isolated 1S_e level of HgTe makes the CB1–CB2
            # spacing larger than the gap itself, so the largest spacing alone fails)
            gaps = np.diff(e0)
            j = int(np.flatnonzero(gaps > _GAP_FRACTION * gaps.max())[0]) + 1
            cert.update(count_method="spacing heuristic (uncertified)")
            return float(0.5 * (e0[j - 1] + e0[j])), e0, v0
        below = inertia(H, sigma)
        j = H.n_valence - (below - int(np.count_nonzero(e0 < sigma)))
        if 0 < j < len(e0):
            mid = float(0.5 * (e0[j - 1] + e0[j]))
            below_mid = inertia(H, mid)
            if below_mid == H.n_valence:
                cert.update(count_method="inertia", n_below=below_mid)
                return mid, e0, v0
        # the gap lies just below the slice (j ≤ 0: e0[0] is a conduction state) or just above
        sigma = float(e0[0] - 1e-3) if j <= 0 else float(e0[-1] + 1e-3)
    raise ConvergenceError(f"gap not found in 6 moves of the filter centre (last {sigma:.4f} eV)")


def solve(H: TBHamiltonian, n_vb: int, n_cb: int, *, sigma_eV: float | None = None,
          tol_eV: float = 1e-8, options: ChebyshevOptions | None = None) -> ChebyshevResult:
    """At least ``n_vb`` valence and ``n_cb`` conduction eigenpairs nearest the gap (no LU).

    Parameters
    ----------
    H : TBHamiltonian
    n_vb, n_cb : int
        States wanted below / above the gap (ask for a margin: multiplets are not cut here).
    sigma_eV : float, optional
        First guess of an energy in the gap, eV (default bulk mid-gap + 0.25 eV).
    tol_eV : float
        Residual tolerance ‖H v − E v‖, eV.
    options : ChebyshevOptions, optional

    Returns
    -------
    ChebyshevResult

    Raises
    ------
    ConvergenceError
        Residuals above ``tol_eV`` after the allowed iterations, or the gap not found.
    """
    opts = options or ChebyshevOptions()
    t_start = time.perf_counter()
    n, norb = H.n_basis, H.n_orbitals
    mem = check_fits(n, "chebyshev", limit_GB=opts.max_memory_GB, n_states=n_vb + n_cb,
                     nnz=H.matrix.nnz, n_orbitals=norb)
    raw, kind = make_operator(H, opts.operator)
    apply = _Counter(raw)
    rng = np.random.default_rng(opts.seed)
    runs: list[dict[str, Any]] = []
    info: dict[str, Any] = {"operator": kind, "degree": opts.degree, "runs": runs,
                            "memory_estimate_GB": mem.peak_GB}
    bounds = spectral_bounds(apply, n, opts.lanczos_steps, opts.seed)
    info["bounds_eV"] = bounds
    sigma0 = sigma_eV if sigma_eV is not None else 0.5 * (H.bulk_vbm_eV + H.bulk_cbm_eV) + 0.25
    # 1. locate the gap: a few states nearest the guess, loose tolerance
    cert: dict[str, Any] = {"n_valence": H.n_valence}
    mid, e0, v0 = _find_gap(apply, H, sigma0, bounds, opts, rng, runs, cert)
    if not cert["count_method"] == "inertia" and opts.kpm_vectors:
        from qdgain.electronic.kpm import kpm_moments  # lazy: kpm imports this module

        km = kpm_moments(H, 256, opts.kpm_vectors, seed=opts.seed)
        cnt, err = km.count_below(mid)
        apply.n += km.n_matvec
        cert.update(kpm_count_below=cnt, kpm_count_stderr=err)
    homo, lumo = float(e0[e0 < mid].max(initial=-np.inf)), float(e0[e0 > mid].min(initial=np.inf))
    info["t_gap_s"] = time.perf_counter() - t_start
    # 2. one run per band edge, started from the vectors already on that side
    parts = []
    for side, want, centre in (("vb", n_vb, homo), ("cb", n_cb, lumo)):
        if want == 0:
            continue
        if not np.isfinite(centre):
            centre = mid
        start = v0[:, (e0 < mid) if side == "vb" else (e0 > mid)]
        k = want + 4
        for _attempt in range(3):
            e, v, res = _edge_run(apply, n, norb, centre, k, bounds, opts, tol_eV, start, rng, runs)
            mine = (e < mid) if side == "vb" else (e > mid)
            if mine.sum() >= want:
                break
            # too many states from the other side of the gap: centre on the farthest state
            # found on this side and widen the slice
            if mine.any():
                centre = float(e[mine].min() if side == "vb" else e[mine].max())
            k += want - int(mine.sum()) + 4
            start = v[:, mine]
        parts.append((e[mine], v[:, mine], res[mine]))
        info[f"n_{side}_found"] = int(mine.sum())
    e = np.concatenate([p[0] for p in parts])
    v = np.hstack([p[1] for p in parts])
    res = np.concatenate([p[2] for p in parts])
    order = np.argsort(e)
    e, v, res = e[order], v[:, order], res[order]
    cert["max_residual_eV"] = float(res.max())
    cert["sigma_in_gap_eV"] = mid
    info.update(time_s=time.perf_counter() - t_start, n_matvec=apply.n)
    if res.max() > tol_eV:
        raise ConvergenceError(f"Chebyshev solver: residual {res.max():.2e} eV above tol_eV "
                               f"{tol_eV:.1e}; raise options.max_iter or options.degree",
                               iterations=apply.n, residual=float(res.max()))
    return ChebyshevResult(energies_eV=e, vectors=v, residuals_eV=res, sigma_in_gap_eV=mid,
                           n_matvec=apply.n, certificate=cert, info=info)


def eigenpairs(H: TBHamiltonian, n_vb: int, n_cb: int, *, sigma_eV: float | None = None,
               tol_eV: float = 1e-8) -> tuple[np.ndarray, np.ndarray, float]:
    """Hook used by ``band_edge_states(method="chebyshev")``: (energies eV, vectors, σ in gap)."""
    r = solve(H, n_vb, n_cb, sigma_eV=sigma_eV, tol_eV=tol_eV)
    return r.energies_eV, r.vectors, r.sigma_in_gap_eV


#: package-level name of :func:`solve` (``qdgain.electronic.chebyshev_solve``)
chebyshev_solve = solve
