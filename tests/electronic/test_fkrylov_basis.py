"""Basis growth of the filtered Krylov chain: Gram–Schmidt with a conditional third pass and the
Kramers partners orthonormalised from their Gram matrix."""

from __future__ import annotations

import numpy as np

from qdgain.electronic.fkrylov import _new_directions, _with_partners
from qdgain.electronic.krylov import time_reversed

NORB = 9          # sp3d5 orbitals per atom and spin
N = 2 * NORB * 40
ORTH = 1e-12      # orthogonality a double-precision Gram–Schmidt reaches (≈ 100 u √n)


def _kramers_closed(rng, k):
    """Orthonormal, Θ-closed basis of 2k columns."""
    v = rng.standard_normal((N, k)) + 1j * rng.standard_normal((N, k))
    return np.linalg.qr(np.hstack([v, time_reversed(v, NORB)]))[0]


def test_new_directions_orthogonal_even_when_nearly_in_span():
    rng = np.random.default_rng(1)
    b = _kramers_closed(rng, 20)
    # p(H)y late in a chain: almost all of it in span(B), a 1e-9 remainder that the
    # normalisation magnifies 1e9 times (with the round-off left by the projection)
    y = b @ rng.standard_normal((40, 4)) + 1e-9 * rng.standard_normal((N, 4))
    q = _new_directions(b, y)
    assert q.shape[1] == 4
    assert np.abs(b.conj().T @ q).max() < ORTH
    assert np.abs(q.conj().T @ q - np.eye(4)).max() < ORTH
    # a column exactly in span(B) is dropped, not normalised noise
    y[:, 3] = b @ rng.standard_normal(40)
    assert _new_directions(b, y).shape[1] == 3


def test_partners_orthonormal_and_theta_closed():
    rng = np.random.default_rng(2)
    y, _ = np.linalg.qr(rng.standard_normal((N, 4)) + 1j * rng.standard_normal((N, 4)))
    z = _with_partners(y, NORB)
    assert z.shape[1] == 8
    assert np.abs(z.conj().T @ z - np.eye(8)).max() < ORTH
    # span(z) holds y and Θy, i.e. it is closed under time reversal
    for v in (y, time_reversed(y, NORB)):
        assert np.linalg.norm(v - z @ (z.conj().T @ v)) < 1e-12


def test_dependent_partners_fall_back_to_svd():
    """y holding a vector and its own partner: [y, Θy] has rank 2 k − 2; the dependent
    directions are dropped (the Löwdin route would divide by ≈ 0)."""
    rng = np.random.default_rng(3)
    v = rng.standard_normal((N, 3)) + 1j * rng.standard_normal((N, 3))
    y, _ = np.linalg.qr(np.hstack([v, time_reversed(v[:, :1], NORB)]))
    z = _with_partners(y, NORB)
    assert z.shape[1] == 6
    assert np.abs(z.conj().T @ z - np.eye(6)).max() < ORTH
