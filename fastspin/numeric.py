"""Numerics shared by the engines."""

import numpy as np
import numpy.typing as npt

_SAFE_NORM = (1e-150, 1e150)  #: norms in this range are taken directly (no overflow or underflow of the squares)


def unit_rows(vectors: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """``vectors / |vectors|`` along the last axis; where the norm would overflow or underflow (beyond
    ``_SAFE_NORM``) it is taken after scaling by the largest component, so that neither ``(1e200, 1e200, 0)``
    overflows nor ``(1e-200, 1e-200, 0)`` underflows (vectors of ordinary size are divided by their norm as
    they are: bit for bit the plain formula).  Returns ``(unit, zero)``, ``zero`` True where a vector is exactly
    zero (its row is then left zero)."""
    arr = np.asarray(vectors, dtype=float)
    with np.errstate(over="ignore", under="ignore"):  # such norms are replaced by the scaled ones
        norm = np.linalg.norm(arr, axis=-1, keepdims=True)
    safe = (norm > _SAFE_NORM[0]) & (norm < _SAFE_NORM[1])
    scale = np.max(np.abs(arr), axis=-1, keepdims=True)
    zero = scale[..., 0] == 0.0
    scaled = arr / np.where(scale == 0.0, 1.0, scale)
    rescaled = scaled / np.linalg.norm(np.where(scale == 0.0, 1.0, scaled), axis=-1, keepdims=True)
    return np.where(safe, arr / np.where(safe, norm, 1.0), rescaled), zero
