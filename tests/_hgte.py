"""Real HgTe dots for physics tests: band-edge states cached on disk (pytest cache dir).

Dots use the library's default model (:func:`qdgain.electronic.build_dot`: 300 K fitted set,
two-fold Te removed, dangling hybrids projected out; docs/boundary_states.md).

The 3.5 nm sphere costs minutes on a 2-core box; its States are written once to
``.pytest_cache/d/qdgain-hgte/`` keyed by the Hamiltonian's content hash, so a changed parameter
set or builder invalidates the cache automatically. Shared by the electronic, excitons and optics
tests; an exclusive file lock makes parallel (xdist) workers wait for one solve instead of each
repeating it.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from qdgain.electronic import band_edge_states, build_dot, load_states, save_states
from qdgain.structure import Sphere

_MEMO: dict = {}


def hgte_dot(cache_dir: Path | None, diameter_nm: float, n_vb: int = 24, n_cb: int = 8,
             soc: bool = True, method: str = "auto"):
    """(Nanocrystal, TBHamiltonian, States) of an HgTe sphere, memoised in-process and on disk
    (``method``: band_edge_states' solver, e.g. "dense" for hundreds of states)."""
    key = (diameter_nm, n_vb, n_cb, soc)
    if key in _MEMO:
        return _MEMO[key]
    nc, H = build_dot("HgTe", Sphere(diameter_nm=diameter_nm), soc=soc)
    path = None
    if cache_dir is not None:
        path = Path(cache_dir) / f"HgTe_{diameter_nm}nm_{n_vb}_{n_cb}_{H.content_hash[:16]}.nc"
    if path is None:
        states = band_edge_states(H, n_vb=n_vb, n_cb=n_cb, method=method)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one worker solves, the others wait and load
            if path.exists():
                states = load_states(path)
            else:
                states = band_edge_states(H, n_vb=n_vb, n_cb=n_cb, method=method)
                save_states(states, path)
    _MEMO[key] = (nc, H, states)
    return _MEMO[key]
