"""Angular dependence of the spin-transfer torque (pluggable models) and its kernel evaluation.

The spin-transfer part of the LLGS equation (fastspin/conventions.py, Barnas et al. 2005 Eqs 38, 42):

    dm/dt|_STT = gamma a_J(theta) m x (m x p) - gamma b_J(theta) m x p,
    a_J = hbar eta(theta) J / (2 |e| Ms d)   (tesla, ``fastspin.conventions.stt_field_tesla``),

``theta`` the angle between the free-layer magnetization ``m`` and the fixed-layer magnetization ``p``.
A positive ``a_J`` pushes ``m`` away from ``p`` (destabilises the parallel state); a positive ``b_J``
acts like a field along ``+p``.  The models give the efficiency ``eta(theta)``:

* ``"constant"``: ``eta = efficiency`` (simple Slonczewski torque, ``a_J sin(theta)`` in magnitude).
* :class:`SlonczewskiTorque`: Slonczewski 1996 (J. Magn. Magn. Mater. 159, L1), ``eta = 2 g(theta)``,
  ``g = [-4 + (1 + P)^3 (3 + cos theta) / (4 P^{3/2})]^{-1}``.
* :class:`AsymmetricTorque`: the two-parameter asymmetric form (Slonczewski 2002; Xiao, Zangwill and
  Stiles 2004), ``eta = 2 P Lambda^2 / [(Lambda^2 + 1) + (Lambda^2 - 1) cos theta]`` (``Lambda = 1``
  gives ``eta = P``).
* :class:`TabulatedTorque`: the transport prefactors ``a_n(theta), b_n(theta)`` (normalised by
  ``hbar J/|e|``) of a computed stack; ``eta = 2 a_n`` and the field-like efficiency ``2 b_n``.  The
  table is interpolated inside the kernel by a not-a-knot cubic spline in ``theta``.

For the analytic models the field-like torque is ``b_J = field_like_ratio * a_J``.
"""
import math

import numpy as np
from numba import njit
from scipy.interpolate import CubicSpline

from . import _validate as v

MODEL_CONSTANT = 0
MODEL_SLONCZEWSKI = 1
MODEL_ASYMMETRIC = 2
MODEL_TABULATED = 3


class SlonczewskiTorque:
    """Slonczewski 1996 angular dependence for a spin polarization ``0 < P <= 1``."""

    def __init__(self, polarization):
        p = v.real_array(polarization, "polarization", "SlonczewskiTorque")
        if p.ndim != 0 or not 0.0 < p <= 1.0:
            raise ValueError(f"SlonczewskiTorque: polarization must be a scalar in (0, 1], got {polarization!r}")
        self.polarization = float(p)

    def kernel_spec(self):
        return MODEL_SLONCZEWSKI, np.array([self.polarization, 0.0])

    def efficiency(self, theta):
        """Damping-like efficiency ``eta(theta) = 2 g(theta)`` (NumPy, for checks and plots)."""
        p = self.polarization
        return 2.0 / (-4.0 + (1.0 + p) ** 3 * (3.0 + np.cos(theta)) / (4.0 * p**1.5))


class AsymmetricTorque:
    """Two-parameter asymmetric angular dependence: polarization ``0 < P <= 1``, asymmetry ``Lambda > 0``.

    ``eta(theta) = 2 P Lambda^2 / [(Lambda^2 + 1) + (Lambda^2 - 1) cos theta]`` (``Lambda > 1`` makes the
    torque larger near the antiparallel state, ``Lambda = 1`` is the constant ``eta = P``).
    """

    def __init__(self, polarization, asymmetry):
        p = v.real_array(polarization, "polarization", "AsymmetricTorque")
        lam = v.real_array(asymmetry, "asymmetry", "AsymmetricTorque")
        if p.ndim != 0 or not 0.0 < p <= 1.0:
            raise ValueError(f"AsymmetricTorque: polarization must be a scalar in (0, 1], got {polarization!r}")
        if lam.ndim != 0 or lam <= 0:
            raise ValueError(f"AsymmetricTorque: asymmetry must be a positive scalar, got {asymmetry!r}")
        self.polarization = float(p)
        self.asymmetry = float(lam)

    def kernel_spec(self):
        return MODEL_ASYMMETRIC, np.array([self.polarization, self.asymmetry])

    def efficiency(self, theta):
        lam2 = self.asymmetry**2
        return 2.0 * self.polarization * lam2 / ((lam2 + 1.0) + (lam2 - 1.0) * np.cos(theta))


class TabulatedTorque:
    """Transport prefactors ``a_n(theta)``, ``b_n(theta)`` on a grid of angles in [0, pi] (radians).

    ``a``, ``b`` are the torque prefactors of Barnas et al. 2005 Eqs 38 and 42 normalised by
    ``hbar J/|e|`` (the columns of ``fastspin.torque_vs_angle``).  The grid must be strictly
    increasing, inside [0, pi], with at least 4 points, and reach within one grid spacing of 0 and of
    pi (the end pieces of the spline extrapolate there).
    """

    def __init__(self, angle, a, b):
        owner = "TabulatedTorque"
        angle = v.real_array(angle, "angle", owner)
        a = v.real_array(a, "a", owner)
        b = v.real_array(b, "b", owner)
        if angle.ndim != 1 or angle.size < 4:
            raise ValueError(f"{owner}: angle must be a 1-D grid of at least 4 points")
        for name, arr in (("a", a), ("b", b)):
            if arr.shape != angle.shape:
                raise ValueError(f"{owner}: {name} must have the shape of angle {angle.shape}, got {arr.shape}")
        steps = np.diff(angle)
        if np.any(steps <= 0):
            raise ValueError(f"{owner}: angle must be strictly increasing")
        if angle[0] < 0 or angle[-1] > np.pi + 1e-12:
            raise ValueError(f"{owner}: angle must lie in [0, pi] radians")
        if angle[0] > steps.max() or np.pi - angle[-1] > steps.max():
            raise ValueError(f"{owner}: angle must reach within one grid spacing of 0 and of pi")
        self.angle, self.a, self.b = angle, a, b
        self._spline_a = CubicSpline(angle, a, bc_type="not-a-knot")
        self._spline_b = CubicSpline(angle, b, bc_type="not-a-knot")

    @classmethod
    def from_frame(cls, frame):
        """From the DataFrame of ``fastspin.torque_vs_angle(stack, phi)`` (columns phi, a, b)."""
        missing = [c for c in ("phi", "a", "b") if c not in frame.columns]
        if missing:
            raise ValueError(f"TabulatedTorque.from_frame: frame lacks the column(s) {missing}")
        ordered = frame.sort_values("phi")
        return cls(ordered["phi"].to_numpy(), ordered["a"].to_numpy(), ordered["b"].to_numpy())

    def kernel_spec(self):
        return MODEL_TABULATED, np.zeros(2)

    def kernel_tables(self):
        """Spline knots (m,) and coefficients (2, 4, m-1): [a or b, power (highest first), piece]."""
        coef = np.array(np.stack([self._spline_a.c, self._spline_b.c]), dtype=np.float64, order="C")
        return np.array(self.angle, dtype=np.float64, order="C"), coef

    def efficiency(self, theta):
        """Damping-like efficiency ``2 a_n(theta)`` from the spline (NumPy)."""
        return 2.0 * self._spline_a(theta)

    def field_like_efficiency(self, theta):
        return 2.0 * self._spline_b(theta)


def kernel_inputs(torque):
    """(model code, params (2,), knots, coef) for the kernels; dummies where a model has no table."""
    if isinstance(torque, str):
        if torque != "constant":
            raise ValueError(f"torque must be 'constant', a torque model or a torque table, got {torque!r}")
        model, params = MODEL_CONSTANT, np.zeros(2)
    else:
        model, params = torque.kernel_spec()
    if model == MODEL_TABULATED:
        knots, coef = torque.kernel_tables()
    else:
        knots, coef = np.zeros(2), np.zeros((2, 4, 1))
    return model, params, knots, coef


@njit(cache=True)
def _spline_value(knots, coef, which, theta):
    """Piecewise cubic ``coef[which]`` at ``theta`` (binary search of the piece, end pieces extrapolate)."""
    lo = 0
    hi = knots.shape[0] - 2
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if knots[mid] <= theta:
            lo = mid
        else:
            hi = mid - 1
    dx = theta - knots[lo]
    return ((coef[which, 0, lo] * dx + coef[which, 1, lo]) * dx + coef[which, 2, lo]) * dx + coef[which, 3, lo]


@njit(cache=True)
def torque_factors(model, params, knots, coef, cos_theta):
    """(damping-like, field-like) angular factors multiplying the per-trajectory prefactors.

    Constant: (1, 1).  Slonczewski / asymmetric: (eta(theta), eta(theta)) with the model's eta.
    Tabulated: (2 a_n(theta), 2 b_n(theta)).
    """
    c = min(1.0, max(-1.0, cos_theta))
    if model == MODEL_SLONCZEWSKI:
        p = params[0]
        eta = 2.0 / (-4.0 + (1.0 + p) ** 3 * (3.0 + c) / (4.0 * p**1.5))
        return eta, eta
    if model == MODEL_ASYMMETRIC:
        lam2 = params[1] * params[1]
        eta = 2.0 * params[0] * lam2 / ((lam2 + 1.0) + (lam2 - 1.0) * c)
        return eta, eta
    if model == MODEL_TABULATED:
        theta = math.acos(c)
        return 2.0 * _spline_value(knots, coef, 0, theta), 2.0 * _spline_value(knots, coef, 1, theta)
    return 1.0, 1.0
