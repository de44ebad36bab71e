"""Memory planning for the band-edge solvers: estimate before allocating, refuse what won't fit.

Model (bytes; n = spin-orbitals, nnz = stored entries of H, k = states asked for):

* every method: the CSR matrix, 20 nnz + 4 n (complex value + int32 column, row pointers),
  plus the COO → CSR assembly peak of :func:`qdgain.electronic.estimate_memory_GB`
  (transient, before any solver runs);
* ``dense``: the dense matrix and LAPACK workspace, 16 n² × 3;
* ``shift-invert``: the multifrontal LDLᴴ factor on the nested-dissection tree, 16 nnz × fill
  with the fill fitted to the factorisations measured on this project's HgTe spheres,
  fill ≈ 7.7 (n / 4302)^0.5 (7.7 at 2.5 nm, 12.5 at 3.5 nm, 17.9 at 4.5 nm), × 2.5 for the
  frontal matrices and pending updates, plus the block-Krylov basis and H times it
  (2 × (4k + 64));
* ``chebyshev``: the block-operator tables (≈ 5 % of CSR), the Krylov basis at the default cap
  (16 B × n × min(1600, 8 GB / 16 n) columns: a worst case, runs stop when converged), the Ritz
  and residual blocks (4k) and the filter work vectors.

Sphere sizes map to atoms as 8 atoms per cubic cell: N ≈ (8/a³)(π d³/6).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from qdgain.errors import ParameterError

__all__ = ["MemoryEstimate", "estimate_memory", "atoms_in_sphere", "check_fits",
           "largest_sphere_that_fits", "available_memory_GB"]

# measured on HgTe sp3d5 + SOC spheres (n_orbitals = 9, 1st + 2nd neighbours): nnz per row
_NNZ_PER_ROW_HGTE = 78.0
# stored entries / nnz(H) of the multifrontal LDLᴴ (qdgain.electronic.multifrontal) on the
# nested-dissection tree, default dot model: 2.5 / 3.5 / 4.5 nm (n = 4302 / 10746 / 23238)
# → 7.69 / 12.52 / 17.87
_FILL_REF, _FILL_N_REF, _FILL_EXP = 7.7, 4302.0, 0.50
#: peak over the stored factor: the frontal matrices and pending Schur updates of the
#: factorisation (measured rise of the peak RSS: 0.16 / 0.49 / 1.40 GB for factors of
#: 0.04 / 0.18 / 0.57 GB at 2.5 / 3.5 / 4.5 nm)
_FACTOR_PEAK = 2.5
_COO_BYTES = 72       # per stored entry during assembly (hamiltonian._BYTES_PER_ENTRY)


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    """Peak memory of one band-edge solve.

    Attributes
    ----------
    method : str
    n_basis, nnz : int
    assembly_GB, matrix_GB, solver_GB : float
        Peak of assembling H, the CSR matrix kept, the solver's own arrays (GB = 1e9 B).
    peak_GB : float
        max(assembly, matrix + solver), GB.
    """

    method: str
    n_basis: int
    nnz: int
    assembly_GB: float
    matrix_GB: float
    solver_GB: float

    @property
    def peak_GB(self) -> float:
        """Largest simultaneous use, GB."""
        return max(self.assembly_GB, self.matrix_GB + self.solver_GB)


def atoms_in_sphere(diameter_nm: float, lattice_constant_nm: float = 0.646) -> int:
    """Atoms in a zincblende sphere of diameter ``diameter_nm`` (nm): (8/a³)(π d³/6)."""
    return int(round(8.0 / lattice_constant_nm**3 * 3.141592653589793 * diameter_nm**3 / 6.0))


def estimate_memory(n_basis: int, method: str, *, n_states: int = 32, nnz: int | None = None,
                    guard: int = 10) -> MemoryEstimate:
    """Memory estimate (GB) of ``band_edge_states`` with ``method`` on an n_basis-row H.

    Parameters
    ----------
    n_basis : int
        Spin-orbitals (rows of H).
    method : {"dense", "shift-invert", "chebyshev"}
    n_states : int
        States asked for (both bands together).
    nnz : int, optional
        Stored entries of H; default 78 per row (HgTe sp3d5, two neighbour shells).
    guard : int
        Extra states per band edge (multiplet margin + block guard).
    """
    if method not in ("dense", "shift-invert", "chebyshev"):
        raise ParameterError(f"unknown method {method!r}; choose dense, shift-invert or "
                             "chebyshev")
    n = int(n_basis)
    nnz = int(_NNZ_PER_ROW_HGTE * n) if nnz is None else int(nnz)
    k = n_states + 2 * guard
    matrix = 20.0 * nnz + 4.0 * n
    if method == "dense":
        solver = 3 * 16.0 * n * n
    elif method == "shift-invert":
        fill = _FILL_REF * (n / _FILL_N_REF) ** _FILL_EXP
        # dense factor blocks (16 B per entry) with the fronts' working peak, and the Θ-closed
        # Krylov basis with H applied to it (2 × ~4k vectors)
        solver = _FACTOR_PEAK * 16.0 * nnz * fill + 2 * 16.0 * n * (4 * k + 64)
    else:
        # block-operator tables (≈ 5 % of CSR), the Krylov basis B at the default cap
        # (ChebyshevOptions: 1600 columns or 8 GB, whichever is smaller), harmonic Ritz
        # vectors and residual blocks (4 k), filter work vectors (4 × 2 block)
        cols = min(1600.0, max(64.0, 8.0e9 / (16.0 * max(n, 1))))
        solver = 0.05 * matrix + 16.0 * n * cols + 16.0 * n * (4 * k + 16)
    return MemoryEstimate(method=method, n_basis=n, nnz=nnz, assembly_GB=_COO_BYTES * nnz / 1e9,
                          matrix_GB=matrix / 1e9, solver_GB=solver / 1e9)


def available_memory_GB() -> float:
    """Physical memory of this machine (GB); 16 GB if unknown."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 16.0


def largest_sphere_that_fits(method: str, limit_GB: float, *, n_orbitals: int = 9,
                             n_states: int = 32) -> float:
    """Largest sphere diameter (nm, 0.1 nm steps) whose estimate stays below ``limit_GB``."""
    d = 0.0
    for step in (1.0, 0.1):
        while d < 200 and estimate_memory(2 * n_orbitals * atoms_in_sphere(d + step), method,
                                          n_states=n_states).peak_GB <= limit_GB:
            d += step
    return round(d, 1)


def check_fits(n_basis: int, method: str, *, limit_GB: float | None = None,
               n_states: int = 32, nnz: int | None = None, n_orbitals: int = 9
               ) -> MemoryEstimate:
    """Return the estimate, or refuse (ParameterError) with it and the largest sphere that fits.

    Parameters
    ----------
    n_basis, method, n_states, nnz
        See :func:`estimate_memory`.
    limit_GB : float, optional
        Memory allowed, GB; default 80 % of the physical memory.
    n_orbitals : int
        Orbitals per atom and spin (for the size in the message).
    """
    limit = 0.8 * available_memory_GB() if limit_GB is None else float(limit_GB)
    est = estimate_memory(n_basis, method, n_states=n_states, nnz=nnz)
    if est.peak_GB > limit:
        d = largest_sphere_that_fits(method, limit, n_orbitals=n_orbitals, n_states=n_states)
        raise ParameterError(
            f"method {method!r} on {n_basis:,} spin-orbitals needs about {est.peak_GB:.1f} GB "
            f"(matrix {est.matrix_GB:.2f} GB + solver {est.solver_GB:.1f} GB; assembly peak "
            f"{est.assembly_GB:.2f} GB), above the limit of {limit:.1f} GB; the largest sphere "
            f"that fits is about {d:.1f} nm — use a smaller dot, method='chebyshev', or raise "
            "limit_GB")
    return est
