"""What a scan evaluates: the batched-evaluator interface and the axis declarations it checks.

A *model* is a picklable callable ``model(points) -> DataFrame`` where ``points`` maps each axis
name to a 1-D array holding one chunk of the scan (all arrays the same length, SI units) plus the
reserved key ``"point"`` (global point indices).  It returns one row per point, in order.  A model
also declares which axes it accepts (:meth:`~fastspin.scan.Model.axis_info`), so a spec is checked, axis by axis,
before any work starts, and describes itself as a JSON-able dict (:meth:`~fastspin.scan.Model.to_dict`) that the
Parquet manifest records and that :func:`~fastspin.scan.model_from_dict` turns back into a model.

Model kinds register themselves: a subclass that sets its own :attr:`~fastspin.scan.Model.kind` and defines
:meth:`~fastspin.scan.Model.from_dict` is recorded in :data:`MODEL_KINDS` when its class is created, so a new
kind is one new module (imported by :mod:`fastspin.scan`, which imports every model module).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation
from ..columns import UNKNOWN, column_units
from .errors import SpecError
from .units import si_unit

#: one chunk of a scan: axis name -> 1-D array of its values (``(n, 3)`` for a vector axis), plus ``"point"``
Points: TypeAlias = "dict[str, npt.NDArray[Any]]"

#: Axis-value checks a model may ask for, and the phrase used in error messages.
CHECKS = {
    "finite": "be finite",
    "positive": "be > 0",
    "nonnegative": "be >= 0",
    "open_unit": "lie strictly between -1 and 1",
    "real_part_nonnegative": "have a real part >= 0",
    "nonzero_vector": "be finite non-zero 3-vectors",
}


@dataclass(frozen=True)
class AxisInfo:
    """Declaration of one axis a model accepts.

    ``dimension`` is a key of :data:`fastspin.scan.units.UNITS`; ``kind`` is ``"real"``,
    ``"complex"``, ``"vector"`` (each value a 3-vector; a point's value is stored as the three columns
    ``<name>_x, _y, _z``) or ``"category"`` (then ``categories`` lists the allowed strings); ``check`` is a
    key of :data:`~fastspin.scan.model.CHECKS`; ``description`` is a short human phrase used in help texts;
    ``bounds`` (SI, optional) the supported range of the values' magnitudes (e.g.
    :data:`fastspin.validation.TRANSPORT_RANGES`).
    """

    dimension: str = "dimensionless"
    kind: str = "real"
    check: str = "finite"
    categories: tuple[str, ...] = ()
    description: str = ""
    bounds: tuple[float, float] | None = None

    def validate(self, values: Sequence[Any] | npt.NDArray[Any]) -> npt.NDArray[Any]:
        """Return ``values`` as an array of the declared kind (1-D; (n, 3) for vectors); ``ValueError`` (one
        line) if not."""
        if self.kind == "category":
            bad = [v for v in values if not isinstance(v, str) or v not in self.categories]
            if bad:
                raise ValueError(f"value {bad[0]!r} is not one of {', '.join(self.categories)}")
            return np.asarray(values, dtype=object).astype(str)
        if self.kind == "vector":
            return _vectors(values)
        for v in values:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, complex, np.number)):
                raise ValueError(f"value {v!r} is a {type(v).__name__}, expected a number")
        if self.kind == "real" and any(isinstance(v, (complex, np.complexfloating)) for v in values):
            raise ValueError("complex value given for a real axis")
        array = np.asarray(values, dtype=complex if self.kind == "complex" else float)
        bad = _violations(array, self.check)
        if bad.size:
            value = array[bad[0]]
            shown = f"{value.real:g}{value.imag:+g}j" if self.kind == "complex" else f"{value:g}"
            unit = si_unit(self.dimension)
            raise ValueError(
                f"value {shown}{' ' + unit if unit != '1' else ''} in the grid: values must {CHECKS[self.check]}"
            )
        if self.bounds is not None:
            low, high = self.bounds
            outside = np.flatnonzero((np.abs(array) > high) | ((np.abs(array) < low) & (array != 0)))
            if outside.size:
                unit = si_unit(self.dimension)
                raise ValueError(
                    f"value {np.abs(array[outside[0]]):g}{' ' + unit if unit != '1' else ''} in the grid "
                    f"is outside the supported range [{low:g}, {high:g}]"
                )
        return array


def _vectors(values):
    """``values`` as an (n, 3) float array of finite non-zero vectors; ValueError (one line) if not."""
    for value in values:
        if (
            isinstance(value, (str, bytes))
            or np.ndim(value) != 1
            or len(value) != 3
            or not all(isinstance(x, (int, float, np.number)) and not isinstance(x, bool) for x in value)
        ):
            raise ValueError(f"value {value!r} is not a 3-vector [x, y, z] of numbers")
    array = np.asarray(values, dtype=float)
    bad = ~np.isfinite(array).all(axis=1) | ~(np.abs(array).max(axis=1) > 0)
    if np.any(bad):
        raise ValueError(
            f"value {array[np.flatnonzero(bad)[0]].tolist()} in the grid: values must {CHECKS['nonzero_vector']}"
        )
    return array


def _violations(array, check):
    """Indices of ``array`` that break ``check`` (non-finite values always do)."""
    ok = np.isfinite(array)
    if check == "positive":
        ok &= array.real > 0
    elif check == "nonnegative":
        ok &= array.real >= 0
    elif check == "open_unit":
        ok &= np.abs(array) < 1
    elif check == "real_part_nonnegative":
        ok &= array.real >= 0
    return np.flatnonzero(~ok)


#: model kind -> the :class:`Model` subclass that builds it from a ``[model]`` table (filled by subclassing)
MODEL_KINDS: dict[str, type[Model]] = {}


class Model:
    """Base of the scan models: subclasses set :attr:`kind` and implement the methods below (:meth:`from_dict`
    for the kinds a ``[model]`` table can name; those are registered in :data:`~fastspin.scan.model.MODEL_KINDS`)."""

    #: the name of the model kind in a ``[model]`` table and in the manifest (empty for an abstract base)
    kind = ""
    #: points per chunk when the spec does not say (one batched kernel call per chunk).
    default_chunk_size = 65536
    #: whether ``__call__`` takes ``backend=`` (models that integrate dynamics: fastspin.dynamics.backends)
    uses_backend = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "kind" in vars(cls) and "from_dict" in vars(cls):
            taken = MODEL_KINDS.get(cls.kind)
            if taken is not None:
                raise TypeError(f"model kind {cls.kind!r} is taken by {taken.__module__}.{taken.__qualname__}")
            MODEL_KINDS[cls.kind] = cls

    @classmethod
    def from_dict(cls, description: dict[str, Any]) -> Self:
        """The model a ``[model]`` table (``kind = cls.kind``) or a manifest entry describes."""
        raise NotImplementedError

    def axis_info(self, name: str) -> AxisInfo:
        """The :class:`AxisInfo` of axis ``name``; ``ValueError`` naming the accepted axes if unknown."""
        raise NotImplementedError

    def axis_unit(self, name: str) -> str:
        """The unit of the column(s) of axis ``name`` in a scan's frame: the unit :mod:`fastspin.columns` gives the
        name, else the SI unit of the axis's declared dimension; ``"?"`` when neither says (a dimensionless
        declaration, the default of :class:`AxisInfo`, is not taken as one)."""
        unit = column_units([name])[name]
        if unit == UNKNOWN:
            dimension = self.axis_info(name).dimension
            if dimension != "dimensionless":
                unit = si_unit(dimension)
        return unit

    def check_axes(self, names: Sequence[str]) -> None:
        """Checks on the axes ``names`` taken together (each one accepted); :class:`SpecError` naming
        ``axes.<name>`` if they conflict."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description (``{"kind": ..., parameters...}``) recorded in the manifest."""
        raise NotImplementedError

    def check_run(self, n_points: int) -> None:
        """Refuse, as a :class:`SpecError` naming ``model.<key>``, the options that the model accepts but its runs
        over ``n_points`` points would refuse (checked when the spec is built, not in the middle of a scan):

        * ``duration`` / ``dt``: the steps of a run, by the check of :func:`fastspin.dynamics.simulate`
          (:func:`fastspin.validation.time_steps`); with ``max_duration`` also the longest run (unsettled
          points run again for 2, 4, ... times ``duration`` up to ``max_duration``);
        * ``seed``: the seeds of the runs (``seed`` plus a point index), by :func:`fastspin.validation.seed`.
        """
        options = self.to_dict()
        if "duration" in options and "dt" in options:
            longest = options["duration"]
            while longest * 2 <= (options.get("max_duration") or 0.0) * (1 + 1e-12):
                longest *= 2
            for key, duration in (("model.dt", options["duration"]), ("model.max_duration", longest)):
                try:
                    validation.time_steps(duration, options["dt"])
                except ValueError as err:
                    raise SpecError(key, str(err)) from None
        if options.get("seed") is not None:
            try:
                validation.seed(options["seed"] + n_points - 1)
            except ValueError as err:
                raise SpecError("model.seed", f"seed + point index (up to {n_points - 1}): {err}") from None

    def __call__(self, points):
        raise NotImplementedError


def _code_identity(func):
    """SHA-256 (16 hex digits) of what a function computes: its bytecode, constants, names, and the values of
    its defaults and closure cells (``repr``)."""
    code = getattr(func, "__code__", None)
    if code is None:  # a callable object: its type and state
        text = f"{type(func).__module__}.{type(func).__qualname__}:{getattr(func, '__dict__', {})!r}"
    else:
        cells = [cell.cell_contents for cell in (func.__closure__ or ()) if cell.cell_contents is not func]
        text = repr((code.co_code, code.co_consts, code.co_names, func.__defaults__, cells))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class FunctionModel(Model):
    """Wrap a plain batched evaluator ``func(points) -> DataFrame`` (notebooks, tests, new physics).

    ``axes`` maps the accepted axis names to :class:`AxisInfo` (``None`` accepts any real axis).
    The manifest records the function by its import path and a hash of its code (bytecode, constants,
    names and the values of its closure and defaults), so resuming a scan requires the same function:
    another function of the same name is refused.
    """

    kind = "function"

    def __init__(
        self,
        func: Callable[[Points], pd.DataFrame],
        axes: Mapping[str, AxisInfo] | None = None,
        chunk_size: int | None = None,
    ) -> None:
        if not callable(func):
            raise ValueError("model: a batched evaluator must be callable")
        self.func = func
        self.axes = None if axes is None else dict(axes)
        if chunk_size is not None:
            self.default_chunk_size = chunk_size

    def axis_info(self, name: str) -> AxisInfo:
        if self.axes is None:
            return AxisInfo()
        if name not in self.axes:
            raise ValueError(f"unknown axis {name!r} (this model accepts: {', '.join(sorted(self.axes))})")
        return self.axes[name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "function": f"{self.func.__module__}:{self.func.__qualname__}",
            "code": _code_identity(self.func),
        }

    def __call__(self, points):
        return self.func(points)


def model_from_dict(description: object) -> Model:
    """Build the model a ``[model]`` table (or a manifest entry) describes.

    The table's ``kind`` selects the model among the registered kinds
    (:data:`~fastspin.scan.model.MODEL_KINDS`): ``"transport"``, ``"phi_c"``, ``"dynamics"`` and ``"system"``.
    """
    if not isinstance(description, dict):
        raise SpecError("model", "expected a table with a 'kind' key")
    kind = description.get("kind")
    if kind not in MODEL_KINDS:
        raise SpecError("model.kind", f"unknown model {kind!r} (use {', '.join(MODEL_KINDS)})")
    return MODEL_KINDS[kind].from_dict(description)
