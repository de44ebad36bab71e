"""qdgain.materials layer: tight-binding parameter sets, Slater–Koster engine, bulk bands.

See DESIGN.md and docs/interfaces.md (materials section).
"""

from qdgain.materials.bulk import (
    SPECIAL_POINTS,
    GammaLevels,
    KPath,
    bulk_bands,
    bulk_eigh,
    bulk_hamiltonian,
    direction_vector,
    effective_mass,
    gamma_levels,
    kpath,
    richardson_curvature,
    special_point,
)
from qdgain.materials.cdte import CDTE_BOUNDS, CDTE_FREE, cdte_start, cdte_targets, fit_cdte
from qdgain.materials.epm import COHEN_BERGSTRESSER_1966, EPMFormFactors, epm_bands
from qdgain.materials.fit import (
    FitResult,
    FitSpec,
    default_bounds,
    fit_parameters,
    fit_spec_toml,
    load_fit_spec,
    run_fit,
)
from qdgain.materials.guards import BandOrderReport, band_order_scan, zone_grid
from qdgain.materials.parameters import (
    DEFAULT_SET,
    ORBITAL_SHELL,
    TBParameters,
    list_parameter_sets,
    load_parameters,
    renamed,
    required_integrals,
    save_parameters,
    shells_of,
)
from qdgain.materials.references import bulk_reference, kp_gap_eV, kp_masses, kp_targets
from qdgain.materials.sizing import SIZING_FILES, experimental_sizing
from qdgain.materials.slater_koster import (
    angular_momentum_matrices,
    hopping_blocks,
    neighbour_shell_distances_nm,
    onsite_energies,
    shell_of_distance,
    spin_orbit_matrix,
)
from qdgain.materials.summary import BulkSummary, band_edge_masses, bulk_summary, check_parameters
from qdgain.materials.targets import (
    MASS_BANDS,
    TARGET_KINDS,
    Target,
    evaluate_targets,
    kane_energy,
    target_from_mapping,
)
from qdgain.materials.vogl import vogl_sets, vogl_to_native

__all__ = [
    "BandOrderReport",
    "DEFAULT_SET",
    "FitResult",
    "FitSpec",
    "Target",
    "band_order_scan",
    "evaluate_targets",
    "fit_parameters",
    "kane_energy",
    "load_fit_spec",
    "run_fit",
    "GammaLevels",
    "KPath",
    "TBParameters",
    "bulk_bands",
    "bulk_eigh",
    "bulk_hamiltonian",
    "effective_mass",
    "gamma_levels",
    "hopping_blocks",
    "kpath",
    "list_parameter_sets",
    "load_parameters",
    "onsite_energies",
    "save_parameters",
    "special_point",
    "spin_orbit_matrix",
    "SPECIAL_POINTS",
    "direction_vector",
    "richardson_curvature",
    "default_bounds",
    "fit_spec_toml",
    "zone_grid",
    "required_integrals",
    "renamed",
    "shells_of",
    "ORBITAL_SHELL",
    "bulk_reference",
    "kp_gap_eV",
    "kp_masses",
    "kp_targets",
    "angular_momentum_matrices",
    "neighbour_shell_distances_nm",
    "shell_of_distance",
    "BulkSummary",
    "bulk_summary",
    "band_edge_masses",
    "check_parameters",
    "TARGET_KINDS",
    "MASS_BANDS",
    "target_from_mapping",
    "vogl_sets",
    "vogl_to_native",
    "CDTE_BOUNDS",
    "CDTE_FREE",
    "cdte_start",
    "cdte_targets",
    "fit_cdte",
    "COHEN_BERGSTRESSER_1966",
    "EPMFormFactors",
    "epm_bands",
    "SIZING_FILES",
    "experimental_sizing",
]
