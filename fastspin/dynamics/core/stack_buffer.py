"""Scratch buffers on the stack for the batch kernels (``stack_buffer``).

A block's state buffer is an LLVM ``alloca`` rather than a NumPy array: LLVM's alias analysis then
knows that it overlaps none of the kernel's array arguments (an argument never points into memory
allocated inside the function), so the loop over the lanes of a block vectorizes even with table
lookups whose addresses depend on the data (gathers), for which no runtime overlap check exists.
A heap array's data pointer is loaded from its meminfo; telling it apart from the arguments would
rely on capture tracking, which gives up on functions as large as these kernels (LLVM explores at
most 100 uses of a pointer).  With ``NUMBA_DISABLE_JIT=1`` the buffer is a NumPy array.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numba
import numpy as np
import numpy.typing as npt
from numba import carray, njit, types
from numba.core import cgutils
from numba.extending import intrinsic

if TYPE_CHECKING:
    from llvmlite import ir
    from numba.core.base import BaseContext
    from numba.core.typing.templates import Signature

if numba.config.DISABLE_JIT:  # type: ignore[attr-defined]  # set at run time from the environment

    def stack_buffer(size: int) -> npt.NDArray[np.float64]:
        """Uninitialised float64 buffer of ``size`` elements."""
        return np.empty(size)

    def stack_rows(rows: int, size: int) -> npt.NDArray[np.uint64]:
        """Uninitialised uint64 array of shape ``(rows, size)``."""
        return np.empty((rows, size), dtype=np.uint64)

else:

    @intrinsic(prefer_literal=True)
    def _alloca(typingctx, rows, size, unsigned):
        """Pointer to ``rows * size`` float64 (``unsigned`` False) or uint64 (True) on the stack of the calling
        function, allocated once in its entry block (all three arguments compile-time constants)."""
        if not all(isinstance(a, (types.IntegerLiteral, types.BooleanLiteral)) for a in (rows, size, unsigned)):
            return None
        element = types.uint64 if unsigned.literal_value else types.float64
        count = rows.literal_value * size.literal_value

        def codegen(
            context: BaseContext, builder: ir.IRBuilder, signature: Signature, args: Sequence[ir.Value]
        ) -> ir.Value:
            return cgutils.alloca_once(builder, context.get_value_type(element), size=count)

        return types.CPointer(element)(rows, size, unsigned), codegen

    @njit(cache=True, inline="always")
    def stack_buffer(size: int) -> npt.NDArray[np.float64]:
        """Uninitialised float64 buffer of ``size`` elements (a compile-time constant) on the stack;
        valid until the enclosing compiled function returns."""
        return carray(_alloca(1, size, False), size)  # type: ignore[call-arg]  # stub counts typingctx as an argument

    @njit(cache=True, inline="always")
    def stack_rows(rows: int, size: int) -> npt.NDArray[np.uint64]:
        """Uninitialised uint64 array of shape ``(rows, size)`` (compile-time constants) on the stack."""
        return carray(_alloca(rows, size, True), (rows, size))  # type: ignore[call-arg]  # stub counts typingctx
