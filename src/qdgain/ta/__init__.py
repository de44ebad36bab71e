"""qdgain.ta: transient-absorption data model, file formats, preprocessing and analysis.

Public API: the data model (:mod:`qdgain.ta.dataset`), IO (:mod:`qdgain.ta.io`), preprocessing
(:mod:`qdgain.ta.preprocess`, :mod:`qdgain.ta.chirp`), and the headline functions of the analysis
subpackages (:mod:`qdgain.ta.gain_analysis`, :mod:`qdgain.ta.kinetics`). The latter are listed in
the explicit table ``_LAZY`` and imported on first use, so that ``import qdgain.ta`` (and every
``qdgain ta`` command) does not pay for fitting code it does not call.
"""

from qdgain._lazy import lazy_exports
from qdgain.ta import io
from qdgain.ta.chirp import (
    ChirpFit,
    chirp_correct,
    correct_chirp,
    fit_chirp,
    onset_times,
    shift_time_zero,
    time_zero,
)
from qdgain.ta.dataset import (
    METADATA_KEYS,
    OD_PER_UNIT,
    Problem,
    check_ta,
    describe,
    stack_fluence,
    ta_dataset,
    to_od,
    validate_ta,
)
from qdgain.ta.io import FORMATS, guess_format, read_spectrum, read_ta, write_spectrum, write_ta
from qdgain.ta.preprocess import (
    average_scans,
    common_grid,
    crop,
    mask_pump_scatter,
    mask_wavelengths,
    resample,
    resample_series,
    subtract_background,
)

__all__ = [
    # data model
    "METADATA_KEYS",
    "Problem",
    "ta_dataset",
    "validate_ta",
    "check_ta",
    "stack_fluence",
    "to_od",
    # io
    "io",
    "FORMATS",
    "guess_format",
    "read_ta",
    "write_ta",
    "read_spectrum",
    "write_spectrum",
    # preprocessing
    "subtract_background",
    "crop",
    "mask_wavelengths",
    "mask_pump_scatter",
    "average_scans",
    "common_grid",
    "resample",
    "resample_series",
    # time zero and chirp
    "ChirpFit",
    "onset_times",
    "fit_chirp",
    "correct_chirp",
    "chirp_correct",
    "time_zero",
    "shift_time_zero",
    "OD_PER_UNIT",
    "describe",
]

#: name → module that defines it (imported on first attribute access).
_LAZY: dict[str, str] = {
    "gain_analysis": "qdgain.ta.gain_analysis",
    "kinetics": "qdgain.ta.kinetics",
    "plotting": "qdgain.ta.plotting",
    "plot_map": "qdgain.ta.plotting",
    "plot_chirp": "qdgain.ta.plotting",
    "save_figure": "qdgain.ta.plotting",
    # gain analysis (SPEC §3)
    "nonlinear_absorbance": "qdgain.ta.gain_analysis",
    "normalised_bleach": "qdgain.ta.gain_analysis",
    "GainOptions": "qdgain.ta.gain_analysis",
    "analyze_gain_series": "qdgain.ta.gain_analysis",
    "gain_summary": "qdgain.ta.gain_analysis",
    "gain_threshold": "qdgain.ta.gain_analysis",
    "gain_bandwidth": "qdgain.ta.gain_analysis",
    "gain_lifetime": "qdgain.ta.gain_analysis",
    "fit_fluence_model": "qdgain.ta.gain_analysis",
    # kinetics (SPEC §4)
    "fit_trace": "qdgain.ta.kinetics",
    "fit_global": "qdgain.ta.kinetics",
    "fit_target": "qdgain.ta.kinetics",
    "fit_fluence_series": "qdgain.ta.kinetics",
    "svd_map": "qdgain.ta.kinetics",
    "load_scheme": "qdgain.ta.kinetics",
    "sequential_scheme": "qdgain.ta.kinetics",
    "parallel_scheme": "qdgain.ta.kinetics",
    "gaussian_irf": "qdgain.ta.kinetics",
    "fit_pl_decay": "qdgain.ta.kinetics",
    "fit_bands": "qdgain.ta.kinetics",
}
__all__ += list(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
