"""Batched macrospin LLGS dynamics: coupled magnets, composable terms, waveforms.

Public API: :class:`FreeLayer`, :class:`System` and its terms (:class:`Exchange`, :class:`Dipolar`,
:class:`SpinTransfer`, :class:`SpinOrbit`, :class:`VoltageControlledAnisotropy`, :class:`MTJDrive`,
:class:`TransportTorque`), the waveforms :class:`Pulse`, :class:`PiecewiseLinear`, :class:`Sine`, :class:`Staircase`,
:func:`simulate`, :func:`trajectories`, the torque models :class:`SlonczewskiTorque`,
:class:`AsymmetricTorque`, :class:`TabulatedTorque`, and :class:`MTJ`.
Signs and units: fastspin/conventions.py.  ``backend="cuda"`` runs the same kernels on a GPU
(fastspin.dynamics.gpu, fastspin.dynamics.backends).
"""

from ..validation import FixedPointWarning, StabilityWarning
from .api import simulate, trajectories
from .junction import MTJ
from .layer import FreeLayer
from .system import System
from .terms import Dipolar, Exchange, MTJDrive, SpinOrbit, SpinTransfer, VoltageControlledAnisotropy
from .torques import AsymmetricTorque, SlonczewskiTorque, TabulatedTorque
from .transport_torque import TransportTorque
from .waveforms import PiecewiseLinear, Pulse, Sine, Staircase

__all__ = [
    "FreeLayer",
    "System",
    "StabilityWarning",
    "FixedPointWarning",
    "Exchange",
    "Dipolar",
    "SpinTransfer",
    "SpinOrbit",
    "VoltageControlledAnisotropy",
    "MTJDrive",
    "TransportTorque",
    "Pulse",
    "PiecewiseLinear",
    "Sine",
    "Staircase",
    "simulate",
    "trajectories",
    "MTJ",
    "SlonczewskiTorque",
    "AsymmetricTorque",
    "TabulatedTorque",
]
