"""fastspin: spin-transfer torques in magnetic multilayers and the macrospin dynamics they drive.

Quick start::

    import numpy as np, fastspin
    stack = fastspin.presets.barnas2005("i")           # Co/Cu spin valve of Barnas et al. (2005)
    df = fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 181))
"""
from . import presets
from .materials import Ferromagnet, Interface, NormalMetal
from .stack import Layer, Stack
from .transport import evaluate, torque_vs_angle

__version__ = "0.1.0"
__all__ = ["Ferromagnet", "Interface", "Layer", "NormalMetal", "Stack", "evaluate", "presets", "torque_vs_angle"]
