"""Transient-absorption file formats."""

__all__: list[str] = []
