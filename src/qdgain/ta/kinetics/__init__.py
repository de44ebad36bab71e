"""Kinetics and global analysis of transient absorption (SPEC §4): IRF-convolved exponentials,
single-trace fits, SVD, variable-projection global/target fits, the fluence-series model,
spectral decomposition and TCSPC photoluminescence decays."""

from qdgain.ta.kinetics.decomposition import BandFit, fit_bands, to_energy_axis
from qdgain.ta.kinetics.fluence_model import FluenceFitResult, fit_fluence_series
from qdgain.ta.kinetics.irf import gaussian_irf, irf_center_dispersion, irf_exponentials
from qdgain.ta.kinetics.pl import PLFitResult, fit_pl_decay, read_tcspc
from qdgain.ta.kinetics.scheme import (
    KineticScheme,
    load_scheme,
    parallel_scheme,
    scheme_from_dict,
    sequential_scheme,
)
from qdgain.ta.kinetics.svd import SVDResult, svd_map
from qdgain.ta.kinetics.target import TargetFitResult, fit_global, fit_target
from qdgain.ta.kinetics.trace_fit import TraceFitResult, choose_n_components, fit_trace

__all__ = [
    "BandFit",
    "PLFitResult",
    "fit_bands",
    "fit_pl_decay",
    "read_tcspc",
    "to_energy_axis",
    "FluenceFitResult",
    "KineticScheme",
    "SVDResult",
    "TargetFitResult",
    "TraceFitResult",
    "choose_n_components",
    "fit_fluence_series",
    "fit_global",
    "fit_target",
    "fit_trace",
    "gaussian_irf",
    "irf_center_dispersion",
    "irf_exponentials",
    "load_scheme",
    "parallel_scheme",
    "scheme_from_dict",
    "sequential_scheme",
    "svd_map",
]
