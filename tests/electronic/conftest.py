"""Shared dots for the electronic tests (built once per session: the solves dominate the time)."""

from __future__ import annotations

import pytest

from qdgain.electronic import band_edge_states, hamiltonian
from qdgain.materials import load_parameters
from qdgain.structure import Sphere, nanocrystal
from tests._hgte import hgte_dot


@pytest.fixture(scope="session")
def hgte():
    return load_parameters("HgTe")


@pytest.fixture(scope="session")
def small_dot(hgte):
    """1.8 nm HgTe sphere: 87 atoms, 1566 spin-orbitals (dense in ~2 s)."""
    nc = nanocrystal(hgte, Sphere(diameter_nm=1.8))
    return nc, hamiltonian(nc, hgte)


@pytest.fixture(scope="session")
def dense_small(small_dot):
    return band_edge_states(small_dot[1], n_vb=8, n_cb=4, method="dense")


@pytest.fixture(scope="session")
def dot35(request):
    """3.5 nm HgTe sphere and its band-edge states (shift-invert, ~1 min): computed once per test
    session and shared with the excitons/optics tests through the on-disk cache."""
    return hgte_dot(request.config.cache.mkdir("qdgain-hgte"), 3.5)
