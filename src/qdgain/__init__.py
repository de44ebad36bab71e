"""qdgain — optical gain in colloidal quantum dots, from atoms to amplifiers.

Layers (data flows one way, left to right)::

    materials → structure → electronic → excitons → optics ─┐
                                      calibration ──────────┴→ gain → ta → report
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
