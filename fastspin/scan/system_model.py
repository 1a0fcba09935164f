"""The ``"system"`` scan model: coupled macrospins with terms and waveforms, any parameter an axis.

The model is a :class:`fastspin.dynamics.System` (free and fixed magnets, exchange, dipolar,
spin-transfer, spin-orbit, voltage-controlled anisotropy, MTJ and transport torques) with its drives
(constants or waveforms), described by a plain table: the ``[model]`` table of a TOML spec, the
dict given to :class:`SystemModel`, and what the manifest records (so a scan resumes, and a changed
description is refused).  Every chunk of points is one batched :func:`fastspin.dynamics.simulate`
call in which the axis values are per-trajectory inputs.

Description (SI; any number may be written ``{value = ..., unit = "..."}`` with a unit of
:mod:`fastspin.scan.units`)::

    magnets    list of tables: name, ms, thickness, alpha (required), anisotropy_field (0),
               easy_axis ([1, 0, 0]), demag ([0, 0, 1]), area (none; needed at T > 0)
    fixed      list of magnet names held still (optional)
    terms      list of tables: kind (below), its keywords, and an optional unique name
    drives     current_density, sot_current_density, voltage (numbers) and field ([x, y, z]),
               or a waveform table {pulse = {...}, sine = {...}, piecewise_linear = {...},
               offset = ...} (one waveform of each kind at most; they add)
    m0         table name -> [x, y, z] (default: the magnet's easy axis)
    reference  table free name -> [x, y, z]: the axis of ``switched`` (optional)
    duration   s (required); dt (1e-12 s); method "rk4", "heun" or "rk45" (default: "heun" when a
               temperature is above 0 or scanned, else "rk4"); rtol, atol (rk45)
    temperature K (0); seed (1); window (0.5); switch_threshold (0)
    trajectories  runs per point (1); confidence (0.95) of the Wilson intervals

Terms (``kind``, keywords; default ``name`` in brackets):

* ``Exchange`` [exchange]: ``a``, ``b``, ``bilinear`` (J/m^2), ``biquadratic`` (J/m^2, 0);
* ``Dipolar`` [dipolar]: ``a``, ``b``, ``tensor`` (3 x 3);
* ``SpinTransfer`` [spin_transfer]: ``target``, ``polarizer`` (a magnet name or [x, y, z]),
  ``efficiency`` (1), ``field_like_ratio`` (0), ``model``: ``"constant"`` (default),
  ``{slonczewski = {polarization = P}}`` or ``{asymmetric = {polarization = P, asymmetry = L}}``;
* ``SpinOrbit`` [spin_orbit]: ``target``, ``spin_hall_angle``, ``spin_polarization`` ([0, 1, 0]),
  ``field_like_ratio`` (0);
* ``VoltageControlledAnisotropy`` [vcma]: ``target``, ``coefficient`` (T/V);
* ``MTJDrive`` [mtj]: ``target``, ``reference`` (a magnet name or [x, y, z]), ``r_p``, ``r_ap``
  (Ohm), ``damping_like_coefficients``, ``field_like_coefficients`` (lists, J/m^2 per V^k),
  ``field_like_ratio`` (0);
* ``TransportTorque`` [transport]: ``preset`` ("barnas2005:fig5"), ``overrides`` (table, SI),
  ``magnets`` (table stack layer -> magnet name), ``method`` ("auto"), ``angles`` (1025).

Axes (see :meth:`SystemModel.axis_names` for those of a given description):

* ``"<magnet>.<param>"``: ``ms``, ``thickness``, ``alpha``, ``anisotropy_field``, ``area``,
  ``demag_x``, ``demag_y``, ``demag_z``;
* ``"<term>.<param>"``: ``exchange.bilinear``, ``exchange.biquadratic``, ``dipolar.tensor_xy`` (any
  of the nine entries), ``spin_transfer.efficiency``, ``spin_transfer.field_like_ratio``,
  ``spin_orbit.spin_hall_angle``, ``spin_orbit.field_like_ratio``, ``vcma.coefficient``,
  ``mtj.field_like_ratio`` (with the term's own name in place of the default);
* a constant drive: ``current_density``, ``sot_current_density``, ``voltage``, ``field_x``,
  ``field_y``, ``field_z`` (a drive not given is a constant 0 and may be scanned);
* a waveform drive: ``"<drive>.offset"`` (``field.offset_x`` ...), ``"<drive>.pulse.amplitude"``,
  ``width``, ``rise``, ``fall``, ``delay``; ``"<drive>.sine.amplitude"``, ``frequency``, ``phase``;
  ``"<drive>.piecewise_linear.times_<k>"``, ``values_<k>`` (knot k); the amplitudes and values of a
  field waveform take a component suffix (``field.pulse.amplitude_z``, ``values_1_z``); when a single
  drive holds a pulse (a sine, a piecewise-linear ramp), ``"pulse.<param>"`` (``"sine.<param>"``,
  ``"piecewise_linear.<param>"``) names it too (a scan may not give both names of one parameter);
* ``temperature`` (stochastic Heun; every free magnet needs an ``area``).

Voltages (V), frequencies (Hz), exchange energies (J/m^2) and VCMA coefficients (T/V) are given in
SI.  Not axes: vectors given whole (easy axes, polarizers), the MTJ resistances and bias
polynomials, the transport stack, ``duration`` and ``dt``.

Outcomes.  With ``trajectories = 1``, one row per point with the outcome columns of
:func:`~fastspin.dynamics.simulate` for every free magnet, prefixed by its name (``free.state``,
``free.switched``, ``free.switching_time``, ``free.mz``, ...; ``accepted_steps`` ... with rk45).
With ``trajectories = n > 1`` every point runs ``n`` trajectories (stochastic Heun when the
temperature is above 0) and its row holds ``n`` and, for every free magnet, ``<name>.n_switched``,
``<name>.p_switch`` with its Wilson score interval ``<name>.p_low``, ``<name>.p_high``
(:func:`fastspin.experiments.switching.wilson_interval` at ``confidence``), the write error rate
``<name>.wer = 1 - p_switch`` and ``<name>.switching_time``, the mean switching time of the runs
that switched (NaN if none did).  Every run starts from ``m0``; to start from thermal equilibrium,
delay the pulse (``delay``) by a few relaxation times ``1 / (alpha gamma B_k)``, during which the
thermal field equilibrates the magnets.

Chunks and seeds.  A chunk is evaluated in kernel calls of at most ``2^20`` trajectories (one call
for the default chunk size, ``min(2048, 2^20 // trajectories)`` points); each call is seeded with
``seed`` plus the index of its first point, so a scan is reproducible for a given spec (chunk size
included) and identical on every executor.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Sequence
from typing import Any, Self, TypeAlias

import numpy as np
import pandas as pd

from .. import dynamics
from ..dynamics import AsymmetricTorque, FreeLayer, PiecewiseLinear, Pulse, Sine, SlonczewskiTorque, System, simulate
from ..experiments.switching import wilson_interval
from ..stack import Stack
from .errors import SpecError
from .model import AxisInfo, Model
from .model_parameters import checked_parameter
from .preset_stacks import build_stack, preset_name

MAX_TRAJECTORIES = 1 << 20  #: trajectories per kernel call
DEFAULT_CHUNK_POINTS = 2048  #: points per chunk by default (fewer when each runs many trajectories)
METHODS = ("rk4", "heun", "rk45")
DRIVES = {  # drive -> (dimension of its values, components)
    "current_density": ("current_density", 1),
    "sot_current_density": ("current_density", 1),
    "voltage": ("dimensionless", 1),
    "field": ("field", 3),
}
WAVEFORMS = ("pulse", "sine", "piecewise_linear")
COMPONENTS = "xyz"
RK45_COLUMNS = ("accepted_steps", "rejected_steps", "integration_failed")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: one keyword of a magnet, term or waveform: ``(check, dimension, default)``
_Keyword: TypeAlias = "tuple[str, str | None, Any]"
#: a number of a description, or the table ``{value = ..., unit = "..."}``
Quantity: TypeAlias = "float | dict[str, Any]"
_RESERVED = {*DRIVES, "field_x", "field_y", "field_z", "temperature", *WAVEFORMS, "n", "point"}

_TOP_LEVEL = (
    "kind",
    "magnets",
    "fixed",
    "terms",
    "drives",
    "m0",
    "reference",
    "duration",
    "dt",
    "method",
    "temperature",
    "seed",
    "window",
    "switch_threshold",
    "trajectories",
    "confidence",
    "rtol",
    "atol",
)

#: FreeLayer keywords: (check, dimension, default); ``...`` marks a required keyword.
MAGNET_KEYS: dict[str, _Keyword] = {
    "ms": ("positive", "magnetization", ...),
    "thickness": ("positive", "length", ...),
    "alpha": ("nonnegative", "dimensionless", ...),
    "anisotropy_field": ("number", "field", 0.0),
    "easy_axis": ("vector", "dimensionless", (1.0, 0.0, 0.0)),
    "demag": ("vector", "dimensionless", (0.0, 0.0, 1.0)),
    "area": ("positive", "area", None),
}
MAGNET_AXES = {
    "ms": AxisInfo("magnetization", check="positive", description="saturation magnetization"),
    "thickness": AxisInfo("length", check="positive", description="magnet thickness"),
    "alpha": AxisInfo(check="nonnegative", description="Gilbert damping"),
    "anisotropy_field": AxisInfo("field", description="uniaxial anisotropy field B_k"),
    "area": AxisInfo("area", check="positive", description="lateral area"),
    **{f"demag_{c}": AxisInfo(description=f"demagnetizing factor N_{c}") for c in COMPONENTS},
}

#: Terms: default name, keywords ``(check, dimension, default)`` and per-trajectory scalar axes.
#: Checks beyond the numbers: "magnet", "magnet_or_vector", "vector", "unit_vector", "matrix",
#: "coefficients", "string", "table", "magnet_map", "torque_model", "integer", "count".
TERMS: dict[str, tuple[str, dict[str, _Keyword], dict[str, AxisInfo]]] = {
    "Exchange": (
        "exchange",
        {
            "a": ("magnet", None, ...),
            "b": ("magnet", None, ...),
            "bilinear": ("number", "dimensionless", ...),
            "biquadratic": ("number", "dimensionless", 0.0),
        },
        {
            "bilinear": AxisInfo(description="bilinear interlayer exchange J1 (J/m^2)"),
            "biquadratic": AxisInfo(description="biquadratic interlayer exchange J2 (J/m^2)"),
        },
    ),
    "Dipolar": (
        "dipolar",
        {
            "a": ("magnet", None, ...),
            "b": ("magnet", None, ...),
            "tensor": ("matrix", "dimensionless", ...),
        },
        {
            f"tensor_{r}{c}": AxisInfo(description=f"mutual demagnetizing tensor entry N_{r}{c}")
            for r in COMPONENTS
            for c in COMPONENTS
        },
    ),
    "SpinTransfer": (
        "spin_transfer",
        {
            "target": ("magnet", None, ...),
            "polarizer": ("magnet_or_vector", None, ...),
            "efficiency": ("number", "dimensionless", 1.0),
            "field_like_ratio": ("number", "dimensionless", 0.0),
            "model": ("torque_model", None, "constant"),
        },
        {
            "efficiency": AxisInfo(description="spin-transfer efficiency eta"),
            "field_like_ratio": AxisInfo(description="field-like over damping-like torque b_J / a_J"),
        },
    ),
    "SpinOrbit": (
        "spin_orbit",
        {
            "target": ("magnet", None, ...),
            "spin_hall_angle": ("number", "dimensionless", ...),
            "spin_polarization": ("unit_vector", None, (0.0, 1.0, 0.0)),
            "field_like_ratio": ("number", "dimensionless", 0.0),
        },
        {
            "spin_hall_angle": AxisInfo(description="spin Hall angle theta_SH"),
            "field_like_ratio": AxisInfo(description="field-like over damping-like spin-orbit torque"),
        },
    ),
    "VoltageControlledAnisotropy": (
        "vcma",
        {
            "target": ("magnet", None, ...),
            "coefficient": ("number", "dimensionless", ...),
        },
        {
            "coefficient": AxisInfo(description="change of the anisotropy field per volt (T/V)"),
        },
    ),
    "MTJDrive": (
        "mtj",
        {
            "target": ("magnet", None, ...),
            "reference": ("magnet_or_vector", None, ...),
            "r_p": ("positive", "dimensionless", ...),
            "r_ap": ("positive", "dimensionless", ...),
            "damping_like_coefficients": ("coefficients", None, None),
            "field_like_coefficients": ("coefficients", None, None),
            "field_like_ratio": ("number", "dimensionless", 0.0),
        },
        {
            "field_like_ratio": AxisInfo(description="field-like over damping-like MTJ torque"),
        },
    ),
    "TransportTorque": (
        "transport",
        {
            "preset": ("string", None, "barnas2005:fig5"),
            "overrides": ("table", None, {}),
            "magnets": ("magnet_map", None, ...),
            "method": ("string", None, "auto"),
            "angles": ("count", None, 1025),
        },
        {},
    ),
}

#: Waveforms: keywords ``(check, dimension, default)``; "amplitude" takes the drive's dimension.
WAVE_KEYS: dict[str, dict[str, _Keyword]] = {
    "pulse": {
        "amplitude": ("amplitude", None, ...),
        "width": ("nonnegative", "time", ...),
        "rise": ("nonnegative", "time", 0.0),
        "fall": ("nonnegative", "time", None),
        "delay": ("nonnegative", "time", 0.0),
    },
    "sine": {
        "amplitude": ("amplitude", None, ...),
        "frequency": ("nonnegative", "dimensionless", ...),
        "phase": ("number", "angle", 0.0),
    },
    "piecewise_linear": {"times": ("knots", "time", ...), "values": ("knot_values", None, ...)},
}
WAVE_AXES: dict[str, dict[str, AxisInfo]] = {
    "pulse": {
        "width": AxisInfo("time", check="nonnegative", description="pulse plateau width"),
        "rise": AxisInfo("time", check="nonnegative", description="pulse rise time"),
        "fall": AxisInfo("time", check="nonnegative", description="pulse fall time"),
        "delay": AxisInfo("time", check="nonnegative", description="pulse start"),
    },
    "sine": {
        "frequency": AxisInfo(check="nonnegative", description="sine frequency (Hz)"),
        "phase": AxisInfo("angle", description="sine phase"),
    },
}


def _key(*parts):
    """Dotted spec key with list indices: ``_key("model.terms", 1, "target") == "model.terms[1].target"``."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _read(key, raw, check, dimension):
    """One keyword of a magnet, term or waveform, checked and in SI (JSON-able)."""
    if check in ("number", "positive", "nonnegative", "integer", "count", "string", "table"):
        value = checked_parameter(key, raw, check, dimension)
        if check == "table":
            return dict(value)
        return value
    if check in ("vector", "unit_vector"):
        vector = _vector(key, raw, dimension or "dimensionless")
        if check == "unit_vector" and not any(vector):
            raise SpecError(key, "must be a non-zero vector [x, y, z]")
        return vector
    if check == "matrix":
        if not (isinstance(raw, list) and len(raw) == 3 and all(isinstance(r, list) and len(r) == 3 for r in raw)):
            raise SpecError(key, f"must be a 3 x 3 matrix [[xx, xy, xz], [yx, yy, yz], [zx, zy, zz]], got {raw!r}")
        return [[checked_parameter(key, x, "number", dimension) for x in row] for row in raw]
    if check == "coefficients":
        if raw is None:
            return None
        if not (isinstance(raw, list) and raw):
            raise SpecError(key, f"must be a non-empty list of polynomial coefficients [c0, c1, ...], got {raw!r}")
        return [checked_parameter(key, x, "number", "dimensionless") for x in raw]
    raise AssertionError(check)


def _vector(key, raw, dimension):
    """Three numbers ``[x, y, z]`` (or ``{value = [x, y, z], unit = "..."}``) in SI."""
    if isinstance(raw, dict) and set(raw) <= {"value", "unit"} and isinstance(raw.get("value"), list):
        raw = [{"value": x, "unit": raw.get("unit")} if raw.get("unit") else x for x in raw["value"]]
    if not (isinstance(raw, (list, tuple)) and len(raw) == 3):
        raise SpecError(key, f"must be three numbers [x, y, z], got {raw!r}")
    return [checked_parameter(key, x, "number", dimension) for x in raw]


def _table(key, raw):
    if not isinstance(raw, dict):
        raise SpecError(key, f"must be a table, got {raw!r}")
    return raw


def _list(key, raw, what="tables"):
    if not isinstance(raw, list):
        raise SpecError(key, f"must be a list of {what}, got {raw!r}")
    return raw


def _unknown_keys(key, table, allowed):
    for name in table:
        if name not in allowed:
            raise SpecError(_key(key, name), f"unknown keyword (use {', '.join(allowed)})")


class SystemModel(Model):
    """Coupled macrospins over any magnet, term, drive or waveform parameter (module docstring).

    ``SystemModel(magnets=[...], terms=[...], drives={...}, m0={...}, duration=..., ...)`` takes the
    keywords of the description (SI); :meth:`from_dict` takes the ``[model]`` table itself.  Errors are
    :class:`SpecError` naming the key (``model.terms[1].target``).
    """

    kind = "system"
    uses_backend = True

    def __init__(
        self,
        magnets: list[dict[str, Any]],
        terms: Sequence[dict[str, Any]] = (),
        fixed: str | Sequence[str] = (),
        drives: dict[str, Any] | None = None,
        m0: dict[str, Any] | None = None,
        reference: dict[str, Any] | None = None,
        duration: Quantity | None = None,
        dt: Quantity = 1e-12,
        method: str | None = None,
        temperature: Quantity = 0.0,
        seed: int = 1,
        window: Quantity = 0.5,
        switch_threshold: Quantity = 0.0,
        trajectories: int | dict[str, Any] = 1,
        confidence: Quantity = 0.95,
        rtol: Quantity | None = None,
        atol: Quantity | None = None,
    ) -> None:
        self._description: dict[str, Any] = {}
        self._values: dict[str, Any] = {"magnets": {}, "terms": {}, "drives": {}}
        self._axes: dict[str, tuple[AxisInfo, tuple[str, ...], tuple[int, ...], tuple[int, ...]]] = {}
        self._stacks: dict[str, Stack] = {}
        self._read_magnets(magnets, fixed)
        self._read_terms(terms)
        self._read_drives(drives)
        self._read_run(
            m0,
            reference,
            duration,
            dt,
            method,
            temperature,
            seed,
            window,
            switch_threshold,
            trajectories,
            confidence,
            rtol,
            atol,
        )
        self._register_axes()
        self.default_chunk_size = max(1, min(DEFAULT_CHUNK_POINTS, MAX_TRAJECTORIES // self.trajectories))
        self._check_system()

    # ------------------------------------------------------------------ reading the description
    @classmethod
    def from_dict(cls, description: dict[str, Any]) -> Self:
        """The model of a ``[model]`` table (``kind = "system"``) or of a manifest entry."""
        description = _table("model", description)
        _unknown_keys("model", description, _TOP_LEVEL)
        if "magnets" not in description:
            raise SpecError("model.magnets", "missing: a system needs at least one magnet ([[model.magnets]])")
        return cls(**{k: v for k, v in description.items() if k != "kind"})

    def _read_magnets(self, magnets, fixed):
        magnets = _list("model.magnets", magnets)
        if not magnets:
            raise SpecError("model.magnets", "a system needs at least one magnet")
        out = []
        for i, raw in enumerate(magnets):
            where = _key("model.magnets", i)
            raw = _table(where, raw)
            _unknown_keys(where, raw, ("name", *MAGNET_KEYS))
            name = raw.get("name")
            self._check_name(_key(where, "name"), name, "magnet")
            if name in self._values["magnets"]:
                raise SpecError(_key(where, "name"), f"magnet name {name!r} is used twice (names must be unique)")
            entry = {"name": name}
            for keyword, (check, dimension, default) in MAGNET_KEYS.items():
                if keyword not in raw and default is ...:
                    raise SpecError(_key(where, keyword), f"missing (magnet {name!r} needs {keyword})")
                value = _read(_key(where, keyword), raw.get(keyword, default), check, dimension)
                if value is not None:
                    entry[keyword] = value
            out.append(entry)
            values = {k: _array(v) for k, v in entry.items() if k != "name"}
            try:
                FreeLayer(name=name, **values)
            except ValueError as err:
                raise SpecError(where, str(err)) from None
            self._values["magnets"][name] = values
        self._description["magnets"] = out
        if isinstance(fixed, str):
            fixed = [fixed]
        fixed = list(_list("model.fixed", list(fixed) if isinstance(fixed, tuple) else fixed, "magnet names"))
        for i, name in enumerate(fixed):
            if not isinstance(name, str) or name not in self._values["magnets"]:
                raise SpecError(
                    _key("model.fixed", i),
                    f"unknown magnet {name!r} (the magnets are {', '.join(self._values['magnets'])})",
                )
            if fixed.index(name) != i:
                raise SpecError(_key("model.fixed", i), f"magnet {name!r} is listed twice")
        if len(fixed) == len(self._values["magnets"]):
            raise SpecError("model.fixed", "every magnet is fixed; at least one must be free")
        self.fixed = tuple(fixed)
        self.free = tuple(n for n in self._values["magnets"] if n not in self.fixed)
        if fixed:
            self._description["fixed"] = fixed

    def _check_name(self, key, name, what):
        if not isinstance(name, str) or not _NAME.match(name):
            raise SpecError(key, f"a {what} name is a word of letters, digits and '_' (no dots), got {name!r}")
        if name in _RESERVED:
            raise SpecError(key, f"{name!r} is reserved for a drive, waveform or column; choose another {what} name")

    def _magnet(self, key, name):
        if not isinstance(name, str) or name not in self._values["magnets"]:
            raise SpecError(key, f"unknown magnet {name!r} (the magnets are {', '.join(self._values['magnets'])})")
        return name

    def _read_terms(self, terms):
        terms = _list("model.terms", list(terms) if isinstance(terms, tuple) else terms)
        out: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(terms):
            where = _key("model.terms", i)
            raw = _table(where, raw)
            kind = raw.get("kind")
            if kind not in TERMS:
                raise SpecError(_key(where, "kind"), f"unknown term kind {kind!r} (use {', '.join(TERMS)})")
            default_name, keywords, _ = TERMS[kind]
            _unknown_keys(where, raw, ("kind", "name", *keywords))
            name = raw.get("name", default_name)
            self._check_name(_key(where, "name"), name, "term")
            if name in self._values["magnets"]:
                raise SpecError(
                    _key(where, "name"), f"term name {name!r} is also a magnet name (their axis names would clash)"
                )
            if name in seen:
                raise SpecError(
                    _key(where, "name"),
                    f"term name {name!r} is used by model.terms[{seen[name]}] too "
                    "(give each term a unique 'name'; it prefixes the term's axes)",
                )
            seen[name] = i
            entry = {"kind": kind}
            if "name" in raw:
                entry["name"] = name
            params = {}
            for keyword, (check, dimension, default) in keywords.items():
                key = _key(where, keyword)
                if keyword not in raw:
                    if default is ...:
                        raise SpecError(key, f"missing ({kind} needs {keyword})")
                    if default is None:
                        continue
                params[keyword] = self._term_keyword(key, raw.get(keyword, default), check, dimension)
            if kind == "TransportTorque":
                params["preset"] = preset_name(params["preset"])
                self._stacks[name] = self._stack(where, params)
            entry.update(params)
            out.append(entry)
            values = {k: _array(v) for k, v in params.items()}
            try:
                self._term(name, kind, values)
            except ValueError as err:
                raise SpecError(where, str(err)) from None
            self._values["terms"][name] = {"kind": kind, "index": i, "params": values}
        if out:
            self._description["terms"] = out

    def _term_keyword(self, key, raw, check, dimension):
        if check == "magnet":
            return self._magnet(key, raw)
        if check == "magnet_or_vector":
            if isinstance(raw, str):
                return self._magnet(key, raw)
            return _read(key, raw, "unit_vector", None)
        if check == "magnet_map":
            raw = _table(key, raw)
            if not raw:
                raise SpecError(key, 'must map stack layers to magnets, e.g. {F2 = "free"}')
            return {layer: self._magnet(_key(key, layer), name) for layer, name in raw.items()}
        if check == "torque_model":
            return _torque_model(key, raw)
        return _read(key, raw, check, dimension)

    def _stack(self, where, params):
        try:
            return build_stack(params["preset"], params["overrides"])
        except SpecError as err:
            field = "preset" if err.key == "model.preset" else "overrides"
            raise SpecError(_key(where, field), err.reason) from None

    def _read_drives(self, drives):
        drives = _table("model.drives", {} if drives is None else drives)
        _unknown_keys("model.drives", drives, tuple(DRIVES))
        out = {}
        for name, raw in drives.items():
            key = _key("model.drives", name)
            dimension, components = DRIVES[name]
            if isinstance(raw, dict) and not (set(raw) <= {"value", "unit"} and "value" in raw):
                _unknown_keys(key, raw, ("offset", *WAVEFORMS))
                if not set(raw) & set(WAVEFORMS):
                    raise SpecError(
                        key,
                        f"a drive table holds a waveform ({', '.join(WAVEFORMS)}) and an optional "
                        "offset; a constant drive is a number" + (" vector" if components == 3 else ""),
                    )
                entry = {}
                if "offset" in raw:
                    entry["offset"] = self._drive_value(_key(key, "offset"), raw["offset"], dimension, components)
                for wave in WAVEFORMS:
                    if wave in raw:
                        entry[wave] = self._waveform(_key(key, wave), raw[wave], wave, dimension, components)
            else:
                entry = self._drive_value(key, raw, dimension, components)
            out[name] = entry
            self._values["drives"][name] = _array(entry)
            try:
                _drive(self._values["drives"][name])
            except ValueError as err:
                raise SpecError(key, str(err)) from None
        if out:
            self._description["drives"] = out

    @staticmethod
    def _drive_value(key, raw, dimension, components):
        if components == 3:
            return _vector(key, raw, dimension)
        return checked_parameter(key, raw, "number", dimension)

    def _waveform(self, key, raw, wave, dimension, components):
        raw = _table(key, raw)
        keywords = WAVE_KEYS[wave]
        _unknown_keys(key, raw, tuple(keywords))
        entry = {}
        for keyword, (check, dim, default) in keywords.items():
            sub = _key(key, keyword)
            if keyword not in raw:
                if default is ...:
                    raise SpecError(sub, f"missing ({wave} needs {keyword})")
                if default is None:
                    continue
            value = raw.get(keyword, default)
            if check == "amplitude":
                entry[keyword] = self._drive_value(sub, value, dimension, components)
            elif check == "knots":
                if not (isinstance(value, list) and len(value) >= 2):
                    raise SpecError(sub, f"must be a list of at least 2 times, got {value!r}")
                times = [checked_parameter(sub, t, "number", dim) for t in value]
                if any(b <= a for a, b in itertools.pairwise(times)):
                    raise SpecError(sub, "times must be strictly increasing")
                entry[keyword] = times
            elif check == "knot_values":
                if not isinstance(value, list) or len(value) != len(entry["times"]):
                    raise SpecError(sub, f"must be a list of one value per time ({len(entry['times'])}), got {value!r}")
                entry[keyword] = [self._drive_value(sub, x, dimension, components) for x in value]
            else:
                entry[keyword] = checked_parameter(sub, value, check, dim)
        return entry

    def _read_run(
        self,
        m0,
        reference,
        duration,
        dt,
        method,
        temperature,
        seed,
        window,
        switch_threshold,
        trajectories,
        confidence,
        rtol,
        atol,
    ):
        self._read_start(m0, reference)
        self._read_integration(duration, dt, method, temperature, seed)
        self._read_outcomes(window, switch_threshold, trajectories, confidence, rtol, atol)

    def _read_start(self, m0, reference):
        """``m0`` and ``reference``: unit vectors per magnet (the start defaults to the easy axis)."""
        d = self._description
        m0 = _table("model.m0", {} if m0 is None else m0)
        start = {}
        for name, raw in m0.items():
            key = _key("model.m0", name)
            self._magnet(key, name)
            start[name] = _read(key, raw, "unit_vector", None)
        if start:
            d["m0"] = start
        self.m0 = {
            name: np.asarray(start.get(name, self._values["magnets"][name]["easy_axis"]), dtype=float)
            for name in self._values["magnets"]
        }
        reference = _table("model.reference", {} if reference is None else reference)
        axes = {}
        for name, raw in reference.items():
            key = _key("model.reference", name)
            self._magnet(key, name)
            if name in self.fixed:
                raise SpecError(key, f"magnet {name!r} is fixed; a reference axis belongs to a free magnet")
            axes[name] = _read(key, raw, "unit_vector", None)
        if axes:
            d["reference"] = axes
        self.reference = {name: np.asarray(x) for name, x in axes.items()} or None

    def _read_integration(self, duration, dt, method, temperature, seed):
        """The time grid, the integrator, the temperature and the seed of every run."""
        d = self._description
        if duration is None:
            raise SpecError("model.duration", "missing (the simulated time of every run, s)")
        d["duration"] = checked_parameter("model.duration", duration, "positive", "time")
        d["dt"] = checked_parameter("model.dt", dt, "positive", "time")
        steps = d["duration"] / d["dt"]
        if round(steps) < 1 or abs(steps - round(steps)) > 1e-9 * steps:
            raise SpecError("model.duration", f"must be a whole number of steps dt ({d['dt']} s)")
        if method is not None:
            if method not in METHODS:
                raise SpecError("model.method", f"must be one of {', '.join(METHODS)}, got {method!r}")
            d["method"] = method
        d["temperature"] = checked_parameter("model.temperature", temperature, "nonnegative", "temperature")
        if d["temperature"] > 0:
            if method is not None and method != "heun":
                raise SpecError("model.method", 'a temperature above 0 needs method = "heun" (stochastic Heun)')
            if self._missing_areas():
                raise SpecError("model.temperature", self._missing_areas())
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SpecError("model.seed", f"must be an integer >= 0, got {seed!r}")
        d["seed"] = seed

    def _read_outcomes(self, window, switch_threshold, trajectories, confidence, rtol, atol):
        """The outcome window, the switching threshold, the ensemble and the tolerances of RK45."""
        d = self._description
        d["window"] = checked_parameter("model.window", window, "positive", "dimensionless")
        if d["window"] > 1:
            raise SpecError("model.window", f"must be a fraction in (0, 1], got {window!r}")
        d["switch_threshold"] = checked_parameter("model.switch_threshold", switch_threshold, "number", "dimensionless")
        if not -1 < d["switch_threshold"] < 1:
            raise SpecError("model.switch_threshold", f"must lie in (-1, 1), got {switch_threshold!r}")
        d["trajectories"] = checked_parameter("model.trajectories", trajectories, "count", None)
        d["confidence"] = checked_parameter("model.confidence", confidence, "positive", "dimensionless")
        if not d["confidence"] < 1:
            raise SpecError("model.confidence", f"must lie in (0, 1), got {confidence!r}")
        for name, value in (("rtol", rtol), ("atol", atol)):
            if value is not None:
                d[name] = checked_parameter(f"model.{name}", value, "positive", "dimensionless")
        self.trajectories = d["trajectories"]
        self._values["temperature"] = d["temperature"]

    def _missing_areas(self):
        """Why a temperature above 0 cannot run (free magnets without an area), or ``None``."""
        missing = [n for n in self.free if "area" not in self._values["magnets"][n]]
        if missing:
            return (
                f"a temperature above 0 needs the area of every free magnet ({', '.join(missing)} has none): "
                "the thermal field depends on the volume"
            )
        return None

    def _check_system(self):
        """Build the system once; an error names the first term that the system refuses."""
        values = copy.deepcopy(self._values)
        magnets = [FreeLayer(name=name, **params) for name, params in values["magnets"].items()]
        terms = [
            (term["index"], self._term(name, term["kind"], term["params"])) for name, term in values["terms"].items()
        ]
        for count in range(len(terms) + 1):
            try:
                System(magnets, [term for _, term in terms[:count]], fixed=self.fixed)
            except ValueError as err:
                key = _key("model.terms", terms[count - 1][0]) if count else "model.fixed"
                raise SpecError(key, str(err)) from None

    # ------------------------------------------------------------------ axes
    def _register_axes(self):
        """Every axis: name -> (AxisInfo, path in the value tree, index in the item, item shape)."""
        axes = self._axes
        self._register_magnet_and_term_axes()
        by_wave: dict[str, list[str]] = {wave: [] for wave in WAVEFORMS}
        for drive, (dimension, components) in DRIVES.items():
            value = self._values["drives"].get(drive)
            if not isinstance(value, dict):
                info = AxisInfo(dimension, description=drive.replace("_", " "))
                if components == 1:
                    axes[drive] = (info, ("drives", drive), (), ())
                else:
                    for c, comp in enumerate(COMPONENTS):
                        axes[f"{drive}_{comp}"] = (info, ("drives", drive), (c,), (3,))
                continue
            for label, path, index, shape in _vector_leaves(f"{drive}.offset", ("drives", drive, "offset"), components):
                axes[label] = (AxisInfo(dimension, description=f"{drive} offset"), path, index, shape)
            for wave in WAVEFORMS:
                if wave in value:
                    by_wave[wave].append(drive)
                    self._register_wave_axes(drive, wave, value[wave], dimension, components)
        for wave, drives in by_wave.items():
            if len(drives) == 1:
                prefix = f"{drives[0]}.{wave}."
                for label in [a for a in axes if a.startswith(prefix)]:
                    axes[f"{wave}.{label[len(prefix) :]}"] = axes[label]
        axes["temperature"] = (
            AxisInfo("temperature", check="nonnegative", description="temperature"),
            ("temperature",),
            (),
            (),
        )

    def _register_magnet_and_term_axes(self):
        """The axes of the magnets' parameters (``<magnet>.<param>``) and of the terms' (``<term>.<param>``)."""
        axes = self._axes
        for name in self._values["magnets"]:
            for param, info in MAGNET_AXES.items():
                if param.startswith("demag_"):
                    axes[f"{name}.{param}"] = (info, ("magnets", name, "demag"), (COMPONENTS.index(param[-1]),), (3,))
                else:
                    axes[f"{name}.{param}"] = (info, ("magnets", name, param), (), ())
        for name, term in self._values["terms"].items():
            for param, info in TERMS[term["kind"]][2].items():
                if param.startswith("tensor_"):
                    index = (COMPONENTS.index(param[-2]), COMPONENTS.index(param[-1]))
                    axes[f"{name}.{param}"] = (info, ("terms", name, "params", "tensor"), index, (3, 3))
                else:
                    axes[f"{name}.{param}"] = (info, ("terms", name, "params", param), (), ())

    def _register_wave_axes(self, drive, wave, parameters, dimension, components):
        """The axes of the waveform ``wave`` of ``drive`` (``<drive>.<wave>.<param>``)."""
        axes = self._axes
        base = ("drives", drive, wave)
        if wave == "piecewise_linear":
            knots = len(parameters["times"])
            for k in range(knots):
                axes[f"{drive}.{wave}.times_{k}"] = (
                    AxisInfo("time", description=f"time of knot {k}"),
                    base + ("times",),
                    (k,),
                    (knots,),
                )
                item = (knots,) if components == 1 else (knots, 3)
                for label, path, index, _ in _vector_leaves(
                    f"{drive}.{wave}.values_{k}", base + ("values",), components, prefix=(k,)
                ):
                    axes[label] = (AxisInfo(dimension, description=f"{drive} at knot {k}"), path, index, item)
            return
        for label, path, index, shape in _vector_leaves(f"{drive}.{wave}.amplitude", base + ("amplitude",), components):
            axes[label] = (AxisInfo(dimension, description=f"{wave} amplitude"), path, index, shape)
        for param, info in WAVE_AXES[wave].items():
            axes[f"{drive}.{wave}.{param}"] = (info, base + (param,), (), ())

    def axis_names(self) -> tuple[str, ...]:
        """The names of every axis this model accepts."""
        return tuple(self._axes)

    def axis_info(self, name: str) -> AxisInfo:
        """The :class:`AxisInfo` of axis ``name`` (see the module docstring for the names)."""
        if name not in self._axes:
            raise ValueError(f"unknown axis {name!r} (this model accepts: {', '.join(self._axes)})")
        if name == "temperature":
            method = self._description.get("method")
            if method not in (None, "heun"):
                raise ValueError(f'a temperature axis needs method = "heun" (the model says {method!r})')
            if self._missing_areas():
                raise ValueError(self._missing_areas())
        path = self._axes[name][1]
        if path[0] == "magnets" and path[2] == "thickness":
            for term, values in self._values["terms"].items():
                if term in self._stacks and path[1] in values["params"]["magnets"].values():
                    raise ValueError(
                        f"magnet {path[1]!r} is a layer of the transport stack of term {term!r}; "
                        "its thickness is the stack's"
                    )
        return self._axes[name][0]

    def axis_unit(self, name: str) -> str:
        """The unit of axis ``name``; a short name (``pulse.amplitude``) has that of the full name it stands for
        (``current_density.pulse.amplitude``)."""
        entry = self._axes.get(name)
        full = next((label for label, other in self._axes.items() if other is entry), name)
        return super().axis_unit(full)

    def check_axes(self, names: Sequence[str]) -> None:
        """Refuse two axes that set the same parameter (``pulse.width`` and ``current_density.pulse.width``)."""
        seen: dict[tuple[tuple[str, ...], tuple[int, ...]], str] = {}
        for name in names:
            _, path, index, _ = self._axes[name]
            if (path, index) in seen:
                raise SpecError(f"axes.{name}", f"axes {seen[(path, index)]!r} and {name!r} set the same parameter")
            seen[(path, index)] = name

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **copy.deepcopy(self._description)}

    # ------------------------------------------------------------------ evaluation
    def _substituted(self, columns, n):
        """The value tree with the per-trajectory ``columns`` (axis -> array of length ``n``) in place."""
        tree = copy.deepcopy(self._values)
        expanded = set()
        for axis, values in columns.items():
            _, path, index, shape = self._axes[axis]
            parent = tree
            for key in path[:-1]:
                parent = parent[key]
            leaf = path[-1]
            if not index:
                parent[leaf] = np.asarray(values, dtype=float)
                continue
            if path not in expanded:
                base = parent.get(leaf)
                base = np.zeros(shape) if base is None else np.asarray(base, dtype=float)
                parent[leaf] = np.array(np.broadcast_to(base, (n,) + base.shape))
                expanded.add(path)
            parent[leaf][(slice(None),) + index] = values
        return tree

    def _objects(self, tree):
        """``(System, drives)`` of a value tree."""
        magnets = [FreeLayer(name=name, **params) for name, params in tree["magnets"].items()]
        terms = [self._term(name, term["kind"], term["params"]) for name, term in tree["terms"].items()]
        system = System(magnets, terms, fixed=self.fixed)
        drives = {name: _drive(value) for name, value in tree["drives"].items()}
        return system, drives

    def _term(self, name, kind, params):
        params = dict(params)
        if kind == "SpinTransfer":
            params["model"] = _torque_object(params["model"])
        elif kind == "MTJDrive":
            mtj = dynamics.MTJ(
                params.pop("r_p"),
                params.pop("r_ap"),
                params.pop("damping_like_coefficients", None),
                params.pop("field_like_coefficients", None),
            )
            return dynamics.MTJDrive(params["target"], params["reference"], mtj, params["field_like_ratio"])
        elif kind == "TransportTorque":
            return dynamics.TransportTorque(
                self._stacks[name], params["magnets"], method=params["method"], angles=params["angles"]
            )
        return getattr(dynamics, kind)(**params)

    def __call__(self, points, backend="cpu"):
        n_points = len(points["point"])
        first = int(points["point"][0])
        columns = {k: np.asarray(v) for k, v in points.items() if k != "point"}
        per_call = max(1, MAX_TRAJECTORIES // self.trajectories)
        frames = []
        for lo in range(0, n_points, per_call):
            hi = min(n_points, lo + per_call)
            frames.append(
                self._evaluate({k: v[lo:hi] for k, v in columns.items()}, hi - lo, self._seed(first + lo), backend)
            )
        if len(frames) == 1:
            return frames[0]
        return pd.concat(frames, ignore_index=True)

    def _seed(self, first_point):
        return self._description["seed"] + first_point

    def _evaluate(self, columns, n_points, seed, backend):
        """One batched :func:`~fastspin.dynamics.simulate` call for ``n_points`` points on ``backend``."""
        d = self._description
        runs = self.trajectories
        if runs > 1:
            columns = {k: np.repeat(v, runs) for k, v in columns.items()}
        tree = self._substituted(columns, n_points * runs)
        system, drives = self._objects(tree)
        thermal = "temperature" in columns or d["temperature"] > 0
        method = d.get("method", "heun" if thermal else "rk4")
        options = {k: d[k] for k in ("rtol", "atol") if k in d}
        frame = simulate(
            system,
            **drives,
            m0=self.m0,
            reference=self.reference,
            duration=d["duration"],
            dt=d["dt"],
            method=method,
            temperature=tree["temperature"],
            seed=seed,
            window=d["window"],
            switch_threshold=d["switch_threshold"],
            backend=backend,
            **options,
        )
        if runs == 1:
            prefixes = tuple(f"{name}." for name in self.free)
            keep = [c for c in frame.columns if c.startswith(prefixes) or c in RK45_COLUMNS]
            return frame[keep].reset_index(drop=True)
        return self._statistics(frame, n_points)

    def _statistics(self, frame, n_points):
        """One row per point from its ``trajectories`` runs: switching probability, Wilson interval, WER."""
        runs = self.trajectories
        out = {"n": np.full(n_points, runs, dtype=np.int64)}
        for name in self.free:
            switched = frame[f"{name}.switched"].to_numpy(dtype=bool).reshape(n_points, runs)
            times = frame[f"{name}.switching_time"].to_numpy(dtype=float).reshape(n_points, runs)
            count = switched.sum(axis=1)
            p_switch = count / runs
            low, high = wilson_interval(count, runs, self._description["confidence"])
            low, high = np.minimum(low, p_switch), np.maximum(high, p_switch)  # rounding at p = 0 and 1
            with np.errstate(invalid="ignore"):
                mean_time = np.where(switched, times, 0.0).sum(axis=1) / count
            out.update(
                {
                    f"{name}.n_switched": count.astype(np.int64),
                    f"{name}.p_switch": p_switch,
                    f"{name}.p_low": low,
                    f"{name}.p_high": high,
                    f"{name}.wer": 1.0 - p_switch,
                    f"{name}.switching_time": np.where(count > 0, mean_time, np.nan),
                }
            )
        return pd.DataFrame(out)


def _vector_leaves(label, path, components, prefix=()):
    """Axis labels of a drive value: ``label`` for a scalar drive, ``label_x/_y/_z`` for the field."""
    if components == 1:
        return [(label, path, prefix, ())]
    return [(f"{label}_{comp}", path, prefix + (c,), (3,)) for c, comp in enumerate(COMPONENTS)]


def _array(value):
    """Description values as the engine takes them (lists -> float arrays; tables kept)."""
    if isinstance(value, dict):
        return {k: _array(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not any(isinstance(x, (str, dict)) for x in value):
        return np.asarray(value, dtype=float)
    return value


def _torque_model(key, raw):
    """``"constant"``, ``{slonczewski = {polarization}}`` or ``{asymmetric = {polarization, asymmetry}}``."""
    if raw == "constant":
        return raw
    forms = {"slonczewski": ("polarization",), "asymmetric": ("polarization", "asymmetry")}
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in forms:
        form, table = next(iter(raw.items()))
        sub = _key(key, form)
        table = _table(sub, table)
        _unknown_keys(sub, table, forms[form])
        for name in forms[form]:
            if name not in table:
                raise SpecError(_key(sub, name), f"missing ({form} needs {name})")
        values = {
            name: checked_parameter(_key(sub, name), table[name], "number", "dimensionless") for name in forms[form]
        }
        try:
            _torque_object({form: values})
        except ValueError as err:
            raise SpecError(sub, str(err)) from None
        return {form: values}
    raise SpecError(
        key,
        'must be "constant", {slonczewski = {polarization = ...}} or '
        f"{{asymmetric = {{polarization = ..., asymmetry = ...}}}}, got {raw!r}",
    )


def _torque_object(model):
    if isinstance(model, str):
        return model
    ((form, values),) = model.items()
    if form == "slonczewski":
        return SlonczewskiTorque(values["polarization"])
    return AsymmetricTorque(values["polarization"], values["asymmetry"])


def _drive(value):
    """A drive for :func:`~fastspin.dynamics.simulate`: a constant, or the sum of its waveforms and offset."""
    if not isinstance(value, dict):
        return value
    makers = {"pulse": Pulse, "sine": Sine, "piecewise_linear": PiecewiseLinear}
    total = None
    for wave in WAVEFORMS:
        if wave in value:
            part = makers[wave](**value[wave])
            total = part if total is None else total + part
    if "offset" in value:
        total = total + value["offset"]
    return total
