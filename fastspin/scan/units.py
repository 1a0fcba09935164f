"""Units accepted in scan specifications, converted once to SI when a spec is read.

Every scan axis has a *dimension* (declared by the model that evaluates it).  A spec may give an
axis in any unit of that dimension listed here; the values are multiplied by the factor and stored
in SI.  A unit of another dimension, or an unknown unit, is an error that names the axis.
"""

from __future__ import annotations

import math

from ..constants import MU0

#: dimension -> ``{unit spelling: factor to SI}``; the first entry is the SI unit used in labels.
UNITS = {
    "dimensionless": {"1": 1.0, "": 1.0},
    "angle": {"rad": 1.0, "deg": math.pi / 180.0},
    "length": {"m": 1.0, "um": 1e-6, "nm": 1e-9, "angstrom": 1e-10},
    "current_density": {"A/m^2": 1.0, "A/cm^2": 1e4, "MA/cm^2": 1e10},
    "field": {"T": 1.0, "mT": 1e-3, "Oe": 1e-4, "A/m": MU0},
    "magnetization": {"A/m": 1.0, "kA/m": 1e3, "MA/m": 1e6},
    "time": {"s": 1.0, "ns": 1e-9, "ps": 1e-12},
    "area": {"m^2": 1.0, "um^2": 1e-12, "nm^2": 1e-18},
    "temperature": {"K": 1.0},
    "resistivity": {"Ohm m": 1.0, "uOhm cm": 1e-8, "nOhm m": 1e-9},
    "area_resistance": {"Ohm m^2": 1.0, "fOhm m^2": 1e-15, "mOhm um^2": 1e-15},
    "area_conductance": {"S/m^2": 1.0, "1/(Ohm m^2)": 1.0},
}


def si_unit(dimension: str) -> str:
    """The SI unit (first spelling) of ``dimension``, as used in axis labels."""
    return next(iter(UNITS[dimension]))


def to_si_factor(unit: str | None, dimension: str) -> float:
    """Factor converting values given in ``unit`` to SI for an axis of ``dimension``.

    ``unit=None`` means the values are already SI.  Raises ``ValueError`` (one line) for an unknown
    unit or a unit of another dimension.
    """
    if unit is None:
        return 1.0
    if not isinstance(unit, str):
        raise ValueError(f"unit must be a string, got {type(unit).__name__}")
    table = UNITS[dimension]
    if unit in table:
        return table[unit]
    other = [dim for dim, spellings in UNITS.items() if unit in spellings]
    accepted = ", ".join(repr(u) for u in table if u)
    if other:
        raise ValueError(
            f"unit {unit!r} is a {other[0].replace('_', ' ')} unit, but this axis is a "
            f"{dimension.replace('_', ' ')} (use {accepted})"
        )
    raise ValueError(f"unknown unit {unit!r} for a {dimension.replace('_', ' ')} (use {accepted})")
