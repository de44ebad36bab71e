"""qdgain.calibration layer (see DESIGN.md)."""

__all__: list[str] = []
