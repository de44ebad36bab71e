"""Kinetics and global analysis of transient absorption (SPEC §4): IRF-convolved exponentials,
single-trace fits, SVD, variable-projection global/target fits, the fluence-series model,
spectral decomposition and TCSPC photoluminescence decays."""

from qdgain.ta.kinetics.decomposition import BandFit, fit_bands, to_energy_axis
from qdgain.ta.kinetics.fit_file import fit_pl_file, fit_ta_file, start_values
from qdgain.ta.kinetics.fluence_model import (
    FluenceFitResult,
    fit_fluence_series,
    fluence_concentrations,
)
from qdgain.ta.kinetics.glotaran_compat import pyglotaran_name, to_pyglotaran
from qdgain.ta.kinetics.irf import gaussian_irf, irf_center_dispersion, irf_exponentials
from qdgain.ta.kinetics.jacobian import irf_exponential_derivatives, model_and_jacobian
from qdgain.ta.kinetics.pl import PLFitResult, fit_pl_decay, pl_model, read_tcspc
from qdgain.ta.kinetics.scheme import (
    KineticScheme,
    Parameter,
    Transfer,
    evaluate_expression,
    load_scheme,
    parallel_scheme,
    scheme_from_dict,
    sequential_scheme,
)
from qdgain.ta.kinetics.svd import SVDResult, svd_map
from qdgain.ta.kinetics.target import (
    TargetFitResult,
    as_map,
    fit_global,
    fit_target,
    wavelength_weights,
)
from qdgain.ta.kinetics.trace_fit import TraceFitResult, choose_n_components, fit_trace
from qdgain.ta.kinetics.varpro import (
    Concentrations,
    amplitude_matrix,
    covariance_from_jacobian,
    project,
    scheme_concentrations,
)

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
    "fit_ta_file",
    "fit_pl_file",
    "start_values",
    "fluence_concentrations",
    "to_pyglotaran",
    "pyglotaran_name",
    "model_and_jacobian",
    "irf_exponential_derivatives",
    "pl_model",
    "Parameter",
    "Transfer",
    "evaluate_expression",
    "as_map",
    "wavelength_weights",
    "Concentrations",
    "scheme_concentrations",
    "project",
    "amplitude_matrix",
    "covariance_from_jacobian",
]
