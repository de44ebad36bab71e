"""The ``qdgain`` command line (Typer). Each subcommand calls one library function."""

from __future__ import annotations

import typer

from qdgain.cli import bulk as _bulk
from qdgain.cli import gain as _gain
from qdgain.cli import nc as _nc
from qdgain.cli import optics as _optics
from qdgain.cli import params as _params
from qdgain.cli import pl as _pl
from qdgain.cli import reproduce as _reproduce
from qdgain.cli import sweep as _sweep
from qdgain.cli import ta as _ta
from qdgain.cli._common import STATE

__all__ = ["app", "main"]

app = typer.Typer(
    name="qdgain",
    help="Optical gain in colloidal quantum dots: from atoms to amplifiers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    traceback: bool = typer.Option(False, "--traceback", help="Show full tracebacks on errors."),
) -> None:
    STATE["traceback"] = traceback


_bulk.register(app)
_gain.register(app)
_nc.register(app)
_optics.register(app)
_pl.register(app)
_params.register(app)
_reproduce.register(app)
_sweep.register(app)
_ta.register(app)


def main() -> None:
    """Entry point of the ``qdgain`` console script."""
    app()
