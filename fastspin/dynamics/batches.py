"""One call's per-trajectory inputs restricted to a range of trajectories, so that a large batch runs in chunks.

A call with ``n`` trajectories holds its per-trajectory values as arrays whose first axis has length ``n``: the
drives, ``m0``, the temperature, and the parameters of the magnets (:class:`FreeLayer`), of the terms and of
the waveforms.  :func:`take` returns the same inputs for trajectories ``lo .. hi - 1`` only; everything else
(scalars, single vectors, tables, stacks) is shared.  :func:`batch_length` finds ``n``.  Chunks are only taken
of batches larger than a few thousand trajectories, so a fixed-size array (a 3-vector, a torque table) is never
mistaken for a per-trajectory one.
"""

import copy
import dataclasses
from typing import Any

import numpy as np

from .layer import FreeLayer
from .system import System
from .terms import Term
from .waveforms import Waveform


def _children(value):
    """The values held by ``value`` that may carry per-trajectory arrays."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, FreeLayer):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, System):
        return [*value.magnets, *value.terms]
    if isinstance(value, (Term, Waveform)):
        return list(vars(value).values())
    return []


def batch_length(*values: object) -> int:
    """The largest first-axis length of the arrays (and lists of numbers) held by ``values``: the trajectory
    count of the call (1 when no input is per trajectory)."""
    longest = 1
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, np.ndarray):
            if value.ndim >= 1:
                longest = max(longest, value.shape[0])
        elif isinstance(value, (list, tuple)) and value and all(isinstance(x, (int, float, np.number)) for x in value):
            longest = max(longest, len(value))
        else:
            stack.extend(_children(value))
    return longest


def take(value: Any, lo: int, hi: int, n: int) -> Any:
    """``value`` restricted to trajectories ``lo .. hi - 1`` of ``n``: arrays (and sequences) whose first axis
    has length ``n`` are sliced; layers, systems, terms and waveforms are copied with their per-trajectory
    arrays sliced; anything else is returned as it is."""
    if isinstance(value, np.ndarray):
        return value[lo:hi] if value.ndim >= 1 and value.shape[0] == n else value
    if isinstance(value, (list, tuple)):
        if len(value) == n:
            return np.asarray(value)[lo:hi]
        return type(value)(take(x, lo, hi, n) for x in value)
    if isinstance(value, dict):
        return {key: take(x, lo, hi, n) for key, x in value.items()}
    if isinstance(value, FreeLayer):
        return dataclasses.replace(
            value,
            **{
                f.name: take(getattr(value, f.name), lo, hi, n)
                for f in dataclasses.fields(value)
                if f.init and f.name != "name"
            },
        )
    if isinstance(value, System):
        return System(
            [take(m, lo, hi, n) for m in value.magnets], [take(t, lo, hi, n) for t in value.terms], value.fixed
        )
    if isinstance(value, (Term, Waveform)):
        clone = copy.copy(value)
        for key, attr in vars(value).items():
            setattr(clone, key, take(attr, lo, hi, n))
        return clone
    return value
