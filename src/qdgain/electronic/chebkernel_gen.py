"""Generated, register-blocked Chebyshev step kernels specialised per (norb, w, on-site pattern).

One step z ← A x − z, acc += c_k z (A the pre-scaled operator of
:class:`~qdgain.electronic.chebkernel.ChebyshevFilter`, layout (atom, orbital, spin·2m floats))
is written out as straight-line source for a literal orbital count norb, row width w = 4m and
on-site sparsity pattern: per atom the output rows y_a (a < norb) of a lane chunk are held in
``norb × nv`` SIMD accumulators (:mod:`~qdgain.electronic.chebkernel_simd`, L = 8 lanes on
AVX-512), initialised from the diagonal and the on-site block, then updated per neighbour j by

    for c: x_c = X_j[c, chunk];  for a: y_a += E_b[a, c] · x_c      (broadcast FMA)

so each neighbour costs norb² · nv FMAs on registers plus norb · nv vector loads, and nothing is
spilled (18 accumulators for norb = 9, w = 16). Bonds whose block has one of the few common
zero patterns (one per bond direction) run a loop of their own with those FMAs left out (HgTe
sp3d5: ≈ 53 of 81 entries per bond are non-zero). Rows wider than the register budget are
covered by a runtime loop over tiles within each spin block, so the source size does not grow
with m. The source goes to a per-user cache folder (``$QDGAIN_KERNEL_DIR``, default
``~/.cache/qdgain/kernels``) so that numba's ``cache=True`` keeps the machine code between runs;
the first use of a new (norb, w, pattern) compiles for ≈ 10–30 s.

Measured (6 nm HgTe, 3277 atoms, one thread, AVX-512 EPYC, ``benchmarks/bench_kernel.py``):
0.50 ms per vector-product at m = 4 (generic kernel 3.3 ms), 0.60 ms at m = 8 (3.0 ms).
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

# internal to chebkernel (generated source imports the names directly): nothing public
__all__: list[str] = []

# bump when the generated source or the intrinsics' code changes: numba's on-disk cache of a
# generated module does not notice edits of chebkernel_simd
_VERSION = 1
_KERNELS: dict[str, object] = {}


def simd_lanes() -> tuple[int, int]:
    """(float64 lanes per vector register, accumulator budget) of the host CPU."""
    try:
        import llvmlite.binding as llvm
        feats = llvm.get_host_cpu_features()
        if feats.get("avx512f", False):
            return 8, 24
        if feats.get("avx", False):
            return 4, 12
    except Exception:  # pragma: no cover - exotic hosts
        pass
    return 2, 12


def _tiling(norb: int, w: int) -> tuple[int, int, bool]:
    """(L lanes per vector, nv vectors per orbital and tile, whole_row) for row width w floats.

    whole_row: one tile holds both spins of a row (straight-line code); otherwise each spin block
    of hw = w/2 floats is covered by a runtime loop over tiles of nv·L floats.
    """
    lmax, budget = simd_lanes()
    hw = w // 2
    lanes = math.gcd(hw, lmax)
    if norb * (w // lanes) <= budget:
        return lanes, w // lanes, True
    per_spin = hw // lanes
    nv = max(c for c in range(1, per_spin + 1) if per_spin % c == 0 and norb * c <= budget)
    return lanes, nv, False


class KernelTables(NamedTuple):
    """Flat tables of the generated kernel (see :func:`pack_tables`)."""

    pattern: np.ndarray     # int (P, 2): (r, q) of on-site entries non-zero in any type, by q
    masks: np.ndarray       # bool (K, norb, norb): zero patterns with their own neighbour loop
    ons: np.ndarray         # float (T·P·2,): Re, Im of the pattern entries per on-site type
    hop_t: np.ndarray       # float (B·norb·norb,): hop_t[b, c, a] = hop[b, a, c]
    cptr: np.ndarray        # int64 (n_atoms·(K+1) + 1,): neighbours of atom i in class p
    nbr: np.ndarray         # int32: neighbour atoms, grouped per atom by class
    blk: np.ndarray         # int32: their hopping blocks


def pack_tables(onsite: np.ndarray, hop: np.ndarray, nbr_ptr: np.ndarray, nbr_atom: np.ndarray,
                nbr_block: np.ndarray, *, max_classes: int = 6,
                min_share: float = 0.04) -> KernelTables:
    """Tables for the generated kernel from the block operator's (pre-scaled) tables.

    Hopping blocks of one bond direction share a zero pattern (≈ 35 % of the entries of the
    HgTe sp3d5 blocks are exactly zero); each of the ``max_classes`` most used patterns holding
    at least ``min_share`` of all bonds gets a neighbour loop of its own that skips those zeros,
    the other bonds go through the dense loop (class K). Within an atom the neighbours are
    re-ordered by class, which only changes the summation order.
    """
    nz = np.any(onsite != 0, axis=0)
    rq = np.argwhere(nz)
    pattern = rq[np.lexsort((rq[:, 0], rq[:, 1]))] if len(rq) else rq.reshape(0, 2)
    vals = onsite[:, pattern[:, 0], pattern[:, 1]] if len(pattern) else onsite[:, :0, 0]
    ons = np.ascontiguousarray(np.stack([vals.real, vals.imag], axis=-1)).reshape(-1)
    hop_t = np.ascontiguousarray(np.transpose(hop, (0, 2, 1))).reshape(-1)
    norb = hop.shape[1] if hop.ndim == 3 else 0
    n_atoms = len(nbr_ptr) - 1
    nbr_block = np.asarray(nbr_block)
    masks = np.zeros((0, norb, norb), bool)
    cls = np.zeros(len(nbr_block), np.int64)
    if len(hop) and len(nbr_block):
        keys, kinv = np.unique((hop != 0).reshape(len(hop), -1), axis=0, return_inverse=True)
        kinv = kinv.reshape(-1)
        use = np.bincount(kinv[nbr_block], minlength=len(keys))
        order = [p for p in np.argsort(-use, kind="stable")[:max_classes]
                 if use[p] >= min_share * len(nbr_block) and keys[p].sum() < norb * norb]
        masks = keys[order].reshape(-1, norb, norb)
        of_key = np.full(len(keys), len(order), np.int64)
        of_key[order] = np.arange(len(order))
        cls = of_key[kinv[nbr_block]]
    nk = len(masks) + 1
    atom = np.repeat(np.arange(n_atoms), np.diff(nbr_ptr))
    key = atom * nk + cls
    perm = np.argsort(key, kind="stable")
    cptr = np.searchsorted(key[perm], np.arange(n_atoms * nk + 1)).astype(np.int64)
    return KernelTables(pattern.astype(np.int64), masks, ons, hop_t, cptr,
                        np.ascontiguousarray(nbr_atom[perm], np.int32),
                        np.ascontiguousarray(nbr_block[perm], np.int32))


def _tile(norb: int, w: int, lanes: int, vecs: list, off: str, pattern: np.ndarray,
          masks: np.ndarray, ind: str) -> list[str]:
    """Source of one register tile: vectors (a, s, v) at lanes s·hw + off + v·L of orbital a."""
    hw, stride = w // 2, norb * w
    name = {(a, s, v): f"y{a}_{s}_{v}" for a, s, v in vecs}
    ix = {(a, s, v): f"bi + {off}{a * w + s * hw + v * lanes}" for a, s, v in vecs}
    vs = sorted({v for _, _, v in vecs})
    L = [f"{ind}# diagonal: y = d x - z"]
    for key in vecs:
        a, s, _ = key
        L.append(f"{ind}{name[key]} = vfms(ld(diag, bd + {s * norb + a}), "
                 f"vld(x, {ix[key]}, {lanes}), vld(z, {ix[key]}, {lanes}))")
    L.append(f"{ind}# on-site: y_r += (Re O_rq + i Im O_rq) x_q over the non-zero pattern")
    for v in vs:
        prev = None
        for p, (r, q) in enumerate(pattern):
            s, a = divmod(int(r), norb)
            s2, c = divmod(int(q), norb)
            if (a, s, v) not in name:
                continue
            if prev != q:
                L.append(f"{ind}xo = vld(x, bi + {off}{c * w + s2 * hw + v * lanes}, {lanes})")
                L.append(f"{ind}xj = vcj(xo)")
                prev = q
            y = name[a, s, v]
            L.append(f"{ind}{y} = vfma(vfma({y}, ld(ons, bo + {2 * p}), xo), "
                     f"ld(ons, bo + {2 * p + 1}), xj)")
    cols = sorted({(s, v) for _, s, v in vecs})
    nk = len(masks) + 1
    for p in range(nk):
        mask = masks[p] if p < len(masks) else np.ones((norb, norb), bool)
        L += [f"{ind}# neighbours of class {p}: y_a += E_b[a, c] x_j[c] for E_b[a, c] != 0",
              f"{ind}for k in range(ld(cptr, bc + {p}), ld(cptr, bc + {p + 1})):",
              f"{ind}    bj = ld(nbr, k) * {stride}{'' if not off else ' + ' + off[:-3]}",
              f"{ind}    be = ld(blk, k) * {norb * norb}"]
        first = True
        for c in range(norb):
            if not mask[:, c].any():
                continue
            if not first:
                L.append(f"{ind}    barrier()")
            first = False
            for s, v in cols:
                L.append(f"{ind}    x{s}{v} = vld(x, bj + {c * w + s * hw + v * lanes}, {lanes})")
            for a in range(norb):
                if not mask[a, c]:
                    continue
                L.append(f"{ind}    h = ld(hop, be + {c * norb + a})")
                for s, v in cols:
                    if (a, s, v) in name:
                        y = name[a, s, v]
                        L.append(f"{ind}    {y} = vfma({y}, h, x{s}{v})")
    for key in vecs:
        L.append(f"{ind}vst(z, {ix[key]}, {name[key]})")
        L.append(f"{ind}vst(acc, {ix[key]}, vfma(vld(acc, {ix[key]}, {lanes}), ck, {name[key]}))")
    return L


def _source(norb: int, w: int, pattern: np.ndarray, masks: np.ndarray) -> str:
    lanes, nv, whole = _tiling(norb, w)
    hw = w // 2
    L: list[str] = [
        "# generated by qdgain.electronic.chebkernel_gen: do not edit",
        f"# norb={norb} w={w} lanes={lanes} nv={nv} whole_row={whole} version={_VERSION}",
        "import numba",
        "from qdgain.electronic.chebkernel_simd import vld, vst, vfma, vfms, vcj, ld, barrier",
        "",
        "",
        "@numba.njit(parallel=True, fastmath=True, cache=True, error_model='numpy',",
        "            boundscheck=False)",
        "def step(x, z, acc, ck, diag, ons, otype, hop, cptr, nbr, blk):",
        "    for i in numba.prange(otype.shape[0]):",
        f"        bi = i * {norb * w}",
        f"        bd = i * {2 * norb}",
        f"        bo = ld(otype, i) * {2 * len(pattern)}",
        f"        bc = i * {len(masks) + 1}",
    ]
    if whole:
        vecs = [(a, s, v) for a in range(norb) for s in range(2) for v in range(hw // lanes)]
        L += _tile(norb, w, lanes, vecs, "", pattern, masks, " " * 8)
    else:
        for s in range(2):
            L.append(f"        for u in range(0, {hw}, {nv * lanes}):")
            vecs = [(a, s, v) for a in range(norb) for v in range(nv)]
            L += _tile(norb, w, lanes, vecs, "u + ", pattern, masks, " " * 12)
    return "\n".join(L) + "\n"


def _cache_dir() -> Path:
    base = os.environ.get("QDGAIN_KERNEL_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "qdgain", "kernels")
    return Path(base)


def generated_step(norb: int, w: int, pattern: np.ndarray, masks: np.ndarray | None = None):
    """The compiled step for (norb, w, on-site pattern, hopping zero patterns ``masks``),
    generated and imported once per process (machine code cached on disk by numba).

    Signature ``step(x, z, acc, ck, diag, ons, otype, hop_t, cptr, nbr, blk)`` on flat float64
    arrays x, z, acc (atom, orbital, w), diag (atom, spin, orbital), the on-site types
    ``otype`` and the tables of :func:`pack_tables` built with the same ``masks``.
    """
    masks = np.zeros((0, norb, norb), bool) if masks is None else np.asarray(masks, bool)
    src = _source(int(norb), int(w), np.asarray(pattern), masks)
    key = hashlib.sha1(src.encode()).hexdigest()[:16]
    if key in _KERNELS:
        return _KERNELS[key]
    path = None
    fallback = Path(tempfile.gettempdir()) / f"qdgain-kernels-{getattr(os, 'getuid', int)()}"
    for folder in (_cache_dir(), fallback):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"chebstep_{norb}_{w}_{key}.py"
            if not path.exists() or path.read_text() != src:   # keep the mtime: numba's key
                tmp = path.with_suffix(f".tmp{os.getpid()}")
                tmp.write_text(src)
                os.replace(tmp, path)
            break
        except OSError:
            path = None
    if path is None:
        raise OSError("no writable folder for the generated kernel source")
    modname = f"qdgain_chebstep_{key}"
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    _KERNELS[key] = mod.step
    return mod.step
