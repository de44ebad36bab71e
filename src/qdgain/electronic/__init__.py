"""qdgain.electronic: sparse tight-binding Hamiltonians of nanocrystals and band-edge states."""

from qdgain.electronic.hamiltonian import (
    DEFAULT_PASSIVATION_SHIFT_EV,
    TBHamiltonian,
    dangling_hybrid_weight,
    estimate_memory_GB,
    hamiltonian,
    valence_state_count,
)
from qdgain.electronic.solvers import band_edge_states, inertia, time_reversed
from qdgain.electronic.states import (
    Level,
    States,
    degeneracy_groups,
    density_of_states,
    load_states,
    save_states,
)
from qdgain.electronic.workflow import DotResult, size_sweep, solve_dot

__all__ = [
    "DEFAULT_PASSIVATION_SHIFT_EV",
    "TBHamiltonian",
    "hamiltonian",
    "dangling_hybrid_weight",
    "estimate_memory_GB",
    "valence_state_count",
    "band_edge_states",
    "inertia",
    "time_reversed",
    "States",
    "Level",
    "degeneracy_groups",
    "density_of_states",
    "save_states",
    "load_states",
    "DotResult",
    "solve_dot",
    "size_sweep",
]
