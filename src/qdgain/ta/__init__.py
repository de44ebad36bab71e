"""qdgain.ta: transient-absorption data model, file formats, preprocessing and analysis.

Public API (analysis modules add their names here as they land).
"""

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

__all__ = [
    "METADATA_KEYS",
    "Problem",
    "ta_dataset",
    "validate_ta",
    "check_ta",
    "stack_fluence",
    "to_od",
    "FORMATS",
    "guess_format",
    "read_ta",
    "write_ta",
    "read_spectrum",
    "write_spectrum",
]
