"""The collinear states P (``m = p``) and AP (``m = -p``) of a macrospin: the ingredients of their linear stability.

* :func:`~fastspin.analysis.collinear_prefactors`: the damping-like and field-like prefactors ``a`` and ``b`` of
  the transport torque at phi = 0 and pi (the slopes ``a(0)``, ``a(pi)`` of ``tau_phi`` there).
* :func:`~fastspin.analysis.stiffness_fields`: the in-plane and out-of-plane stiffness fields ``H_1``, ``H_2`` of
  the state ``m = s x``; it is an energy minimum where both are positive, and with the damping-like torque ``a_J`` it
  loses stability where ``s a_J = alpha (H_1 + H_2) / 2`` (Sun, Phys. Rev. B 62, 570 (2000), Eq. 11; see
  :func:`fastspin.analysis.critical_currents_linear`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..transport import decompose, solve

if TYPE_CHECKING:
    from ..dynamics.torques import TabulatedTorque
    from ..stack import Stack


def collinear_prefactors(torque: Stack | TabulatedTorque) -> dict[str, float]:
    """``a`` and ``b`` at phi = 0 and pi (normalised by ``hbar I0/|e|``) of a stack or torque table.

    ``torque`` is a :class:`~fastspin.stack.Stack` (exact limits from the transport engine) or a
    :class:`~fastspin.dynamics.TabulatedTorque` (its spline, i.e. what the dynamics integrates).
    """
    if hasattr(torque, "efficiency") and hasattr(torque, "field_like_efficiency"):
        ends = np.array([0.0, math.pi])
        a, b = torque.efficiency(ends) / 2.0, torque.field_like_efficiency(ends) / 2.0
    else:
        parts = decompose(solve(torque, {"phi": np.array([0.0, math.pi])}))
        a, b = parts["a"], parts["b"]
    return {"a_0": float(a[0]), "a_pi": float(a[1]), "b_0": float(b[0]), "b_pi": float(b[1])}


def stiffness_fields(
    sign: float,
    field: float | npt.NDArray[np.float64],
    anisotropy_field: float | npt.NDArray[np.float64],
    demag_fields: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Stiffness fields (T) of the state ``m = s x`` (``sign`` s = +1 for P, -1 for AP), easy axis along x:

        H_1 = s B + B_k + mu0 Ms (N_y - N_x)   (in plane),
        H_2 = s B + B_k + mu0 Ms (N_z - N_x)   (out of plane),

    ``field`` ``B`` along x (T; the field-like torque counts as the field ``b_J`` it is), ``anisotropy_field``
    ``B_k`` (T), ``demag_fields`` ``mu0 Ms (N_x, N_y, N_z)`` (T, last axis of length 3; see
    :meth:`fastspin.dynamics.FreeLayer.demag_field_factors`).  Arrays broadcast.  Returns ``(H_1, H_2)``.
    """
    h1 = sign * field + anisotropy_field + demag_fields[..., 1] - demag_fields[..., 0]
    h2 = sign * field + anisotropy_field + demag_fields[..., 2] - demag_fields[..., 0]
    return h1, h2
