"""qdgain.calibration: pump fluence → ⟨N⟩, intrinsic absorption μ_i, volume fraction, gain.

Pure functions with units in their names (SPEC §3). See DESIGN.md.
"""

from qdgain.calibration.absorption import (
    PAPER_MU_I_400_CM,
    IntrinsicAbsorption,
    dielectric_from_nk,
    intrinsic_absorption_cm,
    intrinsic_absorption_from_cation_cross_section_cm,
    intrinsic_absorption_sources,
    local_field_factor,
)
from qdgain.calibration.fluence import (
    SPOT_PROFILES,
    dot_volume_cm3,
    fluence_uJ_cm2,
    mean_excitons,
    mean_excitons_from_power,
    photons_per_cm2_from_fluence,
    pulse_energy_uJ,
    pump_cross_section_cm2,
    pump_photons_per_cm2,
    spot_area_cm2,
)
from qdgain.calibration.gain import film_material_gain_cm, intrinsic_gain_cm, volume_fraction
from qdgain.calibration.telecom import band_overlap_nm, telecom_bands
from qdgain.calibration.uncertainty import Uncertainty, propagate_linear, propagate_monte_carlo

__all__ = [
    "PAPER_MU_I_400_CM",
    "IntrinsicAbsorption",
    "dielectric_from_nk",
    "intrinsic_absorption_cm",
    "intrinsic_absorption_from_cation_cross_section_cm",
    "intrinsic_absorption_sources",
    "local_field_factor",
    "SPOT_PROFILES",
    "dot_volume_cm3",
    "fluence_uJ_cm2",
    "mean_excitons",
    "mean_excitons_from_power",
    "photons_per_cm2_from_fluence",
    "pulse_energy_uJ",
    "pump_cross_section_cm2",
    "pump_photons_per_cm2",
    "spot_area_cm2",
    "film_material_gain_cm",
    "intrinsic_gain_cm",
    "volume_fraction",
    "band_overlap_nm",
    "telecom_bands",
    "Uncertainty",
    "propagate_linear",
    "propagate_monte_carlo",
]
