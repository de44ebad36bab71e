"""qdgain.optics.sweep: size/shape sweeps of dot optics on Dask, resumable, with sizing fits.

Orchestration over the electronic, excitons and optics layers only (nothing above optics).
"""

from qdgain.optics.sweep.cache import atomic_write_bytes, load_record, store_record
from qdgain.optics.sweep.dot import build_dot, check_memory, compute_dot, memory_estimate_GB
from qdgain.optics.sweep.driver import STATUS, SweepResult, default_workers, run_sweep
from qdgain.optics.sweep.sizing import (
    SizingFit,
    bulk_gap_eV,
    fit_sizing,
    plot_sizing,
    sizing_energy,
)
from qdgain.optics.sweep.spec import (
    SCHEMA_VERSION,
    SHAPES,
    DotSpec,
    SweepOptions,
    dot_grid,
    dot_key,
    params_fingerprint,
    parse_diameters,
    parse_shapes,
)
from qdgain.optics.sweep.table import VARIABLES, build_table, sizing_fits, sweep_summary

__all__ = [
    "SHAPES",
    "STATUS",
    "VARIABLES",
    "DotSpec",
    "SizingFit",
    "SweepOptions",
    "SweepResult",
    "atomic_write_bytes",
    "build_dot",
    "build_table",
    "bulk_gap_eV",
    "check_memory",
    "compute_dot",
    "default_workers",
    "dot_grid",
    "dot_key",
    "fit_sizing",
    "load_record",
    "memory_estimate_GB",
    "params_fingerprint",
    "parse_diameters",
    "parse_shapes",
    "plot_sizing",
    "run_sweep",
    "sizing_energy",
    "sizing_fits",
    "store_record",
    "sweep_summary",
    "SCHEMA_VERSION",
]
