"""Figure equivalents of the paper's Figs. 1–6, S4 and S5, each built from saved results only.

``FIGURES`` lists ``(slug, title, caption, make)``; ``make(results) -> Figure`` raises
:class:`~qdgain.report.results.MissingResult` when a stage it reads was not computed.
"""

from __future__ import annotations

from qdgain.report.figures import fig1, fig2, fig3, fig4, fig5, fig6, supplement

__all__ = ["FIGURES"]

FIGURES = (
    ("fig1", fig1.TITLE, fig1.CAPTION, fig1.make),
    ("fig2", fig2.TITLE, fig2.CAPTION, fig2.make),
    ("fig3", fig3.TITLE, fig3.CAPTION, fig3.make),
    ("fig4", fig4.TITLE, fig4.CAPTION, fig4.make),
    ("fig5", fig5.TITLE, fig5.CAPTION, fig5.make),
    ("fig6", fig6.TITLE, fig6.CAPTION, fig6.make),
    ("figS4", supplement.TITLE_S4, supplement.CAPTION_S4, supplement.make_s4),
    ("figS5", supplement.TITLE_S5, supplement.CAPTION_S5, supplement.make_s5),
)
