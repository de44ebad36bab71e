"""Shared figure helpers: figure creation and the telecom bands."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # headless: the report never opens a window

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["new_figure", "TELECOM_BANDS_NM", "shade_telecom", "panel_label"]

#: telecom bands (nm), SPEC §3
TELECOM_BANDS_NM = {"O": (1260.0, 1360.0), "E": (1360.0, 1460.0), "S": (1460.0, 1530.0),
                    "C": (1530.0, 1565.0), "L": (1565.0, 1625.0)}


def new_figure(ncols: int, nrows: int = 1, width_in: float = 4.0,
               height_in: float = 3.2) -> tuple[Figure, list]:
    """A figure with ``nrows × ncols`` axes (flattened list), constrained layout."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width_in * ncols, height_in * nrows),
                             layout="constrained", squeeze=False)
    return fig, list(axes.ravel())


def shade_telecom(ax, alpha: float = 0.08) -> None:
    """Shade and label the telecom bands on a wavelength (nm) axis."""
    colors = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]
    for (name, (lo, hi)), col in zip(TELECOM_BANDS_NM.items(), colors, strict=True):
        ax.axvspan(lo, hi, color=col, alpha=alpha, lw=0)
        ax.text(0.5 * (lo + hi), 0.97, name, transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize=8)


def panel_label(ax, label: str) -> None:
    """Bold panel letter in the top-left corner, as in the paper."""
    ax.text(-0.02, 1.02, label, transform=ax.transAxes, fontweight="bold", ha="right",
            va="bottom")
