"""qdgain.materials layer: tight-binding parameter sets, Slater–Koster engine, bulk bands.

See DESIGN.md and docs/interfaces.md (materials section).
"""

from qdgain.materials.bulk import (
    GammaLevels,
    KPath,
    bulk_bands,
    bulk_eigh,
    bulk_hamiltonian,
    effective_mass,
    gamma_levels,
    kpath,
    special_point,
)
from qdgain.materials.fit import FitResult, FitSpec, fit_parameters, load_fit_spec, run_fit
from qdgain.materials.guards import BandOrderReport, band_order_scan
from qdgain.materials.parameters import (
    DEFAULT_SET,
    TBParameters,
    list_parameter_sets,
    load_parameters,
    save_parameters,
)
from qdgain.materials.slater_koster import hopping_blocks, onsite_energies, spin_orbit_matrix
from qdgain.materials.targets import Target, evaluate_targets, kane_energy

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
]
