"""`qdgain ta ...`: transient-absorption commands.

Groups io/preprocess, gain analysis, kinetics and simulate.
"""

from __future__ import annotations

import typer

from qdgain.cli import ta_gain, ta_io, ta_kinetics, ta_simulate

ta_app = typer.Typer(
    help="Transient-absorption data: convert, analyse gain, fit kinetics, simulate.",
    no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Attach the `ta` command group to the root app."""
    ta_io.register(ta_app)
    ta_gain.register(ta_app)
    ta_kinetics.register(ta_app)
    ta_simulate.register(ta_app)
    app.add_typer(ta_app, name="ta")
