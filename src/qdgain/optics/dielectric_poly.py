"""ε_in of large dots by polynomial linear response: χ₀ without diagonalisation (SPEC §2).

Same physics as :mod:`qdgain.optics.dielectric` (uniform static field, self-consistent Hartree
point charges on the atoms, GMRES over the atom potentials U, fit of the inside field to the
dielectric sphere); only the non-interacting response χ₀ is built differently. With the step
f(E) = θ(μ − E), μ in the gap, the density change to first order in a site potential U is the
Daleckii–Krein derivative of the density matrix f(H):

.. math::

    \\delta\\rho_i = g\\,\\mathrm{Tr}\\big[P_i\\,D_f(H)[U]\\big], \\qquad
    D_f(H)[U]_{ab} = f[E_a, E_b]\\,U_{ab}, \\qquad f[x, y] = \\frac{f(x) - f(y)}{x - y},

(P_i: the orbitals of atom i; a, b eigenstates), the sum over states of the dense path. On the
scaled spectrum x = (E − c)/h ∈ [−1, 1] the step becomes ½ erfc((x − x_μ)/w), w = δ/3.5 (δ: the
half-gap in x; error erfc(3.5)/2 = 4e-7 at the band edges); its divided difference is expanded
in Chebyshev polynomials to degree N and factorised:

.. math::

    f[x, y] \\approx \\sum_{k,l \\le N} A_{kl} T_k(x) T_l(y)
            = \\sum_{r \\le R} s_r\\, v_r(x)\\, v_r(y)
    \\;\\Rightarrow\\;
    \\chi_{0,ij} = \\frac{g}{h} \\sum_r s_r \\sum_{a \\in i,\\, b \\in j} |(V_r)_{ab}|^2,
    \\quad V_r = v_r(\\tilde H),

(A symmetric; R ≈ 19 eigenpairs keep |s_r| ≥ 1e-6 |s_1|: the kernel is smooth except across the
gap). One three-term recurrence T_k(H̃) e_b per basis function b of atom j gives every V_r e_b
(and f(H̃) e_b, the ground-state density) at once, hence the whole column χ₀[:, j]: χ₀ is built
once and the GMRES steps cost nothing. Degree rule: N = ⌈20/δ⌉ (largest error of f[x, y] on the
3 nm spectrum: 3e-5 of its largest value 1/(2δ)).

The traces are exact (one probe per orbital); the work is cut by the point group of the dot
instead: a symmetry operation g of the atoms that leaves H invariant gives
χ₀[g(i), g(j)] = χ₀[i, j], so only one atom per orbit is probed (the Td sphere about a cation:
24 operations, ≈ N_atoms/24 orbits). Probing several far-apart atoms at once (colouring) was
measured and rejected: the density matrix of these narrow-gap dots decays too slowly
(docs/optics_checks.md, "ε_in by polynomial response"). Without spin–orbit coupling H = H↑ ⊕ H↓
is real with equal blocks: one complex column of the block operator
(:mod:`qdgain.electronic.blockop`) carries four real probes (spin ↑/↓ × real/imaginary part) and
g = 2; with SOC one complex probe per column and spin, g = 1.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.fft import dct
from scipy.spatial import cKDTree
from scipy.special import erfc

from qdgain.electronic import atom_graph, basis_permutation, nested_dissection
from qdgain.electronic.blockop import block_operator
from qdgain.errors import ConvergenceError, ParameterError
from qdgain.optics.dielectric import DielectricResult, screened_response

# the building blocks (step_factors, band_edges, spectral_bounds, symmetry_permutations,
# DEGREE_FACTOR) stay namespaced in this module
__all__ = ["PolyResponse", "response_poly", "dielectric_constant_poly"]

#: degree rule N = ⌈DEGREE_FACTOR / δ⌉, δ = half-gap / half-width of the spectrum
DEGREE_FACTOR = 20.0
#: erfc width w = δ / WIDTH_RATIO
WIDTH_RATIO = 3.5
#: eigenpairs s_r of the divided-difference coefficients kept: |s_r| ≥ RANK_TOL |s_1|
RANK_TOL = 1e-6
# padding of the Lanczos spectral bounds (fraction of the width) on top of the Ritz residual
_PAD = 5e-3
# Chebyshev terms summed per GEMM (the T_k Z of a window are stacked)
_WINDOW = 32
# an atom's image under a symmetry operation must lie this close to an atom, nm
_SYM_TOL_NM = 1e-4


@dataclass(frozen=True, slots=True)
class PolyResponse:
    """Non-interacting response χ₀ of a dot from the polynomial expansion (saved results).

    Attributes
    ----------
    chi0 : ndarray (n_atoms, n_atoms)
        χ₀_ij = ∂(electrons on atom i)/∂(potential energy on atom j), 1/eV; not symmetrised.
    density : ndarray (n_atoms,)
        Ground-state electrons per atom (diagonal of f(H)); the sum checks μ against n_valence.
    asymmetry : float
        ‖χ₀ − χ₀ᵀ‖_F / ‖χ₀‖_F (round-off; a symmetry breaking of H would show here).
    homo_eV, lumo_eV, bounds_eV
        Band edges of the (spin block of the) Hamiltonian and padded spectral interval, eV.
    degree, rank, n_operations, n_probes : int
        Chebyshev degree N, rank R, symmetry operations used (1: every atom probed), probes.
    spin_degeneracy : int
        2 without SOC (one spin block counted twice), 1 with SOC.
    time_s : float
        Wall time of the whole construction, s.
    """

    chi0: np.ndarray
    density: np.ndarray
    asymmetry: float
    homo_eV: float
    lumo_eV: float
    bounds_eV: tuple[float, float]
    degree: int
    rank: int
    n_operations: int
    n_probes: int
    spin_degeneracy: int
    time_s: float


def _spin_block(ham: Any) -> tuple[sp.csr_matrix, int]:
    """Sparse spin-↑ block and g = 2 when H = H↑ ⊕ H↓ is real with H↑ = H↓, else (H, 1)."""
    M = sp.csr_matrix(ham.matrix)
    spin = np.asarray(getattr(ham, "spin_of_basis", np.zeros(M.shape[0], int)))
    up, dn = np.flatnonzero(spin == 0), np.flatnonzero(spin == 1)
    if up.size and up.size == dn.size:
        B = M[up][:, up]
        if all(X.nnz == 0 or abs(X).max() < 1e-12
               for X in (M[up][:, dn], B - M[dn][:, dn], B.imag)):
            return sp.csr_matrix(B.real), 2
    return M, 1


def spectral_bounds(B: sp.spmatrix) -> tuple[float, float]:
    """Interval (eV) holding the spectrum of B: extreme Lanczos Ritz values ∓ residual ∓ pad."""
    ends = []
    for which in ("SA", "LA"):
        w, v = spla.eigsh(B, k=1, which=which, tol=1e-6, ncv=40)
        ends.append((float(w[0]), float(np.linalg.norm(B @ v[:, 0] - w[0] * v[:, 0]))))
    (lo, r_lo), (hi, r_hi) = ends
    return lo - r_lo - _PAD * (hi - lo), hi + r_hi + _PAD * (hi - lo)


def band_edges(B: sp.spmatrix, sigma_eV: float, n_occ: int | None = None, *,
               positions_nm: np.ndarray | None = None, max_moves: int = 6
               ) -> tuple[float, float, int]:
    """HOMO, LUMO (eV) and the occupied count from an LDLᵀ inertia + shift-invert Lanczos.

    The Sylvester inertia of B − σ (SuperLU in symmetric mode without off-diagonal pivots, on a
    nested-dissection order of the atoms when ``positions_nm`` is given) counts the states below
    σ, so the global index of each eigenvalue found near σ is known; σ moves until states
    ``n_occ − 1`` and ``n_occ`` are among them (``n_occ = None``: the count at the first σ, i.e.
    σ is declared to lie in the gap, as ``fermi_eV`` of the dense path).
    """
    n = B.shape[0]
    perm = np.arange(n)
    if positions_nm is not None:
        n_at = len(positions_nm)
        perm = basis_permutation(nested_dissection(positions_nm, atom_graph(B, n_at)), n // n_at)
    Bp = sp.csc_matrix(B[perm][:, perm])
    sigma = float(sigma_eV)
    for _ in range(max_moves):
        lu = spla.splu(sp.csc_matrix(Bp - sigma * sp.identity(n, format="csc")),
                       permc_spec="NATURAL", diag_pivot_thresh=0.0,
                       options={"SymmetricMode": True})
        if not np.array_equal(lu.perm_r, lu.perm_c):
            raise ConvergenceError(f"LU of H − {sigma:.4f} eV pivoted off the diagonal: no "
                                   "inertia count; pass band_edges_eV=(homo, lumo)")
        below = int(np.count_nonzero(lu.U.diagonal().real < 0))
        n_occ = below if n_occ is None else int(n_occ)
        if not 0 < n_occ < n:
            raise ParameterError(f"{n_occ} occupied states of {n}: sigma {sigma:.3f} eV lies "
                                 "outside the spectrum; pass an energy in the gap")
        k = min(abs(below - n_occ) + 2, 30, n - 2)
        op = spla.LinearOperator((n, n), matvec=lu.solve, dtype=Bp.dtype)
        w = np.sort(np.concatenate([     # ν = 1/(E − σ): "SA" just below σ, "LA" just above
            spla.eigsh(Bp, k=k, sigma=sigma, which=which, OPinv=op, tol=1e-10,
                       return_eigenvectors=False) for which in ("SA", "LA")]))
        first = below - int(np.count_nonzero(w < sigma))   # global index of w[0]
        j = n_occ - first
        if 0 < j < len(w):
            return float(w[j - 1]), float(w[j]), n_occ
        sigma = float(w[0] - 1e-3 if j <= 0 else w[-1] + 1e-3)
    raise ConvergenceError(f"band edges not bracketed after {max_moves} shifts (last sigma "
                           f"{sigma:.4f} eV); pass band_edges_eV=(homo, lumo)",
                           iterations=max_moves)


def symmetry_permutations(ham: Any) -> np.ndarray:
    """Atom images (n_ops, n_atoms) under the signed axis permutations that map the dot onto
    itself (about its centroid, same species) and keep two per-atom invariants of H: Σ_a H_aa
    and Σ_ab |H_ab|² (a on the atom). Row 0 is the identity; a Td sphere has 24 rows."""
    pos = np.asarray(ham.positions_nm, dtype=float)
    pos = pos - pos.mean(axis=0)
    species = np.asarray(getattr(ham, "species", np.zeros(len(pos))))
    M = sp.csr_matrix(ham.matrix)
    atom = np.asarray(ham.atom_of_basis)
    inv = np.column_stack([np.bincount(atom, M.diagonal().real, len(pos)),
                           np.bincount(atom, np.asarray(abs(M).power(2).sum(axis=1)).ravel(),
                                       len(pos))])
    scale = np.abs(inv).max(axis=0)
    tree = cKDTree(pos)
    out = []
    for p in itertools.permutations(range(3)):
        for signs in itertools.product((1.0, -1.0), repeat=3):
            dist, img = tree.query(pos[:, p] * np.asarray(signs))
            if (dist.max() < _SYM_TOL_NM and len(np.unique(img)) == len(pos)
                    and np.array_equal(species[img], species)
                    and np.all(np.abs(inv[img] - inv) <= 1e-9 * scale)):
                out.append(img)
    return np.asarray(out)          # identity first: permutations(…) and product(…) start there


def step_factors(degree: int, x_mu: float, width: float, rank_tol: float = RANK_TOL
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chebyshev factors of the erfc step f(x) = ½ erfc((x − x_μ)/w) on [−1, 1].

    Returns ``(V, s, c)``: f[x, y] ≈ Σ_r s_r v_r(x) v_r(y) with v_r = Σ_k V[k, r] T_k, and
    f ≈ Σ_k c_k T_k. Coefficients by a 2D discrete Chebyshev transform on 2N + 2 nodes.
    """
    N = int(degree)
    if N < 2:
        raise ParameterError(f"degree = {degree}: the Chebyshev degree must be ≥ 2")
    if not 0 < width < 1 or not -1 < x_mu < 1:
        raise ParameterError(f"step at x = {x_mu} of width {width}: need |x| < 1, 0 < w < 1")
    M = 2 * N + 2
    x = np.cos(np.pi * (np.arange(M) + 0.5) / M)
    u = (x - x_mu) / width
    f = 0.5 * erfc(u)
    diff = x[:, None] - x[None, :]
    np.fill_diagonal(diff, 1.0)
    F = (f[:, None] - f[None, :]) / diff
    np.fill_diagonal(F, -np.exp(-u * u) / (width * math.sqrt(math.pi)))
    A = dct(dct(F, type=2, axis=0), type=2, axis=1)[: N + 1, : N + 1] / M**2
    A[0] *= 0.5
    A[:, 0] *= 0.5
    s, V = np.linalg.eigh(0.5 * (A + A.T))
    keep = np.flatnonzero(np.abs(s) >= rank_tol * np.abs(s).max())
    keep = keep[np.argsort(-np.abs(s[keep]))]
    c = dct(f, type=2)[: N + 1] / M
    c[0] *= 0.5
    return V[:, keep], s[keep], c


def response_poly(ham: Any, fermi_eV: float | None = None, *,
                  band_edges_eV: tuple[float, float] | None = None, degree: int | None = None,
                  rank_tol: float = RANK_TOL, symmetry: bool = True,
                  batch_columns: int = 16) -> PolyResponse:
    """χ₀ (atom × atom) of a dot by the Chebyshev expansion of the module docstring.

    Parameters
    ----------
    ham : TBHamiltonian
        Field-free Hamiltonian (``matrix``, ``positions_nm``, ``n_orbitals``, ``atom_of_basis``,
        ``spin_of_basis``, ``n_valence``); without SOC the spin block is used (g = 2).
    fermi_eV : float, optional
        An energy in the gap, eV (states below are occupied); default: the gap above
        ``n_valence`` spin-orbitals (neutral dot), located by inertia counts.
    band_edges_eV : (float, float), optional
        (HOMO, LUMO) of the spin block, eV, to skip the gap search.
    degree : int, optional
        Chebyshev degree N; default ⌈20/δ⌉ (δ: half-gap over half-width of the spectrum).
    rank_tol : float
        Relative cut of the factorised divided difference.
    symmetry : bool
        Probe one atom per orbit of the dot's point group (False: every atom).
    batch_columns : int
        Block-operator columns per recurrence (memory ≈ (R + 20) × 16 B × n_basis × this).
    """
    t0 = time.perf_counter()
    if batch_columns < 1:
        raise ParameterError(f"batch_columns = {batch_columns}: must be ≥ 1")
    pos = np.asarray(ham.positions_nm, dtype=float)
    n_at, norb = len(pos), int(ham.n_orbitals)
    B, g = _spin_block(ham)
    lo, hi = spectral_bounds(B)
    if band_edges_eV is not None:
        homo, lumo = map(float, band_edges_eV)
        if not lo < homo < lumo < hi:
            raise ParameterError(f"band_edges_eV = {band_edges_eV}: need homo < lumo inside "
                                 f"the spectrum [{lo:.3f}, {hi:.3f}] eV")
    elif fermi_eV is not None:
        if not lo < fermi_eV < hi:
            raise ParameterError(f"fermi_eV = {fermi_eV} lies outside the spectrum "
                                 f"[{lo:.3f}, {hi:.3f}] eV; pass an energy in the gap")
        homo, lumo, _ = band_edges(B, fermi_eV, None, positions_nm=pos)
    else:
        if getattr(ham, "n_valence", None) is None:
            raise ParameterError("the Hamiltonian has no n_valence (electron count); pass "
                                 "fermi_eV")
        r = pos - pos.mean(axis=0)
        d = 2.0 * math.sqrt(5.0 / 3.0 * float(np.mean(np.sum(r * r, axis=1))))
        guess = 0.5 * (ham.bulk_vbm_eV + ham.bulk_cbm_eV) + 0.25 * min(1.0, (3.5 / d) ** 2)
        homo, lumo, _ = band_edges(B, guess, ham.n_valence // g, positions_nm=pos)
    c_e, h_e = 0.5 * (hi + lo), 0.5 * (hi - lo)
    delta = 0.5 * (lumo - homo) / h_e
    N = int(math.ceil(DEGREE_FACTOR / delta)) if degree is None else int(degree)
    V, s, cf = step_factors(N, (0.5 * (homo + lumo) - c_e) / h_e, delta / WIDTH_RATIO, rank_tol)
    coef = np.ascontiguousarray(np.column_stack([V, cf]))          # (N + 1, R + 1)
    s = s / h_e                             # f[E, E'] = f[x, x'] / h (1/eV)

    perms = symmetry_permutations(ham) if symmetry else np.arange(n_at)[None]
    reps = np.unique(perms.min(axis=0))                            # one atom per orbit
    # probes (representative k, spin, orbital); g = 2: 4 per complex column (spin × re/im)
    per_col = 4 if g == 2 else 1
    probes = [(k, s_, o) for k in range(len(reps)) for s_ in ((0,) if g == 2 else (0, 1))
              for o in range(norb)]
    H2 = sp.csr_matrix(ham.matrix)                                 # 2 H̃ = 2 (H − c)/h
    op = block_operator(((H2 - c_e * sp.identity(H2.shape[0], format="csr")) * (2.0 / h_e)
                         ).tocsr(), norb)
    W = np.zeros((len(reps), n_at))                                # χ₀[:, reps[k]]
    rho = np.zeros(len(reps))
    n_columns = -(-len(probes) // per_col)
    for q0 in range(0, n_columns, batch_columns):
        m = min(batch_columns, n_columns - q0)
        Z = np.zeros((op.n_basis, m), complex)
        slots = []                           # (representative, spin, orbital, column, part)
        for p, (k, s_, o) in enumerate(probes[q0 * per_col:(q0 + m) * per_col]):
            q, slot = divmod(p, per_col)
            spin, part = (slot % 2, slot // 2) if g == 2 else (s_, 0)
            Z[reps[k] * 2 * norb + spin * norb + o, q] = 1j if part else 1.0
            slots.append((k, spin, o, q, part))
        acc = _chebyshev_sums(op, Z, coef).reshape(len(s) + 1, n_at, 2, norb, m)
        parts = (acc[:-1].real, acc[:-1].imag) if g == 2 else (np.abs(acc[:-1]),)
        w = [np.einsum("r,ratom->atm", s, x ** 2) for x in parts]   # Σ_r s_r |V_r z|² per atom
        for k, spin, o, q, part in slots:
            own = acc[-1, reps[k], spin, o, q]                      # (f(H̃) z) on the probe
            if g == 2:                       # the probe sits in one spin block: count it twice
                W[k] += 2 * w[part][:, spin, q]
                rho[k] += 2 * (own.imag if part else own.real)
            else:
                W[k] += w[0][:, :, q].sum(axis=1)
                rho[k] += own.real
    chi = np.full((n_at, n_at), np.nan)
    density = np.full(n_at, np.nan)
    for img in perms:                        # χ₀[g(i), g(j)] = χ₀[i, j]
        chi[np.ix_(img, img[reps])] = W.T
        density[img[reps]] = rho
    asym = float(np.linalg.norm(chi - chi.T) / np.linalg.norm(chi))
    return PolyResponse(chi0=chi, density=density, asymmetry=asym, homo_eV=homo, lumo_eV=lumo,
                        bounds_eV=(lo, hi), degree=N, rank=len(s), n_operations=len(perms),
                        n_probes=len(probes), spin_degeneracy=g,
                        time_s=time.perf_counter() - t0)


def _chebyshev_sums(op2: Any, Z: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Σ_k coef[k, r] T_k(H̃) Z for every r, with ``op2`` = 2H̃: T_{k+1} = 2H̃ T_k − T_{k−1}
    written into a ring of ``_WINDOW`` slots that is summed by one GEMM when full."""
    n_terms, n_out = coef.shape
    acc = np.zeros((n_out,) + Z.shape, complex)
    acc_f = acc.reshape(n_out, -1).view(np.float64)
    ring = np.empty((_WINDOW,) + Z.shape, complex)
    ring_f = ring.reshape(_WINDOW, -1).view(np.float64)
    ring[0] = Z
    op2.matmat(Z, out=ring[1])
    ring[1] *= 0.5
    k0 = 0                                   # degree held by ring[0]
    for k in range(2, n_terms):
        j = k - k0
        if j == _WINDOW:                     # ring full: sum it, then reuse it
            acc_f += coef[k0:k].T @ ring_f
            k0, j = k, 0
        y = ring[j]
        op2.matmat(ring[(j - 1) % _WINDOW], out=y)
        y -= ring[(j - 2) % _WINDOW]
    j = n_terms - k0
    acc_f += coef[k0:n_terms].T @ ring_f[:j]
    return acc


def dielectric_constant_poly(ham: Any, fermi_eV: float | None = None, *,
                             field_V_nm: float = 0.01, lattice_constant_nm: float = 0.646,
                             fit_fraction: float = 0.6, tol: float = 1e-8, max_iter: int = 60,
                             response: PolyResponse | None = None,
                             **poly: Any) -> DielectricResult:
    """ε_in of a dot with χ₀ from :func:`response_poly`; SCF and fit as the dense path.

    Parameters
    ----------
    ham, fermi_eV, field_V_nm, lattice_constant_nm, fit_fraction, tol, max_iter
        As :func:`qdgain.optics.dielectric_constant` (field in V/nm, lengths in nm).
    response : PolyResponse, optional
        A χ₀ already built for this Hamiltonian.
    **poly
        ``band_edges_eV``, ``degree``, ``rank_tol``, ``symmetry``, ``batch_columns`` of
        :func:`response_poly`.
    """
    if not field_V_nm > 0:
        raise ParameterError(f"field_V_nm = {field_V_nm}: the applied field must be > 0 V/nm")
    pos = np.asarray(ham.positions_nm, dtype=float)
    pos = pos - pos.mean(axis=0)
    n_at = len(pos)
    res = response_poly(ham, fermi_eV, **poly) if response is None else response
    if res.chi0.shape != (n_at, n_at):
        raise ParameterError(f"response of {res.chi0.shape[0]} atoms for a {n_at}-atom dot")
    chi0 = res.chi0
    return screened_response(pos, lambda U: chi0 @ U, res.spin_degeneracy,
                             field_V_nm=field_V_nm, lattice_constant_nm=lattice_constant_nm,
                             fit_fraction=fit_fraction, tol=tol, max_iter=max_iter)
