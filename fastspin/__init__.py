"""fastspin: spin-transfer torques in magnetic multilayers and the macrospin dynamics they drive.

Quick start::

    import numpy as np, fastspin
    stack = fastspin.presets.barnas2005("i")           # Co/Cu spin valve of Barnas et al. (2005)
    df = fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 181))
"""

import importlib

from . import presets
from .columns import to_xarray
from .materials import DiffusiveFerromagnet, Ferromagnet, Interface, NormalMetal, TunnelBarrier
from .stack import Layer, Stack
from .transport import evaluate, torque_vs_angle

__version__ = "0.1.0"
__all__ = [
    "DiffusiveFerromagnet",
    "Ferromagnet",
    "Interface",
    "Layer",
    "NormalMetal",
    "Stack",
    "TunnelBarrier",
    "evaluate",
    "presets",
    "to_xarray",
    "torque_vs_angle",
]

_LAZY = (
    "analysis",
    "circuit",
    "constants",
    "conventions",
    "dynamics",
    "materials",
    "mtj",
    "plotting",
    "scan",
    "stack",
    "transport",
)


def __getattr__(name):
    """``fastspin.mtj``, ``fastspin.dynamics``, ... load on first use (keeps ``import fastspin`` light)."""
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'fastspin' has no attribute {name!r}")
