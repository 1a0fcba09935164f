"""Critical currents: the current densities at which the P and AP states of a macrospin lose stability.

* :func:`~fastspin.analysis.critical_currents_linear`: from the linear stability of the collinear states of a
  macrospin driven by the transport torque (Sun, Phys. Rev. B 62, 570 (2000), Eq. 11, with the slopes ``a(0)``,
  ``a(pi)`` of ``tau_phi`` at 0 and pi and the field-like ``b``; ingredients in :mod:`fastspin.analysis.stability`).
* :func:`~fastspin.analysis.critical_currents_dynamic`: the same thresholds read off a dynamic state map (rows
  of :func:`fastspin.dynamics.simulate` runs over current and field from both starts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..columns import attach_units, frame_units
from ..constants import MU0
from ..conventions import stt_field_tesla
from .stability import collinear_prefactors, stiffness_fields

if TYPE_CHECKING:
    from ..dynamics.layer import FreeLayer
    from ..dynamics.torques import TabulatedTorque
    from ..stack import Stack


def _scalar(layer, name):
    value = np.asarray(getattr(layer, name), dtype=float)
    if value.size != 1:
        raise ValueError(f"critical currents: layer.{name} must be a single value, got shape {value.shape}")
    return float(value.reshape(-1)[0])


def critical_currents_linear(torque: Stack | TabulatedTorque, layer: FreeLayer, field: npt.ArrayLike) -> pd.DataFrame:
    """Current densities (A/m^2) at which the P and AP states lose stability (linear stability).

    Model (the macrospin of :mod:`fastspin.dynamics`, conventions of :mod:`fastspin.conventions`):
    free layer ``layer`` with easy axis and fixed-layer magnetization ``p`` along x, diagonal demag
    ``N``, applied field ``B`` (``field``, T, along x), spin torque
    ``gamma a_J(theta) m x (m x p) - gamma b_J(theta) m x p`` with ``a_J = stt_field_tesla(J, Ms, d,
    2 a_n(theta))`` and ``b_J`` likewise from ``b_n``, where ``a_n, b_n`` are the transport
    prefactors of ``torque`` (:func:`~fastspin.analysis.collinear_prefactors`).  Linearising
    the LLG equation about ``m = s x`` (``s = +1`` for P, ``-1`` for AP) with stiffness fields
    (:func:`~fastspin.analysis.stiffness_fields`)
    ``H_1 = s (B + b_J) + B_k + mu0 Ms (N_y - N_x)`` (in plane) and
    ``H_2 = s (B + b_J) + B_k + mu0 Ms (N_z - N_x)`` (out of plane) gives the 2x2 matrix
    ``gamma/(1+alpha^2) [[A - alpha H_1, -H_2 - alpha A], [H_1 + alpha A, A - alpha H_2]]`` with
    ``A = s a_J``; the state becomes unstable when its trace changes sign,
    ``s a_J = alpha (H_1 + H_2) / 2`` (Sun, Phys. Rev. B 62, 570 (2000), Eq. 11, with the slope
    ``a(0)`` or ``a(pi)`` of ``tau_phi`` in place of a constant efficiency), that is::

        J_c = alpha (s B + B_k + mu0 Ms ((N_y + N_z)/2 - N_x)) / (s k (a_n - alpha b_n)),
        k = hbar / (|e| Ms d).

    Returns a DataFrame with ``field`` and ``j_c_p``, ``j_c_ap`` (signed: the sign is the current
    direction that destabilises).  NaN means "no threshold": the state is not an energy minimum without
    current (``H_1 <= 0`` or ``H_2 <= 0`` at J = 0, e.g. at ``|B| >= B_k`` against it, where there is
    nothing to destabilise), or it is already statically unstable at threshold (the determinant of the
    matrix is not positive), or the torque cannot destabilise it (``a_n = alpha b_n``).
    """
    field = np.atleast_1d(np.asarray(field, dtype=float))
    easy = np.asarray(layer.easy_axis, dtype=float).reshape(-1, 3)
    if easy.shape[0] != 1 or not np.allclose(easy[0], (1.0, 0.0, 0.0)):
        raise ValueError("critical currents: the layer's easy_axis must be (1, 0, 0) (along p)")
    ms, thickness, alpha = _scalar(layer, "ms"), _scalar(layer, "thickness"), _scalar(layer, "alpha")
    b_k = _scalar(layer, "anisotropy_field")
    demag = np.asarray(layer.demag, dtype=float).reshape(-1, 3)
    if demag.shape[0] != 1:
        raise ValueError("critical currents: layer.demag must be one (N_x, N_y, N_z) triple")
    demag_fields = MU0 * ms * demag[0]
    n_x, n_y, n_z = demag_fields
    pre = collinear_prefactors(torque)
    frame = {"field": field}
    for label, s, a_n, b_n in (("p", 1.0, pre["a_0"], pre["b_0"]), ("ap", -1.0, pre["a_pi"], pre["b_pi"])):
        k_a = stt_field_tesla(1.0, ms, thickness, 2.0 * a_n)  # a_J per unit J, T m^2/A
        k_b = stt_field_tesla(1.0, ms, thickness, 2.0 * b_n)
        with np.errstate(divide="ignore", invalid="ignore"):
            j_c = alpha * (s * field + b_k + 0.5 * (n_y + n_z) - n_x) / (s * (k_a - alpha * k_b))
        h1, h2 = stiffness_fields(s, field + k_b * j_c, b_k, demag_fields)
        big_a = s * k_a * j_c
        det = (big_a - alpha * h1) * (big_a - alpha * h2) + (h2 + alpha * big_a) * (h1 + alpha * big_a)
        h1_rest, h2_rest = stiffness_fields(s, field, b_k, demag_fields)
        stable_at_rest = (h1_rest > 0) & (h2_rest > 0)
        frame[f"j_c_{label}"] = np.where(np.isfinite(j_c) & (det > 0) & stable_at_rest, j_c, np.nan)
    return attach_units(pd.DataFrame(frame))


_START_STATE = {"P": "parallel", "AP": "antiparallel"}


def critical_currents_dynamic(
    frame: pd.DataFrame, current: str = "current_density", field: str = "field", criterion: str = "start_stable"
) -> pd.DataFrame:
    """Critical currents of P and AP read off a dynamic map (rows from both starts).

    For each field and start, the runs are ordered by current; the stable run containing the
    smallest ``|J|`` is followed outwards to the first current at which the start state is lost.
    A run is stable when column ``criterion`` is true (``"start_stable"``: the deviation from the
    start state shrank during the run, see :class:`~fastspin.scan.dynamics_model.DynamicsModel`) or, with
    ``criterion="state"``, when it ends in the start state.  The critical current is the midpoint
    between the last stable and the first unstable current (uncertainty: half a grid step); when
    both directions lose the state, the smaller ``|J|`` is reported; NaN when the state is not
    stable at any current of the grid or not lost in it.
    """
    rows = []
    for value, group in frame.groupby(field, sort=True):
        row = {field: value}
        for start in ("P", "AP"):
            part = group[group["start"] == start].sort_values(current)
            if criterion == "state":
                stable = (part["state"].astype(str) == _START_STATE[start]).to_numpy()
            else:
                stable = part[criterion].to_numpy(dtype=bool)
            row[f"j_c_{start.lower()}"] = _boundary(part[current].to_numpy(), stable)
        rows.append(row)
    units = frame_units(frame)  # the thresholds in the unit of the current column
    thresholds = pd.DataFrame(rows, columns=[field, "j_c_p", "j_c_ap"])
    current_unit = units.get(current, "?")
    return attach_units(thresholds, {field: units.get(field, "?"), "j_c_p": current_unit, "j_c_ap": current_unit})


def _boundary(currents, stable):
    """Signed current midway between the stable run around J ~ 0 and the first instability; NaN when the run of
    the smallest ``|J|`` is not stable (the state is not stable at rest, as in :func:`critical_currents_linear`:
    a state held only by the field-like torque of a finite current has no threshold from rest)."""
    if len(currents) == 0:
        return np.nan
    start = int(np.argmin(np.abs(currents)))
    if not stable[start]:
        return np.nan
    candidates = []
    up = start
    while up + 1 < len(currents) and stable[up + 1]:
        up += 1
    if up + 1 < len(currents):
        candidates.append(0.5 * (currents[up] + currents[up + 1]))
    down = start
    while down - 1 >= 0 and stable[down - 1]:
        down -= 1
    if down - 1 >= 0:
        candidates.append(0.5 * (currents[down] + currents[down - 1]))
    return min(candidates, key=abs) if candidates else np.nan
