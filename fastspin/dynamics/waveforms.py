"""Time-dependent drives evaluated inside the kernels at every stage: pulses, piecewise-linear ramps, sines.

``current_density``, ``sot_current_density``, ``voltage`` and ``field`` of :func:`fastspin.dynamics.simulate`
accept a constant, one value per trajectory, or a waveform; waveforms add (``Pulse(...) + Sine(...) + c``).
Every parameter of a waveform is a scalar or one value per trajectory (1-D), broadcast with the other
per-trajectory inputs, so one call spans, e.g., an amplitude x width grid.  For ``field`` the amplitudes
are vectors (T): shape (3,) or (n, 3) (values (k, 3) or (n, k, 3) for :class:`PiecewiseLinear`).

* :class:`Pulse` ``(amplitude, width, rise=0, fall=rise, delay=0)``: a trapezoid, zero before ``delay``,
  a linear ramp over ``rise``, ``amplitude`` for ``width``, a linear ramp to zero over ``fall``; its time
  integral is ``amplitude (width + rise/2 + fall/2)``.
* :class:`PiecewiseLinear` ``(times, values)``: linear between the knots, the first value before
  ``times[0]``, the last after ``times[-1]``; evaluated as ``v_0 + sum_i s_i (clamp(t, t_i, t_i+1) - t_i)``
  without branches.
* :class:`Sine` ``(amplitude, frequency, phase=0)``: ``amplitude sin(2 pi frequency t + phase)``.
* :class:`Staircase` ``(amplitude, points, dwell, delay=0)``: the quasi-static round trip of a hysteresis loop,
  ``amplitude`` times the levels ``+1 -> -1`` (``points`` equal steps, the down branch) then ``-1 -> +1`` (the up
  branch), each held for ``dwell``; ``+1`` before ``delay``, the last level after the round trip.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .. import validation as v

STEP_SLOPE = 1e300  #: slope (1/s) standing for a zero rise or fall time (a step) in the kernels


class Waveform:
    """Base of the waveforms: they add to each other and to constants (a :class:`Sum`)."""

    __array_ufunc__ = None  # ``numpy array + waveform`` is the waveform's sum, not an elementwise object array

    def __add__(self, other: Waveform | npt.ArrayLike) -> Sum:
        return Sum(self, other)

    __radd__ = __add__

    def terms(self) -> tuple[Waveform, ...]:
        return (self,)

    @property
    def offset(self) -> float | npt.NDArray[np.float64]:
        return 0.0


class Sum(Waveform):
    """``offset + sum of waveforms``."""

    def __init__(self, *parts: Waveform | npt.ArrayLike) -> None:
        waves: list[Waveform] = []
        offset: float | npt.NDArray[np.float64] = 0.0
        for part in parts:
            if isinstance(part, Waveform):
                waves.extend(part.terms())
                offset = offset + part.offset
            else:
                offset = offset + v.real_array(part, "waveform offset")
        self._terms, self._offset = tuple(waves), offset

    def terms(self) -> tuple[Waveform, ...]:
        return self._terms

    @property
    def offset(self) -> float | npt.NDArray[np.float64]:
        return self._offset


def _param(value: object, name: str, owner: str, non_negative: bool = False) -> npt.NDArray[np.float64]:
    arr = v.real_array(value, name, owner)
    if arr.size == 0:
        raise ValueError(f"{owner}: {name} is empty: give one value, or one per trajectory")
    if non_negative and np.any(arr < 0):
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
    return arr


class Pulse(Waveform):
    """Trapezoidal pulse (see the module docstring); times in s."""

    def __init__(
        self,
        amplitude: npt.ArrayLike,
        width: npt.ArrayLike,
        rise: npt.ArrayLike = 0.0,
        fall: npt.ArrayLike | None = None,
        delay: npt.ArrayLike = 0.0,
    ) -> None:
        owner = "Pulse"
        self.amplitude = _param(amplitude, "amplitude", owner)
        self.width = _param(width, "width", owner, non_negative=True)
        self.rise = _param(rise, "rise", owner, non_negative=True)
        self.fall = self.rise if fall is None else _param(fall, "fall", owner, non_negative=True)
        self.delay = _param(delay, "delay", owner, non_negative=True)
        for name in ("width", "rise", "fall", "delay"):
            if getattr(self, name).ndim > 1:
                raise ValueError(f"{owner}: {name} must be a scalar or one value per trajectory (1-D)")

    @property
    def end(self) -> npt.NDArray[np.float64]:
        """Time (s) at which the pulse is over, ``delay + rise + width + fall``."""
        return self.delay + self.rise + self.width + self.fall

    def kernel_parameters(
        self,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(delay, inverse rise, end of the plateau, inverse fall)`` of the unit trapezoid
        (``fastspin.dynamics.core.physics.trapezoid``); a zero ramp gets the slope ``STEP_SLOPE``."""
        with np.errstate(divide="ignore"):
            inv_rise = np.where(self.rise > 0, 1.0 / np.where(self.rise > 0, self.rise, 1.0), STEP_SLOPE)
            inv_fall = np.where(self.fall > 0, 1.0 / np.where(self.fall > 0, self.fall, 1.0), STEP_SLOPE)
        return self.delay, inv_rise, self.delay + self.rise + self.width, inv_fall


class PiecewiseLinear(Waveform):
    """Linear interpolation between ``(times[i], values[i])`` (strictly increasing times, s)."""

    def __init__(self, times: npt.ArrayLike, values: npt.ArrayLike) -> None:
        owner = "PiecewiseLinear"
        self.times = _param(times, "times", owner)
        self.values = _param(values, "values", owner)
        if self.times.ndim not in (1, 2) or self.times.shape[-1] < 2:
            raise ValueError(
                f"{owner}: times must have at least 2 knots, shape (k,) or (n, k); got shape {self.times.shape}"
            )
        if np.any(np.diff(self.times, axis=-1) <= 0):
            raise ValueError(f"{owner}: times must be strictly increasing")
        k = self.times.shape[-1]
        if self.values.ndim == 0 or (self.values.shape[-1] != k and self.values.shape[-2:][:1] != (k,)):
            raise ValueError(
                f"{owner}: values must have one entry per knot ({k}) as (k,), (n, k), (k, 3) or "
                f"(n, k, 3); got shape {self.values.shape}"
            )

    @property
    def knots(self) -> int:
        return self.times.shape[-1]


class Sine(Waveform):
    """``amplitude sin(2 pi frequency t + phase)`` (frequency in Hz, phase in rad)."""

    def __init__(self, amplitude: npt.ArrayLike, frequency: npt.ArrayLike, phase: npt.ArrayLike = 0.0) -> None:
        owner = "Sine"
        self.amplitude = _param(amplitude, "amplitude", owner)
        self.frequency = _param(frequency, "frequency", owner, non_negative=True)
        self.phase = _param(phase, "phase", owner)


class Staircase(Waveform):
    """Round-trip staircase of a quasi-static sweep (see the module docstring); ``points >= 2`` levels a
    branch, ``dwell`` (s) each, both scalars, as ``delay`` (every trajectory steps at the same times).  With
    ``dwell`` a whole number of steps ``dt``, a ``delay`` of ``dt / 4`` keeps every edge off the step times (a
    step then sees one level at its sampling point; fastspin.experiments.hysteresis does so)."""

    def __init__(self, amplitude: npt.ArrayLike, points: int, dwell: float, delay: float = 0.0) -> None:
        owner = "Staircase"
        self.amplitude = _param(amplitude, "amplitude", owner)
        self.points = v.integer(points, "points", 2, owner=owner)
        self.dwell = v.positive_scalar(dwell, "dwell", owner)
        if np.ndim(delay) != 0:
            raise ValueError(f"{owner}: delay must be a scalar (every trajectory steps at the same times)")
        self.delay = float(_param(delay, "delay", owner, non_negative=True))

    def levels(self) -> npt.NDArray[np.float64]:
        """The ``2 points`` levels of the round trip (without the amplitude): down then up."""
        down = np.linspace(1.0, -1.0, self.points)
        return np.concatenate([down, -down])
