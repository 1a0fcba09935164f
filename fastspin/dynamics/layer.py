"""The free layer of a macrospin: its material, its shape, and its energy.

Energy per unit volume divided by Ms (tesla), the form of Louis et al. 2025, Eqs 25 and 53:

    E / (Ms V) = -B . m - (1/2) B_k (m . u)^2 + (1/2) mu0 Ms (N_x m_x^2 + N_y m_y^2 + N_z m_z^2),

with the applied field ``B`` (T), the uniaxial anisotropy field ``B_k`` along the easy axis ``u`` and
the diagonal demagnetizing tensor ``N`` (thin film normal to z by default).  The effective field is
``B_eff = -d(E/(Ms V))/dm`` (Louis Eq. 25).  An ``N`` component may include a perpendicular anisotropy
(effective demagnetizing factor), so only finiteness is required of it.
"""

from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from .. import validation as v
from ..constants import MU0


@dataclass(frozen=True, eq=False)
class FreeLayer:
    """A macrospin free layer (SI units).

    Parameters
    ----------
    ms : float or array_like
        saturation magnetization, A/m (> 0); scalar or one value per trajectory.
    thickness : float or array_like
        m (> 0); scalar or per trajectory.
    alpha : float or array_like
        Gilbert damping (>= 0); scalar or per trajectory.
    anisotropy_field : float or array_like
        uniaxial anisotropy field B_k, T (may be negative for a hard axis); scalar or per trajectory.
    easy_axis : array_like
        direction u of the uniaxial anisotropy, shape (3,) or (n, 3), any length > 0.
    demag : array_like
        diagonal demagnetizing factors (N_x, N_y, N_z), shape (3,) or (n, 3); the default
        (0, 0, 1) is a thin film in the xy plane.
    area : float or array_like or None
        lateral area, m^2 (> 0); needed for the volume (thermal field, MTJ voltage drive).
    name : str
        how error messages call the layer.
    """

    ms: Any
    thickness: Any
    alpha: Any
    anisotropy_field: Any = 0.0
    easy_axis: Any = (1, 0, 0)
    demag: Any = (0, 0, 1)
    area: Any = None
    name: str = field(default="free layer")

    def __post_init__(self):
        owner = f"FreeLayer {self.name!r}"
        checked = {
            "ms": v.per_trajectory(self.ms, "ms", owner, positive=True),
            "thickness": v.per_trajectory(self.thickness, "thickness", owner, positive=True),
            "alpha": v.per_trajectory(self.alpha, "alpha", owner, non_negative=True),
            "anisotropy_field": v.per_trajectory(self.anisotropy_field, "anisotropy_field", owner),
            "easy_axis": v.vectors(self.easy_axis, "easy_axis", owner, unit=True),
            "demag": v.vectors(self.demag, "demag", owner),
            "area": None if self.area is None else v.per_trajectory(self.area, "area", owner, positive=True),
        }
        for key, value in checked.items():
            object.__setattr__(self, key, value)

    @classmethod
    def easy_plane(
        cls,
        ms: npt.ArrayLike,
        thickness: npt.ArrayLike,
        alpha: npt.ArrayLike,
        hard_axis_field: npt.ArrayLike,
        easy_axis_field: npt.ArrayLike = 0.0,
        area: npt.ArrayLike | None = None,
        name: str = "free layer",
    ) -> Self:
        """The easy-plane free layer of Louis et al. 2025, Eq. 53 (hard axis z, easy axis x).

        ``E/(Ms V) = -B.m + (1/2) B_d m_z^2 - (1/2) B_a m_x^2``: ``hard_axis_field`` is ``B_d`` (T,
        demagnetizing plus perpendicular-anisotropy field), ``easy_axis_field`` is ``B_a`` (T).
        ``B_d`` is carried as an effective demagnetizing factor ``N_z = B_d / (mu0 Ms)``.
        """
        owner = f"FreeLayer {name!r}"
        ms_arr = v.per_trajectory(ms, "ms", owner, positive=True)
        b_d = v.per_trajectory(hard_axis_field, "hard_axis_field", owner)
        n_z = np.asarray(b_d / (MU0 * ms_arr))
        demag = np.stack([np.zeros_like(n_z), np.zeros_like(n_z), n_z], axis=-1)
        return cls(
            ms_arr,
            thickness,
            alpha,
            anisotropy_field=easy_axis_field,
            easy_axis=(1, 0, 0),
            demag=demag,
            area=area,
            name=name,
        )

    @property
    def owner(self) -> str:
        return f"FreeLayer {self.name!r}"

    def volume(self) -> npt.NDArray[np.float64]:
        """Volume ``thickness * area`` in m^3; ``ValueError`` if the layer has no area."""
        if self.area is None:
            raise ValueError(f"{self.owner}: area is needed (volume for the thermal field / MTJ drive)")
        return self.thickness * self.area

    def demag_field_factors(self) -> npt.NDArray[np.float64]:
        """``mu0 Ms N_i`` (T), the demagnetizing field is ``-mu0 Ms N_i m_i``; shape (3,) or (n, 3)."""
        return MU0 * np.asarray(self.ms)[..., np.newaxis] * self.demag

    def effective_field(self, m: npt.ArrayLike, field: npt.ArrayLike = (0.0, 0.0, 0.0)) -> npt.NDArray[np.float64]:
        """``B_eff = -d(E/(Ms V))/dm`` (T) for unit vectors ``m`` of shape (..., 3) (Louis Eq. 25)."""
        m = np.asarray(m, dtype=np.float64)
        proj = np.sum(m * self.easy_axis, axis=-1, keepdims=True)
        return (
            np.asarray(field, dtype=np.float64)
            + np.asarray(self.anisotropy_field)[..., np.newaxis] * proj * self.easy_axis
            - self.demag_field_factors() * m
        )

    def energy_per_ms_volume(self, m: npt.ArrayLike, field: npt.ArrayLike = (0.0, 0.0, 0.0)) -> npt.NDArray[np.float64]:
        """``E / (Ms V)`` in tesla (Louis Eq. 53 generalised) for unit vectors ``m`` of shape (..., 3)."""
        m = np.asarray(m, dtype=np.float64)
        proj = np.sum(m * self.easy_axis, axis=-1)
        return (
            -np.sum(np.asarray(field, dtype=np.float64) * m, axis=-1)
            - 0.5 * self.anisotropy_field * proj**2
            + 0.5 * np.sum(self.demag_field_factors() * m * m, axis=-1)
        )
