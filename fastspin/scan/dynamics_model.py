"""The ``"dynamics"`` scan model: macrospin LLGS outcomes over current, field and layer parameters.

The free layer is the thin magnet (F2) of a preset stack, driven by that stack's transport torque
tabulated once (``a_n(theta)``, ``b_n(theta)`` on ``n_angles`` angles from
:func:`fastspin.transport.evaluate`, interpolated in the kernel by
:class:`fastspin.dynamics.TabulatedTorque`), or by a constant Slonczewski torque
(``torque = "constant"``).  Transport parameters of the stack may be axes too: the points of a
chunk are grouped by stack and each group is integrated with its own table.  Geometry: easy axis and fixed-layer
magnetization ``p`` along x, thin
film normal to z (``demag = (0, 0, 1)`` by default), applied field ``(field, field_y, field_z)``.

Each point starts from the parallel (``start = "P"``: ``m0 = p`` tilted by ``tilt`` in the plane)
or the antiparallel state (``"AP"``: ``m0 = -p`` tilted likewise); a scan over both starts exposes
bistability.  The rows hold the outcomes of :func:`fastspin.dynamics.simulate` (``state``, ``settled``,
``mx, my, mz``, ``switched``, ``switching_time``, ``frequency``, ``orbit_energy_ratio``, ...), run with the
stiffness fields of the start state as the weights of the orbit energy: a small orbit about the start
state is then labelled by whether its window-averaged energy grows or decays, which changes exactly
where the linear stability threshold is (:func:`fastspin.analysis.critical_currents_linear`), whatever
the duration.  Runs that have not settled at the end (an orbit still growing or decaying measurably)
run again for twice as long, up to ``max_duration``; ``duration`` says how long each one ran.
``start_stable``: the start state is an energy minimum (in-plane and out-of-plane stiffness fields
positive) and the run is labelled as the start state.  ``state`` is the one label of a run: the phase
diagrams, ``fastspin plot`` and the critical currents all read it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..analysis import stiffness_fields
from ..conventions import stt_field_tesla
from ..dynamics import FreeLayer, TabulatedTorque, simulate
from ..transport import evaluate
from .errors import SpecError
from .model import AxisInfo, Model
from .model_parameters import STACK_SCHEMA, read_parameters
from .preset_stacks import build_stack, preset_name, transport_axis_info

TORQUES = ("transport", "constant")

#: axis name -> :class:`~fastspin.scan.AxisInfo` of the LLGS axes that every dynamics model accepts
AXES = {
    "start": AxisInfo(kind="category", categories=("P", "AP"), description="initial state"),
    "current_density": AxisInfo("current_density", description="charge current density J (> 0 along +x)"),
    "field": AxisInfo("field", description="applied field along the easy axis and p"),
    "field_y": AxisInfo("field", description="applied field along y (in plane, transverse)"),
    "field_z": AxisInfo("field", description="applied field along z (film normal)"),
    "alpha": AxisInfo(check="nonnegative", description="Gilbert damping"),
    "anisotropy_field": AxisInfo("field", description="uniaxial anisotropy field B_k"),
    "ms": AxisInfo("magnetization", check="positive", description="saturation magnetization"),
    "temperature": AxisInfo("temperature", check="nonnegative", description="temperature (stochastic Heun)"),
}

SCHEMA: dict[str, tuple[str, str | None, Any]] = dict(
    STACK_SCHEMA,
    torque=("string", None, "transport"),
    efficiency=("number", "dimensionless", 1.0),
    ms=("positive", "magnetization", 1.44e6),
    thickness=("positive", "length", None),
    alpha=("nonnegative", "dimensionless", 0.01),
    anisotropy_field=("number", "field", 0.05),
    demag=("vector", "dimensionless", (0.0, 0.0, 1.0)),
    duration=("positive", "time", 20e-9),
    dt=("positive", "time", 1e-12),
    tilt=("positive", "angle", 0.002),
    n_angles=("count", None, 181),
    window=("positive", "dimensionless", 0.2),
    max_duration=("positive", "time", None),
    temperature=("nonnegative", "temperature", 0.0),
    area=("positive", "area", None),
    seed=("integer", None, 1),
)


class DynamicsModel(Model):
    """Macrospin LLGS outcomes (see the module docstring); parameters as in ``[model]`` tables.

    Parameters (SI): ``preset`` and ``overrides`` (the stack whose torque drives the layer),
    ``torque`` (``"transport"`` or ``"constant"`` with ``efficiency``), ``ms`` (A/m, default Co
    1.44e6), ``thickness`` (m; default the stack's F2 thickness), ``alpha`` (0.01),
    ``anisotropy_field`` (T, 0.05), ``demag`` (0, 0, 1), ``duration`` (s, 20e-9), ``dt`` (s, 1e-12),
    ``tilt`` (rad, 0.002, initial in-plane tilt away from P or AP: small, so that the orbit energy decides
    growth or decay in the linear regime: with the wavy Fig. 5 torque a tilt of 0.02 shifts the apparent
    threshold by 5e-4 of J_c, a tilt of 0.002 by less than 1e-4), ``n_angles`` (181, table size),
    ``window`` (0.2: the fraction of the run at its end over which ``simulate`` classifies the state
    and measures the frequency; short, so that transients have died out), ``max_duration`` (s, default 8
    ``duration``: the cap for the runs that have not settled), ``temperature`` (K, 0),
    ``area`` (m^2, needed for a thermal field), ``seed`` (1).

    With a ``temperature`` axis or a temperature above 0 every run uses the stochastic Heun scheme
    (Stratonovich) with the thermal field; chunk ``k`` is seeded with ``seed`` plus the index of its
    first point, so results are reproducible for a given spec (chunk size included) and identical
    on every executor; these runs are not run again.
    """

    kind = "dynamics"
    default_chunk_size = 2048
    uses_backend = True

    def __init__(self, **parameters: Any) -> None:
        values = read_parameters(parameters, SCHEMA)
        if values["torque"] not in TORQUES:
            raise SpecError("model.torque", f"must be one of {', '.join(TORQUES)}, got {values['torque']!r}")
        if not values["window"] <= 1.0:
            raise SpecError("model.window", f"must be a fraction in (0, 1], got {values['window']}")
        if values["n_angles"] < 16:
            raise SpecError("model.n_angles", f"needs at least 16 angles, got {values['n_angles']}")
        values["preset"] = preset_name(values["preset"])
        stack = build_stack(values["preset"], values["overrides"])
        if values["thickness"] is None:
            values["thickness"] = float(stack.compile().thickness[stack.layer_index(stack.magnet_names[-1])])
        if values["temperature"] > 0 and values["area"] is None:
            raise SpecError("model.area", "a temperature above 0 needs the free-layer area (m^2)")
        if values["max_duration"] is None:
            values["max_duration"] = 8.0 * values["duration"]
        if values["max_duration"] < values["duration"]:
            raise SpecError("model.max_duration", f"must be >= duration ({values['duration']} s)")
        steps = values["duration"] / values["dt"]
        if abs(steps - round(steps)) > 1e-9 * steps:
            raise SpecError("model.duration", f"must be a whole number of steps dt ({values['dt']} s)")
        self.parameters = values
        self.stack = stack
        self.free_thickness_axis = f"{stack.magnet_names[-1]}.thickness"
        self.torque: TabulatedTorque | str = self._torque_table({}) if values["torque"] == "transport" else "constant"

    def _torque_table(self, transport_parameters):
        """``a_n(theta), b_n(theta)`` of the stack (with scalar ``transport_parameters``) as a table."""
        angles = np.linspace(0.0, math.pi, self.parameters["n_angles"])
        params = {"phi": angles, **{k: np.full(angles.size, v) for k, v in transport_parameters.items()}}
        frame = evaluate(self.stack, params)
        return TabulatedTorque(angles, frame["a"].to_numpy(), frame["b"].to_numpy())

    @classmethod
    def from_dict(cls, description: dict[str, Any]) -> Self:
        return cls(**{k: v for k, v in description.items() if k != "kind"})

    def axis_info(self, name: str) -> AxisInfo:
        """The LLGS axes of :data:`~fastspin.scan.dynamics_model.AXES`, or a transport parameter of the stack
        (``torque = "transport"``: each point then integrates with the torque table of its own stack; the
        thickness of the thin magnet is also the macrospin thickness)."""
        if name == "temperature" and self.parameters["area"] is None:
            raise ValueError("a temperature axis needs model.area (the free-layer area, m^2)")
        if name in AXES:
            return AXES[name]
        if self.torque == "constant":
            raise ValueError(f"unknown axis {name!r} (this model accepts: {', '.join(AXES)})")
        try:
            return transport_axis_info(self.stack, name, allow_phi=False, allow_vector=False)
        except ValueError as err:
            raise ValueError(f"{err}; LLGS axes: {', '.join(AXES)}") from None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for key, value in self.parameters.items():
            out[key] = list(value) if isinstance(value, tuple) else value
        return out

    def layer(self, points: Mapping[str, Any] | None = None) -> FreeLayer:
        """The :class:`~fastspin.dynamics.FreeLayer` (per-point values where ``points`` has them)."""
        points = points or {}
        p = self.parameters
        return FreeLayer(
            points.get("ms", p["ms"]),
            points.get(self.free_thickness_axis, p["thickness"]),
            points.get("alpha", p["alpha"]),
            anisotropy_field=points.get("anisotropy_field", p["anisotropy_field"]),
            easy_axis=(1.0, 0.0, 0.0),
            demag=p["demag"],
            area=p["area"],
        )

    def __call__(self, points, backend="cpu"):
        transport = [k for k in points if k not in AXES and k != "point"]
        if not transport:
            return self._simulate(points, self.torque, backend)
        groups: dict[tuple[Any, ...], list[int]] = {}
        for row, key in enumerate(zip(*(points[k].tolist() for k in transport))):
            groups.setdefault(key, []).append(row)
        frames = []
        for key, members in groups.items():
            rows = np.asarray(members)
            torque = self._torque_table(dict(zip(transport, key)))
            frame = self._simulate({k: v[rows] for k, v in points.items()}, torque, backend)
            frames.append(frame.set_index(rows))
        return pd.concat(frames).sort_index().reset_index(drop=True)

    def _simulate(self, points, torque, backend):
        """One batched :func:`~fastspin.dynamics.simulate` call for ``points`` with ``torque`` on ``backend``;
        unsettled runs again for twice as long, up to ``max_duration``."""
        p = self.parameters
        n = len(points["point"])
        start = np.asarray(points.get("start", np.full(n, "P")))
        sign = np.where(start == "AP", -1.0, 1.0)
        zeros = np.zeros(n)
        field = np.stack([points.get("field", zeros), points.get("field_y", zeros), points.get("field_z", zeros)], 1)
        current = points.get("current_density", zeros)
        m0 = np.stack([sign * math.cos(p["tilt"]), np.full(n, math.sin(p["tilt"])), zeros], axis=1)
        layer = self.layer(points)
        h1, h2, minimum = self._stiffness(layer, torque, field, current, sign)
        thermal = "temperature" in points or p["temperature"] > 0
        temperature = np.broadcast_to(points.get("temperature", p["temperature"]), (n,))
        seed = p["seed"] + int(points["point"][0])

        def run(rows: npt.NDArray[np.int64], duration: float) -> pd.DataFrame:
            sub = self.layer({k: (v[rows] if np.ndim(v) else v) for k, v in points.items()})
            return simulate(
                sub,
                current_density=current[rows],
                field=field[rows],
                polarization=(1.0, 0.0, 0.0),
                torque=torque,
                efficiency=p["efficiency"] if torque == "constant" else 1.0,
                m0=m0[rows],
                duration=duration,
                dt=p["dt"],
                method="heun" if thermal else "rk4",
                temperature=temperature[rows],
                seed=seed,
                window=p["window"],
                stiffness=(h1[rows], h2[rows]),
                backend=backend,
            )

        rows = np.arange(n)
        frame = run(rows, p["duration"])
        frame["duration"] = p["duration"]
        duration = p["duration"]
        while not thermal and duration * 2 <= p["max_duration"] * (1 + 1e-12):
            rows = np.flatnonzero(~frame["settled"].to_numpy())
            if not rows.size:
                break
            duration *= 2
            again = run(rows, duration).set_index(rows)
            again["duration"] = duration
            frame.loc[rows, again.columns] = again
        frame = frame.drop(columns=["current_density", "field_x", "field_y", "field_z"])
        start_state = np.where(sign > 0, "parallel", "antiparallel")
        frame["start_stable"] = minimum & (frame["state"].astype(str).to_numpy() == start_state)
        return frame

    def _stiffness(self, layer, torque, field, current, sign):
        """Stiffness fields ``H_1`` (in plane) and ``H_2`` (out of plane) of the start state ``sign x``, with the
        field-like torque counted as the field ``b_J p`` it is (:func:`fastspin.analysis.stiffness_fields`, the
        linearisation of :func:`fastspin.analysis.critical_currents_linear`), and whether both are positive (an
        energy minimum).  They weight the orbit energy whose window averages tell growth from decay."""
        if torque == "constant":
            b_like = np.zeros_like(sign)
        else:
            b_like = np.where(sign > 0, torque.field_like_efficiency(0.0), torque.field_like_efficiency(math.pi))
        total = field[:, 0] + stt_field_tesla(current, layer.ms, layer.thickness, b_like)
        demag = layer.demag_field_factors() * np.ones((len(sign), 1))
        h1, h2 = stiffness_fields(sign, total, layer.anisotropy_field, demag)
        minimum = (h1 > 0) & (h2 > 0)
        return np.where(minimum, h1, 1.0), np.where(minimum, h2, 1.0), minimum
