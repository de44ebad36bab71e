"""API surface (STYLE R12): fast top-level import, every exported name resolves, and each
subpackage's ``__all__`` covers the ``__all__`` of its public modules."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import qdgain

_SRC = Path(qdgain.__file__).parent
_SUBPACKAGES = sorted(
    m.name for m in pkgutil.walk_packages([str(_SRC)], prefix="qdgain.")
    if m.ispkg and m.name.split(".")[1] not in {"report", "cli"}
)


def test_import_qdgain_loads_no_numerics() -> None:
    code = "import sys, qdgain; print(sorted({'numpy', 'xarray', 'scipy'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_headline_names_resolve_to_callables() -> None:
    for name in ("nanocrystal", "hamiltonian", "band_edge_states", "solve_ci",
                 "cross_section_cm2", "read_ta", "gain_threshold", "simulate_ta"):
        assert callable(getattr(qdgain, name)), name
    assert set(qdgain.__all__) <= set(dir(qdgain))


def test_unknown_top_level_name_raises() -> None:
    with pytest.raises(AttributeError, match="'qdgain' has no attribute 'nope'"):
        qdgain.nope  # noqa: B018


@pytest.mark.parametrize("pkg", _SUBPACKAGES)
def test_subpackage_all_covers_its_modules(pkg: str) -> None:
    mod = importlib.import_module(pkg)
    exported = list(mod.__all__)
    assert len(exported) == len(set(exported)), f"{pkg}.__all__ lists a name twice"
    missing = [n for n in exported if not hasattr(mod, n)]
    assert not missing, f"{pkg}.__all__ names that do not resolve: {missing}"
    folder = Path(mod.__file__).parent
    for info in pkgutil.iter_modules([str(folder)]):
        if info.name.startswith("_"):
            continue
        if info.ispkg:
            assert info.name in exported, f"{pkg}.__all__ lacks subpackage {info.name}"
            continue
        sub = importlib.import_module(f"{pkg}.{info.name}")
        lacking = [n for n in getattr(sub, "__all__", []) if n not in exported]
        assert not lacking, f"{pkg}.__all__ lacks {lacking} of {info.name}"
