"""Reading a model's parameters from the ``[model]`` table of a spec, checked against a schema.

Each model kind declares a :data:`Schema` (key -> ``(kind, dimension, default)``); :func:`read_parameters`
checks a table against it and converts quantities to SI (:mod:`fastspin.scan.units`), and
:func:`checked_parameter` checks one value.  Errors are :class:`~fastspin.scan.errors.SpecError` naming
``model.<key>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np

from .errors import SpecError
from .units import to_si_factor

#: angles of a torque table, trajectories of a point and the like at most (each one an array in memory)
MAX_COUNT = 2**27

#: the rule of one model parameter: ``(kind, dimension, default)`` (see :func:`read_parameters`)
Schema: TypeAlias = "Mapping[str, tuple[str, str | None, Any]]"


def read_parameters(description: Mapping[str, Any], schema: Schema) -> dict[str, Any]:
    """Checked model parameters from a ``[model]`` table.

    ``schema`` maps each accepted key to ``(kind, dimension, default)`` with kind ``"number"``,
    ``"positive"``, ``"nonnegative"``, ``"integer"``, ``"count"`` (an integer in [1, :data:`MAX_COUNT`]: a size
    that is allocated), ``"string"``, ``"table"`` or ``"vector"`` (three numbers).  A number may be given as
    ``{value = ..., unit = "..."}``.  Errors are
    :class:`SpecError` naming ``model.<key>``.
    """
    values = {}
    for key in description:
        if key != "kind" and key not in schema:
            raise SpecError(f"model.{key}", f"unknown parameter (this model takes {', '.join(schema)})")
    for key, (kind, dimension, default) in schema.items():
        raw = description.get(key, default)
        values[key] = checked_parameter(f"model.{key}", raw, kind, dimension)
    return values


def checked_parameter(key: str, raw: Any, kind: str, dimension: str | None) -> Any:
    """One model parameter ``raw`` of ``kind`` (see :func:`read_parameters`), checked and in SI."""
    if raw is None:
        return None
    if kind in _STRUCTURED:
        return _STRUCTURED[kind](key, raw, dimension)
    unit = None
    if isinstance(raw, dict):
        if set(raw) - {"value", "unit"} or "value" not in raw:
            raise SpecError(key, 'a quantity is a number or {value = ..., unit = "..."}')
        raw, unit = raw["value"], raw.get("unit")
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise SpecError(key, f"must be a number, got {raw!r}")
    if kind in ("integer", "count"):
        return _integer(key, raw, kind)
    try:
        value = float(raw) * to_si_factor(unit, dimension or "dimensionless")  # numbers without a dimension are pure
    except ValueError as err:
        raise SpecError(key, str(err)) from None
    if not np.isfinite(value) or (kind == "positive" and value <= 0) or (kind == "nonnegative" and value < 0):
        rule = {"positive": "> 0", "nonnegative": ">= 0"}.get(kind, "finite")
        raise SpecError(key, f"must be {rule}, got {raw!r}")
    return value


def _integer(key, raw, kind):
    if not isinstance(raw, int) or raw < 1:
        raise SpecError(key, f"must be a positive integer, got {raw!r}")
    if kind == "count" and raw > MAX_COUNT:
        raise SpecError(key, f"must be at most 2**27 = {MAX_COUNT} (a size held in memory), got {raw!r}")
    return raw


def _string(key, raw, dimension):
    if not isinstance(raw, str):
        raise SpecError(key, f"must be a string, got {raw!r}")
    return raw


def _table(key, raw, dimension):
    if not isinstance(raw, dict):
        raise SpecError(key, f"must be a table, got {raw!r}")
    return {k: checked_parameter(f"{key}.{k}", v, "number", "dimensionless") for k, v in raw.items()}


def _vector(key, raw, dimension):
    if not (isinstance(raw, (list, tuple)) and len(raw) == 3):
        raise SpecError(key, f"must be three numbers [x, y, z], got {raw!r}")
    return tuple(checked_parameter(key, v, "number", dimension) for v in raw)


#: parameter kinds that are not a single number: kind -> checker ``(key, raw, dimension) -> value``
_STRUCTURED = {"string": _string, "table": _table, "vector": _vector}


STACK_SCHEMA: dict[str, tuple[str, str | None, Any]] = {
    "preset": ("string", None, "barnas2005:fig5"),
    "overrides": ("table", None, {}),
}
