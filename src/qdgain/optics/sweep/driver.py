"""Run a sweep on ``dask.distributed``: local cluster by default, or an existing scheduler.

Order of work: load the parameter set; for every dot look up ``<out>/cache/<key>.json``
(:mod:`qdgain.optics.sweep.cache`); for the others build the structure on the client, print the
memory estimate and refuse dots above the per-dot limit; submit the rest (one task per distinct
structure: diameters that cut the same atoms share a task; ``pure`` keys = content hashes);
store each record in the cache as soon as it arrives, so a killed sweep resumes where it
stopped; gather everything into one table (``sweep.nc``, written through a temporary file +
:func:`os.replace`), fit and plot the sizing curve per shape.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qdgain._io import atomic_write
from qdgain.errors import ParameterError, QdgainError
from qdgain.optics.sweep.cache import atomic_write_bytes, load_record, store_record
from qdgain.optics.sweep.dot import build_dot, compute_dot, memory_estimate_GB
from qdgain.optics.sweep.spec import DotSpec, SweepOptions, dot_key, params_fingerprint
from qdgain.optics.sweep.table import build_table, sizing_fits

__all__ = ["SweepResult", "run_sweep", "default_workers", "STATUS"]

#: status codes of a dot in the table
STATUS = {"ok": 0, "refused": 1, "failed": 2}


@dataclass(frozen=True, slots=True)
class SweepResult:
    """Outcome of :func:`run_sweep`.

    Attributes
    ----------
    table : xarray.Dataset
        Per (shape, diameter) records (see :func:`qdgain.optics.sweep.table.build_table`).
    path : Path or None
        The NetCDF file (``<out>/sweep.nc``) when an output folder was given.
    n_computed, n_cached : int
        Dots computed in this run / taken from the cache.
    refused, failed : tuple of str
        One message per refused (memory) or failed dot.
    fits : dict
        Sizing fit per shape (:class:`qdgain.optics.sweep.sizing.SizingFit`).
    n_workers : int
        Workers of the cluster used (0 if nothing had to be computed).
    """

    table: Any
    path: Path | None
    n_computed: int
    n_cached: int
    refused: tuple[str, ...]
    failed: tuple[str, ...]
    fits: dict[str, Any] = field(default_factory=dict)
    n_workers: int = 0


def _physical_memory_GB() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8.0


def default_workers() -> int:
    """Workers of the default LocalCluster: one single-threaded worker per usable core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def _structure_hash(nc: Any) -> str:
    """SHA-256 of the atoms of a dot (positions, species, dangling bonds)."""
    h = hashlib.sha256()
    for arr in (nc.positions_nm, nc.dangling_atom, nc.dangling_direction):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update("|".join(map(str, nc.species)).encode())
    return h.hexdigest()


def _task(spec: DotSpec, options: SweepOptions, limit_GB: float) -> dict[str, Any]:
    """Worker side: one dot, BLAS limited to one thread (one worker per core)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return compute_dot(spec, options, limit_GB)


def _client(scheduler: str | None, n_workers: int, processes: bool) -> tuple[Any, Any]:
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            if scheduler.startswith("tcp://"):   # fail fast on a refused port
                host, _, port = scheduler[6:].rpartition(":")
                socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ParameterError(f"--scheduler {scheduler}: cannot connect ({exc}); start one "
                                 "with `dask scheduler` or leave --scheduler out") from None
        return client, None
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                           dashboard_address=":0", memory_limit=0)
    return Client(cluster), cluster


def _worker_limit_GB(client: Any) -> float | None:
    lims = [w.get("memory_limit", 0) for w in client.scheduler_info()["workers"].values()]
    lims = [x for x in lims if x]
    return min(lims) / 1e9 if lims else None


def run_sweep(dots: Sequence[DotSpec], options: SweepOptions, out_dir: str | Path | None = None,
              *, scheduler: str | None = None, n_workers: int | None = None,
              processes: bool = True, log: Callable[[str], None] | None = None,
              progress: Callable[[dict[str, Any]], None] | None = None) -> SweepResult:
    """Compute every dot of a sweep on Dask, with a resumable per-dot cache.

    Parameters
    ----------
    dots : sequence of DotSpec
        Shapes and diameters (nm).
    options : SweepOptions
        Parameter set, CI basis, dielectric constants, temperature (K), solver, memory limit (GB).
    out_dir : str or Path, optional
        Output folder: ``cache/`` (one JSON per dot), ``sweep.nc``, ``sizing.png``. Without it
        nothing is cached or written.
    scheduler : str, optional
        Address of an existing scheduler (``tcp://HOST:PORT``); default a LocalCluster.
    n_workers : int, optional
        Workers of the LocalCluster (default :func:`default_workers`).
    processes : bool
        LocalCluster workers as processes (True) or threads of this process (False).
    log : callable, optional
        Receives one line per dot before it starts (its memory estimate) and per refusal.
    progress : callable, optional
        Called with each finished record (computed or cached).

    Returns
    -------
    SweepResult
    """
    from qdgain.electronic import dot_parameters

    if not dots:
        raise ParameterError("no dots to compute: give at least one shape and one diameter")
    say = log or (lambda _msg: None)
    params = dot_parameters(options.params)
    ph = params_fingerprint(params)
    cache = Path(out_dir) / "cache" if out_dir is not None else None
    n_workers = int(n_workers) if n_workers else default_workers()
    if n_workers < 1:
        raise ParameterError(f"--workers {n_workers}: need at least 1 worker")
    limit = options.max_memory_GB or 0.5 * _physical_memory_GB() / n_workers
    records: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, DotSpec]] = []
    refused, failed = [], []
    groups: dict[str, list[tuple[str, DotSpec]]] = {}   # identical atoms → one task
    atoms: dict[str, int] = {}
    n_cached = 0
    for spec in dots:
        key = dot_key(spec, options, ph)
        rec = load_record(cache, key) if cache is not None else None
        if rec is not None:
            records[key], n_cached = rec, n_cached + 1
            if progress:
                progress(rec)
            continue
        nc = build_dot(spec, params, options.surface)
        need = memory_estimate_GB(nc, params, options)
        say(f"dot {spec.shape} {spec.diameter_nm:g} nm: {nc.n_atoms} atoms, estimated peak "
            f"memory {need:.3g} GB (limit {limit:.3g} GB)")
        if need > limit:
            msg = (f"dot {spec.shape} {spec.diameter_nm:g} nm ({nc.n_atoms} atoms) refused: "
                   f"estimated peak memory {need:.3g} GB exceeds the per-dot limit of "
                   f"{limit:.3g} GB; raise --max-memory-gb or use fewer workers")
            say(msg)
            refused.append(msg)
            records[key] = {"shape": spec.shape, "diameter_nm": spec.diameter_nm,
                            "n_atoms": nc.n_atoms, "memory_GB": need, "status": "refused"}
            continue
        todo.append((key, spec))
        groups.setdefault(_structure_hash(nc), []).append((key, spec))
        atoms[_structure_hash(nc)] = nc.n_atoms
    if refused and len(refused) == len(dots):
        raise ParameterError(f"every dot was refused; first: {refused[0]}")
    used_workers = 0
    if todo:
        client, cluster = _client(scheduler, min(n_workers, len(groups)), processes)
        try:
            from dask.distributed import as_completed

            wl = _worker_limit_GB(client)
            task_limit = min(limit, wl) if wl else limit
            used_workers = len(client.scheduler_info()["workers"])
            # largest dots first (dask priority = atom count): the cost grows ~ N², so the
            # longest tasks start at once and the small ones fill the gaps (12 dots 2.5–6 nm,
            # 2 workers: 310 s in grid order, about 270 s largest-first)
            futs = {client.submit(_task, grp[0][1], options, task_limit, key=f"dot-{grp[0][0]}",
                                  pure=True, priority=atoms[h]): grp
                    for h, grp in sorted(groups.items(), key=lambda kv: -atoms[kv[0]])}
            for fut in as_completed(futs):
                try:
                    res = fut.result()
                except QdgainError as exc:
                    for key, spec in futs[fut]:
                        failed.append(f"dot {spec.shape} {spec.diameter_nm:g} nm: {exc}")
                        records[key] = {"shape": spec.shape, "diameter_nm": spec.diameter_nm,
                                        "status": "failed"}
                    continue
                for key, spec in futs[fut]:
                    rec = dict(res, diameter_nm=spec.diameter_nm, status="ok")
                    records[key] = rec
                    if cache is not None:
                        store_record(cache, key, rec)
                    if progress:
                        progress(rec)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    table = build_table(list(records.values()), options, params)
    fits = sizing_fits(table, params)
    for shape, fit in fits.items():
        for k, v in fit.as_dict().items():
            table.attrs[f"fit_{shape}_{k}"] = v
    path = None
    if out_dir is not None:
        path = Path(out_dir) / "sweep.nc"
        atomic_write_bytes(path, table.to_netcdf(engine="h5netcdf"))
        if np.isfinite(table["X1_eV"].values).sum() >= 2:
            from qdgain.optics.sweep.sizing import plot_sizing

            png = Path(out_dir) / "sizing.png"
            atomic_write(png, lambda tmp: plot_sizing(table, fits, tmp), suffix=".tmp.png")
    return SweepResult(table=table, path=path, n_computed=len(todo) - len(failed),
                       n_cached=n_cached, refused=tuple(refused), failed=tuple(failed),
                       fits=fits, n_workers=used_workers)
