"""qdgain.gain: gain physics of quantum-dot ensembles and a TA simulator (DESIGN.md: ``gain``).

Poisson excitation, master-equation kinetics, state-resolved spectra with inhomogeneous
broadening, analytic thresholds (2-level, 3-level, DC pumping), presets and the noise-free
ground truth, and ``simulate_ta`` returning a dataset in the ``ta`` data model.
"""

from qdgain.gain.ensemble_input import (
    ensemble_gain_model,
    ensemble_spectral_model,
    ensemble_transitions,
)
from qdgain.gain.kinetics import (
    AUGER_SCALINGS,
    N_MAX_CAP,
    KineticParameters,
    Modes,
    StateSpace,
    modes,
    populations,
    rate_matrix,
)
from qdgain.gain.models import PRESETS, GainModel, absorbance_scale_od_per_cm2, preset
from qdgain.gain.poisson import check_mean_excitons, excited_fraction, n_max_for, poisson_pmf
from qdgain.gain.simulator import (
    Instrument,
    default_delays,
    default_wavelengths,
    fluence_from_N,
    irf_exponential,
    simulate_ta,
)
from qdgain.gain.spectra import (
    LINES,
    SizeDistribution,
    SpectralModel,
    Transition,
    line_shapes,
    pl_spectrum,
    state_coefficients,
    state_cross_sections_cm2,
)
from qdgain.gain.thresholds import (
    ThresholdSummary,
    dc_current_density_A_cm2,
    dot_density_cm3,
    three_level_threshold,
    three_level_threshold_spectrum,
    threshold_summary,
    two_level_threshold,
    two_level_threshold_spectrum,
)
from qdgain.gain.truth import (
    GroundTruth,
    check_probe_grid,
    gain_band,
    ground_truth,
    nonlinear_absorbance,
    threshold_spectrum,
)

__all__ = [
    "KineticParameters",
    "StateSpace",
    "modes",
    "populations",
    "rate_matrix",
    "PRESETS",
    "GainModel",
    "preset",
    "excited_fraction",
    "poisson_pmf",
    "Instrument",
    "default_delays",
    "default_wavelengths",
    "simulate_ta",
    "dc_current_density_A_cm2",
    "dot_density_cm3",
    "three_level_threshold",
    "three_level_threshold_spectrum",
    "threshold_summary",
    "two_level_threshold",
    "two_level_threshold_spectrum",
    "SizeDistribution",
    "SpectralModel",
    "Transition",
    "GroundTruth",
    "ground_truth",
    "nonlinear_absorbance",
    "threshold_spectrum",
    "ensemble_transitions",
    "ensemble_spectral_model",
    "ensemble_gain_model",
    "Modes",
    "AUGER_SCALINGS",
    "N_MAX_CAP",
    "absorbance_scale_od_per_cm2",
    "check_mean_excitons",
    "n_max_for",
    "irf_exponential",
    "fluence_from_N",
    "LINES",
    "line_shapes",
    "state_coefficients",
    "state_cross_sections_cm2",
    "pl_spectrum",
    "ThresholdSummary",
    "gain_band",
    "check_probe_grid",
]
