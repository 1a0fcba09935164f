"""Charge and flux of a macrospin (Louis et al. 2025, Eqs. 28-35).

``m = (sin(theta) cos(phi), sin(theta) sin(phi), cos(theta))`` (Eq. 28) and

    Q = -(e/hbar) S_s cos(theta) = -Q_0 cos(theta),      Phi = (hbar/e) phi = Phi_0 phi      (Eq. 29)

with ``S_s = Ms V / gamma`` (Eq. 26).  With this sign of ``Q`` the undamped LLG equation is exactly
Hamilton's ``dQ/dt = -dE/dPhi``, ``dPhi/dt = dE/dQ`` (Eqs. 9-10); tests/circuit check it numerically.
``Phi`` is not wrapped: it counts full turns of ``phi``.

The poles ``theta = 0, pi`` are coordinate singularities (``phi`` undefined, ``1/sin(theta)`` in the
circuit elements): every function here refuses a magnetization with ``sin(theta) < min_sin_theta``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .. import validation as v
from ..numeric import unit_rows

if TYPE_CHECKING:
    from .parameters import EasyPlaneFreeLayer

#: Default smallest ``sin(theta)`` accepted by the charge-flux model (theta within ~0.06 deg of a pole
#: is refused); the easy-plane regime the model is built for keeps ``sin(theta)`` near 1.
MIN_SIN_THETA = 1e-3


class PoleError(ArithmeticError):
    """A charge-flux trajectory reached a pole ``theta = 0, pi`` where ``(Q, Phi)`` are singular."""


def _unit_vectors(m, name):
    arr = v.real_array(m, name)
    if arr.shape[-1:] != (3,):
        raise ValueError(f"{name} must have a last axis of length 3, got shape {arr.shape}")
    unit, zero = unit_rows(arr)  # scaled first: (1e200, 1e200, 0) lies on the equator, not at a pole
    if np.any(zero):
        raise ValueError(f"{name} must be non-zero vectors")
    return unit


def check_min_sin_theta(min_sin_theta: float) -> float:
    """``min_sin_theta`` as a float in (0, 1), else a ValueError naming it."""
    value = v.number(min_sin_theta, "min_sin_theta", low=0.0, high=1.0, low_open=True)
    if value == 1.0:
        raise ValueError("min_sin_theta must lie in (0, 1), got 1.0")
    return value


def check_away_from_poles(sin_theta: npt.ArrayLike, name: str, min_sin_theta: float = MIN_SIN_THETA) -> None:
    """Raise ``ValueError`` naming ``name`` if any ``sin(theta)`` is below ``min_sin_theta``."""
    sin_theta = np.asarray(sin_theta, dtype=float)
    bad = ~(np.abs(sin_theta) >= min_sin_theta)
    if np.any(bad):
        worst = float(np.nanmin(np.abs(sin_theta))) if np.any(np.isfinite(sin_theta)) else float("nan")
        raise ValueError(
            f"{name}: sin(theta) = {worst:.3g} is below {min_sin_theta:g}: the charge-flux variables are "
            "singular at the poles theta = 0, pi (Louis Sec. III); start away from the z axis or use "
            "the Cartesian integrator fastspin.dynamics"
        )


def charge_flux_from_m(
    free_layer: EasyPlaneFreeLayer, m: npt.ArrayLike, *, min_sin_theta: float = MIN_SIN_THETA, name: str = "m"
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(Q, Phi)`` in C and Wb from magnetization directions ``m`` (..., 3) (Louis Eq. 29).

    ``m`` is normalised first; ``Phi`` is returned in ``(-pi Phi_0, pi Phi_0]``.  Errors name the
    input as ``name``.
    """
    unit = _unit_vectors(m, name)
    sin_theta = np.hypot(unit[..., 0], unit[..., 1])
    check_away_from_poles(sin_theta, name, min_sin_theta)
    charge = -free_layer.charge_unit * unit[..., 2]
    flux = free_layer.flux_unit * np.arctan2(unit[..., 1], unit[..., 0])
    return charge, flux


def angles_from_charge_flux(
    free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(cos(theta), sin(theta), phi)`` from ``Q``, ``Phi`` (inverse of Louis Eq. 29).

    Raises ``ValueError`` if ``|Q| >= Q_0`` (beyond a pole) or a value is not finite.
    """
    charge = np.asarray(charge, dtype=float)
    flux = np.asarray(flux, dtype=float)
    if not (np.all(np.isfinite(charge)) and np.all(np.isfinite(flux))):
        raise ValueError("charge and flux must be finite")
    cos_theta = -charge / free_layer.charge_unit
    if np.any(np.abs(cos_theta) >= 1.0):
        raise ValueError(f"charge: |Q| must be below Q_0 = {free_layer.charge_unit:.6g} C (|cos(theta)| < 1)")
    sin_theta = np.sqrt((1.0 - cos_theta) * (1.0 + cos_theta))
    return cos_theta, sin_theta, flux / free_layer.flux_unit


def m_from_charge_flux(
    free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Magnetization direction (..., 3) from ``Q`` (C) and ``Phi`` (Wb) (Louis Eqs. 28-29)."""
    cos_theta, sin_theta, phi = angles_from_charge_flux(free_layer, charge, flux)
    return np.stack([sin_theta * np.cos(phi), sin_theta * np.sin(phi), cos_theta], axis=-1)


def dm_dcharge(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``m_Q = dm/dQ = hbar/(e S_s) [cot(theta)(cos(phi), sin(phi), 0) - e_z]`` (1/C), Louis Eq. 30."""
    cos_theta, sin_theta, phi = angles_from_charge_flux(free_layer, charge, flux)
    scale = 1.0 / free_layer.charge_unit
    cot = cos_theta / sin_theta
    return scale * np.stack([cot * np.cos(phi), cot * np.sin(phi), -np.ones_like(cot)], axis=-1)


def dm_dflux(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``m_Phi = dm/dPhi = (e/hbar) sin(theta) (-sin(phi), cos(phi), 0)`` (1/Wb), Louis Eq. 31."""
    cos_theta, sin_theta, phi = angles_from_charge_flux(free_layer, charge, flux)
    scale = sin_theta / free_layer.flux_unit
    return np.stack([-scale * np.sin(phi), scale * np.cos(phi), np.zeros_like(scale)], axis=-1)
