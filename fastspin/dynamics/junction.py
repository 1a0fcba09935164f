"""Voltage-biased magnetic tunnel junction: R(theta) and the spin-transfer torque of its bias.

Louis et al. 2025, Eqs 65-69::

    R_MTJ = R_perp / (1 + eta^2 cos(theta)),         cos(theta) = p . m            (65, 66)
    R_perp = 2 R_AP R_P / (R_AP + R_P),  eta = sqrt((R_AP - R_P) / (R_AP + R_P))    (67, 68)
    J_s = (hbar/|e|) (eta/2) (V / R_perp) p                                          (69)

With Louis Eq. 24, ``dm/dt = ... - gamma/(Ms V_o) m x (J_s x m)``, the spin current (69) gives the
damping-like torque field ``a_J = hbar eta V / (2 |e| R_perp Ms V_o)`` (tesla) in the form of
fastspin/conventions.py, ``dm/dt|_STT = gamma a_J m x (m x p)``: independent of theta at fixed bias,
or equivalently ``eta / (1 + eta^2 cos theta)`` times the current ``I = V / R(theta)``.  A positive
``V`` pushes ``m`` away from ``p``.

Bias-dependent torques (e.g. ``T_par(V)``, ``T_perp(V)`` of an MTJ-electrode transport model) are
given as polynomial coefficients in V (ascending powers) of the prefactors ``a(V)``, ``b(V)`` of
Barnas et al. 2005 Eqs 38 and 42 as torques per unit area in J/m^2 (torque magnitude ``a sin theta``):
``a_J = a(V) / (Ms d)``, ``b_J = b(V) / (Ms d)`` (T) and ``dm/dt|_STT = gamma a_J m x (m x p) - gamma
b_J m x p``.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

from .. import validation as v
from ..constants import E_CHARGE, HBAR


class MTJ:
    """Magnetic tunnel junction with resistances ``r_p < r_ap`` (Ohm), Louis et al. 2025 Eqs 65-69.

    ``damping_like_coefficients`` / ``field_like_coefficients``: optional polynomial coefficients
    ``[c0, c1, c2, ...]`` of ``a(V) = sum c_k V^k`` and ``b(V)`` in J/m^2 per V^k.  Without
    damping-like coefficients the damping-like torque is Louis Eq. 69; without field-like ones the
    field-like torque is zero (or ``field_like_ratio`` times the damping-like one in ``simulate``).
    """

    def __init__(
        self,
        r_p: float,
        r_ap: float,
        damping_like_coefficients: npt.ArrayLike | None = None,
        field_like_coefficients: npt.ArrayLike | None = None,
    ) -> None:
        self.r_p = v.positive_scalar(r_p, "r_p", "MTJ")
        self.r_ap = v.positive_scalar(r_ap, "r_ap", "MTJ")
        if self.r_ap < self.r_p:
            raise ValueError("MTJ: r_ap must be >= r_p (Louis Eq. 68 needs a real eta)")
        self.damping_like_coefficients = self._coefficients(damping_like_coefficients, "damping_like_coefficients")
        self.field_like_coefficients = self._coefficients(field_like_coefficients, "field_like_coefficients")

    @staticmethod
    def _coefficients(value: object, name: str) -> npt.NDArray[np.float64] | None:
        if value is None:
            return None
        arr = v.real_array(value, name, "MTJ")
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"MTJ: {name} must be a non-empty 1-D sequence [c0, c1, ...]")
        return arr

    @property
    def r_perp(self) -> float:
        """R_perp = 2 R_AP R_P / (R_AP + R_P) (Louis Eq. 67), Ohm."""
        return 2.0 * self.r_ap * self.r_p / (self.r_ap + self.r_p)

    @property
    def eta(self) -> float:
        """eta = sqrt((R_AP - R_P) / (R_AP + R_P)) (Louis Eq. 68)."""
        return float(np.sqrt((self.r_ap - self.r_p) / (self.r_ap + self.r_p)))

    def resistance(self, cos_theta: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """R(theta) = R_perp / (1 + eta^2 cos theta) (Louis Eq. 65), Ohm."""
        return self.r_perp / (1.0 + self.eta**2 * np.asarray(cos_theta))

    def torque_fields(
        self,
        voltage: float | npt.NDArray[np.float64],
        ms: float | npt.NDArray[np.float64],
        thickness: float | npt.NDArray[np.float64],
        area: float | npt.NDArray[np.float64],
    ) -> tuple[float | npt.NDArray[np.floating[Any]], float | npt.NDArray[np.floating[Any]] | None]:
        """Per-trajectory (a_J, b_J or None) in tesla at bias ``voltage`` (V); see the module docstring."""
        volume = thickness * area
        if self.damping_like_coefficients is None:
            a_j = HBAR * self.eta * voltage / (2.0 * E_CHARGE * self.r_perp * ms * volume)
        else:
            a_j = np.polynomial.polynomial.polyval(voltage, self.damping_like_coefficients) / (ms * thickness)
        if self.field_like_coefficients is None:
            return a_j, None
        return a_j, np.polynomial.polynomial.polyval(voltage, self.field_like_coefficients) / (ms * thickness)
