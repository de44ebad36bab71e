"""Optional SLEPc/MPI backend for the band-edge states (Krylov–Schur + MUMPS shift-invert).

Not a default: slepc4py and petsc4py have no PyPI wheels. The solve runs in a worker process,
:mod:`qdgain.electronic.slepc_run` (NumPy + petsc4py + slepc4py only), launched by
``subprocess`` — directly for ``n_procs=1``, under ``mpiexec -n n_procs`` otherwise — with H
passed in a temporary ``.npz`` and the result written back atomically. A worker process is not
a choice but a necessity with Debian's packages: their extension modules are built against
Debian's NumPy 1.24 and fail to import under the project's NumPy 2 ("numpy.dtype size changed";
the ABI is the same CPython 3.11, the NumPy ABI is not), so ``/usr/bin/python3`` runs them.

Interpreter (probed once per process in a subprocess, :func:`slepc_available`):
``$QDGAIN_SLEPC_PYTHON`` with ``$QDGAIN_SLEPC_PYTHONPATH`` (``os.pathsep``-separated) when set,
and nothing else; otherwise the first that works of

1. this interpreter (a conda environment with ``slepc4py`` and a complex ``petsc``);
2. Debian/Ubuntu ``/usr/bin/python3`` with the versioned directories of
   ``apt-get install python3-slepc4py-complex`` (PETSc 3.18 complex build with MUMPS; they are
   not on the system Python's default path either), plus ``libopenblas0-pthread`` (with the
   reference BLAS the MUMPS factorisation of a 3.5 nm dot took 21 s instead of 3.5 s).

MPI: ``$QDGAIN_MPIEXEC`` or ``mpiexec`` on PATH, which must belong to PETSc's MPI (Open MPI for
Debian's packages; the probe checks the world size). The workers get one BLAS thread each unless
the environment says otherwise, and Open MPI's root/oversubscription/yield settings.

Algorithm (per call): σ = ``sigma_eV`` or the solvers' first guess; an inertia count (states
below σ) tells how far σ is from the gap; one MUMPS LU of H − σ I serves two Krylov–Schur runs
on ν = 1/(E − σ) (``LARGEST_REAL``: states above σ, ``SMALLEST_REAL``: below — the valence levels
are denser, so each side gets its own count); a Rayleigh–Ritz step on span{V, ΘV} (Θ = iσ_y K)
makes every Kramers pair complete. The inertia comes from

* ``"ldl"`` (default): qdgain's own multifrontal LDLᴴ (:func:`qdgain.electronic.solvers.inertia`),
  in this process, serial;
* ``"mumps"``: MUMPS LDLᵀ of the real 2n × 2n embedding of H, under MPI, which needs a *real*
  PETSc (``apt-get install python3-petsc4py-real3.18``): complex PETSc 3.18 has no Hermitian
  LDLᴴ and MUMPS counts no negative pivots in complex arithmetic (measured: INFOG(12) = 0);
* ``"none"``: σ is trusted to lie in the gap (the caller certifies it).
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from qdgain.electronic.hamiltonian import TBHamiltonian
from qdgain.electronic.krylov import time_reversed
from qdgain.errors import ConvergenceError, ParameterError, QdgainError

# solve / eigenpairs / INERTIA / INSTALL_HINT stay namespaced (band_edge_states(method="slepc"))
__all__ = ["SlepcResult", "slepc_available"]

INERTIA = ("ldl", "mumps", "none")
INSTALL_HINT = ("install SLEPc with complex scalars: Debian/Ubuntu `apt-get install "
                "python3-slepc4py-complex libopenblas0-pthread` (used through /usr/bin/python3), "
                "or conda `conda install -c conda-forge slepc4py 'petsc=*=*complex*'`; another "
                "interpreter: set QDGAIN_SLEPC_PYTHON (and QDGAIN_SLEPC_PYTHONPATH)")
_WORKER = Path(__file__).with_name("slepc_run.py")
_DEBIAN = {"complex": ("/usr/lib/petscdir/petsc*/*-complex/lib/python3/dist-packages",
                       "/usr/lib/slepcdir/slepc*/*-complex/lib/python3/dist-packages"),
           "real": ("/usr/lib/petscdir/petsc*/*-real/lib/python3/dist-packages",)}
#: extra states per side beyond the request (a 4-fold level cut at the edge + one beyond)
_MARGIN = 6
#: σ this many states from the gap is still used (the windows grow by |excess|); farther: error
_MAX_EXCESS = 64
_PROBE_TIMEOUT_S = 120


@dataclass(frozen=True, slots=True)
class _Interpreter:
    python: str
    pythonpath: tuple[str, ...] | None    # None: inherit this process's environment
    about: dict = field(default_factory=dict, compare=False, hash=False)

    def describe(self) -> str:
        a = self.about
        how = "this interpreter" if self.pythonpath is None else f"{self.python} (subprocess)"
        return f"SLEPc {a.get('slepc')} / PETSc {a.get('petsc')} via {how}"


def _env(interp: _Interpreter, n_procs: int = 1) -> dict[str, str]:
    env = dict(os.environ)
    if interp.pythonpath is not None:     # a foreign interpreter: nothing of ours on its path
        env["PYTHONPATH"] = os.pathsep.join(interp.pythonpath)
        env["PYTHONNOUSERSITE"] = "1"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")          # one BLAS thread per MPI rank unless told otherwise
    if hasattr(os, "geteuid") and os.geteuid() == 0:   # Open MPI refuses root without these
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")   # more ranks than cores: allowed
    if n_procs >= (os.cpu_count() or 1):
        # every core busy: idle ranks must yield instead of spinning (2 ranks on the shared
        # 2-core box, 3.5 nm: 0.23 → 0.12 s per solve)
        env.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")
    return env


def _command(interp: _Interpreter, args: list[str], n_procs: int) -> list[str]:
    # runpy instead of `python script`: the script's folder (this package) must not shadow
    # modules of a foreign interpreter
    cmd = [interp.python, "-c", "import runpy, sys; sys.argv = sys.argv[1:]; "
           "runpy.run_path(sys.argv[0], run_name='__main__')", str(_WORKER), *args]
    if n_procs > 1:
        cmd = [_mpiexec() or "mpiexec", "-n", str(n_procs), *cmd]
    return cmd


def _run(interp: _Interpreter, args: list[str], n_procs: int, timeout_s: float | None,
         cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run(_command(interp, args, n_procs), env=_env(interp, n_procs), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout_s, check=False)


def _probe(interp: _Interpreter, n_procs: int = 1) -> dict | str:
    """The worker's ``--probe`` answer, or why it failed (str)."""
    with tempfile.TemporaryDirectory(prefix="qdgain-slepc-") as tmp:
        out = os.path.join(tmp, "probe.json")
        try:
            proc = _run(interp, ["--probe", out], n_procs, _PROBE_TIMEOUT_S, tmp)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{interp.python}: {exc}"
        if proc.returncode != 0 or not os.path.exists(out):
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            return f"{interp.python}: exit {proc.returncode}: {tail[0]}"
        with open(out, encoding="utf-8") as fh:
            return json.load(fh)


def _debian_path(kind: str) -> tuple[str, ...] | None:
    dirs = [sorted(glob.glob(pattern)) for pattern in _DEBIAN[kind]]
    return tuple(d[-1] for d in dirs) if all(dirs) else None


def _candidates(kind: str, override: str | None, override_path: str) -> list[_Interpreter]:
    if override:        # an explicit choice is the only candidate: no silent fallback
        return [_Interpreter(override, tuple(p for p in override_path.split(os.pathsep) if p))]
    out = [_Interpreter(sys.executable, None)]
    debian = _debian_path(kind)
    if debian is not None and os.path.exists("/usr/bin/python3"):
        out.append(_Interpreter("/usr/bin/python3", debian))
    return out


def _interpreter(kind: str = "complex") -> tuple[_Interpreter | None, str]:
    """First interpreter whose petsc4py has ``kind`` scalars and MUMPS (+ slepc4py if complex)."""
    override = os.environ.get("QDGAIN_SLEPC_PYTHON") if kind == "complex" else None
    return _find(kind, override, os.environ.get("QDGAIN_SLEPC_PYTHONPATH", ""))


@functools.cache
def _find(kind: str, override: str | None, override_path: str
          ) -> tuple[_Interpreter | None, str]:
    reasons = []
    for cand in _candidates(kind, override, override_path):
        about = _probe(cand)
        if isinstance(about, str):
            reasons.append(about.splitlines()[-1])
        elif about["complex"] != (kind == "complex") or not about["mumps"] or \
                (kind == "complex" and not about.get("slepc")):
            reasons.append(f"{cand.python}: PETSc {about['petsc']} complex={about['complex']} "
                           f"mumps={about['mumps']} slepc={about.get('slepc')}")
        else:
            return _Interpreter(cand.python, cand.pythonpath, about), ""
    return None, "; ".join(reasons)


def _mpiexec() -> str | None:
    chosen = os.environ.get("QDGAIN_MPIEXEC")
    if chosen:
        return shutil.which(chosen)
    return shutil.which("mpiexec") or shutil.which("mpirun")


def _mpi_ok(kind: str, n_procs: int) -> tuple[bool, str]:
    """Does ``mpiexec -n n_procs`` give the worker an MPI world of that size?"""
    interp, why = _interpreter(kind)
    if interp is None:
        return False, why
    launcher = _mpiexec()
    if launcher is None:
        return False, ("mpiexec not found (QDGAIN_MPIEXEC or PATH; Debian: apt-get install "
                       "openmpi-bin, the MPI that Debian's PETSc is built with)")
    return _mpi_probe(interp, launcher, n_procs)


@functools.cache
def _mpi_probe(interp: _Interpreter, launcher: str, n_procs: int) -> tuple[bool, str]:
    about = _probe(interp, n_procs)
    if isinstance(about, str):
        return False, f"{launcher} -n {n_procs}: {about}"
    if about["size"] != n_procs:
        return False, (f"{launcher} -n {n_procs} gave the worker an MPI world of size "
                       f"{about['size']}: that mpiexec belongs to another MPI than PETSc's")
    return True, f"{launcher} -n {n_procs}"


def slepc_available(n_procs: int = 1, inertia: str = "ldl") -> tuple[bool, str]:
    """(usable, reason): can :func:`solve` run with ``n_procs`` MPI ranks and this inertia?

    The reason names what was found (versions, interpreter, mpiexec) or what is missing.
    """
    interp, why = _interpreter("complex")
    if interp is None:
        return False, f"slepc4py (complex PETSc with MUMPS) not importable: {why}"
    found = interp.describe()
    if n_procs > 1:
        ok, why = _mpi_ok("complex", n_procs)
        if not ok:
            return False, f"{found}, but no MPI launcher: {why}"
        found += f"; {why}"
    if inertia == "mumps":
        real, why = _interpreter("real")
        if real is None:
            return False, (f"{found}, but inertia='mumps' needs a real-scalar petsc4py "
                           f"(apt-get install python3-petsc4py-real3.18): {why}")
        found += f"; MUMPS inertia via real PETSc {real.about.get('petsc')}"
    return True, found


@dataclass(frozen=True, slots=True, eq=False)
class SlepcResult:
    """Band-edge eigenpairs from SLEPc.

    Attributes
    ----------
    energies_eV : ndarray (k,)
        Ascending Ritz energies, eV (complete Kramers pairs).
    vectors : ndarray complex (n_basis, k)
        Orthonormal eigenvectors.
    residuals_eV : ndarray (k,)
        ‖H v − E v‖, eV.
    sigma_in_gap_eV : float
        An energy in the gap (eV): the states below are the valence states.
    n_below : int or None
        Inertia count at the shift (None with ``inertia="none"``).
    info : dict
        Shift, times (s), MUMPS memory (MB) and solves of the worker, inertia time.
    """

    energies_eV: np.ndarray
    vectors: np.ndarray
    residuals_eV: np.ndarray
    sigma_in_gap_eV: float
    n_below: int | None
    info: dict[str, Any]


def _job(path: str, H: TBHamiltonian, sigma: float, **extra: Any) -> None:
    m = sp.csr_matrix(H.matrix)
    np.savez(path, indptr=m.indptr, indices=m.indices, data=m.data.astype(complex),
             sigma_eV=float(sigma), **extra)


def _worker(kind: str, args: list[str], n_procs: int, timeout_s: float | None,
            tmp: str) -> None:
    interp, _ = _interpreter(kind)
    try:
        proc = _run(interp, args, n_procs, timeout_s, tmp)
    except subprocess.TimeoutExpired as exc:
        raise ConvergenceError(f"SLEPc worker ({kind}) ran past timeout_s={timeout_s} s") from exc
    if proc.returncode != 0 or not os.path.exists(args[-1]):
        lines = (proc.stderr + proc.stdout).strip().splitlines()
        msg = f"SLEPc worker exit {proc.returncode}: " + " | ".join(lines[-6:])
        raise (ConvergenceError if proc.returncode == 3 else QdgainError)(msg)


def _count_below(H: TBHamiltonian, sigma: float, inertia: str, n_procs: int,
                 timeout_s: float | None, tmp: str, info: dict[str, Any]) -> int:
    t0 = time.perf_counter()
    if inertia == "ldl":
        from qdgain.electronic.solvers import inertia as ldl_inertia

        below = ldl_inertia(H, sigma)
    else:
        job, out = os.path.join(tmp, "inertia.npz"), os.path.join(tmp, "inertia.json")
        _job(job, H, sigma)
        _worker("real", ["--inertia", job, out], n_procs, timeout_s, tmp)
        with open(out, encoding="utf-8") as fh:
            res = json.load(fh)
        if res["zero"] or res["odd"]:
            raise ConvergenceError(f"σ = {sigma} eV is (numerically) an eigenvalue of H; "
                                   "pass another sigma_eV")
        below = res["below"]
        info["inertia_mumps"] = res
    info["inertia_s"] = time.perf_counter() - t0
    return int(below)


def _kramers_ritz(H: TBHamiltonian, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ritz pairs of H on span{V, ΘV} (eV): Θ-invariant, so every level comes as a Kramers pair."""
    y = np.hstack([v, time_reversed(v, H.n_orbitals)])
    s, u = np.linalg.eigh(y.conj().T @ y)
    keep = s > 1e-10 * s.max()          # V holds both partners of most pairs already
    q = y @ (u[:, keep] / np.sqrt(s[keep]))
    hq = H.matrix @ q
    e, c = np.linalg.eigh(q.conj().T @ hq)
    x = q @ c
    return e, x, np.linalg.norm(hq @ c - x * e, axis=0)


def solve(H: TBHamiltonian, n_vb: int, n_cb: int, *, sigma_eV: float | None = None,
          tol_eV: float = 1e-8, n_procs: int = 1, inertia: str = "ldl",
          timeout_s: float | None = None) -> SlepcResult:
    """At least ``n_vb`` states below and ``n_cb`` above the gap, from SLEPc (see module doc).

    Parameters
    ----------
    H : TBHamiltonian
    n_vb, n_cb : int
        States wanted on each side of the gap (spin-orbital states); a margin is added.
    sigma_eV : float, optional
        Shift (eV), ideally in the gap; default the first guess of
        :func:`qdgain.electronic.band_edge_states`. Up to 64 states off the gap is tolerated.
    tol_eV : float
        Largest accepted residual ‖H v − E v‖ (eV) of the ``n_vb + n_cb`` states nearest the gap.
    n_procs : int
        MPI ranks (``mpiexec -n``) of the worker; 1 runs it without mpiexec.
    inertia : {"ldl", "mumps", "none"}
        Source of the count of states below σ (module doc).
    timeout_s : float, optional
        Wall-clock limit of each worker run, s.

    Raises
    ------
    ParameterError
        Bad arguments, or SLEPc / mpiexec / a real PETSc (``inertia="mumps"``) missing: the
        message names the missing piece and how to install it.
    ConvergenceError
        σ far from the gap, Krylov–Schur stopped short, a residual above ``tol_eV``.
    """
    if n_vb < 0 or n_cb < 0 or n_vb + n_cb == 0:
        raise ParameterError(f"n_vb and n_cb must be ≥ 0 and not both 0 (got {n_vb}, {n_cb})")
    if not isinstance(n_procs, int | np.integer) or n_procs < 1:
        raise ParameterError(f"n_procs must be an integer ≥ 1, got {n_procs!r}")
    if inertia not in INERTIA:
        raise ParameterError(f"unknown inertia {inertia!r}; choose one of {INERTIA}")
    if not tol_eV > 0:
        raise ParameterError(f"tol_eV must be > 0 eV, got {tol_eV}")
    ok, why = slepc_available(int(n_procs), inertia)
    if not ok:
        raise ParameterError(f"the SLEPc backend cannot run: {why}. To enable it: {INSTALL_HINT}")
    if sigma_eV is None:
        from qdgain.electronic.solvers import _first_guess

        sigma_eV = _first_guess(H)
    sigma = float(sigma_eV)
    info: dict[str, Any] = {"sigma_eV": sigma, "n_procs": int(n_procs), "inertia": inertia}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="qdgain-slepc-") as tmp:
        below = None
        excess = 0
        if inertia != "none":
            below = _count_below(H, sigma, inertia, int(n_procs), timeout_s, tmp, info)
            excess = below - H.n_valence
            if abs(excess) > _MAX_EXCESS:
                side = "above" if excess > 0 else "below"
                raise ConvergenceError(
                    f"σ = {sigma:.4f} eV lies {abs(excess)} states {side} the gap (inertia "
                    f"{below}, valence states {H.n_valence}); pass sigma_eV inside the gap")
        # below σ: n_vb valence states plus the `excess` conduction states under σ; above alike
        nb, na = n_vb + _MARGIN + max(excess, 0), n_cb + _MARGIN + max(-excess, 0)
        # relative tolerance on ν: residual in H ≤ ‖H − σ‖ · tol (Gershgorin bound of the norm)
        norm = float(abs(H.matrix - sigma * sp.identity(H.n_basis, format="csr")).sum(1).max())
        job, out = os.path.join(tmp, "job.npz"), os.path.join(tmp, "result.npz")
        _job(job, H, sigma, n_below=nb, n_above=na, tol=max(tol_eV / norm, 1e-14), max_it=2000)
        t1 = time.perf_counter()
        _worker("complex", [job, out], int(n_procs), timeout_s, tmp)
        info["worker_wall_s"] = time.perf_counter() - t1
        with np.load(out) as res:
            nu, v = res["nu"], res["vectors"]
            info["worker"] = json.loads(str(res["info_json"]))
    e, x, r = _kramers_ritz(H, v)
    # the gap lies |excess| states beyond σ on the side away from it (excess 0: at σ)
    near = np.sort(e[e < sigma])[::-1] if excess >= 0 else np.sort(e[e > sigma])
    split = sigma
    if excess != 0:
        m = abs(excess)
        if len(near) <= m:
            raise ConvergenceError("SLEPc window too small to reach the gap")
        split = float(0.5 * (near[m - 1] + near[m]))
    vb, cb = np.flatnonzero(e < split)[::-1], np.flatnonzero(e > split)
    if len(vb) < n_vb or len(cb) < n_cb:
        raise ConvergenceError(f"SLEPc returned {len(vb)} valence and {len(cb)} conduction "
                               f"states, fewer than {n_vb} and {n_cb}")
    worst = float(max(r[vb[:n_vb]].max(initial=0.0), r[cb[:n_cb]].max(initial=0.0)))
    if worst > tol_eV:
        raise ConvergenceError(f"SLEPc residual {worst:.2e} eV above tol_eV={tol_eV}",
                               residual=worst)
    info.update(time_s=time.perf_counter() - t0, sigma_in_gap_eV=split, excess=excess,
                n_raw=len(nu))
    for arr in (e, x, r):
        arr.setflags(write=False)
    return SlepcResult(energies_eV=e, vectors=x, residuals_eV=r, sigma_in_gap_eV=split,
                       n_below=below, info=info)


def eigenpairs(H: TBHamiltonian, n_vb: int, n_cb: int, *, sigma_eV: float | None = None,
               tol_eV: float = 1e-8, n_procs: int = 1, inertia: str = "ldl",
               timeout_s: float | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Hook for ``band_edge_states(method="slepc")``: (energies eV, vectors, σ in the gap eV).

    At least ``n_vb`` + a margin states below and ``n_cb`` + a margin above the returned
    energy; keywords as :func:`solve`.
    """
    r = solve(H, n_vb, n_cb, sigma_eV=sigma_eV, tol_eV=tol_eV, n_procs=n_procs,
              inertia=inertia, timeout_s=timeout_s)
    return r.energies_eV, r.vectors, r.sigma_in_gap_eV
