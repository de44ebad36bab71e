"""qdgain.report: content-hash stage runner, figures and the self-contained HTML report.

The report layer only *reads* saved results (``run.json`` and the stage result directories);
it never recomputes, so the report and a user's notebook cannot disagree (STYLE R12).
"""

from __future__ import annotations

from qdgain.report.build import build_report
from qdgain.report.paper_numbers import PAPER_NUMBERS, PaperNumber
from qdgain.report.results import MissingResult, Results
from qdgain.report.stages import Stage, StageContext, StageRecord, StageUnavailable, run_stages
from qdgain.report.summary import paper_table, summary_dict

__all__ = [
    "build_report",
    "PAPER_NUMBERS",
    "PaperNumber",
    "MissingResult",
    "Results",
    "Stage",
    "StageContext",
    "StageRecord",
    "StageUnavailable",
    "run_stages",
    "paper_table",
    "summary_dict",
]
