"""qdgain.optics: dipoles, absorption cross sections, radiative lifetime, dielectric constant."""

from qdgain._lazy import lazy_exports
from qdgain.optics.cross_section import (
    Transitions,
    boltzmann,
    charged_transitions,
    cross_section_cm2,
    integrated_cross_section_cm2_eV,
    intraband_limit_eV,
    intraband_transitions,
    local_field_factor,
    neutral_transitions,
)
from qdgain.optics.dielectric import (
    DielectricResult,
    dense_spectrum,
    dielectric_constant,
    dielectric_vs_diameter,
    fit_sphere_field,
    linear_response_density,
    reduce_spin,
    screened_response,
)
from qdgain.optics.dielectric_poly import (
    PolyResponse,
    dielectric_constant_poly,
    response_poly,
)
from qdgain.optics.dipoles import (
    carrier_dipoles_nm,
    commutator_matrices,
    exciton_dipoles_nm,
    length_velocity_check,
    oscillator_strengths,
    position_matrix_nm,
    trion_dipoles_nm,
    velocity_matrix_nm,
)
from qdgain.optics.highenergy import dot_volume_cm3, independent_particle_cross_section_cm2
from qdgain.optics.intraband_kpm import (
    gaussian_chebyshev_coefficients,
    intraband_cross_section_kpm,
)
from qdgain.optics.lifetime import radiative_lifetime_ns, radiative_rates_per_s
from qdgain.optics.spectra import (
    DEEP_INTRABAND_MAX_ROWS,
    DotOptics,
    dot_optics,
    exciton_summary,
    plot_spectra,
)

__all__ = [
    "DEEP_INTRABAND_MAX_ROWS",
    "DielectricResult",
    "Transitions",
    "boltzmann",
    "charged_transitions",
    "cross_section_cm2",
    "dielectric_constant",
    "dielectric_constant_poly",
    "screened_response",
    "PolyResponse",
    "response_poly",
    "dielectric_vs_diameter",
    "dot_volume_cm3",
    "independent_particle_cross_section_cm2",
    "exciton_dipoles_nm",
    "integrated_cross_section_cm2_eV",
    "intraband_cross_section_kpm",
    "gaussian_chebyshev_coefficients",
    "intraband_limit_eV",
    "intraband_transitions",
    "length_velocity_check",
    "linear_response_density",
    "local_field_factor",
    "neutral_transitions",
    "oscillator_strengths",
    "position_matrix_nm",
    "radiative_lifetime_ns",
    "radiative_rates_per_s",
    "velocity_matrix_nm",
    "commutator_matrices",
    "fit_sphere_field",
    "reduce_spin",
    "dense_spectrum",
    "trion_dipoles_nm",
    "carrier_dipoles_nm",
    "DotOptics",
    "dot_optics",
    "exciton_summary",
    "plot_spectra",
]

#: name → module that defines it, imported on first use (heavy dependencies).
_LAZY: dict[str, str] = {
    "LINES": "qdgain.optics.ensemble",
    "ensemble_spectrum": "qdgain.optics.ensemble",
    "line_moments": "qdgain.optics.ensemble",
    "sweep": "qdgain.optics.sweep",
}
__all__ += list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
