"""Numerics shared by the engines."""
import numpy as np


def unit_rows(vectors):
    """``vectors / |vectors|`` along the last axis, the norm taken after scaling by the largest component, so that
    neither ``(1e200, 1e200, 0)`` overflows nor ``(1e-200, 1e-200, 0)`` underflows; ``(unit, zero)`` with ``zero``
    True where a vector is exactly zero (its row is then left zero)."""
    arr = np.asarray(vectors, dtype=float)
    scale = np.max(np.abs(arr), axis=-1, keepdims=True)
    zero = scale[..., 0] == 0.0
    scaled = arr / np.where(scale == 0.0, 1.0, scale)
    return scaled / np.linalg.norm(np.where(scale == 0.0, 1.0, scaled), axis=-1, keepdims=True), zero
