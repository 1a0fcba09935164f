"""Branch-free logarithm, sine and cosine that vectorize (SIMD) inside the lane loops of the kernels.

Without Intel SVML, LLVM has no vector versions of ``math.log``, ``math.sin`` and ``math.cos``: a lane
loop calling them runs one scalar libm call per lane.  These replacements use only arithmetic, bit
reinterpretation (``_bits`` / ``_from_bits``, an LLVM ``bitcast``) and selects, so a loop over lanes
compiles to vector instructions (8 lanes of float64 with AVX-512).  They take and return scalars,
allocate nothing and hold no Python objects, so the same source compiles for a GPU.

* :func:`log_unit`: fdlibm's ``__ieee754_log`` without branches (argument split by its bits into
  ``2^k z``, ``z`` in ``[sqrt(1/2), sqrt(2))``, and a degree-14 minimax polynomial in
  ``s = (z - 1)/(z + 1)``).
* :func:`sincos_2pi`: ``sin, cos (2 pi u)``, exact reduction ``u - k/4`` (``|r| <= 1/8``) and the
  minimax polynomials of fdlibm's ``__kernel_sin`` / ``__kernel_cos`` (degree 13 / 14, error below
  ``2^-58`` on ``|x| <= pi/4``) rescaled to ``x = 2 pi r``.
* :func:`sincos`, :func:`sin_any`, :func:`cos_any`: Cody-Waite reduction by ``pi/2`` split in three
  constants (27 + 21 + 53 bits) and the same fdlibm polynomials.

Errors are measured against extended-precision ``np.sin``, ``np.cos``, ``np.log`` on ``np.longdouble``
(tests/dynamics/test_vecmath.py).  Results for inputs outside the stated domains are unspecified
(no exception is raised).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .jit import leaf

if TYPE_CHECKING:
    from numba.core.base import BaseContext
    from numba.core.typing.templates import Signature

if numba.config.DISABLE_JIT:  # type: ignore[attr-defined]  # set at run time from the environment

    def _bits(x):
        """The IEEE-754 bits of the float64 ``x`` as an int64."""
        return np.float64(x).view(np.int64)

    def _from_bits(b):
        """The float64 whose IEEE-754 bits are the int64 ``b``."""
        return np.int64(b).view(np.float64)

else:

    @intrinsic
    def _bits(typingctx, x):
        """The IEEE-754 bits of the float64 ``x`` as an int64 (an LLVM ``bitcast``: no instruction)."""

        def codegen(
            context: BaseContext, builder: ir.IRBuilder, signature: Signature, args: Sequence[ir.Value]
        ) -> ir.Value:
            return builder.bitcast(args[0], ir.IntType(64))

        return types.int64(types.float64), codegen

    @intrinsic
    def _from_bits(typingctx, b):
        """The float64 whose IEEE-754 bits are the int64 ``b`` (an LLVM ``bitcast``)."""

        def codegen(
            context: BaseContext, builder: ir.IRBuilder, signature: Signature, args: Sequence[ir.Value]
        ) -> ir.Value:
            return builder.bitcast(args[0], ir.DoubleType())

        return types.float64(types.int64), codegen


# round-to-nearest-integer by adding and subtracting 1.5 2^52 (valid for |y| < 2^51); the integer is
# also in the low bits of the sum
_ROUND = 6755399441055744.0

# log: ln 2 = _LN2_HI + _LN2_LO (_LN2_HI has 32 significant bits: k _LN2_HI is exact for |k| < 2^21)
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01
_EXP_SHIFT = 0x3FF0000000000000 - 0x3FE6A09E00000000  # puts the mantissa cut at sqrt(1/2)
_MANT_MASK = 0x000FFFFFFFFFFFFF
_SQRT_HALF_HI = 0x3FE6A09E00000000
_TINY = 2.2250738585072014e-308  # smallest normal float64
_TWO54 = 18014398509481984.0

# sin, cos (x), |x| <= pi/4 (fdlibm __kernel_sin, __kernel_cos)
_S1 = -1.66666666666666324348e-01
_S2 = 8.33333333332248946124e-03
_S3 = -1.98412698298579493134e-04
_S4 = 2.75573137070700676789e-06
_S5 = -2.50507602534068634195e-08
_S6 = 1.58969099521155010221e-10
_C1 = 4.16666666666666019037e-02
_C2 = -1.38888888888741095749e-03
_C3 = 2.48015872894767294178e-05
_C4 = -2.75573143513906633035e-07
_C5 = 2.08757232129817482790e-09
_C6 = -1.13596475577881948265e-11

# the same polynomials in r = x / (2 pi), |r| <= 1/8: coefficient S_k (2 pi)^(2k+1), C_k (2 pi)^(2k+2)
_TWO_PI_HI = 6.283185307179586
_TWO_PI_LO = 2.4492935982947064e-16
_HALF_TWO_PI_SQ = 19.739208802178716  # (2 pi)^2 / 2
_R_S1 = -41.34170224039968
_R_S2 = 81.60524927596886
_R_S3 = -76.7058597089433
_R_S4 = 42.05868552483791
_R_S5 = -15.093830287058815
_R_S6 = 3.7813859205893228
_R_C1 = 64.9393940226682
_R_C2 = -85.45681720660279
_R_C3 = 60.2446413424593
_R_C4 = -26.426252110769937
_R_C5 = 7.90314500414306
_R_C6 = -1.697786258825899

# pi/2 = _PIO2_1 + _PIO2_2 + _PIO2_3 (27, 21 and 53 significant bits: k _PIO2_1 and k _PIO2_2 are exact
# for |k| < 2^26)
_PIO2_1 = 1.570796325802803  # 0x1.921fb54p+0
_PIO2_2 = 9.920935739593517e-10  # 0x1.10b461p-30
_PIO2_3 = 5.721188726109832e-18
_TWO_OVER_PI = 0.6366197723675814


@leaf
def log_unit(u: float) -> float:
    """Natural logarithm of a positive finite float64 ``u`` (subnormals included), branch-free.

    ``u = 2^k z`` with ``z`` in ``[sqrt(1/2), sqrt(2))`` from the bits of ``u`` (subnormals scaled by
    ``2^54`` first), then ``log z = f - f^2/2 + s (f^2/2 + R(s^2))``, ``f = z - 1``, ``s = f/(2 + f)``,
    ``R`` the degree-7 minimax polynomial of fdlibm, and ``k ln 2`` in two parts.  ``log_unit(1) = 0``
    exactly.  Measured error against ``np.log`` in extended precision (2.6e6 points: uniform on
    (0, 1], the uniforms ``(m + 1) 2^-53`` of fastspin.dynamics.rng down to ``2^-53``, log-uniform over
    all positive doubles including subnormals, ``1 +- 1e-6``): at most 0.83 ulp, relative 1.5e-16,
    absolute 4.6e-17 for ``|u - 1| < 0.3``.  For ``u <= 0``, infinite or NaN the result is unspecified.
    """
    u = u * 1.0
    tiny = u < _TINY
    x = u * _TWO54 if tiny else u
    ix = _bits(x) + _EXP_SHIFT
    k = (ix >> 52) - (1023 + 54 if tiny else 1023)
    z = _from_bits((ix & _MANT_MASK) + _SQRT_HALF_HI)
    f = z - 1.0
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    s2 = s * s
    w = s2 * s2
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = s2 * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    dk = np.float64(k)
    return dk * _LN2_HI - ((hfsq - (s * (hfsq + (t2 + t1)) + dk * _LN2_LO)) - f)


@leaf
def _quadrant(q, s, c):
    """``(sin, cos)(a + q pi/2)`` from ``s = sin a``, ``c = cos a`` and the low bits of the integer ``q``
    (selects only)."""
    odd = (q & 1) != 0
    sn = c if odd else s
    cs = s if odd else c
    sn = -sn if (q & 2) != 0 else sn
    cs = -cs if ((q + 1) & 2) != 0 else cs
    return sn, cs


@leaf
def sincos_2pi(u: float) -> tuple[float, float]:
    """``(sin(2 pi u), cos(2 pi u))`` for a float64 ``u``, ``|u| < 2^50``, branch-free.

    ``u = k/4 + r`` with ``k`` the nearest integer to ``4 u`` and ``|r| <= 1/8`` (exact: no rounding in
    the reduction), the fdlibm minimax polynomials of ``sin`` and ``cos`` on ``[-pi/4, pi/4]`` rescaled
    to ``r`` (``2 pi`` in two parts for the linear term), then a quadrant select.  Measured maximum
    absolute error against extended precision (4e6 uniform points of [0, 1], the multiples of 1/8 in
    [-1, 2] and their neighbours 1 and 2 ulp away, 2^-53; 1e5 points up to ``|u| = 2^40``): 1.5e-16
    for sin and cos, with or without FMA contraction.
    """
    u = u * 1.0
    t = 4.0 * u + _ROUND
    kf = t - _ROUND
    r = u - 0.25 * kf
    r2 = r * r
    s = _TWO_PI_HI * r + r * (
        _TWO_PI_LO + r2 * (_R_S1 + r2 * (_R_S2 + r2 * (_R_S3 + r2 * (_R_S4 + r2 * (_R_S5 + r2 * _R_S6)))))
    )
    c = 1.0 - (
        _HALF_TWO_PI_SQ * r2
        - r2 * r2 * (_R_C1 + r2 * (_R_C2 + r2 * (_R_C3 + r2 * (_R_C4 + r2 * (_R_C5 + r2 * _R_C6)))))
    )
    return _quadrant(_bits(t), s, c)


@leaf
def sincos(x: float) -> tuple[float, float]:
    """``(sin x, cos x)`` for a finite float64 ``x``, branch-free.

    ``x = k pi/2 + a`` with ``k`` the nearest integer to ``2x/pi`` and ``|a| <= pi/4``, by Cody-Waite
    reduction with ``pi/2`` split in three constants (``k pi/2`` carries no rounding for ``|k| < 2^26``,
    ``|x| < 1e8``), then fdlibm's minimax polynomials on ``[-pi/4, pi/4]`` and a quadrant select.
    Measured maximum absolute error against extended precision (2e6 points each, uniform on
    ``|x| <= 1``, ``10^4``, ``10^6``, ``10^8``, plus the doubles nearest to 2000 multiples of ``pi/4`` in
    each range and their neighbours 1 and 2 ulp away): 1.6e-16 for ``|x| <= 1``, 1.9e-16 up to
    ``|x| = 10^8``.  Beyond ``10^8`` the reduction loses accuracy gradually (unspecified for
    ``|x| >= 2^51``).
    """
    x = x * 1.0
    t = x * _TWO_OVER_PI + _ROUND
    kf = t - _ROUND
    a = ((x - kf * _PIO2_1) - kf * _PIO2_2) - kf * _PIO2_3
    z = a * a
    s = a + a * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * _S6)))))
    c = 1.0 - (0.5 * z - z * z * (_C1 + z * (_C2 + z * (_C3 + z * (_C4 + z * (_C5 + z * _C6))))))
    return _quadrant(_bits(t), s, c)


@leaf
def sin_any(x: float) -> float:
    """``sin x`` for a finite float64 ``x`` (:func:`sincos`; same accuracy)."""
    return sincos(x)[0]


@leaf
def cos_any(x: float) -> float:
    """``cos x`` for a finite float64 ``x`` (:func:`sincos`; same accuracy)."""
    return sincos(x)[1]
