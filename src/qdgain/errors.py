"""One exception family for qdgain (STYLE R7).

The library raises these; the CLI formats them as one line (``--traceback`` for the rest).
Messages say what is wrong, where, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "QdgainError",
    "ParameterError",
    "FormatError",
    "ConvergenceError",
    "UserCodeError",
]


class QdgainError(Exception):
    """Base class of every error qdgain raises on purpose."""


class ParameterError(QdgainError, ValueError):
    """An impossible, missing or inconsistent parameter or input value."""


class FormatError(QdgainError, ValueError):
    """A file that cannot be read as the format it claims (or was detected) to be.

    Parameters
    ----------
    message : str
        What is wrong.
    path : str or None
        The file, when known.
    offset : int or None
        Byte offset (binary formats) or 1-based line number (text formats) of the problem.
    """

    def __init__(self, message: str, path: str | None = None, offset: int | None = None):
        self.path = None if path is None else str(path)
        self.offset = offset
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if offset is not None:
                where += f" @ {offset}"
            where += ": "
        super().__init__(where + message)


class ConvergenceError(QdgainError, RuntimeError):
    """An iterative method stopped before reaching its tolerance.

    Parameters
    ----------
    message : str
        What did not converge.
    iterations : int or None
        Iterations (or matrix–vector products) spent.
    residual : float or None
        Final residual, in the units of the method (stated in the message).
    """

    def __init__(self, message: str, iterations: int | None = None,
                 residual: float | None = None):
        self.iterations = iterations
        self.residual = residual
        extra = []
        if iterations is not None:
            extra.append(f"iterations={iterations}")
        if residual is not None:
            extra.append(f"residual={residual:.3g}")
        super().__init__(message + (f" ({', '.join(extra)})" if extra else ""))


class UserCodeError(QdgainError, RuntimeError):
    """A user-supplied callable (shape predicate, kinetic model, ...) raised or misbehaved."""
