"""Parameter objects of the equivalent circuit of an easy-plane MTJ (Louis et al. 2025, Sec. III).

The same frozen objects feed the Python charge-flux integrator (:mod:`fastspin.circuit.integrator`)
and the SPICE netlist writer (:mod:`fastspin.circuit.netlist`), so both always describe one device.

Geometry of the model (Louis Eq. 53): ``z`` is the hard axis (anisotropy field ``hard_axis_field``
= ``B_d``, demagnetizing plus perpendicular anisotropy), ``x`` the in-plane easy axis (``easy_axis_field``
= ``B_a``), ``applied_field`` = ``B_e`` is an arbitrary external field.  These axes belong to the
macrospin model only; they are unrelated to the stack normal ``x`` of :mod:`fastspin.conventions`.

Sign of the MTJ voltage (the paper leaves it open, Eq. 69)
----------------------------------------------------------
The MTJ is a two-terminal element ``(plus, minus)``; the first fixed layer sits on the ``plus`` side of
the free layer, an optional second one on the ``minus`` side.  ``V_MTJ = V(plus) - V(minus)``.  For each
fixed layer ``k`` the junction voltage is ``V_k = V(fixed side) - V(free side)``, so a positive
``V_MTJ`` gives ``V_1 > 0`` and ``V_2 < 0``.  ``V_k > 0`` drives positive charge current from the
fixed layer into the free layer, i.e. electrons flow from the free layer into the fixed layer: the
``J > 0`` of :mod:`fastspin.conventions`.  The spin current of Eq. 69, ``J_s = (hbar/e)(eta/2)(V_k/R_perp) p``,
then pushes ``m`` away from ``p`` (``dm/dt = -gamma J_s_perp/(Ms V)``, Eq. 24): positive voltage
destabilises the parallel state, exactly as a positive ``a_n`` with ``J > 0`` does in the conventions.
Equivalently, Eq. 69 is the constant-efficiency torque of the conventions with
``J = V_k / (R_perp * area)`` and efficiency ``eta``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .. import validation as v
from ..constants import E_CHARGE, GAMMA_E, HBAR
from ..dynamics.junction import MTJ
from ..dynamics.layer import FreeLayer
from ..numeric import unit_rows


def _finite(value, name, owner):
    return v.number(value, name, owner)


def _positive(value, name, owner):
    return v.number(value, name, owner, low=0.0, low_open=True)


def _vector(value, name, owner, unit=False):
    arr = v.real_array(value, name, owner)
    if arr.shape != (3,):
        raise ValueError(f"{owner}: {name} must be a 3-vector, got shape {arr.shape}")
    if unit:
        arr, zero = unit_rows(arr)  # scaled first: no overflow or underflow of the norm
        if zero:
            raise ValueError(f"{owner}: {name} must be a non-zero direction")
    return tuple(float(x) for x in arr)


@dataclass(frozen=True)
class EasyPlaneFreeLayer:
    """Free-layer macrospin of Louis Eqs. 52-54 (hard axis ``z``, easy axis ``x``).

    ``ms`` (A/m), ``volume`` (m^3), Gilbert ``alpha``, ``hard_axis_field`` ``B_d`` (T, > 0),
    ``easy_axis_field`` ``B_a`` (T), ``applied_field`` ``B_e`` (T, 3-vector), ``gamma`` (rad/(s T)).
    """

    ms: float
    volume: float
    alpha: float
    hard_axis_field: float
    easy_axis_field: float = 0.0
    applied_field: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gamma: float = GAMMA_E

    def __post_init__(self) -> None:
        owner = "free layer"
        object.__setattr__(self, "ms", _positive(self.ms, "ms", owner))
        object.__setattr__(self, "volume", _positive(self.volume, "volume", owner))
        alpha = _finite(self.alpha, "alpha", owner)
        if alpha < 0.0:
            raise ValueError(f"{owner}: alpha must be >= 0, got {alpha!r}")
        object.__setattr__(self, "alpha", alpha)
        hard = _finite(self.hard_axis_field, "hard_axis_field", owner)
        if hard <= 0.0:
            raise ValueError(
                f"{owner}: hard_axis_field must be > 0 (easy-plane macrospin, Louis Sec. III), got {hard!r}"
            )
        object.__setattr__(self, "hard_axis_field", hard)
        object.__setattr__(self, "easy_axis_field", _finite(self.easy_axis_field, "easy_axis_field", owner))
        object.__setattr__(self, "applied_field", _vector(self.applied_field, "applied_field", owner))
        object.__setattr__(self, "gamma", _positive(self.gamma, "gamma", owner))

    @property
    def spin(self) -> float:
        """Total spin angular momentum ``S_s = Ms V / gamma`` (J s), Louis Eq. 26."""
        return self.ms * self.volume / self.gamma

    @property
    def z_s(self) -> float:
        """Spin impedance ``Z_s = (hbar/e)^2 / S_s`` (Ohm), Louis Eq. 33."""
        return (HBAR / E_CHARGE) ** 2 / self.spin

    @property
    def charge_unit(self) -> float:
        """``Q_0 = (e/hbar) S_s`` (C): ``Q = -Q_0 cos(theta)`` (Louis Eq. 29)."""
        return E_CHARGE / HBAR * self.spin

    @property
    def flux_unit(self) -> float:
        """``Phi_0 = hbar/e`` (Wb): ``Phi = Phi_0 phi`` (Louis Eq. 29)."""
        return HBAR / E_CHARGE

    @property
    def time_unit(self) -> float:
        """``t_0 = 1/(gamma B_d)`` (s), the hard-axis precession time used to scale the netlist."""
        return 1.0 / (self.gamma * self.hard_axis_field)

    def free_layer(self, thickness: float, name: str = "free layer") -> FreeLayer:
        """The same layer for the Cartesian integrator: :meth:`fastspin.dynamics.FreeLayer.easy_plane`.

        One description of the easy-plane macrospin (Louis Eq. 53) serves both integrators: the circuit reads
        this object, :mod:`fastspin.dynamics` the :class:`~fastspin.dynamics.FreeLayer` it returns, with
        ``area = volume / thickness`` (``thickness`` in m, > 0) so that the volume, and with it the spin
        ``S_s`` and the voltage-driven torque of Eq. 69, is the same.  The applied field and ``gamma`` are
        arguments of the dynamics' ``simulate``, not of its layer.
        """
        thickness = _positive(thickness, "thickness", f"free layer {name!r}")
        return FreeLayer.easy_plane(
            self.ms,
            thickness,
            self.alpha,
            hard_axis_field=self.hard_axis_field,
            easy_axis_field=self.easy_axis_field,
            area=self.volume / thickness,
            name=name,
        )


@dataclass(frozen=True)
class FixedLayer:
    """A fixed layer and its tunnel barrier: ``R(cos beta) = R_perp/(1 + eta^2 cos beta)`` (Louis Eqs. 65-68).

    ``resistance_parallel`` ``R_P`` < ``resistance_antiparallel`` ``R_AP`` (Ohm); ``direction`` is the
    unit magnetization ``p`` of the fixed layer (normalised here).  The junction is the very
    :class:`fastspin.dynamics.MTJ` of the Cartesian integrator (``junction``): one model of the MTJ for both.
    """

    resistance_parallel: float
    resistance_antiparallel: float
    direction: tuple[float, float, float] = (1.0, 0.0, 0.0)
    name: str = "fixed layer"
    junction: MTJ = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        owner = self.name
        r_p = _positive(self.resistance_parallel, "resistance_parallel", owner)
        r_ap = _positive(self.resistance_antiparallel, "resistance_antiparallel", owner)
        if not r_ap > r_p:
            raise ValueError(
                f"{owner}: resistance_antiparallel ({r_ap!r}) must exceed resistance_parallel ({r_p!r}); "
                "eta^2 = (R_AP - R_P)/(R_AP + R_P) must be positive (Louis Eq. 68)"
            )
        object.__setattr__(self, "resistance_parallel", r_p)
        object.__setattr__(self, "resistance_antiparallel", r_ap)
        object.__setattr__(self, "direction", _vector(self.direction, "direction", owner, unit=True))
        object.__setattr__(self, "junction", MTJ(r_p, r_ap))

    @property
    def r_perp(self) -> float:
        """``R_perp = 2 R_AP R_P / (R_AP + R_P)`` (Ohm), Louis Eq. 67."""
        return self.junction.r_perp

    @property
    def eta(self) -> float:
        """``eta = sqrt((R_AP - R_P)/(R_AP + R_P))``, Louis Eq. 68."""
        return self.junction.eta


@dataclass(frozen=True)
class VoltageDrive:
    """Voltage source in series with ``series_resistance`` (Ohm) across the MTJ's ``(plus, minus)`` terminals.

    The source is ``0`` before ``delay``, ramps linearly to ``voltage`` over ``rise_time``, holds for
    ``width`` and ramps back to ``0`` over ``fall_time`` (all in s).  With the defaults it is a DC source
    switched on at ``t = 0``.  Ramps of zero length are only allowed where SPICE can represent them
    exactly (no ``delay`` before a zero rise; an infinite ``width`` for a zero fall).
    """

    voltage: float
    series_resistance: float = 0.0
    delay: float = 0.0
    rise_time: float = 0.0
    width: float = math.inf
    fall_time: float = 0.0

    def __post_init__(self) -> None:
        owner = "voltage drive"
        object.__setattr__(self, "voltage", _finite(self.voltage, "voltage", owner))
        for name in ("series_resistance", "delay", "rise_time", "fall_time"):
            value = _finite(getattr(self, name), name, owner)
            if value < 0.0:
                raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
            object.__setattr__(self, name, value)
        width = float(self.width)
        if math.isnan(width) or width <= 0.0:
            raise ValueError(f"{owner}: width must be > 0 (or inf), got {width!r}")
        object.__setattr__(self, "width", width)
        if self.delay > 0.0 and self.rise_time == 0.0:
            raise ValueError(f"{owner}: rise_time must be > 0 when delay > 0")
        if math.isfinite(width) and self.fall_time == 0.0:
            raise ValueError(f"{owner}: fall_time must be > 0 when width is finite")

    @property
    def is_dc(self) -> bool:
        """True for a constant source (no delay, no ramp, infinite width)."""
        return self.delay == 0.0 and self.rise_time == 0.0 and math.isinf(self.width)

    def breakpoints(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(times, values)`` of the piecewise-linear waveform (finite times only)."""
        v = self.voltage
        times = [0.0]
        values = [0.0 if self.rise_time > 0.0 else v]
        t = self.delay
        if self.delay > 0.0:
            times.append(t)
            values.append(0.0)
        if self.rise_time > 0.0:
            t += self.rise_time
            times.append(t)
            values.append(v)
        if math.isfinite(self.width):
            t += self.width
            times.append(t)
            values.append(v)
            t += self.fall_time
            times.append(t)
            values.append(0.0)
        return np.asarray(times), np.asarray(values)


@dataclass(frozen=True)
class MTJCircuit:
    """An easy-plane free layer with zero, one or two fixed layers and an optional voltage drive.

    ``fixed_layers[0]`` is on the ``plus`` terminal side (e.g. the polarizer), ``fixed_layers[1]`` on the
    ``minus`` side (e.g. the analyzer); each adds a pair of spin-current sources ``I_s, V_s``
    (Louis Eqs. 71-72 and the two-fixed-layer suggestion after them).  Without fixed layers the free
    layer is an isolated macrospin and ``drive`` must be ``None``.
    """

    free_layer: EasyPlaneFreeLayer
    fixed_layers: tuple[FixedLayer, ...] = field(default_factory=tuple)
    drive: VoltageDrive | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.free_layer, EasyPlaneFreeLayer):
            raise ValueError("MTJ circuit: free_layer must be an EasyPlaneFreeLayer")
        fixed = tuple(self.fixed_layers)
        if len(fixed) > 2:
            raise ValueError(f"MTJ circuit: fixed_layers holds at most 2 layers, got {len(fixed)}")
        for layer in fixed:
            if not isinstance(layer, FixedLayer):
                raise ValueError("MTJ circuit: fixed_layers must hold FixedLayer objects")
        object.__setattr__(self, "fixed_layers", fixed)
        if self.drive is not None:
            if not isinstance(self.drive, VoltageDrive):
                raise ValueError("MTJ circuit: drive must be a VoltageDrive or None")
            if not fixed:
                raise ValueError("MTJ circuit: drive needs at least one fixed layer (no current path otherwise)")
