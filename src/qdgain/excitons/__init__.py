"""qdgain.excitons: Coulomb integrals from transition densities, neutral-exciton and trion CI,
one extra carrier."""

from qdgain.excitons.carrier import Carrier, solve_carrier
from qdgain.excitons.charged import ChargedDot, pair_single_hamiltonian, solve_charged
from qdgain.excitons.ci import (
    Excitons,
    band_edge_manifolds,
    ci_convergence,
    ci_hamiltonian,
    degeneracy_groups,
    exciton_integrals,
    level_groups,
    select_states,
    solve_ci,
)
from qdgain.excitons.coulomb import (
    CoulombKernel,
    StatesLike,
    coulomb_kernel,
    kernel_memory_GB,
    onsite_radius_nm,
    polarisation_kernel,
    site_matrix,
    transition_densities,
)

__all__ = [
    "Carrier",
    "solve_carrier",
    "site_matrix",
    "ChargedDot",
    "CoulombKernel",
    "Excitons",
    "band_edge_manifolds",
    "ci_convergence",
    "ci_hamiltonian",
    "coulomb_kernel",
    "degeneracy_groups",
    "exciton_integrals",
    "level_groups",
    "select_states",
    "solve_charged",
    "solve_ci",
    "transition_densities",
    "pair_single_hamiltonian",
    "StatesLike",
    "polarisation_kernel",
    "onsite_radius_nm",
    "kernel_memory_GB",
]
