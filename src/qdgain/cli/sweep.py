"""`qdgain sweep` subcommand(s)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the `sweep` command(s) to the root app (filled in by its issue)."""
    return None
