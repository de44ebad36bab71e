"""qdgain.electronic: sparse tight-binding Hamiltonians of nanocrystals and band-edge states."""

from qdgain._lazy import lazy_exports
from qdgain.electronic.hamiltonian import (
    DEFAULT_PASSIVATION_SHIFT_EV,
    PROJECTION,
    TBHamiltonian,
    dangling_hybrid_weight,
    estimate_memory_GB,
    hamiltonian,
    valence_state_count,
)
from qdgain.electronic.krylov import KrylovResult, Recentre, kramers_block_krylov
from qdgain.electronic.memory import (
    MemoryEstimate,
    atoms_in_sphere,
    available_memory_GB,
    check_fits,
    estimate_memory,
    largest_sphere_that_fits,
)
from qdgain.electronic.models import (
    DEFAULT_SURFACE,
    DOT_PARAMETER_SETS,
    SURFACES,
    SurfaceModel,
    build_dot,
    dot_parameters,
    surface_model,
)
from qdgain.electronic.multifrontal import MultifrontalLDL
from qdgain.electronic.ordering import (
    DissectionTree,
    atom_graph,
    basis_permutation,
    dissection_tree,
    nested_dissection,
)
from qdgain.electronic.solvers import (
    DENSE_MAX_BASIS,
    METHODS,
    SHIFT_INVERT_MAX_BASIS,
    band_edge_states,
    inertia,
    time_reversed,
)
from qdgain.electronic.states import (
    DEFAULT_DEGENERACY_TOL_EV,
    Level,
    States,
    degeneracy_groups,
    density_of_states,
    load_states,
    save_states,
)
from qdgain.electronic.workflow import SHAPES, DotResult, make_shape, size_sweep, solve_dot

__all__ = [
    "DEFAULT_PASSIVATION_SHIFT_EV",
    "PROJECTION",
    "SurfaceModel",
    "SURFACES",
    "DEFAULT_SURFACE",
    "DOT_PARAMETER_SETS",
    "surface_model",
    "dot_parameters",
    "build_dot",
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
    "KrylovResult",
    "Recentre",
    "kramers_block_krylov",
    "atom_graph",
    "nested_dissection",
    "basis_permutation",
    "dissection_tree",
    "DissectionTree",
    "MultifrontalLDL",
    "DotResult",
    "solve_dot",
    "size_sweep",
    "METHODS",
    "DENSE_MAX_BASIS",
    "SHIFT_INVERT_MAX_BASIS",
    "DEFAULT_DEGENERACY_TOL_EV",
    "make_shape",
    "SHAPES",
    "MemoryEstimate",
    "estimate_memory",
    "atoms_in_sphere",
    "check_fits",
    "largest_sphere_that_fits",
    "available_memory_GB",
]

#: name → module that defines it, imported on first use (heavy dependencies).
_LAZY: dict[str, str] = {
    "BlockOperator": "qdgain.electronic.blockop",
    "block_operator": "qdgain.electronic.blockop",
    "HAVE_NUMBA": "qdgain.electronic.blockop",
    "ChebyshevOptions": "qdgain.electronic.chebyshev",
    "ChebyshevResult": "qdgain.electronic.chebyshev",
    "chebyshev_solve": "qdgain.electronic.chebyshev",
    "ChebyshevFilter": "qdgain.electronic.chebkernel",
    "SlepcResult": "qdgain.electronic.slepc_backend",
    "slepc_available": "qdgain.electronic.slepc_backend",
    "FilteredKrylovResult": "qdgain.electronic.fkrylov",
    "filtered_block_krylov": "qdgain.electronic.fkrylov",
    "make_operator": "qdgain.electronic.filters",
    "jackson_kernel": "qdgain.electronic.filters",
    "spectral_bounds": "qdgain.electronic.filters",
    "delta_filter": "qdgain.electronic.filters",
    "window_filter": "qdgain.electronic.filters",
    "apply_filter": "qdgain.electronic.filters",
    "KPMMoments": "qdgain.electronic.kpm",
    "kpm_moments": "qdgain.electronic.kpm",
    "kpm_dos": "qdgain.electronic.kpm",
    "vector_moments": "qdgain.electronic.kpm",
}
__all__ += list(_LAZY)
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
