"""Quasi-static hysteresis loops: R-H, R-I and R-V, batched over loops (angles, devices) in one kernel call.

The swept quantity (``field`` along ``direction``, ``current_density`` or ``voltage``) follows a round-trip
staircase (fastspin.dynamics.waveforms.Staircase): ``+A -> -A`` in ``points`` equal steps (the down branch),
then ``-A -> +A`` (the up branch), each level held for ``dwell``; the state at the end of each level is read
and starts the next (one continuous trajectory per loop).  Level edges sit a quarter step after the sampling
points, so every recorded state has seen only its own level.  The resistance of the device
(fastspin.experiments.resistance: the MTJ's R(theta), or the spin valve's from the transport engine) is
evaluated at every recorded state.

:func:`loop_switching` reads off, per loop and branch, the level at which the magnet's projection on its axis
first changes sign, as the midpoint between that level and the one before (an uncertainty of half a step).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation as v
from ..columns import attach_units
from ..dynamics import FreeLayer, Staircase, System, trajectories
from .resistance import resistance_model

SWEEPS = ("field", "current_density", "voltage")
BRANCHES = ("down", "up")


def _amplitudes(values, name):
    amplitude = v.real_array(values, name)
    if amplitude.ndim > 1 or np.any(amplitude <= 0):
        raise ValueError(
            f"{name}: the sweep amplitude must be > 0, a scalar or one value per loop (1-D), got {values!r}"
        )
    return np.atleast_1d(amplitude)


def hysteresis_loop(
    system_or_layer: FreeLayer | System,
    *,
    field: npt.ArrayLike | None = None,
    current_density: npt.ArrayLike | None = None,
    voltage: npt.ArrayLike | None = None,
    direction: npt.ArrayLike = (1.0, 0.0, 0.0),
    points: int = 200,
    dwell: float = 1e-9,
    temperature: npt.ArrayLike = 0.0,
    dt: float = 1e-12,
    m0: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    bias_field: npt.ArrayLike = (0.0, 0.0, 0.0),
    sweep: str | None = None,
    axis: npt.ArrayLike | None = None,
    magnet: str | None = None,
    seed: int | None = None,
    backend: str = "cpu",
    **simulate_options: Any,
) -> pd.DataFrame:
    """Quasi-static loops of a layer or system; one row per loop and level.

    Give the sweep amplitude ``A`` of one of ``field`` (T, along ``direction``: a unit 3-vector or one per
    loop), ``current_density`` (A/m^2) or ``voltage`` (V): a scalar or one value per loop.  With two of them,
    ``sweep`` names the swept one and the other is a constant drive (e.g. the bias of an MTJ's R-H loop).
    ``points`` levels
    a branch (``>= 2``), each held ``dwell`` s, integrated with RK4 at ``dt`` (stochastic Heun at
    ``temperature`` > 0 K, reproducible from ``seed``).  ``bias_field`` (T) is added throughout.  ``m0``:
    default, for a layer, along ``+direction`` (a field loop starts saturated by ``+A``) or along
    ``-polarization`` (``+A`` of current favours antiparallel); for a system, ``{name: vector}`` (required).
    The other keywords go to :func:`fastspin.dynamics.trajectories` (``polarization``, ``mtj``, the drives of
    a system's terms, ...).

    ``axis``: the axis whose projection ``m_axis`` tells the branches apart (default: the easy axis of the
    layer or of ``magnet``, the first free magnet of a system).  Columns: ``loop``, ``branch`` (down, up),
    ``step``, the swept value (``field`` in T along the direction, ``current_density`` or ``voltage``), m of
    every magnet (``mx, my, mz`` for a layer; ``"<name>.mx"`` ... for a system), ``m_axis``, ``resistance``
    (Ohm; ``resistance_area`` in Ohm m^2 for a valve without area) when the device has one, and
    ``direction_x, _y, _z`` for field loops.
    """
    given = {name: value for name, value in zip(SWEEPS, (field, current_density, voltage)) if value is not None}
    swept = _swept(given, sweep)
    amplitude = _amplitudes(given.pop(swept), swept)
    points = v.integer(points, "points", 2)
    dwell = v.positive_scalar(dwell, "dwell")
    dt = v.positive_scalar(dt, "dt")
    per_level = round(dwell / dt)
    if per_level < 1 or abs(per_level * dt - dwell) > 1e-9 * dwell:
        raise ValueError(f"dwell must be a whole number of steps dt ({dt:g} s), got {dwell:g} s")
    single = isinstance(system_or_layer, FreeLayer)
    if not single and not isinstance(system_or_layer, System):
        raise ValueError(f"the device must be a fastspin.dynamics.FreeLayer or System, got {type(system_or_layer)!r}")
    directions = np.atleast_2d(v.vectors(direction, "direction", unit=True))
    if len(amplitude) > 1 and swept == "field" and len(directions) > 1 and len(amplitude) != len(directions):
        raise ValueError(
            f"field and direction: one per loop, got {len(amplitude)} amplitudes and {len(directions)} directions"
        )
    bias = v.real_array(bias_field, "bias_field")
    if bias.ndim not in (1, 2) or bias.shape[-1] != 3:
        raise ValueError(f"bias_field must be a 3-vector or one per loop (n, 3), got shape {bias.shape}")

    if "field" in given:
        raise ValueError("a constant field is bias_field=; field= is the amplitude of a field sweep")
    delay = 0.25 * dt  # level edges a quarter step after the sampling points
    held = per_level * dt  # the dwell as the kernels step it
    drives: dict[str, Any] = {"field": bias, **given}  # keyword arguments of trajectories: arrays and waveforms
    if swept == "field":
        drives["field"] = Staircase(amplitude[:, None] * directions, points, held, delay) + bias
    else:
        drives[swept] = Staircase(amplitude, points, held, delay)
    magnet_index, layer = _counted(system_or_layer, single, magnet)
    axis = np.atleast_2d(v.vectors(layer.easy_axis if axis is None else axis, "axis", unit=True))
    if m0 is None:
        if not single:
            raise ValueError("m0 must give every magnet of the system its start direction")
        m0 = (
            directions
            if swept == "field"
            else -np.asarray(simulate_options.get("polarization", (1.0, 0.0, 0.0)), dtype=float)
        )
    if np.any(np.asarray(temperature) != 0.0):
        simulate_options.update(method="heun", seed=seed)
    t, m = trajectories(
        system_or_layer,
        record_every=per_level,
        m0=m0,
        duration=2 * points * per_level * dt,
        dt=dt,
        temperature=temperature,
        backend=backend,
        **drives,
        **simulate_options,
    )
    frame = _loop_frame(
        system_or_layer,
        single,
        m[:, 1:],
        swept,
        amplitude,
        directions,
        axis,
        magnet_index,
        points,
        held,
        simulate_options,
    )
    frame.attrs.update(swept=swept, points=int(points), dwell=dwell)
    return attach_units(frame)


def _swept(given, sweep):
    """The name of the swept drive: ``sweep``, or the only amplitude given."""
    if sweep is None and len(given) == 1:
        sweep = next(iter(given))
    if sweep not in given:
        raise ValueError(
            "give the sweep amplitude as one of field=, current_density= or voltage= (with several, "
            f"sweep= names the swept one), got sweep={sweep!r} and {sorted(given)}"
        )
    return sweep


def _loop_frame(
    system_or_layer, single, m, swept, amplitude, directions, axis, magnet_index, points, held, simulate_options
):
    """The rows of :func:`hysteresis_loop` from ``m`` (loops, levels, [magnets,] 3) at the end of each level."""
    n = m.shape[0]  # the loops: every per-loop input (amplitude, direction, layer parameters, drives) broadcast
    amplitude = np.broadcast_to(amplitude, (n,))
    directions = np.broadcast_to(directions, (n, 3))
    if single:
        m = m[:, :, None, :]
        names = [""]
    else:
        names = [f"{name}." for name in system_or_layer.names]
    levels = Staircase(1.0, points, held).levels()
    cols = {
        "loop": np.repeat(np.arange(n), 2 * points),
        "branch": pd.Categorical(np.tile(np.repeat(BRANCHES, points), n), categories=BRANCHES),
        "step": np.tile(np.arange(2 * points) % points, n),
        swept: (amplitude[:, None] * levels[None, :]).ravel(),
    }
    for k, prefix in enumerate(names):
        for c, comp in enumerate("xyz"):
            cols[f"{prefix}m{comp}"] = m[:, :, k, c].ravel()
    cols["m_axis"] = np.einsum("nlc,nc->nl", m[:, :, magnet_index], np.broadcast_to(axis, (n, 3))).ravel()
    try:
        unit, model = resistance_model(
            system_or_layer, simulate_options.get("mtj"), simulate_options.get("polarization", (1.0, 0.0, 0.0))
        )
    except ValueError:  # a device without a resistance model: no resistance column
        unit = None
    if unit is not None:
        cols["resistance" if unit == "Ohm" else "resistance_area"] = model(m[:, :, 0] if single else m).ravel()
    if swept == "field":
        for c, comp in enumerate("xyz"):
            cols[f"direction_{comp}"] = np.repeat(directions[:, c], 2 * points)
    return pd.DataFrame(cols)


def _counted(device, single, magnet):
    """``(index among the recorded magnets, layer)`` of the magnet whose axis projection is reported."""
    if single:
        if magnet is not None:
            raise ValueError("magnet names a magnet of a System; a single layer has one")
        return 0, device
    name = device.free[0] if magnet is None else magnet
    if name not in device.free:
        raise ValueError(f"magnet must be a free magnet of the system {list(device.free)}, got {magnet!r}")
    return device.names.index(name), device.magnets[device.names.index(name)]


def loop_switching(frame: pd.DataFrame) -> pd.DataFrame:
    """Switching values of every loop and branch of a :func:`hysteresis_loop` frame: the midpoint between the
    level at which ``m_axis`` first has the other sign than at the branch's first level and the level before
    (NaN when it never does: also when a switch is still under way at the end of a branch, so that the next
    branch starts on the far side; a longer ``dwell`` settles it).  Columns ``loop, branch, switching_<swept>,
    step``."""
    swept = frame.attrs.get("swept")
    if swept not in SWEEPS:
        raise ValueError("frame must come from hysteresis_loop (its attrs name the swept quantity)")
    points = frame.attrs["points"]
    n = frame["loop"].nunique()
    value = frame[swept].to_numpy().reshape(n, 2, points)
    sign = np.sign(frame["m_axis"].to_numpy()).reshape(n, 2, points)
    flipped = sign != sign[:, :, :1]
    found = flipped.any(axis=2)
    step = np.where(found, flipped.argmax(axis=2), -1)  # >= 1 when found: the first level is the reference
    before = np.take_along_axis(value, np.maximum(step - 1, 0)[..., None], axis=2)[..., 0]
    at = np.take_along_axis(value, np.maximum(step, 0)[..., None], axis=2)[..., 0]
    switching = np.where(found, 0.5 * (before + at), np.nan)
    return attach_units(
        pd.DataFrame(
            {
                "loop": np.repeat(np.unique(frame["loop"]), 2),
                "branch": pd.Categorical(np.tile(BRANCHES, n), categories=BRANCHES),
                f"switching_{swept}": switching.ravel(),
                "step": step.ravel(),
            }
        )
    )
