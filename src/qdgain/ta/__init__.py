"""qdgain.ta: transient-absorption data model, file formats, preprocessing and analysis.

Public API: the data model (:mod:`qdgain.ta.dataset`), IO (:mod:`qdgain.ta.io`), preprocessing
(:mod:`qdgain.ta.preprocess`, :mod:`qdgain.ta.chirp`). Analysis subpackages
(:mod:`qdgain.ta.gain_analysis`, :mod:`qdgain.ta.kinetics`) are imported on their own.
"""

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
    Problem,
    check_ta,
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
]
