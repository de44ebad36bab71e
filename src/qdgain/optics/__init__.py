"""qdgain.optics: dipoles, absorption cross sections, radiative lifetime, dielectric constant."""

from qdgain.optics.cross_section import (
    Transitions,
    boltzmann,
    charged_transitions,
    cross_section_cm2,
    integrated_cross_section_cm2_eV,
    local_field_factor,
    neutral_transitions,
)
from qdgain.optics.dielectric import (
    DielectricResult,
    dielectric_constant,
    dielectric_vs_diameter,
    linear_response_density,
)
from qdgain.optics.dipoles import (
    exciton_dipoles_nm,
    length_velocity_check,
    oscillator_strengths,
    position_matrix_nm,
    velocity_matrix_nm,
)
from qdgain.optics.highenergy import dot_volume_cm3, independent_particle_cross_section_cm2
from qdgain.optics.lifetime import radiative_lifetime_ns, radiative_rates_per_s

__all__ = [
    "DielectricResult",
    "Transitions",
    "boltzmann",
    "charged_transitions",
    "cross_section_cm2",
    "dielectric_constant",
    "dielectric_vs_diameter",
    "dot_volume_cm3",
    "independent_particle_cross_section_cm2",
    "exciton_dipoles_nm",
    "integrated_cross_section_cm2_eV",
    "length_velocity_check",
    "linear_response_density",
    "local_field_factor",
    "neutral_transitions",
    "oscillator_strengths",
    "position_matrix_nm",
    "radiative_lifetime_ns",
    "radiative_rates_per_s",
    "velocity_matrix_nm",
]
