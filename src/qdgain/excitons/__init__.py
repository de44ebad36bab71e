"""qdgain.excitons: Coulomb integrals from transition densities, neutral-exciton and trion CI."""

from qdgain.excitons.charged import ChargedDot, solve_charged
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
from qdgain.excitons.coulomb import CoulombKernel, coulomb_kernel, transition_densities

__all__ = [
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
]
