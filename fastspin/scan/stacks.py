"""Preset stacks by name for specs and the command line, and the scan axes a stack accepts.

A preset is named ``"<family>:<case>"`` as listed by :func:`fastspin.presets.available`
(``"barnas2005:fig5"``); the short form ``"fig5"`` means ``"barnas2005:fig5"``.  Transport axes are
the parameter names of :func:`fastspin.transport.evaluate`: ``"phi"``, ``"<layer>.<field>"`` and
``"<left>|<right>.<field>"`` (see :mod:`fastspin.stack`).
"""
from .. import presets
from ..validation import TRANSPORT_RANGES
from .errors import SpecError
from .model import AxisInfo

DEFAULT_FAMILY = "barnas2005"

def _bounds(field):
    low, high, _ = TRANSPORT_RANGES[field]
    return (low, high)


_LAYER_AXES = {
    "rho_star": AxisInfo("resistivity", check="positive", description="bulk resistivity rho*",
                         bounds=_bounds("rho_star")),
    "beta": AxisInfo(check="open_unit", description="bulk spin asymmetry beta"),
    "l_sf": AxisInfo("length", check="positive", description="spin-diffusion length", bounds=_bounds("l_sf")),
    "thickness": AxisInfo("length", check="positive", description="layer thickness", bounds=_bounds("thickness")),
}
_INTERFACE_AXES = {
    "r_star": AxisInfo("area_resistance", check="positive", description="interface resistance R*",
                       bounds=_bounds("r_star")),
    "gamma": AxisInfo(check="open_unit", description="interface spin asymmetry gamma"),
    "g_mix": AxisInfo("area_conductance", kind="complex", check="real_part_nonnegative",
                      description="complex mixing conductance per area", bounds=_bounds("g_mix")),
    "g_mix_real": AxisInfo("area_conductance", check="nonnegative", description="Re G_mix per area",
                           bounds=_bounds("g_mix")),
    "g_mix_imag": AxisInfo("area_conductance", description="Im G_mix per area", bounds=_bounds("g_mix")),
}
PHI_AXIS = AxisInfo("angle", description="angle between the net spins of the first and last magnet")


def preset_name(name):
    """Canonical ``"<family>:<case>"`` form of a preset name."""
    if not isinstance(name, str) or not name:
        raise SpecError("model.preset", f"expected a preset name such as 'barnas2005:fig5', got {name!r}")
    return name if ":" in name else f"{DEFAULT_FAMILY}:{name}"


def build_stack(name, overrides=None):
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


def transport_axis_info(stack, name, allow_phi=True):
    """:class:`AxisInfo` of the transport parameter ``name`` of ``stack`` (``ValueError`` if none)."""
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
    if field == "beta" and target not in stack.magnet_names:
        raise ValueError(f"layer {target!r} is a normal metal and has no beta")
    if field == "thickness" and index in (0, len(stack.names) - 1):
        raise ValueError(f"layer {target!r} is a semi-infinite lead; its thickness is fixed")
    return _LAYER_AXES[field]
