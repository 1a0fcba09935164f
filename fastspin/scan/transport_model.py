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
from typing import Any, Self

import pandas as pd

from ..analysis import find_phi_c
from ..transport import evaluate
from .errors import SpecError
from .model import AxisInfo, Model, Points
from .model_parameters import STACK_SCHEMA, read_parameters
from .preset_stacks import build_stack, preset_name, transport_axis_info

#: bracketing intervals of ``phi_c`` (``n_coarse``) at most: a resolution of pi / 65536
MAX_N_COARSE = 2**16


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
