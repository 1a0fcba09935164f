"""Phase diagrams as one call each, scans underneath (the physics they rest on is :mod:`fastspin.analysis`).

* :func:`dynamic_state_map`: macrospin states over current density x field from both P and AP starts (its
  thresholds: :func:`fastspin.analysis.critical_currents_dynamic`, to compare with
  :func:`fastspin.analysis.critical_currents_linear`).
* :func:`phi_c_map`: the zero phi_c of the torque (:func:`fastspin.analysis.find_phi_c`) over transport
  parameters.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

# moved to fastspin.analysis; re-exported (see __all__) for the old import path fastspin.scan.phase
from ..analysis import collinear_prefactors, critical_currents_dynamic, critical_currents_linear, find_phi_c
from ..dynamics.backends import resolve
from .dynamics_model import DynamicsModel
from .executors import Executor
from .run import run_scan
from .spec import Axis, ScanSpec
from .transport_model import PhiCModel

__all__ = [
    "GPU_CHUNK_POINTS",
    "collinear_prefactors",
    "critical_currents_dynamic",
    "critical_currents_linear",
    "dynamic_state_map",
    "find_phi_c",
    "phi_c_map",
]

GPU_CHUNK_POINTS = 1 << 20  #: points per chunk of a state map on a GPU when not given


def dynamic_state_map(
    current_density: npt.ArrayLike,
    field: npt.ArrayLike,
    *,
    preset: str = "barnas2005:fig5",
    starts: Sequence[str] = ("P", "AP"),
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "local",
    progress: bool = True,
    chunk_size: int | None = None,
    executor_options: Mapping[str, Any] | None = None,
    backend: str = "cpu",
    **model_parameters: Any,
) -> pd.DataFrame:
    """Macrospin states over current density x applied field from both P and AP starts.

    ``current_density`` (A/m^2) and ``field`` (T, along the easy axis and p) are 1-D grids; the free
    layer is the thin magnet of ``preset`` driven by its tabulated transport torque; further keywords
    are parameters of :class:`~fastspin.scan.dynamics_model.DynamicsModel` (``alpha``, ``ms``,
    ``anisotropy_field``, ``duration``, ``dt``, ...).  Returns the tidy frame of
    :func:`~fastspin.scan.run_scan` (columns ``start, field, current_density, state, phase,
    start_stable, ...``); with ``out`` it is also stored (and resumable) as Parquet.  ``backend``: ``"cpu"``,
    ``"cuda"`` or ``"auto"`` (fastspin.dynamics.backends); on a GPU the chunks default to ``GPU_CHUNK_POINTS``
    points (a GPU needs some 10^5 threads to be busy).
    """
    if chunk_size is None and resolve(backend) == "cuda":
        chunk_size = GPU_CHUNK_POINTS
    model = DynamicsModel(preset=preset, **model_parameters)
    spec = ScanSpec(
        model,
        [
            Axis("start", list(starts)),
            Axis("field", np.atleast_1d(field)),
            Axis("current_density", np.atleast_1d(current_density)),
        ],
        chunk_size=chunk_size,
    )
    return run_scan(spec, out, executor=executor, progress=progress, backend=backend, **(executor_options or {}))


def phi_c_map(
    axes: Mapping[str, Sequence[float] | npt.NDArray[np.float64]],
    *,
    preset: str = "barnas2005:fig5",
    overrides: Mapping[str, float] | None = None,
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "local",
    progress: bool = True,
    chunk_size: int | None = None,
    executor_options: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """phi_c over a grid of transport parameters (``axes``: dict name -> 1-D values, SI).

    ``{"F1.beta": ..., "F1|N.gamma": ...}`` gives the inset of Barnas et al. 2005, Fig. 5;
    ``{"N.thickness": ..., "F2.thickness": ...}`` the dependence on thicknesses.  Returns the frame
    of :func:`~fastspin.scan.run_scan` with the columns of :func:`~fastspin.analysis.find_phi_c`.
    """
    spec = ScanSpec(PhiCModel(preset, overrides), axes, chunk_size=chunk_size)
    return run_scan(spec, out, executor=executor, progress=progress, **(executor_options or {}))
