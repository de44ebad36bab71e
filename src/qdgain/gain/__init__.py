"""qdgain.gain: gain physics of quantum-dot ensembles and a TA simulator (DESIGN.md: ``gain``).

Poisson excitation, master-equation kinetics, state-resolved spectra with inhomogeneous
broadening, analytic thresholds (2-level, 3-level, DC pumping), presets and the noise-free
ground truth, and ``simulate_ta`` returning a dataset in the ``ta`` data model.
"""

from qdgain.gain.kinetics import KineticParameters, StateSpace, modes, populations, rate_matrix
from qdgain.gain.models import PRESETS, GainModel, preset
from qdgain.gain.poisson import excited_fraction, poisson_pmf
from qdgain.gain.simulator import Instrument, default_delays, default_wavelengths, simulate_ta
from qdgain.gain.spectra import SizeDistribution, SpectralModel, Transition
from qdgain.gain.thresholds import (
    dc_current_density_A_cm2,
    dot_density_cm3,
    three_level_threshold,
    three_level_threshold_spectrum,
    threshold_summary,
    two_level_threshold,
    two_level_threshold_spectrum,
)
from qdgain.gain.truth import GroundTruth, ground_truth, nonlinear_absorbance, threshold_spectrum

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
]
