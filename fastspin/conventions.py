"""Geometry, signs and units shared by every part of fastspin (stated once, here).

Geometry (Barnas et al. 2005, Sec. IV and Fig. 1)
-------------------------------------------------
* ``x`` is the stack normal; layers are listed left to right along ``+x``.
* A positive charge current density ``J`` (A/m^2) flows along ``+x``, from the first (left, "thick",
  reference) magnet towards the later ones; electrons then flow along ``-x``.  The particle current
  density is ``j0 = J / e`` with ``e = -|e|`` the electron charge, so ``j0 < 0`` for ``J > 0``.
* The quantization axis of a ferromagnet is its *net spin* ``s_hat``, which is opposite to its
  magnetization: ``m_hat = -s_hat``.  Transport inputs (``Stack`` directions) are net-spin directions,
  exactly as in the paper; the macrospin code works with magnetization directions ``m`` and ``p``.
* Spin accumulation ``g = (mu_up - mu_down)/2`` is an energy (J) and a vector along the local
  quantization axis; spin currents are particle-current densities ``j_up - j_down`` (1/(m^2 s)), a
  vector in spin space, counted positive when they flow along ``+x``.
* The torque on a ferromagnetic layer is the rate of change of its spin angular momentum per unit area,
  ``tau = (hbar/2) (j_perp(left) - j_perp(right))`` (Eq. 37), in N/m (J/m^2).  Normalised torques are
  ``tau / (hbar * J / |e|)`` (the paper's ``hbar I0/|e|``).
* For a layer with net spin ``s_hat`` and a reference layer with net spin ``S_hat`` at angle ``phi``:
  ``tau_parallel = a s_hat x (s_hat x S_hat)`` (Eq. 38), ``tau_perp = b s_hat x S_hat`` (Eq. 42);
  ``tau_phi = a sin(phi)`` (> 0 increases ``phi``, Eq. 39) and ``tau_x = tau . n_hat = -b sin(phi)``
  with ``n_hat = S_hat x s_hat / |S_hat x s_hat|`` (the paper's ``+x`` when the layers rotate about x).

From transport to the macrospin equation
----------------------------------------
With ``m = -s_hat``, ``p = -S_hat`` (magnetization directions of the free and the reference layer) the
identities ``s_hat x (s_hat x S_hat) = -m x (m x p)`` and ``s_hat x S_hat = m x p``, and the spin
angular momentum per area of the free layer ``(Ms d / gamma) s_hat``, give the spin-transfer part of
the Landau-Lifshitz-Gilbert-Slonczewski equation::

    dm/dt|_STT = gamma * (hbar J / (|e| Ms d)) * [a_n(theta) m x (m x p) - b_n(theta) m x p],

where ``a_n, b_n`` are the transport prefactors normalised by ``hbar J/|e|`` and ``theta`` is the
angle between ``m`` and ``p`` (equal to the angle between the net spins).  In the form used by the
macrospin code, ``a_J = hbar * eta * J / (2 |e| Ms d)`` (tesla), the damping-like efficiency is
``eta(theta) = 2 a_n(theta)`` and the field-like one ``2 b_n(theta)``::

    dm/dt|_STT = gamma * a_J(theta) m x (m x p) - gamma * b_J(theta) m x p.

So a positive ``a_n`` with ``J > 0`` pushes ``m`` away from ``p``: it destabilises the parallel state,
the "normal" switching of the paper's case (i).

Units
-----
SI everywhere inside: m, s, A/m^2, T, Ohm m, Ohm m^2, S/m^2, J, rad.  Presets may be written in the
units of the literature and are converted once, where they are defined.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

from .constants import E_CHARGE, HBAR


@overload
def stt_field_tesla(current_density: float, ms: float, thickness: float, efficiency: float = 1.0) -> float: ...


@overload
def stt_field_tesla(
    current_density: float | npt.NDArray[np.float64],
    ms: float | npt.NDArray[np.float64],
    thickness: float | npt.NDArray[np.float64],
    efficiency: float | npt.NDArray[np.float64] = 1.0,
) -> float | npt.NDArray[np.float64]: ...


def stt_field_tesla(
    current_density: float | npt.NDArray[np.float64],
    ms: float | npt.NDArray[np.float64],
    thickness: float | npt.NDArray[np.float64],
    efficiency: float | npt.NDArray[np.float64] = 1.0,
) -> float | npt.NDArray[np.float64]:
    """Spin-torque prefactor ``a_J = hbar * efficiency * J / (2 |e| Ms d)`` in tesla.

    ``current_density`` in A/m^2, ``ms`` in A/m, ``thickness`` in m.  Works on scalars and arrays.
    """
    return HBAR * efficiency * current_density / (2.0 * E_CHARGE * ms * thickness)
