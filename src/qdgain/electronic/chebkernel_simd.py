"""Explicit SIMD vectors of float64 for numba kernels: a numba type backed by LLVM ``<L x double>``.

LLVM's auto-vectoriser does not keep a register tile of accumulators across a runtime loop (the
Chebyshev kernel with w = 16 floats per orbital ran its scalar remainder loop). These intrinsics
let generated source (:mod:`qdgain.electronic.chebkernel_gen`) name each accumulator vector as a
local variable; numba keeps locals in SSA form, so LLVM allocates them to zmm/ymm registers.

All loads and stores take a 1-D C-contiguous float64 array and a flat element index and do *no*
bounds checking (the generator guarantees the indices). Lengths L = 2, 4, 8 lanes.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

# internal to chebkernel (generated source imports the names directly): nothing public
__all__: list[str] = []


class F64Vec(types.Type):
    """A SIMD vector of ``lanes`` float64 values (one LLVM ``<lanes x double>``)."""

    def __init__(self, lanes: int) -> None:
        self.lanes = int(lanes)
        super().__init__(name=f"f64x{self.lanes}")


@register_model(F64Vec)
class _F64VecModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type: F64Vec) -> None:
        super().__init__(dmm, fe_type, ir.VectorType(ir.DoubleType(), fe_type.lanes))


VEC = {n: F64Vec(n) for n in (2, 4, 8)}
_F64 = ir.DoubleType()


def _ptr(context, builder, arrty, arr, idx, lanes):
    """Pointer to element ``idx`` of a contiguous float64 array, cast to a vector pointer."""
    data = context.make_array(arrty)(context, builder, arr).data
    p = builder.gep(data, [idx], inbounds=True)
    return builder.bitcast(p, ir.PointerType(ir.VectorType(_F64, lanes)) if lanes else p.type)


def _check_arr(a) -> bool:
    return (isinstance(a, types.Array) and a.dtype == types.float64 and a.ndim == 1
            and a.layout == "C")


@intrinsic
def vld(typingctx, arr, idx, lanes):
    """Load ``lanes`` (a literal int) consecutive floats arr[idx:idx+lanes] as a vector."""
    if not (_check_arr(arr) and isinstance(idx, types.Integer)
            and isinstance(lanes, types.IntegerLiteral)):
        return None
    vt = VEC[lanes.literal_value]

    def codegen(context, builder, sig, args):
        p = _ptr(context, builder, sig.args[0], args[0], args[1], vt.lanes)
        return builder.load(p, align=8)
    return vt(arr, idx, lanes), codegen


@intrinsic
def vst(typingctx, arr, idx, v):
    """Store vector v to arr[idx:idx+L]."""
    if not (_check_arr(arr) and isinstance(idx, types.Integer) and isinstance(v, F64Vec)):
        return None

    def codegen(context, builder, sig, args):
        p = _ptr(context, builder, sig.args[0], args[0], args[1], sig.args[2].lanes)
        builder.store(args[2], p, align=8)
        return context.get_dummy_value()
    return types.none(arr, idx, v), codegen


@intrinsic
def ld(typingctx, arr, idx):
    """Scalar arr[idx] of a 1-D contiguous array, without wraparound or bounds checks."""
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"
            and isinstance(idx, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        return builder.load(builder.gep(data, [args[1]], inbounds=True))
    return arr.dtype(arr, idx), codegen


@intrinsic
def barrier(typingctx):
    """Compiler-only memory barrier: keeps the scheduler from hoisting the loads of later
    groups (which made LLVM broadcast a whole hopping block up front and spill it)."""
    def codegen(context, builder, sig, args):
        fnty = ir.FunctionType(ir.VoidType(), [])
        builder.asm(fnty, "", "~{memory}", [], side_effect=True)
        return context.get_dummy_value()
    return types.none(), codegen


def _fma(builder, a, b, c):
    """a·b + c through ``llvm.fma`` on vectors (llvmlite's builder.fma takes scalars only)."""
    vt = a.type
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vt, [vt, vt, vt]),
                                        f"llvm.fma.v{vt.count}f64")
    return builder.call(fn, [a, b, c])


def _neg(builder, v):
    return builder.fsub(ir.Constant(v.type, [-0.0] * v.type.count), v)


def _splat(builder, s, lanes):
    vt = ir.VectorType(_F64, lanes)
    v = builder.insert_element(ir.Constant(vt, ir.Undefined), s, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(v, ir.Constant(vt, ir.Undefined),
                                  ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes))


@intrinsic
def vfma(typingctx, acc, s, v):
    """acc + s·v with s a scalar (one fused multiply-add per lane)."""
    if not (isinstance(acc, F64Vec) and isinstance(s, types.Float) and acc == v):
        return None

    def codegen(context, builder, sig, args):
        return _fma(builder, _splat(builder, args[1], acc.lanes), args[2], args[0])
    return acc(acc, types.float64, v), codegen


@intrinsic
def vfms(typingctx, s, v, sub):
    """s·v − sub with s a scalar (fused)."""
    if not (isinstance(sub, F64Vec) and isinstance(s, types.Float) and sub == v):
        return None

    def codegen(context, builder, sig, args):
        return _fma(builder, _splat(builder, args[0], v.lanes), args[1], _neg(builder, args[2]))
    return v(types.float64, v, sub), codegen


@intrinsic
def vcj(typingctx, v):
    """i·z on interleaved complex lanes: (re, im) pairs → (−im, re)."""
    if not isinstance(v, F64Vec):
        return None

    def codegen(context, builder, sig, args):
        n = v.lanes
        mask = []
        for p in range(0, n, 2):
            mask += [p + 1, n + p]          # −v[p+1] from the negated copy, then v[p]
        return builder.shuffle_vector(_neg(builder, args[0]), args[0],
                                      ir.Constant(ir.VectorType(ir.IntType(32), n), mask))
    return v(v), codegen


