"""Shared CLI plumbing: one-line errors, ``--json`` output, Rich console."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import numpy as np
from rich.console import Console

from qdgain.errors import QdgainError

console = Console(stderr=True)
STATE: dict[str, bool] = {"traceback": False}


def _default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def emit_json(summary: dict[str, Any]) -> None:
    """Print ``summary`` as one JSON object on stdout (for scripts)."""
    sys.stdout.write(json.dumps(summary, default=_default) + "\n")
    sys.stdout.flush()


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn :class:`QdgainError` (and missing files) into one red line and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (QdgainError, FileNotFoundError) as exc:
            if STATE["traceback"]:
                raise
            console.print(f"[bold red]error:[/] {exc}  (run with --traceback for details)")
            raise SystemExit(1) from None

    return wrapper
