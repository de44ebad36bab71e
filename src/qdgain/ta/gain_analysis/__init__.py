"""qdgain.ta.gain_analysis: nonlinear absorbance, gain thresholds, bandwidth, lifetime, models.

Works on fluence series in the ta data model (docs/interfaces.md); SPEC §3 and §5.
"""

from qdgain._lazy import lazy_exports
from qdgain.ta.gain_analysis._prepare import A0Overlap, a0_on_probe_grid, sorted_series
from qdgain.ta.gain_analysis.absorbance import nonlinear_absorbance, normalised_bleach
from qdgain.ta.gain_analysis.analysis import GainOptions, analyze_gain_series, gain_summary
from qdgain.ta.gain_analysis.bandwidth import band_edges, gain_bandwidth
from qdgain.ta.gain_analysis.fluence_models import (
    MODELS,
    FluenceFit,
    bleach_four_level,
    bleach_three_level,
    bleach_two_level,
    fit_fluence_model,
)
from qdgain.ta.gain_analysis.lifetime import GainLifetime, gain_lifetime
from qdgain.ta.gain_analysis.threshold import STATUS_MEANINGS, describe_threshold, gain_threshold

__all__ = [
    "A0Overlap",
    "a0_on_probe_grid",
    "sorted_series",
    "nonlinear_absorbance",
    "normalised_bleach",
    "GainOptions",
    "analyze_gain_series",
    "gain_summary",
    "band_edges",
    "gain_bandwidth",
    "MODELS",
    "FluenceFit",
    "bleach_two_level",
    "bleach_three_level",
    "bleach_four_level",
    "fit_fluence_model",
    "GainLifetime",
    "gain_lifetime",
    "STATUS_MEANINGS",
    "describe_threshold",
    "gain_threshold",
]

#: name → module that defines it, imported on first use (heavy dependencies).
_LAZY: dict[str, str] = {
    "plot_fluence_series": "qdgain.ta.gain_analysis.figures",
    "plot_material_gain": "qdgain.ta.gain_analysis.figures",
    "plot_bleach_saturation": "qdgain.ta.gain_analysis.figures",
    "PumpCalibration": "qdgain.ta.gain_analysis.series",
    "load_fluence_series": "qdgain.ta.gain_analysis.series",
    "run_gain_analysis": "qdgain.ta.gain_analysis.series",
}
__all__ += list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
