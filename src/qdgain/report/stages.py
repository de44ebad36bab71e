"""Stage runner: named stages with declared inputs, cached by content hash, written atomically.

A :class:`Stage` declares its parameters, the stages it reads (``needs``) and the code it runs
(``code``: module or package names whose files are fingerprinted). Its key is
:func:`~qdgain.report.cache.content_hash` of those inputs, so

- a rerun with unchanged inputs finds ``<out>/cache/<name>-<key>/`` complete and runs nothing;
- a changed parameter changes that stage's key, hence the keys of all stages that read it (their
  ``upstream`` inputs change), and nothing else;
- a stage writes into ``<out>/cache/.tmp-<name>-<pid>-*/``; the completion manifest is written
  last and the directory is moved into place by one ``os.replace``. Ctrl-C or kill leaves only a
  temporary directory, which no run trusts and the next run removes.

A stage that raises is recorded as failed with its reason; stages that read it are recorded as
"not computed: upstream stage X failed" and never run on missing inputs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from qdgain.errors import ParameterError
from qdgain.report.cache import (
    COMPLETE_MARKER,
    ResultDir,
    atomic_write_dataset,
    atomic_write_json,
    code_fingerprint,
    content_hash,
)

__all__ = ["Stage", "StageContext", "StageRecord", "StageUnavailable", "run_stages"]


class StageUnavailable(RuntimeError):
    """Raised by a stage whose library layer does not exist (yet): the reason is reported."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One named computation of the pipeline.

    Parameters
    ----------
    name : str
        Unique stage name (also the cache directory prefix).
    func : callable
        ``func(ctx: StageContext) -> None``; writes its results through ``ctx``.
    params : mapping
        JSON-able parameters; part of the content hash.
    needs : tuple of str
        Names of the stages whose results it reads.
    code : tuple of str
        Importable module/package names whose files are part of the hash (the module defining
        ``func`` is always added).
    title : str
        One-line human description for progress and the report.
    """

    name: str
    func: Callable[[StageContext], None]
    params: Mapping[str, Any] = field(default_factory=dict)
    needs: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True, slots=True)
class StageRecord:
    """What happened to one stage in one run.

    ``status`` is ``"computed"``, ``"cached"``, ``"failed"`` or ``"skipped"`` (an upstream stage
    failed). ``seconds`` is the compute time of the result (for a cached result: the time it took
    when it was computed). ``reason`` says why a stage failed or was skipped.
    """

    name: str
    key: str
    status: str
    seconds: float
    path: str | None
    reason: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    upstream: Mapping[str, str] = field(default_factory=dict)
    title: str = ""

    @property
    def ok(self) -> bool:
        """True when the stage's results exist (computed now or cached)."""
        return self.status in ("computed", "cached")


class StageContext:
    """What a running stage sees: its parameters, its upstream results, its output directory."""

    def __init__(self, stage: Stage, workdir: Path, upstream: Mapping[str, ResultDir]):
        self.name = stage.name
        self.params: Mapping[str, Any] = stage.params
        self.workdir = workdir
        self._upstream = dict(upstream)
        self._files: list[str] = []
        self.summary: dict[str, Any] = {}

    def upstream(self, name: str) -> ResultDir:
        """Results of an upstream stage (must be listed in the stage's ``needs``)."""
        try:
            return self._upstream[name]
        except KeyError:
            raise ParameterError(
                f"stage {self.name!r} reads {name!r} but does not list it in needs="
                f"{tuple(self._upstream)}; declare it so the cache key covers it"
            ) from None

    def path(self, filename: str) -> Path:
        """A path inside the stage's private output directory (for instrument files etc.)."""
        self._files.append(filename)
        return self.workdir / filename

    def save_dataset(self, name: str, ds: xr.Dataset) -> None:
        """Save ``ds`` as ``<name>.nc``."""
        atomic_write_dataset(self.path(f"{name}.nc"), ds)

    def save_json(self, name: str, obj: Any) -> None:
        """Save ``obj`` as ``<name>.json``."""
        atomic_write_json(self.path(f"{name}.json"), obj)

    def record(self, **values: Any) -> None:
        """Add scalar results to the stage's ``summary.json`` (read by the report's table)."""
        self.summary.update(values)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep(cache_dir: Path) -> None:
    """Remove temporaries of interrupted runs (those whose process is gone)."""
    for entry in cache_dir.glob(".tmp-*"):
        parts = entry.name.split("-")
        pid = next((int(p) for p in parts[2:] if p.isdigit()), None)
        if pid is None or not _pid_alive(pid) or pid == os.getpid():
            shutil.rmtree(entry, ignore_errors=True)


def _order(stages: Sequence[Stage]) -> list[Stage]:
    by_name: dict[str, Stage] = {}
    for st in stages:
        if st.name in by_name:
            raise ParameterError(f"two stages are named {st.name!r}; stage names must be unique")
        by_name[st.name] = st
    done: list[Stage] = []
    seen: set[str] = set()

    def visit(st: Stage, path: tuple[str, ...]) -> None:
        if st.name in seen:
            return
        if st.name in path:
            raise ParameterError(f"stage cycle: {' -> '.join(path + (st.name,))}")
        for need in st.needs:
            if need not in by_name:
                raise ParameterError(f"stage {st.name!r} needs unknown stage {need!r}; "
                                     f"known: {sorted(by_name)}")
            visit(by_name[need], path + (st.name,))
        seen.add(st.name)
        done.append(st)

    for st in stages:
        visit(st, ())
    return done


def _execute(stage: Stage, ctx: StageContext, key: str, final: Path, upstream: dict[str, str]
             ) -> float:
    t0 = time.perf_counter()
    stage.func(ctx)
    seconds = time.perf_counter() - t0
    atomic_write_json(ctx.workdir / "summary.json", ctx.summary)
    manifest = {"stage": stage.name, "key": key, "seconds": seconds,
                "params": dict(stage.params), "upstream": upstream,
                "files": sorted(set(ctx._files) | {"summary.json"}), "title": stage.title,
                "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    atomic_write_json(ctx.workdir / COMPLETE_MARKER, manifest)  # last: marks completeness
    try:
        os.replace(ctx.workdir, final)
    except OSError:  # another run completed the same key first: keep theirs
        if not (final / COMPLETE_MARKER).is_file():
            raise
        shutil.rmtree(ctx.workdir, ignore_errors=True)
    return seconds


def run_stages(stages: Sequence[Stage], out_dir: str | os.PathLike[str], *,
               on_event: Callable[[str, StageRecord | Stage], None] | None = None,
               force: Sequence[str] = ()) -> dict[str, StageRecord]:
    """Run ``stages`` in dependency order with the content-hash cache under ``<out>/cache``.

    Parameters
    ----------
    stages : sequence of Stage
        The pipeline (any order; ``needs`` fixes the order).
    out_dir : path-like
        Output directory; results go to ``<out_dir>/cache/<name>-<key>/``.
    on_event : callable, optional
        ``on_event("start", stage)`` before a stage computes and ``on_event("end", record)``
        after every stage (for progress display).
    force : sequence of str
        Stage names to recompute even when a complete result exists.

    Returns
    -------
    dict
        ``{stage name: StageRecord}`` in run order.
    """
    cache_dir = Path(out_dir) / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    _sweep(cache_dir)
    records: dict[str, StageRecord] = {}
    keys: dict[str, str] = {}
    roots: dict[str, list[str]] = {}  # root failure(s) behind a skipped stage
    ordered = _order(stages)
    # fingerprints once, before anything runs: one consistent view of the code for the whole run
    # (the stage function's own module is always part of the code it runs)
    codes = {st.name: code_fingerprint((*st.code, st.func.__module__)) for st in ordered}
    for stage in ordered:
        upstream = {n: keys[n] for n in stage.needs}
        key = content_hash(stage.name, stage.params, upstream, codes[stage.name])
        keys[stage.name] = key
        final = cache_dir / f"{stage.name}-{key}"
        common = {"name": stage.name, "key": key, "params": dict(stage.params),
                  "upstream": upstream, "title": stage.title}
        bad = [n for n in stage.needs if not records[n].ok]
        if bad:
            causes = list(dict.fromkeys(c for n in bad for c in roots[n]))
            roots[stage.name] = causes
            rec = StageRecord(status="skipped", seconds=0.0, path=None,
                              reason=f"needs {', '.join(bad)}; root cause: "
                                     + "; ".join(causes), **common)
        elif (final / COMPLETE_MARKER).is_file() and stage.name not in force:
            seconds = float(ResultDir(final).manifest.get("seconds", 0.0))
            rec = StageRecord(status="cached", seconds=seconds, path=str(final), **common)
        else:
            if final.exists():
                shutil.rmtree(final)
            work = Path(tempfile.mkdtemp(prefix=f".tmp-{stage.name}-{os.getpid()}-",
                                         dir=cache_dir))
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(work, 0o777 & ~mask)  # mkdtemp makes 0700
            ctx = StageContext(stage, work, {n: ResultDir(records[n].path) for n in stage.needs})
            if on_event:
                on_event("start", stage)
            try:
                seconds = _execute(stage, ctx, key, final, upstream)
                rec = StageRecord(status="computed", seconds=seconds, path=str(final), **common)
            except (KeyboardInterrupt, SystemExit):
                shutil.rmtree(work, ignore_errors=True)
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is reported, never hidden
                shutil.rmtree(work, ignore_errors=True)
                reason = f"{type(exc).__name__}: {exc}".strip()
                if not isinstance(exc, StageUnavailable):
                    tb = traceback.extract_tb(exc.__traceback__)[-1]
                    reason += f" (at {Path(tb.filename).name}:{tb.lineno})"
                rec = StageRecord(status="failed", seconds=0.0, path=None, reason=reason,
                                  **common)
                roots[stage.name] = [f"{stage.name} failed: {reason}"]
        records[stage.name] = rec
        if on_event:
            on_event("end", rec)
    return records
