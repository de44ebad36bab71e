"""Self-contained HTML: inline CSS, figures as base64 PNG, no script, no network."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qdgain.report.summary import TableRow

__all__ = ["FigureBlock", "render_html"]

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:1em 0;width:100%}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.missing td{background:#fff0f0}td.missing{color:#b00}
.kind-input{color:#666}.ok{color:#070}.bad{color:#b00}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#444}
.placeholder{border:2px dashed #c66;padding:1em;color:#b00;background:#fff6f6}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:.8em}
.banner{padding:.6em 1em;border-radius:4px;margin:1em 0}
.banner.bad{background:#fde8e8}.banner.ok{background:#e8f6e8}
"""


@dataclass(frozen=True, slots=True)
class FigureBlock:
    """One figure of the report: PNG bytes (base64) or the reason it is missing."""

    slug: str
    title: str
    caption: str
    png_base64: str | None
    reason: str = ""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _stage_table(stages: dict[str, dict[str, Any]]) -> str:
    rows = []
    for name, rec in stages.items():
        status = rec.get("status", "?")
        cls = "ok" if status in ("computed", "cached") else "bad"
        secs = rec.get("seconds") or 0.0
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{_e(rec.get('title', ''))}</td>"
            f"<td class='{cls}'>{_e(status)}</td><td class='num'>{secs:.2f}</td>"
            f"<td><code>{_e(rec.get('key', ''))}</code></td>"
            f"<td>{_e(rec.get('reason') or '')}</td></tr>")
    return ("<table id='stages'><thead><tr><th>stage</th><th>what</th><th>status</th>"
            "<th>run time (s)</th><th>input hash</th><th>reason</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _paper_table(rows: Sequence[TableRow]) -> str:
    out = []
    for r in rows:
        n = r.number
        missing = r.ours is None
        out.append(
            f"<tr class='{'missing' if missing else ''} kind-{_e(n.kind)}'>"
            f"<td>{_e(n.quantity)}</td><td>{_e(n.section)}</td><td>{_e(n.kind)}</td>"
            f"<td class='num'>{_e(r.paper_text)}</td>"
            f"<td class='{'missing' if missing else 'num'}'>{_e(r.ours_text)}</td>"
            f"<td>{_e(n.unit)}</td><td class='num'>{_e(r.ratio_text)}</td>"
            f"<td>{_e(r.note)}</td></tr>")
    return ("<table id='paper-vs-qdgain'><thead><tr><th>quantity</th><th>SPEC §</th>"
            "<th>kind</th><th>paper</th><th>qdgain</th><th>unit</th><th>ratio</th>"
            "<th>note</th></tr></thead><tbody>" + "".join(out) + "</tbody></table>")


def _figure(block: FigureBlock) -> str:
    if block.png_base64 is None:
        body = (f"<div class='placeholder'>not computed: {_e(block.reason)}</div>")
    else:
        body = (f"<img id='img-{_e(block.slug)}' alt='{_e(block.title)}' "
                f"src='data:image/png;base64,{block.png_base64}'>")
    return (f"<figure id='{_e(block.slug)}'><h3>{_e(block.title)}</h3>{body}"
            f"<figcaption>{_e(block.caption)} Files: <code>figures/{_e(block.slug)}.png</code>, "
            f"<code>figures/{_e(block.slug)}.svg</code>.</figcaption></figure>")


def render_html(*, title: str, rows: Sequence[TableRow], stages: dict[str, dict[str, Any]],
                figures: Sequence[FigureBlock], provenance: dict[str, Any],
                files: Sequence[str]) -> str:
    """The whole report as one HTML string (no external resources).

    Parameters
    ----------
    title : str
        Page title.
    rows : sequence of TableRow
        The paper-vs-qdgain table.
    stages : dict
        Stage records (status, seconds, key, reason, params).
    figures : sequence of FigureBlock
        Figures in order.
    provenance : dict
        Versions, command line, parameters and hashes.
    files : sequence of str
        Relative paths of the result files written next to the report.
    """
    missing = [r for r in rows if r.ours is None]
    failed = [n for n, s in stages.items() if s.get("status") not in ("computed", "cached")]
    if missing or failed:
        banner = (f"<div class='banner bad'>Incomplete run: {len(failed)} stage(s) not computed "
                  f"({_e(', '.join(failed))}); {len(missing)} of {len(rows)} numbers missing. "
                  "Reasons are given in the tables.</div>")
    else:
        banner = (f"<div class='banner ok'>All {len(stages)} stages computed; all "
                  f"{len(rows)} numbers of SPEC.md compared.</div>")
    if provenance.get("spectra") == "preset":
        banner += ("<div class='banner bad'>This run used <code>--spectra preset</code>: the "
                   "simulated TA series takes its band-edge spectra from the gain layer's "
                   "parametric hgte-1220 preset, not from the TB + CI results.</div>")
    total = sum((s.get("seconds") or 0.0) for s in stages.values())
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>", banner,
        "<p>Every number and figure below was read from the saved stage results "
        "(NetCDF/JSON in <code>results/</code> and <code>cache/</code>); the report computes "
        "nothing itself. The theory chain (tight binding → CI → cross sections) feeds the gain "
        "model, whose simulated TA fluence series is written as instrument files and analysed "
        "exactly as a measurement would be.</p>",
        "<h2>Paper vs qdgain</h2>",
        "<p>kind: <b>computed</b> = our calculation or analysis; <b>input</b> = a setting taken "
        "from the paper (shown as used); <b>reference</b> = a published check on an input. "
        "Ratio = qdgain / paper (midpoint of a range).</p>",
        _paper_table(rows),
        "<h2>Figures</h2>", *(_figure(f) for f in figures),
        f"<h2>Stages</h2><p>Total compute time of the results shown: {total:.1f} s "
        "(cached stages show the time they took when computed).</p>", _stage_table(stages),
        "<h2>Provenance</h2><pre id='provenance'>"
        + _e(json.dumps(provenance, indent=2, default=str)) + "</pre>",
        "<h2>Files</h2><ul>" + "".join(f"<li><code>{_e(f)}</code></li>" for f in files)
        + "</ul></body></html>",
    ]
    return "\n".join(parts)
