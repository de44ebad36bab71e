"""The "paper vs qdgain" table and the run's JSON summary, from saved results only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from qdgain.report.paper_numbers import PAPER_NUMBERS, PaperNumber
from qdgain.report.results import MissingResult, Results

__all__ = ["TableRow", "paper_table", "summary_dict", "format_value", "markdown_table",
           "NOT_COMPUTED"]

#: prefix of every cell whose value could not be computed (tests look for it)
NOT_COMPUTED = "not computed"


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of the paper-vs-qdgain table.

    ``ours`` is a float, or None with ``reason`` saying why it was not computed; ``ratio`` is
    ours / paper (ours / midpoint for a range), None when undefined; ``in_range`` is set for
    ranges.
    """

    number: PaperNumber
    ours: float | tuple[float, float] | None
    reason: str
    ratio: float | None
    in_range: bool | None
    note: str = ""

    @property
    def ours_text(self) -> str:
        """Our value as shown in the table, or "not computed: REASON"."""
        if self.ours is None:
            return f"{NOT_COMPUTED}: {self.reason}"
        if isinstance(self.ours, tuple):
            return f"{format_value(self.ours[0])} – {format_value(self.ours[1])}"
        return format_value(self.ours)

    @property
    def paper_text(self) -> str:
        """The paper's value (or range) as shown in the table."""
        p = self.number.paper
        if isinstance(p, tuple):
            return f"{format_value(p[0])} – {format_value(p[1])}"
        return format_value(p)

    @property
    def ratio_text(self) -> str:
        """``ours / paper`` with 3 significant digits; a range adds "in range"/"outside"."""
        if self.ratio is None:
            return "—"
        text = f"{self.ratio:.3g}"
        if self.in_range is not None:
            text += " (in range)" if self.in_range else " (outside range)"
        return text


def format_value(x: float) -> str:
    """Compact display of a number: integers as such, else 3–4 significant digits."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e5):
        return str(int(x))
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        return f"{x:.3g}"
    return f"{x:.4g}"


def _row(res: Results, num: PaperNumber) -> TableRow:
    row = _value_row(res, num)
    try:  # a stage may qualify one of its values, e.g. "quick run: 2.5 nm dot"
        note = str(res.value(num.ours + "__note"))
    except MissingResult:
        return row
    return TableRow(row.number, row.ours, row.reason, row.ratio, row.in_range,
                    "; ".join(x for x in (num.note, note) if x))


def _value_row(res: Results, num: PaperNumber) -> TableRow:
    try:
        val = res.value(num.ours)
    except MissingResult as exc:
        return TableRow(num, None, str(exc) or "no reason given", None, None, num.note)
    try:
        pair = isinstance(val, (list, tuple)) and len(val) == 2
        vals = tuple(float(v) for v in val) if pair else (float(val),)
    except (TypeError, ValueError):
        return TableRow(num, None, f"stage recorded a non-number {val!r} for {num.ours}",
                        None, None, num.note)
    if not all(math.isfinite(v) for v in vals):
        return TableRow(num, None, f"{num.ours} is {val}", None, None, num.note)
    if pair:  # our value is itself a range (an input band): compare midpoints
        pmid = (0.5 * sum(num.paper) if isinstance(num.paper, tuple) else float(num.paper))
        omid = 0.5 * (vals[0] + vals[1])
        return TableRow(num, (vals[0], vals[1]), "", omid / pmid if pmid else None, None,
                        num.note)
    ours = vals[0]
    if isinstance(num.paper, tuple):
        lo, hi = num.paper
        ref = 0.5 * (lo + hi)
        in_range: bool | None = lo <= ours <= hi
    else:
        ref, in_range = float(num.paper), None
    ratio = ours / ref if ref != 0 else None
    return TableRow(num, ours, "", ratio, in_range, num.note)


def paper_table(res: Results) -> list[TableRow]:
    """One :class:`TableRow` per entry of :data:`PAPER_NUMBERS`, in that order."""
    return [_row(res, num) for num in PAPER_NUMBERS]


def summary_dict(res: Results) -> dict[str, Any]:
    """Everything a script needs from the run: stages, table, provenance (JSON-able)."""
    rows = paper_table(res)
    stages = {}
    for name, rec in res.stages.items():
        entry = {k: rec.get(k) for k in ("status", "key", "seconds", "reason", "title",
                                         "params", "upstream")}
        try:
            entry["results"] = res.summary(name)
        except MissingResult:
            entry["results"] = None
        stages[name] = entry
    return {
        "complete": all(r.ours is not None for r in rows),
        "not_computed": [r.number.key for r in rows if r.ours is None],
        "paper_vs_qdgain": [
            {"key": r.number.key, "quantity": r.number.quantity, "section": r.number.section,
             "unit": r.number.unit, "kind": r.number.kind, "paper": r.number.paper,
             "ours": r.ours, "ratio": r.ratio, "in_range": r.in_range,
             "reason": r.reason or None, "note": r.note or None}
            for r in rows
        ],
        "stages": stages,
        "provenance": res.run.get("provenance", {}),
    }


def _short(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def markdown_table(rows: list[TableRow], extra: list[TableRow] | None = None,
                   extra_label: str = "qdgain (other run)", max_reason: int = 90) -> str:
    """The paper-vs-qdgain table as GitHub Markdown (for the README).

    Parameters
    ----------
    rows : list of TableRow
        The run shown in the "qdgain" and "ratio" columns.
    extra : list of TableRow, optional
        A second run of the same table (same order), shown in two more columns.
    extra_label : str
        Header of the second run's value column.
    max_reason : int
        "not computed" reasons are cut to this many characters (the HTML has them whole).
    """
    def cell(r: TableRow) -> str:
        return _short(r.ours_text, max_reason + len(NOT_COMPUTED) + 2).replace("|", "\\|")

    head = "| quantity | SPEC § | kind | paper | qdgain | unit | ratio |"
    rule = "|---|---|---|---:|---:|---|---:|"
    if extra is not None:
        head += f" {extra_label} | ratio |"
        rule += "---:|---:|"
    lines = [head + " note |", rule + "---|"]
    for k, r in enumerate(rows):
        line = (f"| {r.number.quantity} | {r.number.section} | {r.number.kind} | "
                f"{r.paper_text} | {cell(r)} | {r.number.unit} | {r.ratio_text} |")
        note = r.note
        if extra is not None:
            e = extra[k]
            line += f" {cell(e)} | {e.ratio_text} |"
            note = note or e.note
        lines.append(line + f" {note} |")
    return "\n".join(lines) + "\n"
