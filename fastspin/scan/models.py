"""The physics models a scan can evaluate by name (``[model] kind = ...`` in a spec).

* ``"transport"`` (:class:`TransportModel`): torques, accumulation and resistance of a preset stack
  (:func:`fastspin.transport.evaluate`) over any transport parameters.
* ``"phi_c"`` (:class:`PhiCModel`): the zero of the in-plane torque inside (0, pi) and the slopes at
  0 and pi (:func:`fastspin.analysis.find_phi_c`) over transport parameters.
* ``"dynamics"`` (:class:`~fastspin.scan.dynamics_model.DynamicsModel`): the macrospin LLGS driven
  by the tabulated transport torque of a preset, over current, field and layer parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeAlias

import numpy as np
import pandas as pd

from ..analysis import find_phi_c
from ..transport import evaluate
from .errors import SpecError
from .model import AxisInfo, Model, Points
from .stacks import build_stack, preset_name, transport_axis_info
from .units import to_si_factor

#: angles of a torque table, trajectories of a point and the like at most (each one an array in memory)
MAX_COUNT = 2**27
#: bracketing intervals of ``phi_c`` (``n_coarse``) at most: a resolution of pi / 65536
MAX_N_COARSE = 2**16

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
        values[key] = _checked(f"model.{key}", raw, kind, dimension)
    return values


def _checked(key, raw, kind, dimension):
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
        value = float(raw) * to_si_factor(unit, dimension)
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
    return {k: _checked(f"{key}.{k}", v, "number", "dimensionless") for k, v in raw.items()}


def _vector(key, raw, dimension):
    if not (isinstance(raw, (list, tuple)) and len(raw) == 3):
        raise SpecError(key, f"must be three numbers [x, y, z], got {raw!r}")
    return tuple(_checked(key, v, "number", dimension) for v in raw)


#: parameter kinds that are not a single number: kind -> checker ``(key, raw, dimension) -> value``
_STRUCTURED = {"string": _string, "table": _table, "vector": _vector}


STACK_SCHEMA: dict[str, tuple[str, str | None, Any]] = {
    "preset": ("string", None, "barnas2005:fig5"),
    "overrides": ("table", None, {}),
}


class TransportModel(Model):
    """Transport outputs of a preset stack over transport parameters (``phi``, ``N.thickness``, ...).

    Output columns are those of :func:`fastspin.transport.evaluate` (torques normalised by
    ``hbar I0/|e|``, ``g_amplitude``, ``phi_g``, ``resistance_area`` in Ohm m^2, ...).
    """

    kind = "transport"
    default_chunk_size = 65536

    def __init__(self, preset: str = "barnas2005:fig5", overrides: Mapping[str, float] | None = None) -> None:
        self.preset = preset_name(preset)
        self.overrides = dict(overrides or {})
        self.stack = build_stack(self.preset, self.overrides)

    @classmethod
    def from_dict(cls, description: dict[str, Any]) -> Self:
        return cls(**read_parameters(description, STACK_SCHEMA))

    def axis_info(self, name: str) -> AxisInfo:
        return transport_axis_info(self.stack, name)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "preset": self.preset, "overrides": self.overrides}

    def __call__(self, points: Points) -> pd.DataFrame:
        params = {k: v for k, v in points.items() if k != "point"}
        frame = evaluate(self.stack, params)
        inputs = {c for k in params for c in (k, f"{k}_real", f"{k}_imag")}
        return frame[[c for c in frame.columns if c not in inputs]]


class PhiCModel(TransportModel):
    """Zero ``phi_c`` of ``tau_phi`` in (0, pi) and the slopes at 0 and pi, over transport parameters.

    Parameters ``n_coarse`` (bracketing intervals on [0, pi]) and ``xtol`` (rad) are those of
    :func:`fastspin.analysis.find_phi_c`.
    """

    kind = "phi_c"
    default_chunk_size = 2048

    def __init__(
        self,
        preset: str = "barnas2005:fig5",
        overrides: Mapping[str, float] | None = None,
        n_coarse: int = 64,
        xtol: float = 1e-10,
    ) -> None:
        super().__init__(preset, overrides)
        if isinstance(n_coarse, bool) or not isinstance(n_coarse, int) or not 2 <= n_coarse <= MAX_N_COARSE:
            raise SpecError(
                "model.n_coarse",
                f"must be an integer in [2, 2**16 = {MAX_N_COARSE}] (intervals of the "
                f"bracketing grid on [0, pi]), got {n_coarse!r}",
            )
        self.n_coarse = n_coarse
        self.xtol = xtol

    @classmethod
    def from_dict(cls, description: dict[str, Any]) -> Self:
        schema = dict(STACK_SCHEMA, n_coarse=("count", None, 64), xtol=("positive", "angle", 1e-10))
        return cls(**read_parameters(description, schema))

    def axis_info(self, name: str) -> AxisInfo:
        return transport_axis_info(self.stack, name, allow_phi=False, allow_vector=False)

    def to_dict(self) -> dict[str, Any]:
        return dict(super().to_dict(), kind=self.kind, n_coarse=self.n_coarse, xtol=self.xtol)

    def __call__(self, points: Points) -> pd.DataFrame:
        params = {k: v for k, v in points.items() if k != "point"}
        return find_phi_c(self.stack, params, n_coarse=self.n_coarse, xtol=self.xtol)
