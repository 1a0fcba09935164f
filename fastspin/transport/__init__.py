"""Spin-diffusion boundary-value problems of magnetic multilayers (Valet-Fert + mixing conductance)."""

from .profiles import profile
from .spinvalve import TransportResult, decompose, evaluate, sharvin_conductance, solve, torque_vs_angle

__all__ = ["TransportResult", "decompose", "evaluate", "profile", "sharvin_conductance", "solve", "torque_vs_angle"]
