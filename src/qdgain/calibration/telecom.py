"""Telecom transmission bands (O/E/S/C/L) as data, and the overlap of a wavelength interval."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from qdgain.errors import ParameterError

__all__ = ["telecom_bands", "band_overlap_nm"]


@lru_cache(maxsize=1)
def _bands() -> tuple[tuple[str, float, float], ...]:
    text = resources.files("qdgain.calibration").joinpath(
        "data/telecom_bands.json").read_text(encoding="utf-8")
    raw = json.loads(text)["bands"]
    return tuple((k, float(v[0]), float(v[1])) for k, v in raw.items())


def telecom_bands() -> dict[str, tuple[float, float]]:
    """Telecom bands ``{name: (lower_nm, upper_nm)}`` in wavelength order (O, E, S, C, L)."""
    return {name: (lo, hi) for name, lo, hi in _bands()}


def band_overlap_nm(lower_nm: float, upper_nm: float,
                    bands: dict[str, tuple[float, float]] | None = None) -> dict[str, float]:
    """Length (nm) of the overlap of the interval [lower, upper] with each band.

    .. math:: o_b = \\max(0, \\min(u, u_b) - \\max(l, l_b))

    Parameters
    ----------
    lower_nm, upper_nm : float
        Interval, nm (e.g. the edges of a gain band). NaN edges (no band) give zero overlap.
    bands : dict, optional
        ``{name: (lower_nm, upper_nm)}``; default :func:`telecom_bands`.
    """
    bands = telecom_bands() if bands is None else bands
    if lower_nm != lower_nm or upper_nm != upper_nm:  # NaN: no gain band
        return {name: 0.0 for name in bands}
    if upper_nm < lower_nm:
        raise ParameterError(f"band_overlap_nm: upper {upper_nm} nm < lower {lower_nm} nm")
    return {name: max(0.0, min(upper_nm, hi) - max(lower_nm, lo))
            for name, (lo, hi) in bands.items()}
