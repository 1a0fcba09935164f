"""Batched macrospin LLGS dynamics driven by spin-transfer torques (issue 4).

Public API: :class:`FreeLayer`, :func:`simulate`, :func:`trajectories`, the torque models
:class:`SlonczewskiTorque`, :class:`AsymmetricTorque`, :class:`TabulatedTorque`, and :class:`MTJ`.
Signs and units: fastspin/conventions.py.
"""
from .api import simulate, trajectories
from .layer import FreeLayer
from .mtj import MTJ
from .torques import AsymmetricTorque, SlonczewskiTorque, TabulatedTorque

__all__ = ["FreeLayer", "simulate", "trajectories", "MTJ", "SlonczewskiTorque", "AsymmetricTorque",
           "TabulatedTorque"]
