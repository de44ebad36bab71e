"""qdgain.electronic layer (see DESIGN.md)."""

__all__: list[str] = []
