r"""SLEPc worker for :mod:`qdgain.electronic.slepc_backend` (Krylov–Schur on (H − σ I)⁻¹, MUMPS LU).

Standalone on purpose: it imports only NumPy, petsc4py and slepc4py (never ``qdgain``), so that
it runs under an interpreter other than the project's — e.g. Debian's ``/usr/bin/python3`` with
``python3-slepc4py-complex``, whose extension modules are built against Debian's NumPy 1.24 and
fail to import under the project's NumPy 2 ("numpy.dtype size changed") — and under ``mpiexec``::

    mpiexec -n 2 /usr/bin/python3 -P slepc_run.py JOB.npz RESULT.npz

The job file holds the CSR arrays of H (eV), the shift ``sigma_eV`` and the numbers of states
wanted below (``n_below``) and above (``n_above``) σ. Every rank reads it and assembles its block
of rows of K = H − σ I; MUMPS factorises K once (distributed LU) and one shell operator
x ↦ K⁻¹ x serves two Hermitian Krylov–Schur runs on ν = 1/(E − σ) (1/eV):

* ``LARGEST_REAL`` ν: the ``n_above`` states just above σ (lowest conduction states when σ is in
  the gap);
* ``SMALLEST_REAL`` ν: the ``n_below`` states just below σ (highest valence states).

Two runs instead of "nearest σ" because the valence levels are much denser than the conduction
levels: each side gets the count it needs from the same factor. Convergence is relative in ν
(‖K⁻¹x − νx‖ ≤ tol |ν|), which bounds the residual in H by ‖H − σ‖ · tol (eV). The Ritz vectors
are gathered on rank 0 (on every rank in-process), which writes the result atomically (temporary
file + ``os.replace``): ``nu``, ``vectors`` (n, k) and ``info_json`` (times in s, MUMPS memory in
MB, operator applications).

``--inertia JOB RESULT.json`` (needs a *real* PETSc build, e.g. Debian ``python3-petsc4py-real``)
writes the number of eigenvalues of H below σ from a MUMPS LDLᵀ. Complex PETSc 3.18 has no
Hermitian LDLᴴ (MUMPS and PETSc's own Cholesky refuse Hermitian complex matrices, and MUMPS
counts no negative pivots in complex arithmetic: INFOG(12) = 0), so the real symmetric embedding
is factorised,

.. math::

    M = \begin{pmatrix} A & -B \\ B & A \end{pmatrix} - \sigma I_{2n},\qquad H = A + iB,

whose spectrum is that of H with every eigenvalue doubled: count(H < σ) = INFOG(12) / 2.
"""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np


def _petsc():
    from petsc4py import PETSc

    return PETSc


def _rows(n: int, size: int, rank: int) -> tuple[int, int]:
    """PETSc's default split of n rows over ``size`` ranks: [start, end) of ``rank``."""
    base, extra = divmod(n, size)
    start = rank * base + min(rank, extra)
    return start, start + base + (1 if rank < extra else 0)


class _Inverse:
    """Shell-matrix context: y = K⁻¹ x through the MUMPS factor held by a KSP."""

    def __init__(self, ksp):
        self.ksp, self.n_solves = ksp, 0

    def mult(self, mat, x, y):
        self.ksp.solve(x, y)
        self.n_solves += 1


def _gather(PETSc, vec, everywhere: bool) -> np.ndarray | None:
    """The whole vector on rank 0 (None elsewhere), or on every rank."""
    scatter, whole = (PETSc.Scatter.toAll if everywhere else PETSc.Scatter.toZero)(vec)
    scatter.scatter(vec, whole, addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
    out = whole.getArray().copy() if everywhere or vec.getComm().getRank() == 0 else None
    scatter.destroy()
    whole.destroy()
    return out


def _factor(PETSc, K, cholesky: bool):
    """KSP (preonly) holding the MUMPS factor of K; returns (ksp, factor, seconds)."""
    ksp = PETSc.KSP().create(comm=K.getComm())
    ksp.setOperators(K)
    ksp.setType(PETSc.KSP.Type.PREONLY)
    pc = ksp.getPC()
    pc.setType(PETSc.PC.Type.CHOLESKY if cholesky else PETSc.PC.Type.LU)
    pc.setFactorSolverType(PETSc.Mat.SolverType.MUMPS)
    pc.setFactorSetUpSolverType()
    F = pc.getFactorMatrix()
    F.setMumpsIcntl(14, 50)          # +50 % workspace: no refactorisation on a fill estimate miss
    if cholesky:
        F.setMumpsIcntl(13, 1)       # no ScaLAPACK root: required for the inertia in parallel
        F.setMumpsIcntl(24, 1)       # detect null pivots (σ on an eigenvalue)
    t0 = time.perf_counter()
    ksp.setUp()
    return ksp, F, time.perf_counter() - t0


def _mumps_info(F) -> dict:
    # INFOG(21/22): max/total MB of the factorisation, INFOG(29): entries of the factors,
    # RINFOG(3): flops of the elimination
    return {"max_MB_per_proc": int(F.getMumpsInfog(21)), "total_MB": int(F.getMumpsInfog(22)),
            "factor_entries": int(F.getMumpsInfog(29)), "flops": float(F.getMumpsRinfog(3))}


def solve_csr(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, sigma_eV: float,
              n_below: int, n_above: int, *, tol: float = 1e-10, max_it: int = 1000,
              everywhere: bool = False) -> dict:
    """Eigenpairs of the Hermitian CSR matrix nearest σ on each side (collective on COMM_WORLD).

    Returns a dict: ``nu`` (ν = 1/(E − σ), 1/eV), ``vectors`` (n, k) complex on rank 0 (on every
    rank with ``everywhere``; None elsewhere) and ``info``. RuntimeError if a run stops short.
    """
    from slepc4py import SLEPc

    PETSc = _petsc()
    comm = PETSc.COMM_WORLD
    rank, size = comm.getRank(), comm.getSize()
    n = len(indptr) - 1
    t0 = time.perf_counter()
    r0, r1 = _rows(n, size, rank)
    lo, hi = int(indptr[r0]), int(indptr[r1])
    lip = (np.asarray(indptr[r0:r1 + 1]) - lo).astype(PETSc.IntType)
    K = PETSc.Mat().createAIJ(size=((r1 - r0, n), (r1 - r0, n)), comm=comm,
                              csr=(lip, np.asarray(indices[lo:hi]).astype(PETSc.IntType),
                                   np.asarray(data[lo:hi], dtype=PETSc.ScalarType)))
    K.assemble()
    K.shift(-sigma_eV)
    t_asm = time.perf_counter() - t0
    ksp, F, t_fac = _factor(PETSc, K, cholesky=False)
    ctx = _Inverse(ksp)
    op = PETSc.Mat().createPython(((r1 - r0, n), (r1 - r0, n)), ctx, comm=comm)
    op.setUp()
    nus, vecs, runs = [], [], []
    for side, which, nev in (("above", SLEPc.EPS.Which.LARGEST_REAL, n_above),
                             ("below", SLEPc.EPS.Which.SMALLEST_REAL, n_below)):
        if nev <= 0:
            continue
        nev = min(nev, n - 2)
        t_run, solves0 = time.perf_counter(), ctx.n_solves
        eps = SLEPc.EPS().create(comm=comm)
        eps.setOperators(op)
        eps.setProblemType(SLEPc.EPS.ProblemType.HEP)
        eps.setType(SLEPc.EPS.Type.KRYLOVSCHUR)
        eps.setWhichEigenpairs(which)
        eps.setDimensions(nev, min(n, max(2 * nev, nev + 16)))
        eps.setTolerances(tol, max_it)
        eps.setConvergenceTest(SLEPc.EPS.Conv.REL)
        eps.solve()
        nconv = eps.getConverged()
        if nconv < nev:
            raise RuntimeError(f"SLEPc Krylov–Schur converged {nconv} of {nev} eigenpairs {side} "
                               f"σ = {sigma_eV} eV in {eps.getIterationNumber()} restarts")
        v = K.createVecRight()
        for i in range(nev):
            nus.append(eps.getEigenpair(i, v).real)
            vecs.append(_gather(PETSc, v, everywhere))
        runs.append({"side": side, "nev": nev, "nconv": nconv,
                     "restarts": eps.getIterationNumber(), "n_solves": ctx.n_solves - solves0,
                     "time_s": time.perf_counter() - t_run})
        eps.destroy()
        v.destroy()
    info = {"n_procs": size, "assemble_s": t_asm, "factor_s": t_fac, "runs": runs,
            "n_solves": ctx.n_solves, "mumps": _mumps_info(F),
            "petsc": ".".join(map(str, PETSc.Sys.getVersion())),
            "slepc": ".".join(map(str, SLEPc.Sys.getVersion())),
            "time_s": time.perf_counter() - t0}
    for obj in (op, ksp, K):
        obj.destroy()
    have = vecs and vecs[0] is not None
    return {"nu": np.asarray(nus, dtype=float),
            "vectors": np.column_stack(vecs) if have else None, "info": info}


def inertia_csr(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                sigma_eV: float) -> dict:
    """Eigenvalues of the Hermitian CSR matrix below σ (real PETSc, MUMPS LDLᵀ of the embedding).

    Returns ``{"below", "zero", "time_s", "mumps"}`` (collective on COMM_WORLD).
    """
    PETSc = _petsc()
    if np.issubdtype(PETSc.ScalarType, np.complexfloating):
        raise RuntimeError("--inertia needs a real-scalar PETSc build (python3-petsc4py-real)")
    comm = PETSc.COMM_WORLD
    rank, size = comm.getRank(), comm.getSize()
    n = len(indptr) - 1
    t0 = time.perf_counter()
    r0, r1 = _rows(2 * n, size, rank)
    rows, cols, vals = [], [], []
    halves = ((True, min(r0, n), min(r1, n)), (False, max(r0, n) - n, max(r1, n) - n))
    for top, a, b in halves:
        if b <= a:
            continue
        s, e = int(indptr[a]), int(indptr[b])
        r = np.repeat(np.arange(a, b), np.diff(indptr[a:b + 1]))
        c, re, im = np.asarray(indices[s:e]), data[s:e].real, data[s:e].imag
        nz = im != 0
        if top:     # rows i < n: [A, −B]
            rows += [r, r[nz]]
            cols += [c, c[nz] + n]
            vals += [re, -im[nz]]
        else:       # rows n + i: [B, A]
            rows += [r[nz] + n, r + n]
            cols += [c[nz], c + n]
            vals += [im[nz], re]
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    order = np.lexsort((c, r))
    counts = np.bincount(r - r0, minlength=r1 - r0)
    ip = np.concatenate([[0], np.cumsum(counts)]).astype(PETSc.IntType)
    M = PETSc.Mat().createAIJ(size=((r1 - r0, 2 * n), (r1 - r0, 2 * n)), comm=comm,
                              csr=(ip, c[order].astype(PETSc.IntType), v[order]))
    M.assemble()
    M.shift(-sigma_eV)
    M.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    ksp, F, t_fac = _factor(PETSc, M, cholesky=True)
    neg, zero, _pos = F.getInertia()
    out = {"below": int(neg) // 2, "zero": int(zero) // 2, "odd": int(neg) % 2,
           "factor_s": t_fac, "time_s": time.perf_counter() - t0, "mumps": _mumps_info(F),
           "n_procs": size}
    ksp.destroy()
    M.destroy()
    return out


def probe() -> dict:
    """What this interpreter offers: versions, scalar type, MUMPS, MPI size (for the launcher)."""
    PETSc = _petsc()
    out = {"petsc": ".".join(map(str, PETSc.Sys.getVersion())),
           "complex": bool(np.issubdtype(PETSc.ScalarType, np.complexfloating)),
           "mumps": bool(PETSc.Sys.hasExternalPackage("mumps")),
           "size": PETSc.COMM_WORLD.getSize(), "python": sys.executable,
           "numpy": np.__version__}
    try:
        from slepc4py import SLEPc
        out["slepc"] = ".".join(map(str, SLEPc.Sys.getVersion()))
    except ImportError:
        out["slepc"] = None
    return out


def _write_atomic(path: str, write) -> None:
    tmp = f"{path}.part{os.getpid()}"
    with open(tmp, "wb") as fh:
        write(fh)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    """``JOB.npz RESULT.npz`` | ``--inertia JOB.npz RESULT.json`` | ``--probe RESULT.json``."""
    if argv[:1] == ["--probe"] and len(argv) == 2:
        mode, args = "--probe", argv[1:]
    elif argv[:1] == ["--inertia"] and len(argv) == 3:
        mode, args = "--inertia", argv[1:]
    elif len(argv) == 2 and not argv[0].startswith("--"):
        mode, args = None, argv
    else:
        print("usage: slepc_run.py JOB.npz RESULT.npz | --inertia JOB.npz RESULT.json | "
              "--probe RESULT.json", file=sys.stderr)
        return 2
    try:
        if mode == "--probe":
            out = probe()
        else:
            job = np.load(args[0])
            csr = (job["indptr"], job["indices"], job["data"], float(job["sigma_eV"]))
            if mode == "--inertia":
                out = inertia_csr(*csr)
            else:
                res = solve_csr(*csr, int(job["n_below"]), int(job["n_above"]),
                                tol=float(job["tol"]), max_it=int(job["max_it"]))
    except RuntimeError as exc:       # no convergence: exit 3 with the message
        print(f"slepc_run: {exc}", file=sys.stderr)
        return 3
    if _petsc().COMM_WORLD.getRank() != 0:
        return 0
    if mode is None:
        _write_atomic(args[-1], lambda fh: np.savez(
            fh, nu=res["nu"], vectors=res["vectors"], info_json=np.array(json.dumps(res["info"]))))
    else:
        _write_atomic(args[-1], lambda fh: fh.write(json.dumps(out).encode()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
