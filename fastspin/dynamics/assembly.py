"""Compilation of a system and its drives into per-trajectory rows and the source of its right-hand side.

A :class:`Assembly` collects, while the magnets, terms and drives of one call describe themselves:

* the rows of the per-trajectory parameter array ``P`` (``P[r, j]`` is row ``r`` of trajectory ``j``;
  C-contiguous, so a block of trajectories reads contiguous memory), each row with a name;
* the call-level tables ``TB`` (torque tables of every spin-transfer term, concatenated);
* lines of generated Python, in three phases evaluated in this order at every stage: ``pre`` (drive
  values, per-magnet scalars), ``field`` (effective fields ``bx<k>``...), ``torque`` (torques ``tx<k>``...
  in tesla, see fastspin.dynamics.core.physics).

The generated code composes the leaf functions of fastspin.dynamics.core (the physics is never written
in the generated source itself): the structure (which terms act on which magnets) is the source, the
numbers are rows of ``P``; one compiled kernel serves every call with the same structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .. import validation as v
from .waveforms import PiecewiseLinear, Pulse, Sine, Staircase, Waveform

if TYPE_CHECKING:
    from .system import _BroadcastLayer

DRIVES: dict[str, str] = {"current_density": "J", "sot_current_density": "J_sot", "voltage": "V"}


class Assembly:
    """Rows, tables and generated lines of one compiled call (see the module docstring)."""

    def __init__(self, n: int, magnets: Mapping[str, _BroadcastLayer], free: list[str]) -> None:
        self.n = n
        self.magnets = magnets  # name -> FreeLayer (broadcast arrays)
        self.free = free  # names of the free magnets, in state order
        self.row_names: list[str] = []
        self.row_values: list[npt.NDArray[np.float64]] = []
        self.tables: list[npt.NDArray[np.float64]] = []
        self.table_size = 0
        self.pre: list[str] = []
        self.field: list[str] = []
        self.torque: list[str] = []
        self.drives: dict[str, Any] = {}  # drive name -> (value as given, variable name once emitted)
        self.fixed_vectors: dict[str, tuple[str, ...]] = {}  # fixed magnet name -> row expressions
        self.uses: set[str] = set()  # drive names the terms read
        self.extra_imports: list[str] = []  # import lines the generated module needs for the terms' helpers
        self.extra: tuple[Any, ...] = ()  # constant arrays of the terms, passed to the kernels as a tuple ``E``
        self.extra_setup: list[str] = []  # lines run once per block (or trajectory) before the time loop, making ``X``
        # free magnet -> variable names of m / |m| at the stage (emitted once, in ``torque``)
        self.units: dict[str, tuple[str, ...]] = {}
        self.cosines: dict[frozenset[tuple[str, ...]], str] = {}  # pair of vectors -> variable of their dot product
        self.resistance: dict[str, tuple[str, float]] = {}  # free magnet -> (expression of R / R_perp, R_perp in Ohm)
        self._fresh = 0

    # ---------------------------------------------------------------- rows and tables
    def row(self, name: str, value: npt.ArrayLike) -> str:
        """Add one row (``value`` a scalar or (n,) array) and return the expression reading it."""
        arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (self.n,))
        self.row_names.append(name)
        self.row_values.append(arr)
        return f"P[{len(self.row_values) - 1}, j]"

    def vector_rows(self, name: str, value: npt.ArrayLike) -> tuple[str, ...]:
        """Three rows from a (3,) or (n, 3) vector; returns their expressions."""
        arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (self.n, 3))
        return tuple(self.row(f"{name}_{c}", arr[:, i]) for i, c in enumerate("xyz"))

    def table(self, values: npt.ArrayLike) -> int:
        """Append a kernel table; returns its offset in ``TB``."""
        offset = self.table_size
        self.tables.append(np.asarray(values, dtype=np.float64))
        self.table_size += self.tables[-1].size
        return offset

    def parameters(self) -> npt.NDArray[np.float64]:
        """``P`` (n_rows, n), C-contiguous."""
        if not self.row_values:
            return np.zeros((1, self.n))
        return np.ascontiguousarray(np.stack(self.row_values))

    def table_array(self) -> npt.NDArray[np.float64]:
        return np.concatenate(self.tables) if self.tables else np.zeros(8)

    def fresh(self, stem: str) -> str:
        self._fresh += 1
        return f"_{stem}{self._fresh}"

    # ---------------------------------------------------------------- magnets
    def state(self, name: str) -> tuple[str, ...]:
        """Variable names of the direction of magnet ``name`` (a free magnet's state, or the rows of a
        fixed magnet loaded once in ``pre``)."""
        if name in self.free:
            k = self.free.index(name)
            return f"x{k}", f"y{k}", f"z{k}"
        return self.fixed_vectors[name]

    def index(self, name: str) -> int:
        return self.free.index(name)

    def unit_state(self, name: str) -> tuple[str, ...]:
        """Variable names of ``m / |m|`` of magnet ``name`` at the stage (a fixed magnet's rows are unit
        already); the normalization is emitted once per stage, in the torque phase."""
        if name not in self.free:
            return self.fixed_vectors[name]
        if name not in self.units:
            k = self.index(name)
            self.units[name] = (f"ux{k}", f"uy{k}", f"uz{k}")
            self.torque.append(f"ux{k}, uy{k}, uz{k} = unit({', '.join(self.state(name))})")
        return self.units[name]

    def cosine(self, m: Sequence[str], p: Sequence[str]) -> str:
        """Variable holding ``m . p`` at the stage (emitted once per pair of vectors, in the torque phase)."""
        key = frozenset((tuple(m), tuple(p)))
        if key not in self.cosines:
            self.cosines[key] = self.fresh("u")
            self.torque.append(f"{self.cosines[key]} = dot({', '.join(m)}, {', '.join(p)})")
        return self.cosines[key]

    def add_field(self, target: str, call: str) -> None:
        """Lines adding the field (T) returned by ``call`` to the effective field of ``target``."""
        self._accumulate(self.field, "b", target, call)

    def add_torque(self, target: str, call: str) -> None:
        """Lines adding the torque (T) returned by ``call`` to the torque of ``target``."""
        self._accumulate(self.torque, "t", target, call)

    def _accumulate(self, lines, stem, target, call):
        k = self.index(target)
        parts = [self.fresh(stem) for _ in range(3)]
        lines.append(f"{', '.join(parts)} = {call}")
        lines.extend(f"{stem}{c}{k} += {p}" for c, p in zip("xyz", parts))

    # ---------------------------------------------------------------- drives
    def drive(self, name: str) -> str:
        """Variable holding the value of the scalar drive ``name`` at the stage time ``t``."""
        self.uses.add(name)
        return DRIVES[name]

    def emit_drive(
        self, name: str, value: Waveform | npt.ArrayLike, components: int = 1, var: str | None = None
    ) -> list[str | None]:
        """Lines computing the drive ``value`` (constant, per trajectory or a :class:`Waveform`) into the
        variable(s) ``var`` (one, or ``var + 'x'/'y'/'z'`` for a vector)."""
        names: list[str | None] = [var] if components == 1 else [f"{var}{c}" for c in "xyz"]
        waves = value.terms() if isinstance(value, Waveform) else ()
        offset = value.offset if isinstance(value, Waveform) else value
        offset = _component_values(offset, f"{name}", components, self.n)
        for c, target in enumerate(names):
            self.pre.append(f"{target} = {self.row(f'{name}{_suffix(components, c)}', offset[c])}")
        for wave in waves:
            label = f"{name}.{type(wave).__name__.lower()}"
            if isinstance(wave, PiecewiseLinear):
                self._emit_piecewise(wave, label, names, components)
                continue
            params: Iterable[tuple[str, npt.ArrayLike]]
            if isinstance(wave, Pulse):
                kind, params = "pulse", zip(("delay", "inv_rise", "plateau_end", "inv_fall"), wave.kernel_parameters())
                call = "trapezoid"
            elif isinstance(wave, Sine):
                kind, params, call = (
                    "sine",
                    (("omega", 2.0 * np.pi * wave.frequency), ("phase", wave.phase)),
                    "sine_wave",
                )
            elif isinstance(wave, Staircase):
                kind, call = "staircase", "staircase"
                params = (("delay", wave.delay), ("inv_dwell", 1.0 / wave.dwell), ("points", wave.points))
            else:
                raise ValueError(f"{name}: unknown waveform {type(wave).__name__}")
            shape = self.fresh(kind)  # the unit shape of the waveform at t, times its amplitude per component
            self.pre.append(f"{shape} = {call}(t, {', '.join(self.row(f'{label}.{p}', x) for p, x in params)})")
            amplitude = _component_values(wave.amplitude, f"{label}.amplitude", components, self.n)
            for c, target in enumerate(names):
                self.pre.append(
                    f"{target} += {self.row(f'{label}.amplitude{_suffix(components, c)}', amplitude[c])} * {shape}"
                )
        return names

    def _emit_piecewise(self, wave, label, names, components):
        times = np.broadcast_to(wave.times, (self.n, wave.knots))
        values = wave.values
        if components == 1:
            if values.shape[-1] != wave.knots:
                raise ValueError(f"{label}: values must be (k,) or (n, k) for a scalar drive, got {values.shape}")
            values = np.broadcast_to(values, (self.n, wave.knots))[..., None]
        else:
            if values.shape[-2:] != (wave.knots, 3):
                raise ValueError(f"{label}: values must be (k, 3) or (n, k, 3) for the field, got {values.shape}")
            values = np.broadcast_to(values, (self.n, wave.knots, 3))
        slopes = np.diff(values, axis=1) / np.diff(times, axis=1)[..., None]
        segments = []
        for i in range(wave.knots - 1):
            seg = self.fresh("ramp")
            t0 = self.row(f"{label}.time{i}", times[:, i])
            t1 = self.row(f"{label}.time{i + 1}", times[:, i + 1])
            self.pre.append(f"{seg} = ramp_segment(t, {t0}, {t1})")
            segments.append(seg)
        for c, target in enumerate(names):
            self.pre.append(f"{target} += {self.row(f'{label}.value0{_suffix(components, c)}', values[:, 0, c])}")
            for i, seg in enumerate(segments):
                self.pre.append(
                    f"{target} += {self.row(f'{label}.slope{i}{_suffix(components, c)}', slopes[:, i, c])} * {seg}"
                )


def _suffix(components, c):
    return "" if components == 1 else "_" + "xyz"[c]


def _component_values(value, name, components, n):
    """Per-component (n,) arrays of a scalar (components 1) or vector (components 3) quantity."""
    arr = v.real_array(value, name)
    if components == 1:
        if arr.ndim > 1:
            raise ValueError(f"{name} must be a scalar or one value per trajectory (1-D), got shape {arr.shape}")
        return [np.broadcast_to(arr, (n,))]
    if arr.ndim == 0 and arr == 0:
        arr = np.zeros(3)
    if arr.ndim not in (1, 2) or arr.shape[-1] != 3:
        raise ValueError(f"{name} must be a vector, shape (3,) or (n, 3), got shape {arr.shape}")
    arr = np.broadcast_to(arr, (n, 3))
    return [arr[:, c] for c in range(3)]


def drive_lengths(
    name: str, value: Waveform | npt.ArrayLike, components: int
) -> dict[str, tuple[npt.NDArray[Any], int]]:
    """``{label: (array, item ndim)}`` of a drive's per-trajectory inputs, for the batch size."""
    out = {}
    item = 0 if components == 1 else 1
    if isinstance(value, Waveform):
        out[f"{name} offset"] = (np.asarray(value.offset, dtype=float), item)
        for wave in value.terms():
            label = f"{name}.{type(wave).__name__}"
            if isinstance(wave, Pulse):
                out[f"{label}.amplitude"] = (wave.amplitude, item)
                for p in ("width", "rise", "fall", "delay"):
                    out[f"{label}.{p}"] = (getattr(wave, p), 0)
            elif isinstance(wave, Sine):
                out[f"{label}.amplitude"] = (wave.amplitude, item)
                out[f"{label}.frequency"] = (wave.frequency, 0)
                out[f"{label}.phase"] = (wave.phase, 0)
            elif isinstance(wave, PiecewiseLinear):
                out[f"{label}.times"] = (wave.times, 1)
                out[f"{label}.values"] = (wave.values, item + 1)
    else:
        out[name] = (np.asarray(value, dtype=float), item)
    return out
