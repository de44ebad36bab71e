"""``build_report``: figures, tables, NetCDF copies and the JSON summary of a finished run."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import matplotlib.pyplot as plt

from qdgain.report.cache import atomic_write_bytes, atomic_write_json
from qdgain.report.figures import FIGURES
from qdgain.report.html import FigureBlock, render_html
from qdgain.report.results import MissingResult, Results
from qdgain.report.summary import markdown_table, paper_table, summary_dict

__all__ = ["build_report", "REPORT_FILE", "SUMMARY_FILE"]

REPORT_FILE = "report.html"
SUMMARY_FILE = "summary.json"


def _render(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=100 if fmt == "png" else None)
    return buf.getvalue()


def build_report(out_dir: str | os.PathLike[str], *,
                 title: str = "qdgain — nearly thresholdless gain in HgTe quantum dots, "
                              "reproduced") -> Path:
    """Write ``report.html``, ``figures/``, ``results/`` and ``summary.json`` into ``out_dir``.

    Reads only ``<out_dir>/run.json`` and the stage result directories it points to.

    Parameters
    ----------
    out_dir : path-like
        Output directory of a ``qdgain reproduce`` run.
    title : str
        Report title.

    Returns
    -------
    pathlib.Path
        Path of the HTML report.
    """
    out = Path(out_dir)
    res = Results(out)
    blocks: list[FigureBlock] = []
    figure_status: dict[str, str] = {}
    files: list[str] = []
    for slug, title_f, caption, make in FIGURES:
        try:
            fig = make(res)
        except MissingResult as exc:
            blocks.append(FigureBlock(slug, title_f, caption, None, str(exc)))
            figure_status[slug] = f"not computed: {exc}"
            continue
        except Exception as exc:  # noqa: BLE001 - a broken figure is reported, not fatal
            reason = f"figure failed: {type(exc).__name__}: {exc}"
            blocks.append(FigureBlock(slug, title_f, caption, None, reason))
            figure_status[slug] = reason
            continue
        try:
            png = _render(fig, "png")
            fig.set_layout_engine("none")  # the PNG pass fixed the layout: the SVG reuses it
            atomic_write_bytes(out / "figures" / f"{slug}.png", png)
            atomic_write_bytes(out / "figures" / f"{slug}.svg", _render(fig, "svg"))
        finally:
            plt.close(fig)
        files += [f"figures/{slug}.png", f"figures/{slug}.svg"]
        blocks.append(FigureBlock(slug, title_f, caption, base64.b64encode(png).decode()))
        figure_status[slug] = "ok"
    for stage, path in res.nc_files():
        rel = f"results/{stage}__{path.name}"
        atomic_write_bytes(out / rel, path.read_bytes())
        files.append(rel)
    summary = summary_dict(res)
    summary["figures"] = figure_status
    summary["complete"] = summary["complete"] and all(v == "ok" for v in figure_status.values())
    atomic_write_json(out / SUMMARY_FILE, summary)
    rows = paper_table(res)
    atomic_write_bytes(out / "paper_vs_qdgain.md", markdown_table(rows).encode())
    files += [SUMMARY_FILE, "paper_vs_qdgain.md"]
    page = render_html(title=title, rows=rows, stages=summary["stages"],
                       figures=blocks, provenance=summary["provenance"], files=files)
    return atomic_write_bytes(out / REPORT_FILE, page.encode("utf-8"))
