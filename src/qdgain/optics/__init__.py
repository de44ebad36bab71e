"""qdgain.optics layer (see DESIGN.md)."""

__all__: list[str] = []
