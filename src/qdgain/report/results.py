"""Read-only access to a finished run: ``<out>/run.json`` and the stage result directories.

The report never recomputes: every figure and table cell comes from a file a stage wrote. A value
that is missing raises :class:`MissingResult` carrying the reason (the stage failed, was skipped,
or did not record that value), which the report prints as "not computed: REASON".
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import xarray as xr

from qdgain.errors import ParameterError
from qdgain.report.cache import ResultDir

__all__ = ["MissingResult", "Results", "RUN_FILE"]

#: the run record the CLI writes after the stages: stage records + provenance
RUN_FILE = "run.json"


class MissingResult(LookupError):
    """A result the report needs was not computed; ``str(exc)`` is the reason."""


class Results:
    """The saved results of one ``qdgain reproduce`` run.

    Parameters
    ----------
    out_dir : path-like
        The run's output directory (holding ``run.json`` and ``cache/``).
    """

    def __init__(self, out_dir: str | os.PathLike[str]):
        self.out_dir = Path(out_dir)
        run_file = self.out_dir / RUN_FILE
        if not run_file.is_file():
            raise ParameterError(f"{run_file}: no run record; run `qdgain reproduce --out "
                                 f"{self.out_dir}` first")
        self.run: dict[str, Any] = json.loads(run_file.read_text())
        self.stages: dict[str, dict[str, Any]] = self.run["stages"]
        self._dirs: dict[str, ResultDir] = {}
        self._summaries: dict[str, dict[str, Any]] = {}

    def stage(self, name: str) -> ResultDir:
        """Result directory of a stage, or :class:`MissingResult` with the reason."""
        if name in self._dirs:
            return self._dirs[name]
        rec = self.stages.get(name)
        if rec is None:
            raise MissingResult(f"stage {name!r} is not part of this run")
        if rec["status"] not in ("computed", "cached") or not rec.get("path"):
            raise MissingResult(f"stage {name} {rec['status']}: {rec.get('reason', '')}")
        self._dirs[name] = ResultDir(rec["path"])
        return self._dirs[name]

    def dataset(self, stage: str, name: str) -> xr.Dataset:
        """A NetCDF result of a stage."""
        try:
            return self.stage(stage).dataset(name)
        except ParameterError as exc:
            raise MissingResult(str(exc)) from None

    def json(self, stage: str, name: str) -> Any:
        """A JSON result of a stage."""
        try:
            return self.stage(stage).json(name)
        except ParameterError as exc:
            raise MissingResult(str(exc)) from None

    def summary(self, stage: str) -> dict[str, Any]:
        """The scalars a stage recorded (its ``summary.json``)."""
        if stage not in self._summaries:
            self._summaries[stage] = self.json(stage, "summary")
        return self._summaries[stage]

    def value(self, ref: str) -> Any:
        """The scalar ``"stage:key"``; :class:`MissingResult` says why it is absent."""
        stage, _, key = ref.partition(":")
        summary = self.summary(stage)
        if key not in summary:
            raise MissingResult(f"stage {stage} did not record {key!r}")
        val = summary[key]
        if isinstance(val, dict) and "not_computed" in val:
            raise MissingResult(str(val["not_computed"]))
        return val

    def nc_files(self) -> list[tuple[str, Path]]:
        """``(stage, path)`` of every NetCDF file of the successful stages."""
        out = []
        for name in self.stages:
            try:
                rd = self.stage(name)
            except MissingResult:
                continue
            out.extend((name, p) for p in sorted(rd.path.glob("*.nc")))
        return out
