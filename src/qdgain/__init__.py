"""qdgain — optical gain in colloidal quantum dots, from atoms to amplifiers.

Layers (data flows one way, left to right)::

    materials → structure → electronic → excitons → optics ─┐
                                      calibration ──────────┴→ gain → ta → report

The layer subpackages and a few headline functions are exported here; both are imported on
first use (explicit table ``_LAZY``), so ``import qdgain`` stays fast.
"""

from __future__ import annotations

from qdgain._lazy import lazy_exports

__version__ = "0.1.0"

#: name → module that defines it, imported on first attribute access.
_LAZY: dict[str, str] = {
    # layer subpackages, in dependency order
    "units": "qdgain.units",
    "constants": "qdgain.constants",
    "errors": "qdgain.errors",
    "materials": "qdgain.materials",
    "structure": "qdgain.structure",
    "electronic": "qdgain.electronic",
    "excitons": "qdgain.excitons",
    "optics": "qdgain.optics",
    "calibration": "qdgain.calibration",
    "gain": "qdgain.gain",
    "ta": "qdgain.ta",
    "report": "qdgain.report",
    # headline functions, atoms to amplifiers
    "load_parameters": "qdgain.materials",
    "nanocrystal": "qdgain.structure",
    "hamiltonian": "qdgain.electronic",
    "band_edge_states": "qdgain.electronic",
    "solve_ci": "qdgain.excitons",
    "cross_section_cm2": "qdgain.optics",
    "dot_optics": "qdgain.optics",
    "mean_excitons": "qdgain.calibration",
    "simulate_ta": "qdgain.gain",
    "read_ta": "qdgain.ta",
    "analyze_gain_series": "qdgain.ta",
    "gain_threshold": "qdgain.ta",
}

__all__ = ["__version__", *_LAZY]
__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
