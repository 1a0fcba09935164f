"""Preset stacks by name for specs and the command line, and the scan axes a stack accepts.

A preset is named ``"<family>:<case>"`` as listed by :func:`fastspin.presets.available`
(``"barnas2005:fig5"``); the short form ``"fig5"`` means ``"barnas2005:fig5"``.  Transport axes are
the parameter names of :func:`fastspin.transport.evaluate`: ``"phi"``, ``"<layer>.<field>"`` and
``"<left>|<right>.<field>"`` (see :mod:`fastspin.stack`).
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import presets
from ..parameters import INTERFACE_PARAMETERS, KIND_NAMES, LAYER_PARAMETERS, REGISTRY
from ..stack import Stack
from .errors import SpecError
from .model import AxisInfo

DEFAULT_FAMILY = "barnas2005"


def _axis_info(declared):
    """The scan axis of a registered parameter (:data:`fastspin.parameters.REGISTRY`)."""
    return AxisInfo(
        declared.dimension,
        kind=declared.value,
        check=declared.check,
        description=declared.description,
        bounds=declared.bounds,
    )


_LAYER_AXES = {name: _axis_info(REGISTRY[name]) for name in LAYER_PARAMETERS}
_INTERFACE_AXES = {name: _axis_info(REGISTRY[name]) for name in INTERFACE_PARAMETERS}
PHI_AXIS = AxisInfo("angle", description="angle between the net spins of the first and last magnet")


def preset_name(name: str) -> str:
    """Canonical ``"<family>:<case>"`` form of a preset name."""
    if not isinstance(name, str) or not name:
        raise SpecError("model.preset", f"expected a preset name such as 'barnas2005:fig5', got {name!r}")
    return name if ":" in name else f"{DEFAULT_FAMILY}:{name}"


def build_stack(name: str, overrides: Mapping[str, float] | None = None) -> Stack:
    """The :class:`~fastspin.stack.Stack` of preset ``name`` with keyword ``overrides`` (SI)."""
    name = preset_name(name)
    if name not in presets.available():
        raise SpecError("model.preset", f"unknown preset {name!r} (available: {', '.join(presets.available())})")
    family, case = name.split(":", 1)
    overrides = dict(overrides or {})
    try:
        return getattr(presets, family)(case, **overrides)
    except ValueError as err:
        raise SpecError("model.overrides", str(err)) from None


def transport_axis_info(stack: Stack, name: str, allow_phi: bool = True, allow_vector: bool = True) -> AxisInfo:
    """:class:`AxisInfo` of the transport parameter ``name`` of ``stack`` (``ValueError`` if none); every
    parameter :func:`fastspin.transport.evaluate` accepts is one.  ``allow_vector=False``: a model whose points
    need scalar values (a direction is a 3-vector) refuses ``<layer>.direction``."""
    if name == "phi":
        if not allow_phi:
            raise ValueError("'phi' is not an axis of this model (it scans phi itself)")
        return PHI_AXIS
    target, dot, field = name.rpartition(".")
    if not dot:
        raise ValueError(
            f"unknown axis {name!r} (transport axes are 'phi', '<layer>.<field>' with layers "
            f"{', '.join(stack.names)}, or '<left>|<right>.<field>' with interfaces "
            f"{', '.join(stack.interface_names())})"
        )
    if "|" in target:
        stack.interface_index(target)
        if field not in _INTERFACE_AXES:
            raise ValueError(f"unknown interface field {field!r} (use {', '.join(_INTERFACE_AXES)})")
        return _INTERFACE_AXES[field]
    index = stack.layer_index(target)
    if field not in _LAYER_AXES:
        raise ValueError(f"unknown layer field {field!r} (use {', '.join(_LAYER_AXES)})")
    declared, kind = REGISTRY[field], stack.compile().kind[index]
    if kind not in declared.kinds:
        raise ValueError(f"layer {target!r} is a {KIND_NAMES[kind]} and has no {field}")
    if declared.lead_fixed and index in (0, len(stack.names) - 1):
        raise ValueError(f"layer {target!r} is a semi-infinite lead; its {field} is fixed")
    if declared.value == "vector" and not allow_vector:
        raise ValueError(
            f"{name!r} is a 3-vector: this model scans scalar parameters only (scan 'phi' with the "
            "transport model, or set the direction in the preset)"
        )
    return _LAYER_AXES[field]
