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
  ``hbar J/|e|``) of a computed stack; ``eta = 2 a_n`` and the field-like efficiency ``2 b_n``.

For the analytic models the field-like torque is ``b_J = field_like_ratio * a_J``.

Kernel forms.  The kernels never take ``acos`` nor search a table: every model is a function of
``u = cos(theta) = m . p`` evaluated without branches, so the loop over the trajectories of a block
vectorizes.  Two forms (``KIND_*``, compile-time constants of the kernels) cover the models:

* ``TORQUE_RATIONAL``: ``eta = q0 / (q1 + q2 u)`` for both torques, exact for the Slonczewski and
  asymmetric models (``q`` from :func:`kernel_inputs`);
* ``TORQUE_TABLE``: a uniform grid of ``n`` intervals of ``u`` on [-1, 1], one cubic per interval and
  torque (:class:`TabulatedTorque`): ``k = min(floor((u + 1) n / 2), n - 1)``, Horner in the local
  variable ``(u + 1) n / 2 - k``.

``TORQUE_CONSTANT`` (``eta = 1``) is the constant model.  The kernels evaluate the forms with
``rational_factor`` and ``table_factors`` of fastspin.dynamics.core.physics.
"""

from typing import Protocol, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.interpolate import CubicSpline

from .. import validation as v

TORQUE_CONSTANT = 0
TORQUE_RATIONAL = 1
TORQUE_TABLE = 2

TABLE_ROW = 8  #: doubles per interval of a kernel table: cubic of 2 a_n, cubic of 2 b_n (highest power first)
RESAMPLE_RTOL = 1e-10  #: resampling tolerance of a table, relative to max(|a_n|, |b_n|)
MIN_LOG2_INTERVALS, MAX_LOG2_INTERVALS = 8, 14  #: 256 .. 16384 intervals (16 KB .. 1 MB of table)


class TorqueModel(Protocol):
    """What :func:`kernel_inputs` needs of a torque model: ``kernel_spec() -> (kind, q (3,), table)``."""

    def kernel_spec(self) -> tuple[int, npt.ArrayLike, npt.ArrayLike]: ...


class SlonczewskiTorque:
    """Slonczewski 1996 angular dependence for a spin polarization ``0 < P <= 1``."""

    def __init__(self, polarization: float) -> None:
        p = v.real_array(polarization, "polarization", "SlonczewskiTorque")
        if p.ndim != 0 or not 0.0 < p <= 1.0:
            raise ValueError(f"SlonczewskiTorque: polarization must be a scalar in (0, 1], got {polarization!r}")
        self.polarization = float(p)

    def kernel_spec(self) -> tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(kind, q (3,), table): ``eta = 2 g = 2 / [(3 k - 4) + k cos theta]``, ``k = (1 + P)^3 / (4 P^{3/2})``."""
        k = (1.0 + self.polarization) ** 3 / (4.0 * self.polarization**1.5)
        return TORQUE_RATIONAL, np.array([2.0, 3.0 * k - 4.0, k]), _NO_TABLE

    def efficiency(self, theta: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Damping-like efficiency ``eta(theta) = 2 g(theta)`` (NumPy, for checks and plots)."""
        p = self.polarization
        return 2.0 / (-4.0 + (1.0 + p) ** 3 * (3.0 + np.cos(theta)) / (4.0 * p**1.5))


class AsymmetricTorque:
    """Two-parameter asymmetric angular dependence: polarization ``0 < P <= 1``, asymmetry ``Lambda > 0``.

    ``eta(theta) = 2 P Lambda^2 / [(Lambda^2 + 1) + (Lambda^2 - 1) cos theta]`` (``Lambda > 1`` makes the
    torque larger near the antiparallel state, ``Lambda = 1`` is the constant ``eta = P``).
    """

    def __init__(self, polarization: float, asymmetry: float) -> None:
        p = v.real_array(polarization, "polarization", "AsymmetricTorque")
        lam = v.real_array(asymmetry, "asymmetry", "AsymmetricTorque")
        if p.ndim != 0 or not 0.0 < p <= 1.0:
            raise ValueError(f"AsymmetricTorque: polarization must be a scalar in (0, 1], got {polarization!r}")
        if lam.ndim != 0 or lam <= 0:
            raise ValueError(f"AsymmetricTorque: asymmetry must be a positive scalar, got {asymmetry!r}")
        self.polarization = float(p)
        self.asymmetry = float(lam)

    def kernel_spec(self) -> tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(kind, q (3,), table): ``eta = q0 / (q1 + q2 cos theta)``, the formula itself."""
        lam2 = self.asymmetry**2
        return TORQUE_RATIONAL, np.array([2.0 * self.polarization * lam2, lam2 + 1.0, lam2 - 1.0]), _NO_TABLE

    def efficiency(self, theta: npt.ArrayLike) -> npt.NDArray[np.float64]:
        lam2 = self.asymmetry**2
        return 2.0 * self.polarization * lam2 / ((lam2 + 1.0) + (lam2 - 1.0) * np.cos(theta))


class TabulatedTorque:
    """Transport prefactors ``a_n(theta)``, ``b_n(theta)`` on a grid of angles in [0, pi] (radians).

    ``a``, ``b`` are the torque prefactors of Barnas et al. 2005 Eqs 38 and 42 normalised by
    ``hbar J/|e|`` (the columns of ``fastspin.torque_vs_angle``).  The grid must be strictly
    increasing, inside [0, pi], with at least 4 points, and reach within one grid spacing of 0 and of
    pi (the end pieces of the spline extrapolate there).

    Interpolation.  ``a_n`` and ``b_n`` are even about theta = 0 and pi (the torque ``a_n sin theta``
    is odd), so they are smooth functions of ``u = cos theta`` on [-1, 1].  They are interpolated in
    ``u``: a not-a-knot cubic spline through the points ``(cos theta_i, a_i)``, resampled as a
    not-a-knot cubic spline on ``n = 2^k`` uniform intervals of ``u`` (the kernel table), with the
    smallest ``k`` in [8, 14] for which the two splines differ by at most ``RESAMPLE_RTOL = 1e-10`` of
    ``max(|a_n|, |b_n|)`` at every interval midpoint and every given point (else ``k = 14``);
    ``resampling_error`` holds the largest difference found (units of ``a``), ``intervals`` the ``n``.

    Measured interpolation error (tests/dynamics/test_torques.py, fixtures/measured.json):
    Slonczewski's ``g(theta)`` with P = 0.4 tabulated every degree: max relative error 3.3e-9 (a cubic
    spline in theta: 6.2e-8); the Fig. 5 valve's ``a_n`` tabulated at 91 angles, against
    the transport engine at off-grid angles: 2.9e-8 of ``max|a_n|`` (spline in theta: 8.7e-7).  Data
    that are not even about 0 and pi (a slope at the ends) are not smooth in ``u``; this
    interpolation is meant for torque prefactors, which are.
    """

    def __init__(self, angle: npt.ArrayLike, a: npt.ArrayLike, b: npt.ArrayLike) -> None:
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
        cos_angle = np.cos(angle)[::-1]
        if np.any(np.diff(cos_angle) <= 0):
            raise ValueError(f"{owner}: angle has points so close to 0 or pi that their cosines coincide")
        self.angle, self.a, self.b = angle, a, b
        values = np.stack([a, b])[:, ::-1]
        self.table, self.intervals, self.resampling_error = _uniform_cos_table(cos_angle, values)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Self:
        """From the DataFrame of ``fastspin.torque_vs_angle(stack, phi)`` (columns phi, a, b)."""
        missing = [c for c in ("phi", "a", "b") if c not in frame.columns]
        if missing:
            raise ValueError(f"TabulatedTorque.from_frame: frame lacks the column(s) {missing}")
        ordered = frame.sort_values("phi")
        return cls(ordered["phi"].to_numpy(), ordered["a"].to_numpy(), ordered["b"].to_numpy())

    def kernel_spec(self) -> tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """(kind, q (unused), table (8 n,)): see ``table_factors`` of fastspin.dynamics.core.physics."""
        return TORQUE_TABLE, np.zeros(3), self.table

    def _factors(self, theta):
        """``(2 a_n, 2 b_n)`` at ``theta`` from the kernel table, in NumPy (same arithmetic)."""
        n = self.intervals
        u = np.clip(np.cos(np.asarray(theta, dtype=np.float64)), -1.0, 1.0)
        x = (u + 1.0) * (0.5 * n)
        k = np.clip(x.astype(np.int64), 0, n - 1)
        d = x - k
        rows = self.table.reshape(n, TABLE_ROW)[k]
        return tuple(
            ((rows[..., o] * d + rows[..., o + 1]) * d + rows[..., o + 2]) * d + rows[..., o + 3] for o in (0, 4)
        )

    def efficiency(self, theta: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Damping-like efficiency ``2 a_n(theta)``: the kernel table (what the dynamics integrates)."""
        return self._factors(theta)[0]

    def field_like_efficiency(self, theta: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Field-like efficiency ``2 b_n(theta)`` from the kernel table."""
        return self._factors(theta)[1]


_NO_TABLE = np.zeros(TABLE_ROW)  # a one-interval dummy for the models without a table


def _uniform_cos_table(cos_angle, values):
    """Kernel table (8 n,) of ``2 values`` resampled on ``n`` uniform intervals of u = cos(theta).

    ``cos_angle`` increasing, ``values`` (2, m) at those points.  Returns (table, n, max difference
    between the uniform and the through-the-points spline at the checked points).
    """
    source = CubicSpline(cos_angle, values, axis=1, bc_type="not-a-knot")
    tolerance = RESAMPLE_RTOL * np.abs(values).max()
    for log2_n in range(MIN_LOG2_INTERVALS, MAX_LOG2_INTERVALS + 1):
        n = 2**log2_n
        knots = np.linspace(-1.0, 1.0, n + 1)
        uniform = CubicSpline(knots, source(knots), axis=1, bc_type="not-a-knot")
        check = np.concatenate([0.5 * (knots[1:] + knots[:-1]), cos_angle])
        error = float(np.abs(uniform(check) - source(check)).max())
        if error <= tolerance:
            break
    # uniform.c: (4, n, 2), powers of (u - u_k) highest first; in the local variable d = (u - u_k) / h
    h = 2.0 / n
    scaled = uniform.c * (h ** np.arange(3, -1, -1.0))[:, None, None]
    table = 2.0 * np.transpose(scaled, (1, 2, 0))  # (n, torque, power)
    return np.ascontiguousarray(table.reshape(n * TABLE_ROW)), n, error


def kernel_inputs(torque: str | TorqueModel) -> tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(kind, q (3,), table) for the kernels."""
    if isinstance(torque, str):
        if torque != "constant":
            raise ValueError(f"torque must be 'constant', a torque model or a torque table, got {torque!r}")
        return TORQUE_CONSTANT, np.array([1.0, 1.0, 0.0]), _NO_TABLE
    kind, q, table = torque.kernel_spec()
    return kind, np.array(q, dtype=np.float64), np.array(table, dtype=np.float64, order="C")
