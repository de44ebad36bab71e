"""Polynomial-filtered block Krylov with Kramers pairs for free.

The Krylov space is built on p(H), a Chebyshev polynomial that is ≈ 1 on an energy window
holding the wanted states and small elsewhere (:func:`qdgain.electronic.chebyshev.window_filter`),
so the wanted eigenvectors dominate it after a few steps; no factorisation is needed. Since p has
real coefficients and Θ = iσ_y K commutes with H,

.. math::

    p(H)\\,\\Theta Y = \\Theta\\, p(H)\\, Y, \\qquad H\\,\\Theta Y = \\Theta\\, H Y ,

so each step filters ``block`` vectors Y and adds both p(H)Y and its Kramers partners to a
Θ-closed orthonormal basis B (2 × block columns per step; degenerate multiplets up to 2 × block
states come out complete without relying on round-off). The eigenpairs are extracted on H itself
by harmonic Rayleigh–Ritz about σ in the gap (Morgan 1991; as in :mod:`qdgain.electronic.krylov`):

.. math::

    (T - \\sigma I)\\,y = \\mu\\,C^H C\\,y, \\quad T = B^H H B,\\quad C = (H - \\sigma)B,
    \\quad E = y^H T y ,

which keeps spurious interior Ritz values away from σ. Only B is stored: the blocks of T and of
CᴴC come from H q and H² q of each new block q (B^H H^H H q = B^H H² q), and residuals from H
applied to the Ritz vectors at each check — a few products per column against the filter's
degree, for half the memory of storing H B as well. The basis is capped at ``max_basis``
columns (memory); there is no thick restart: keeping approximate Ritz vectors in the basis while
the chain continues orthogonally to them deflates H with inexact vectors, and the residuals then
stall near the square of the kept vectors' residuals (measured: 1e-7 eV from 1e-3 eV starts),
so a full basis is an error that names the cap. A start block (``start``) has the same effect
and is only for loose, exploratory runs. The same holds for a filter run in single precision: its
relative error (≈ 1e-6) enters every basis vector, and a 3.5 nm valence chain switched to float64
at a residual of 1e-5 eV then stalled at 1.3e-6 eV (session 6), so float32 filters
(``ChebyshevFilter.apply(single=True)``) suit loose runs only (the solver's locate step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from qdgain.electronic.krylov import _harmonic, _orthonormal, _project_out, time_reversed
from qdgain.errors import ConvergenceError

__all__ = ["FilteredKrylovResult", "filtered_block_krylov"]

_DEBUG = bool(__import__("os").environ.get("QDGAIN_DEBUG"))


@dataclass(frozen=True, slots=True)
class FilteredKrylovResult:
    """Eigenpairs around σ: energies (eV), vectors (n, k), residuals (eV), work counts."""

    energies_eV: np.ndarray
    vectors: np.ndarray
    residuals_eV: np.ndarray
    n_steps: int
    basis_size: int
    n_product: int


#: a third Gram–Schmidt pass when the block left after two has a singular value below this
#: fraction of its largest column before the second pass (DGKS-type test: two passes leave
#: ≈ u·‖y‖ in span(B), which the normalisation divides by the smallest singular value)
REPROJECT_BELOW = 1e-2
#: the Kramers-paired block [y, Θy] is orthonormalised from its Gram matrix (Löwdin) when
#: the smallest eigenvalue of that matrix exceeds this; otherwise (near-dependent partners)
#: by an SVD that drops the dependent directions
LOWDIN_MIN_EIGENVALUE = 0.25


def _new_directions(basis: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Orthonormal directions of y not in span(basis) (orthonormal columns): classical
    Gram–Schmidt twice, an SVD of the remaining block, and a third pass only where the
    normalisation magnifies what the two left in span(basis) (p(H)y lies mostly in span(B), the
    wanted directions it amplifies, so the remainder can be small)."""
    if basis.shape[1] == 0:
        return _orthonormal(y)
    norm0 = float(np.sqrt((np.abs(y) ** 2).sum(axis=0).max()))
    y1 = _project_out(basis, y, passes=1)
    ref = float(np.sqrt((np.abs(y1) ** 2).sum(axis=0).max()))
    y2 = _project_out(basis, y1, passes=1)
    u, s, _ = np.linalg.svd(y2, full_matrices=False)
    # directions below 1e-10 of the largest, or at the round-off of the projection (1e-14 of
    # the filtered block), are noise: dropped rather than normalised into the basis
    keep = s > max(1e-10 * s.max(initial=0.0), 1e-14 * norm0)
    q = u[:, keep]
    if q.shape[1] and s[keep].min() < REPROJECT_BELOW * ref:
        q = _orthonormal(_project_out(basis, q, passes=1))
    return q


def _with_partners(y: np.ndarray, n_orbitals: int) -> np.ndarray:
    """Orthonormal basis of span(y, Θy) for y with orthonormal columns. Θy is orthonormal too
    and ⟨y_i|Θy_i⟩ = 0, so only the cross block needs removing: Löwdin Z (ZᴴZ)^(−1/2) from the
    small Gram matrix unless the partners are nearly dependent (then an SVD)."""
    z = np.hstack([y, time_reversed(y, n_orbitals)])
    gram = z.conj().T @ z
    lam, vec = np.linalg.eigh(0.5 * (gram + gram.conj().T))
    if lam[0] < LOWDIN_MIN_EIGENVALUE:
        return _orthonormal(z)
    return z @ ((vec / np.sqrt(lam)) @ vec.conj().T)


def filtered_block_krylov(matmat: Callable[[np.ndarray], np.ndarray],
                          filt: Callable[[np.ndarray], np.ndarray], n: int, sigma_eV: float,
                          n_below: int, n_above: int, n_orbitals: int, *,
                          tol_eV: float = 1e-8, loose_tol_eV: float = 1e-4,
                          strict_below: int | None = None, strict_above: int | None = None,
                          block: int = 4, max_basis: int = 800, max_steps: int = 2000,
                          start: np.ndarray | None = None, seed: int = 2024,
                          ) -> FilteredKrylovResult:
    """The ``n_below`` eigenpairs of H just below σ and the ``n_above`` just above.

    Parameters
    ----------
    matmat : callable
        X ↦ H X (eV) for an (n, m) block.
    filt : callable
        X ↦ p(H) X, p large on the wanted states (the cost of the method).
    n : int
        Dimension of H.
    sigma_eV : float
        Harmonic target, eV (in the gap: the pairs nearest it on each side are returned).
    n_below, n_above : int
        Pairs wanted on each side of σ.
    n_orbitals : int
        Orbitals per atom and spin (for Θ).
    tol_eV, loose_tol_eV : float
        Residual ‖Hx − Ex‖ required of the ``strict_below`` / ``strict_above`` pairs nearest σ
        (default: all) and of the others (a margin that only shows where a multiplet ends).
    block : int
        Vectors filtered per step (the basis grows by 2 × block with the partners).
    max_basis : int
        Largest basis (memory: 16 B × n per column); ConvergenceError beyond.
    max_steps : int
        Give up (ConvergenceError) after this many steps.
    start : ndarray (n, k), optional
        Approximate eigenvectors put into the basis first (their span and partners). They limit
        the attainable residual to about the square of their own: for loose runs only.
    seed : int
        Random start block (reproducible).
    """
    sb = n_below if strict_below is None else min(strict_below, n_below)
    sa = n_above if strict_above is None else min(strict_above, n_above)
    want = n_below + n_above
    if max_basis < 2 * want + 4 * block:
        max_basis = 2 * want + 4 * block
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((n, block)) + 1j * rng.standard_normal((n, block))
    n_product = 0
    cap = max_basis + 2 * block
    # the basis B, preallocated, columns contiguous
    buf = np.empty((n, cap), complex, order="F")
    m = 0
    t = np.zeros((0, 0), complex)
    g = np.zeros((0, 0), complex)

    def extend(q: np.ndarray) -> int:
        # append orthonormal q (⊥ B): T and G = (HB)ᴴ HB grow by H q and H² q
        nonlocal t, g, m
        hq = matmat(q)
        h2q = matmat(hq)
        basis = buf[:, :m]
        # Bᴴ [Hq, H²q] in one pass over B, as (Xᴴ B)ᴴ: conjugating B would copy the basis
        k = q.shape[1]
        tg = (np.hstack([hq, h2q]).conj().T @ basis).conj().T
        tq, gq = tg[:, :k], tg[:, k:]
        t = np.block([[t, tq], [tq.conj().T, q.conj().T @ hq]])
        g = np.block([[g, gq], [gq.conj().T, hq.conj().T @ hq]])
        buf[:, m:m + k] = q
        m += k
        return 2 * k

    if start is not None and start.shape[1]:
        b0 = _orthonormal(np.hstack([start, time_reversed(start, n_orbitals)]))[:, :max_basis // 2]
        n_product += extend(b0)
        y = _project_out(buf[:, :m], y)
    step = next_check = 0
    last = None
    while step < max_steps:
        step += 1
        basis = buf[:, :m]
        y = _new_directions(basis, filt(np.ascontiguousarray(y)))
        if y.shape[1] == 0:
            raise ConvergenceError("filtered Krylov space exhausted", iterations=step)
        # y ⊥ B and B is Θ-closed, so Θy ⊥ B too; H is applied to the orthonormalised pair
        # directly (4 × block products against block × degree for the filter: negligible, and
        # free of the error amplification of recombining H y, H Θy)
        n_product += extend(_with_partners(y, n_orbitals))
        basis = buf[:, :m]
        full = m + 2 * block > max_basis
        if m >= want + 2 * block and (step >= next_check or full):
            res = _harmonic(basis, None, t, g, sigma_eV, n_below, n_above, matmat)
            if res is not None:
                e, x, r = res
                n_product += x.shape[1]
                last = (e, x, r)
                strict = np.zeros(len(e), dtype=bool)
                strict[np.flatnonzero(e < sigma_eV)[::-1][:sb]] = True
                strict[np.flatnonzero(e > sigma_eV)[:sa]] = True
                if np.all(r[strict] <= tol_eV) and np.all(r <= loose_tol_eV):
                    return FilteredKrylovResult(e, x, r, step, m, n_product)
                rs = float(r[strict].max())
                # residuals fall about geometrically: check again after about half the steps
                # the worst one still needs at ×0.5 per step
                worst = max(rs / tol_eV, float(r.max()) / loose_tol_eV)
                next_check = step + max(1, int(0.5 * np.log2(max(worst, 1.0))))
                if _DEBUG:
                    print(f"step {step} m {m} worst {r.max():.1e} strict {rs:.1e}"
                          f" nconv {(r < 1e-3).sum()}/{len(r)} e [{e.min():.3f}, {e.max():.3f}]",
                          flush=True)
        if full:
            worst = float(last[2].max()) if last is not None else float("inf")
            raise ConvergenceError(
                f"filtered Krylov: basis full ({m} columns = max_basis) with residual "
                f"{worst:.2e} eV; raise max_basis (ChebyshevOptions.max_basis / "
                "basis_memory_GB) or ask for fewer states", iterations=step, residual=worst)
    worst = float(last[2].max()) if last is not None else float("inf")
    raise ConvergenceError(f"filtered Krylov: residual {worst:.2e} eV after {max_steps} steps",
                           iterations=step, residual=worst)
