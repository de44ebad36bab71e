"""`qdgain reproduce` subcommand(s)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the `reproduce` command(s) to the root app (filled in by its issue)."""
    return None
