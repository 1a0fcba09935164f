"""Scan specifications: named axes combined as a Cartesian product or zipped, split into chunks.

A :class:`ScanSpec` pairs a model (what each point computes, see :mod:`fastspin.scan.model`) with
its axes.  Everything is checked when the spec is built, before any work: every axis name must be
one the model accepts, no axis may be empty, units must match the axis dimension and values must be
numbers (or allowed categories) obeying the model's bounds (a negative thickness anywhere in a grid
is refused).  Sizes are bounded (:data:`MAX_AXIS_POINTS` values an axis and points a chunk, both arrays in
memory; :data:`MAX_POINTS` points a scan) and model options that the run would refuse are refused here
(:meth:`~fastspin.scan.model.Model.check_run`).  Values are stored in SI.  Points are numbered in C order (last axis
fastest) for a product; chunk ``i`` holds points ``[i * chunk_size, (i + 1) * chunk_size)`` and is
evaluated by one batched call of the model.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import SpecError
from .model import AxisInfo, FunctionModel, Model, Points
from .units import to_si_factor

COMBINES = ("product", "zip")
SPACINGS = ("linear", "log")
#: values of one grid axis and points of one chunk at most (each is an array in memory: 1 GiB of float64)
MAX_AXIS_POINTS = 2**27
#: points of one scan at most (points are made chunk by chunk; the result is bounded by memory or disk)
MAX_POINTS = 2**40


class Axis:
    """One named axis of a scan: ``values`` (a 1-D sequence) given in ``unit`` (``None``: SI).

    Use :meth:`linspace` / :meth:`logspace` for evenly spaced grids (the manifest then records
    the three numbers instead of every value).
    """

    def __init__(
        self,
        name: str,
        values: Sequence[Any] | npt.NDArray[Any] | None,
        unit: str | None = None,
        *,
        _grid: tuple[str, Any, Any, int] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise SpecError("axes", f"axis name must be a non-empty string, got {name!r}")
        self.name = name
        self.values = values
        self.unit = unit
        self._grid = _grid

    @classmethod
    def linspace(
        cls, name: str, start: float | complex, stop: float | complex, num: int, unit: str | None = None
    ) -> Self:
        """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (NumPy ``linspace``)."""
        return cls._grid_axis(name, "linear", start, stop, num, unit)

    @classmethod
    def logspace(
        cls, name: str, start: float | complex, stop: float | complex, num: int, unit: str | None = None
    ) -> Self:
        """``num`` geometrically spaced values from ``start`` to ``stop`` (NumPy ``geomspace``)."""
        return cls._grid_axis(name, "log", start, stop, num, unit)

    @classmethod
    def _grid_axis(cls, name, spacing, start, stop, num, unit):
        key = f"axes.{name}"
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)):
            raise SpecError(f"{key}.num", f"must be an integer, got {num!r}")
        if num < 1:
            raise SpecError(f"{key}.num", f"empty axis: num = {num} (need at least 1 point)")
        if num > MAX_AXIS_POINTS:
            raise SpecError(
                f"{key}.num",
                f"{num} values: more than the limit of 2**27 = {MAX_AXIS_POINTS} "
                "values an axis (fastspin.scan.spec.MAX_AXIS_POINTS)",
            )
        for label, value in (("start", start), ("stop", stop)):
            if isinstance(value, (bool, str)) or not isinstance(value, (int, float, complex, np.number)):
                raise SpecError(f"{key}.{label}", f"must be a number, got {value!r}")
        if spacing == "log" and not (np.real(start) > 0 and np.real(stop) > 0):
            raise SpecError(key, "logarithmic spacing needs start > 0 and stop > 0")
        return cls(name, None, unit, _grid=(spacing, start, stop, int(num)))

    def resolved(self, info: AxisInfo) -> Axis:
        """This axis in SI with values checked against ``info`` (an :class:`AxisInfo`)."""
        key = f"axes.{self.name}"
        try:
            factor = to_si_factor(self.unit, info.dimension)
        except ValueError as err:
            raise SpecError(f"{key}.unit", str(err)) from None
        raw: Sequence[Any] | npt.NDArray[Any]
        if self._grid is not None:
            spacing, start, stop, num = self._grid
            if info.kind in ("category", "vector"):
                raise SpecError(
                    key, f"takes a list of {'values' if info.kind == 'category' else '3-vectors'}, not a numeric range"
                )
            start, stop = start * factor, stop * factor
            raw = (np.linspace if spacing == "linear" else np.geomspace)(start, stop, num)
            grid = (spacing, start, stop, num)
        else:
            if (
                self.values is None
                or isinstance(self.values, (str, bytes))
                or np.ndim(self.values) != (2 if info.kind == "vector" else 1)
            ):
                raise SpecError(
                    key,
                    "values must be a list of 3-vectors"
                    if info.kind == "vector"
                    else "values must be a 1-D list of numbers",
                )
            if len(self.values) == 0:
                raise SpecError(key, "empty axis: no values")
            raw = list(self.values)
            if factor != 1.0:
                if info.kind == "category":
                    raise SpecError(f"{key}.unit", "a category axis has no unit")
                raw = [
                    np.asarray(v) * factor if info.kind == "vector" else v * factor if _is_number(v) else v for v in raw
                ]
            grid = None
        try:
            values = info.validate(raw)
        except ValueError as err:
            raise SpecError(key, str(err)) from None
        return Axis(self.name, values, None, _grid=grid)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record of the (resolved, SI) axis."""
        if self._grid is not None:
            spacing, start, stop, num = self._grid
            return {"name": self.name, spacing: [_json_number(start), _json_number(stop), num]}
        if self.values is None:
            raise TypeError(f"axis {self.name!r} has neither values nor a grid")
        return {"name": self.name, "values": [_json_number(v) for v in self.values]}

    def __len__(self):
        if self.values is None:
            raise TypeError(f"axis {self.name!r}: a grid has a length once it is resolved (ScanSpec)")
        return len(self.values)

    def __repr__(self):
        return f"Axis({self.name!r}, {len(self.values) if self.values is not None else self._grid} values)"


def _is_number(value):
    return isinstance(value, (int, float, complex, np.number)) and not isinstance(value, (bool, np.bool_))


def _json_number(value):
    if isinstance(value, np.ndarray):  # a value of a vector axis
        return [float(x) for x in value]
    if isinstance(value, (str, np.str_)):
        return str(value)
    if isinstance(value, (complex, np.complexfloating)):
        return [float(value.real), float(value.imag)]
    if isinstance(value, (Integral, np.integer)):
        return int(value)
    return float(value)


class ScanSpec:
    """A checked scan: ``model`` evaluated over ``axes`` combined by ``combine``.

    Parameters
    ----------
    model : Model or callable
        A :class:`~fastspin.scan.model.Model`, or a plain batched evaluator
        ``func(points) -> DataFrame`` (wrapped in :class:`FunctionModel`).
    axes : list of Axis or dict
        A list of :class:`Axis`, or a dict name -> values.  Values in SI unless an :class:`Axis` says otherwise.
    combine : str
        ``"product"`` (Cartesian product, C order) or ``"zip"`` (equal lengths, paired).
    chunk_size : int, optional
        Points per chunk (one batched model call each); default: the model's.
    """

    def __init__(
        self,
        model: Model | Callable[[Points], pd.DataFrame],
        axes: Iterable[Axis] | Mapping[str, Axis | Sequence[Any] | npt.NDArray[Any]],
        combine: str = "product",
        chunk_size: int | None = None,
    ) -> None:
        if not isinstance(model, Model):
            model = FunctionModel(model)
        self.model = model
        if combine not in COMBINES:
            raise SpecError("scan.combine", f"must be one of {', '.join(COMBINES)}, got {combine!r}")
        self.combine = combine
        if isinstance(axes, Mapping):
            axes = [a if isinstance(a, Axis) else Axis(n, a) for n, a in axes.items()]
        axes = list(axes)
        if not axes:
            raise SpecError("axes", "a scan needs at least one axis")
        names = [a.name for a in axes]
        for name in names:
            if names.count(name) > 1:
                raise SpecError(f"axes.{name}", "axis given twice")
        resolved = []
        for axis in axes:
            try:
                info = model.axis_info(axis.name)
            except ValueError as err:
                raise SpecError(f"axes.{axis.name}", str(err)) from None
            resolved.append(axis.resolved(info))
        model.check_axes(names)
        self.axes = tuple(resolved)
        lengths = [len(a) for a in self.axes]
        if combine == "zip" and len(set(lengths)) > 1:
            detail = ", ".join(f"{a.name}: {len(a)}" for a in self.axes)
            raise SpecError("scan.combine", f"zipped axes must have equal lengths ({detail})")
        self.shape = tuple(lengths) if combine == "product" else (lengths[0],)
        self.n_points = math.prod(self.shape)
        if self.n_points > MAX_POINTS:
            raise SpecError(
                "axes",
                f"{self.n_points} points: more than the limit of 2**40 = {MAX_POINTS} points "
                "a scan (fastspin.scan.spec.MAX_POINTS)",
            )
        model.check_run(self.n_points)
        if chunk_size is None:
            chunk_size = model.default_chunk_size
        if (
            isinstance(chunk_size, bool)
            or not isinstance(chunk_size, (int, np.integer))
            or not 1 <= chunk_size <= MAX_AXIS_POINTS
        ):
            raise SpecError(
                "scan.chunk_size", f"must be a positive integer <= 2**27 = {MAX_AXIS_POINTS}, got {chunk_size!r}"
            )
        self.chunk_size = int(chunk_size)
        self.n_chunks = -(-self.n_points // self.chunk_size)

    @property
    def axis_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    def axis_units(self) -> dict[str, str]:
        """The unit of every axis column of the scan's frame (:meth:`~fastspin.scan.Model.axis_unit`; the three
        columns ``_x, _y, _z`` of a vector axis)."""
        units = {}
        for name in self.axis_names:
            unit = self.model.axis_unit(name)
            if self.model.axis_info(name).kind == "vector":
                units.update({f"{name}_{axis}": unit for axis in "xyz"})
            else:
                units[name] = unit
        return units

    def chunk_slice(self, index: int) -> tuple[int, int]:
        """Global point indices ``(start, stop)`` of chunk ``index``."""
        if not 0 <= index < self.n_chunks:
            raise IndexError(f"chunk {index} out of range (the scan has {self.n_chunks})")
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.n_points)

    def points(self, index: int) -> Points:
        """The axis values of chunk ``index``: dict name -> 1-D array, plus ``"point"`` indices."""
        start, stop = self.chunk_slice(index)
        flat = np.arange(start, stop, dtype=np.int64)
        if self.combine == "product":
            positions = np.unravel_index(flat, self.shape)
        else:
            positions = (flat,) * len(self.axes)
        chunk = {"point": flat}
        for axis, position in zip(self.axes, positions):
            assert isinstance(axis.values, np.ndarray)  # a resolved axis holds an array
            chunk[axis.name] = axis.values[position]
        return chunk

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record of the whole spec (recorded in the manifest; compared on resume)."""
        return {
            "model": self.model.to_dict(),
            "combine": self.combine,
            "chunk_size": self.chunk_size,
            "axes": [a.to_dict() for a in self.axes],
        }

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict`: equal iff the specs are equal."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def __repr__(self):
        axes = " x ".join(f"{a.name}[{len(a)}]" for a in self.axes)
        return f"ScanSpec({self.model.kind}: {axes}, {self.combine}, {self.n_points} points in {self.n_chunks} chunks)"
