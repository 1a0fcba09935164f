"""The resistance across a device at given magnetization directions: what the lab's voltmeter reads.

* an MTJ (a :class:`~fastspin.dynamics.MTJDrive` term, or ``mtj=`` of a single layer): Louis et al. 2025
  Eq. 65, ``R = R_perp / (1 + eta^2 m . p)`` with ``p`` the reference magnet's direction (or its fixed vector);
* a spin valve (a :class:`~fastspin.dynamics.TransportTorque` term): the resistance-area product of the stack
  from the transport engine at the magnets' directions (Barnas et al. 2005; net spin ``-m``, unmapped layers
  keep the stack's direction; leads' bulk excluded), divided by the area of the mapped magnets when they
  have one (else the result is the resistance-area product, Ohm m^2);
* several such terms are in series: their resistances add.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .. import validation as v
from ..dynamics import MTJ, FreeLayer, MTJDrive, System, TransportTorque


def resistance_model(
    system_or_layer: FreeLayer | System, mtj: MTJ | None = None, polarization: npt.ArrayLike = (1.0, 0.0, 0.0)
) -> tuple[str, Callable[[npt.ArrayLike], npt.NDArray[np.float64]]]:
    """``(unit, function)``: ``function(m)`` gives the resistance for directions ``m`` of shape ``(..., 3)``
    (a layer) or ``(..., n_magnets, 3)`` (a system, its magnets in order, as ``trajectories`` returns);
    ``unit`` is ``"Ohm"`` or ``"Ohm m^2"``.  ValueError when the device has no resistance model."""
    if isinstance(system_or_layer, FreeLayer):
        if mtj is None:
            raise ValueError(
                "the layer has no resistance: give mtj=MTJ(r_p, r_ap) (or use a System with an "
                "MTJDrive or a TransportTorque term)"
            )
        p = v.vectors(polarization, "polarization", unit=True)  # (3,) or one per trajectory (n, 3)

        def layer_resistance(m: npt.ArrayLike) -> npt.NDArray[np.float64]:
            m = np.asarray(m, dtype=float)
            along = p if p.ndim == 1 else p.reshape(p.shape[:1] + (1,) * (m.ndim - 2) + (3,))
            return mtj.resistance(np.sum(m * along, axis=-1))

        return "Ohm", layer_resistance
    if not isinstance(system_or_layer, System):
        raise ValueError(f"the device must be a fastspin.dynamics.FreeLayer or System, got {type(system_or_layer)!r}")
    system = system_or_layer
    parts, units = [], set()
    for term in system.terms:
        if isinstance(term, MTJDrive):
            parts.append(_mtj_part(system, term))
            units.add("Ohm")
        elif isinstance(term, TransportTorque):
            part, unit = _valve_part(system, term)
            parts.append(part)
            units.add(unit)
    if not parts:
        raise ValueError("the system has no resistance: it needs an MTJDrive or a TransportTorque term")
    if len(units) > 1:
        raise ValueError(
            "the system mixes resistances (Ohm) with resistance-area products (Ohm m^2): give the "
            "magnets of its TransportTorque an area"
        )
    return units.pop(), lambda m: sum(part(np.asarray(m, dtype=float)) for part in parts)


def _mtj_part(system, term):
    target = system.names.index(term.target)
    if isinstance(term.reference, str):
        reference = system.names.index(term.reference)
        return lambda m: term.mtj.resistance(np.sum(m[..., target, :] * m[..., reference, :], axis=-1))
    p = np.asarray(term.reference, dtype=float)
    return lambda m: term.mtj.resistance(m[..., target, :] @ p)


def _valve_part(system, term):
    from ..transport.spinvalve import solve

    layers = {name: layer for name, layer in zip(system.names, system.magnets)}
    areas = [layers[name].area for name in term.magnets.values()]
    if any(a is None for a in areas):
        area = None
    else:
        areas = [float(a) if np.ndim(a) == 0 else np.nan for a in areas]
        if not np.all(np.isfinite(areas)) or len(set(areas)) != 1:
            raise ValueError(f"a TransportTorque's resistance needs one scalar area shared by its magnets, got {areas}")
        area = areas[0]
    index = {layer: system.names.index(name) for layer, name in term.magnets.items()}

    def part(m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        shape = m.shape[:-2]
        flat = m.reshape(-1, *m.shape[-2:])
        params = {f"{layer}.direction": -flat[:, k] for layer, k in index.items()}  # net spin = -m
        resistance_area = solve(term.stack, params).resistance_area.reshape(shape)
        return resistance_area / area if area is not None else resistance_area

    return part, "Ohm" if area is not None else "Ohm m^2"
