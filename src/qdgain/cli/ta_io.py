"""`qdgain ta` commands from module ta_io."""

from __future__ import annotations

import typer


def register(ta_app: typer.Typer) -> None:
    """Attach this module's commands to the `ta` group (filled in by its issue)."""
    return None
