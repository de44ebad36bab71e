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
from qdgain.materials.parameters import (
    DEFAULT_SET,
    TBParameters,
    list_parameter_sets,
    load_parameters,
    save_parameters,
)
from qdgain.materials.slater_koster import hopping_blocks, onsite_energies, spin_orbit_matrix

__all__ = [
    "DEFAULT_SET",
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
