"""Explicit SIMD vectors for numba kernels: numba types backed by LLVM ``<L x double|float>``.

LLVM's auto-vectoriser does not keep a register tile of accumulators across a runtime loop (the
Chebyshev kernel with w = 16 floats per orbital ran its scalar remainder loop). These intrinsics
let generated source (:mod:`qdgain.electronic.chebkernel_gen`) name each accumulator vector as a
local variable; numba keeps locals in SSA form, so LLVM allocates them to zmm/ymm registers.

All loads and stores take a 1-D C-contiguous float64 or float32 array and a flat element index
and do *no* bounds checking (the generator guarantees the indices); the vector takes the
array's precision, and scalars given to the FMAs are converted to it. Lengths L = 2–16 lanes.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

# internal to chebkernel (generated source imports the names directly): nothing public
__all__: list[str] = []


class FVec(types.Type):
    """A SIMD vector of ``lanes`` floats of ``bits`` (64 or 32) bits: one LLVM ``<L x double>``
    or ``<L x float>``."""

    def __init__(self, lanes: int, bits: int = 64) -> None:
        self.lanes, self.bits = int(lanes), int(bits)
        super().__init__(name=f"f{self.bits}x{self.lanes}")

    @property
    def ir_element(self) -> ir.Type:
        return ir.DoubleType() if self.bits == 64 else ir.FloatType()


@register_model(FVec)
class _FVecModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type: FVec) -> None:
        super().__init__(dmm, fe_type, ir.VectorType(fe_type.ir_element, fe_type.lanes))


VEC = {(n, b): FVec(n, b) for n in (2, 4, 8, 16) for b in (64, 32)}
_BITS = {types.float64: 64, types.float32: 32}


def _ptr(context, builder, arrty, arr, idx, vt: FVec):
    """Pointer to element ``idx`` of a contiguous float array, cast to a vector pointer."""
    data = context.make_array(arrty)(context, builder, arr).data
    p = builder.gep(data, [idx], inbounds=True)
    return builder.bitcast(p, ir.PointerType(ir.VectorType(vt.ir_element, vt.lanes)))


def _check_arr(a) -> bool:
    return (isinstance(a, types.Array) and a.dtype in _BITS and a.ndim == 1
            and a.layout == "C")


@intrinsic
def vld(typingctx, arr, idx, lanes):
    """Load ``lanes`` (a literal int) consecutive floats arr[idx:idx+lanes] as a vector of the
    array's precision."""
    if not (_check_arr(arr) and isinstance(idx, types.Integer)
            and isinstance(lanes, types.IntegerLiteral)):
        return None
    vt = VEC[lanes.literal_value, _BITS[arr.dtype]]

    def codegen(context, builder, sig, args):
        p = _ptr(context, builder, sig.args[0], args[0], args[1], vt)
        return builder.load(p, align=vt.bits // 8)
    return vt(arr, idx, lanes), codegen


@intrinsic
def vst(typingctx, arr, idx, v):
    """Store vector v to arr[idx:idx+L] (same precision)."""
    if not (_check_arr(arr) and isinstance(idx, types.Integer) and isinstance(v, FVec)
            and _BITS[arr.dtype] == v.bits):
        return None

    def codegen(context, builder, sig, args):
        p = _ptr(context, builder, sig.args[0], args[0], args[1], sig.args[2])
        builder.store(args[2], p, align=sig.args[2].bits // 8)
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
    kind = "f64" if isinstance(vt.element, ir.DoubleType) else "f32"
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vt, [vt, vt, vt]),
                                        f"llvm.fma.v{vt.count}{kind}")
    return builder.call(fn, [a, b, c])


def _neg(builder, v):
    return builder.fsub(ir.Constant(v.type, [-0.0] * v.type.count), v)


def _splat(builder, s, vt: FVec):
    """Scalar s (float or double, converted to the vector's precision) in every lane."""
    el = vt.ir_element
    if s.type != el:
        s = builder.fptrunc(s, el) if vt.bits == 32 else builder.fpext(s, el)
    t = ir.VectorType(el, vt.lanes)
    v = builder.insert_element(ir.Constant(t, ir.Undefined), s, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(v, ir.Constant(t, ir.Undefined),
                                  ir.Constant(ir.VectorType(ir.IntType(32), vt.lanes),
                                              [0] * vt.lanes))


@intrinsic
def vfma(typingctx, acc, s, v):
    """acc + s·v with s a scalar (one fused multiply-add per lane)."""
    if not (isinstance(acc, FVec) and isinstance(s, types.Float) and acc == v):
        return None

    def codegen(context, builder, sig, args):
        return _fma(builder, _splat(builder, args[1], acc), args[2], args[0])
    return acc(acc, s, v), codegen


@intrinsic
def vfms(typingctx, s, v, sub):
    """s·v − sub with s a scalar (fused)."""
    if not (isinstance(sub, FVec) and isinstance(s, types.Float) and sub == v):
        return None

    def codegen(context, builder, sig, args):
        return _fma(builder, _splat(builder, args[0], v), args[1], _neg(builder, args[2]))
    return v(s, v, sub), codegen


@intrinsic
def vcj(typingctx, v):
    """i·z on interleaved complex lanes: (re, im) pairs → (−im, re)."""
    if not isinstance(v, FVec):
        return None

    def codegen(context, builder, sig, args):
        n = v.lanes
        mask = []
        for p in range(0, n, 2):
            mask += [p + 1, n + p]          # −v[p+1] from the negated copy, then v[p]
        return builder.shuffle_vector(_neg(builder, args[0]), args[0],
                                      ir.Constant(ir.VectorType(ir.IntType(32), n), mask))
    return v(v), codegen


