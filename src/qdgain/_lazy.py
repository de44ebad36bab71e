"""Lazy package exports (PEP 562), shared by the package ``__init__`` modules.

A package lists, in an explicit table, the names it exports without importing them at
``import`` time (heavy dependencies such as matplotlib or numba, or whole subpackages); the
module that defines a name is imported on first attribute access. Imports nothing from the
layers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, table: Mapping[str, str], namespace: dict[str, Any]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` that resolve the names of ``table`` on demand.

    Parameters
    ----------
    package : str
        Dotted name of the package (``__name__``), for error messages.
    table : mapping of str to str
        Exported name → dotted module that defines it; a name equal to the module's last
        component (``"sweep": "qdgain.optics.sweep"``) stands for the module itself.
    namespace : dict
        The package's ``globals()``; a resolved name is cached there.

    Returns
    -------
    (callable, callable)
        ``__getattr__(name)`` and ``__dir__()`` for the package module.
    """

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        mod = importlib.import_module(module)
        value = mod if module.endswith("." + name) else getattr(mod, name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
