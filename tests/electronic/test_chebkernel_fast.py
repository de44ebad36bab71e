"""Generated SIMD Chebyshev step (chebkernel_gen) against the SciPy CSR recurrence and the generic
numba kernel, for several block sizes and for the register tilings of AVX2 / SSE hosts."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.electronic import build_dot
from qdgain.electronic.blockop import HAVE_NUMBA, block_operator
from qdgain.electronic.chebkernel import ChebyshevFilter
from qdgain.structure import Sphere

pytestmark = pytest.mark.skipif(not HAVE_NUMBA, reason="numba not installed")

# both sides sum the same products in another order: round-off ~ 1e-15 per degree
REL = 1e-12


@pytest.fixture(scope="module")
def dot():
    """2.5 nm sphere of the default HgTe model (sp3d5 + SOC, passivated surface)."""
    H = build_dot("HgTe", Sphere(diameter_nm=2.5))[1]
    op = block_operator(H.matrix, H.n_orbitals)
    r = float(np.abs(H.matrix).sum(axis=1).max())        # Gershgorin radius, eV
    return H, op, (-r, r)


def csr_filter(matrix, x, coeffs, bounds):
    """Σ c_k T_k(H̃) X by the three-term recurrence on the CSR matrix."""
    c, h = 0.5 * (bounds[1] + bounds[0]), 0.5 * (bounds[1] - bounds[0])
    ht = lambda v: (matrix @ v - c * v) / h  # noqa: E731
    t0, t1 = x, ht(x)
    y = coeffs[0] * t0 + coeffs[1] * t1
    for ck in coeffs[2:]:
        t0, t1 = t1, 2 * ht(t1) - t0
        y = y + ck * t1
    return y


def _rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("m", [1, 4, 8])
def test_generated_equals_csr(dot, m):
    H, op, bounds = dot
    rng = np.random.default_rng(m)
    x = rng.standard_normal((H.n_basis, m)) + 1j * rng.standard_normal((H.n_basis, m))
    coeffs = rng.standard_normal(7)
    ref = csr_filter(H.matrix, x, coeffs, bounds)
    f = ChebyshevFilter(op, bounds)
    y = f.apply(x, coeffs)
    assert f._fast[4 * m] is not None          # the generated kernel ran
    assert _rel(y, ref) <= REL
    g = ChebyshevFilter(op, bounds)
    g.use_generated = False
    assert _rel(y, g.apply(x, coeffs)) <= REL
    if m == 1:
        assert _rel(f.apply(x[:, 0], coeffs), ref[:, 0]) <= REL


@pytest.mark.parametrize(("lanes", "m"), [((4, 12), 4), ((2, 12), 3), ((8, 24), 16)])
def test_other_tilings(dot, monkeypatch, lanes, m):
    """AVX2 (4 lanes, 16 registers) and SSE tilings run here too (any x86-64 host), and the
    per-spin tile loop of wide blocks (m = 16: two tiles per spin)."""
    import qdgain.electronic.chebkernel_gen as gen

    monkeypatch.setattr(gen, "simd_lanes", lambda: lanes)
    H, op, bounds = dot
    rng = np.random.default_rng(10 + m)
    x = rng.standard_normal((H.n_basis, m)) + 1j * rng.standard_normal((H.n_basis, m))
    coeffs = rng.standard_normal(4)
    f = ChebyshevFilter(op, bounds)
    assert _rel(f.apply(x, coeffs), csr_filter(H.matrix, x, coeffs, bounds)) <= REL
    assert f._fast[4 * m] is not None


def test_tables_cover_onsite(dot):
    """The packed on-site pattern holds every non-zero on-site entry of every type."""
    from qdgain.electronic.chebkernel_gen import pack_tables

    _, op, bounds = dot
    f = ChebyshevFilter(op, bounds)
    t = pack_tables(f._onsite, f._hop, op.nbr_ptr, op.nbr_atom, op.nbr_block)
    pattern, ons, hop_t = t.pattern, t.ons, t.hop_t
    rebuilt = np.zeros_like(f._onsite)
    vals = ons.reshape(len(f._onsite), len(pattern), 2)
    rebuilt[:, pattern[:, 0], pattern[:, 1]] = vals[..., 0] + 1j * vals[..., 1]
    assert np.array_equal(rebuilt, f._onsite)
    norb = op.n_orbitals
    assert np.array_equal(hop_t.reshape(-1, norb, norb).transpose(0, 2, 1), f._hop)
    # every bond once, in its atom's slot, in a class whose zero pattern covers its block
    nk = len(t.masks) + 1
    assert t.cptr[-1] == len(op.nbr_atom) and np.all(np.diff(t.cptr) >= 0)
    for i in range(op.n_atoms):
        sl = slice(op.nbr_ptr[i], op.nbr_ptr[i + 1])
        got = sorted(zip(t.nbr[t.cptr[i * nk]:t.cptr[(i + 1) * nk]],
                         t.blk[t.cptr[i * nk]:t.cptr[(i + 1) * nk]], strict=True))
        assert got == sorted(zip(op.nbr_atom[sl], op.nbr_block[sl], strict=True))
        for p, mask in enumerate(t.masks):
            blocks = f._hop[t.blk[t.cptr[i * nk + p]:t.cptr[i * nk + p + 1]]]
            assert not np.any(blocks[:, ~mask])


def test_generation_failure_falls_back(dot, monkeypatch):
    """Without a generated kernel (e.g. no writable folder) the generic kernel runs, with a
    warning, and gives the same filter."""
    import qdgain.electronic.chebkernel as ck

    def broken(*args, **kwargs):
        raise OSError("read-only")

    monkeypatch.setattr(ck, "generated_step", broken)
    H, op, bounds = dot
    rng = np.random.default_rng(3)
    x = rng.standard_normal((H.n_basis, 2)) + 1j * rng.standard_normal((H.n_basis, 2))
    coeffs = rng.standard_normal(5)
    f = ChebyshevFilter(op, bounds)
    with pytest.warns(RuntimeWarning, match="generic kernel"):
        y = f.apply(x, coeffs)
    assert f._fast[8] is None
    assert _rel(y, csr_filter(H.matrix, x, coeffs, bounds)) <= REL


def test_single_precision_filter(dot):
    """float32 recurrence (the same generated source compiled for float32): agrees with the
    float64 filter to the float32 round-off accumulated over the degree (ε₃₂ = 6e-8 per step,
    40 steps: ≲ 1e-5 relative), and really is single precision (error ≫ float64's 1e-15)."""
    from qdgain.electronic.filters import delta_filter

    H, op, bounds = dot
    rng = np.random.default_rng(7)
    x = rng.standard_normal((H.n_basis, 4)) + 1j * rng.standard_normal((H.n_basis, 4))
    coeffs = delta_filter(0.3, bounds, 40)
    f = ChebyshevFilter(op, bounds)
    assert f.single_available
    y64 = f.apply(x, coeffs)
    y32 = f.apply(x, coeffs, single=True)
    assert y32.dtype == np.complex128 and y32.shape == y64.shape
    err = _rel(y32, y64)
    assert 1e-9 < err < 1e-5
    assert f.n_matvec_single == 4 * 40 and f.n_matvec == 2 * 4 * 40
    g = ChebyshevFilter(op, bounds)
    g.use_generated = False
    with pytest.raises(RuntimeError, match="generated kernel"):
        g.apply(x, coeffs, single=True)


def test_moments_equal_csr_recurrence(dot):
    """KPM moments in the kernel's layout equal ⟨z|T_k(H̃)|z⟩ from the CSR recurrence."""
    H, op, bounds = dot
    rng = np.random.default_rng(8)
    z = np.exp(2j * np.pi * rng.random((H.n_basis, 5)))      # 5 columns: a padded block
    f = ChebyshevFilter(op, bounds)
    mu = f.moments(z, 12)
    c, h = 0.5 * (bounds[1] + bounds[0]), 0.5 * (bounds[1] - bounds[0])
    t0, t1 = z, (H.matrix @ z - c * z) / h
    ref = [np.einsum("ij,ij->j", z.conj(), t0).real, np.einsum("ij,ij->j", z.conj(), t1).real]
    for _ in range(10):
        t0, t1 = t1, 2 * (H.matrix @ t1 - c * t1) / h - t0
        ref.append(np.einsum("ij,ij->j", z.conj(), t1).real)
    assert np.abs(mu - np.array(ref)).max() <= REL * H.n_basis
    assert f.n_matvec == 5 * 6
    with pytest.raises(ValueError, match="even"):
        f.moments(z, 7)
