"""A system of macrospins: free and fixed magnets and the terms that couple and drive them.

``System(magnets, terms=(), fixed=())``: ``magnets`` are :class:`~fastspin.dynamics.FreeLayer` s with unique names;
``fixed`` names the magnets held still (pinned references: they still polarize and couple).  Every free
magnet obeys the Gilbert equation (fastspin.dynamics.core.physics) with the effective field of its own
layer (applied field, uniaxial anisotropy, diagonal demagnetizing tensor: fastspin.dynamics.layer) plus
the fields and torques of the terms (fastspin.dynamics.terms).

:meth:`~fastspin.dynamics.System.compile` turns a system and the drives of one call into a
:class:`CompiledSystem`: the per-trajectory rows ``P``, the torque tables ``TB`` and the generated source of
the right-hand side (fastspin.dynamics.assembly); the drivers (fastspin.dynamics.cpu) compile that source once
per structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import validation as v
from ..constants import K_B, MU0
from .assembly import Assembly, drive_lengths
from .core.physics import GAMMA
from .layer import FreeLayer
from .terms import Term
from .waveforms import Waveform

LAYER_INPUTS = {"ms": 0, "thickness": 0, "alpha": 0, "anisotropy_field": 0, "easy_axis": 1, "demag": 1, "area": 0}


class System:
    """Magnets, terms and fixed magnets (see the module docstring)."""

    def __init__(
        self, magnets: FreeLayer | Iterable[FreeLayer], terms: Iterable[Term] = (), fixed: str | Iterable[str] = ()
    ) -> None:
        magnets = (magnets,) if isinstance(magnets, FreeLayer) else tuple(magnets)
        names = _magnet_names(magnets)
        fixed = _fixed_names((fixed,) if isinstance(fixed, str) else tuple(fixed), names)
        terms = tuple(terms)
        for term in terms:
            _check_term(term, names, fixed)
        self.magnets = magnets
        self.terms = terms
        self.fixed = fixed
        self.names = tuple(names)
        self.free = tuple(n for n in names if n not in fixed)
        if not self.free:
            raise ValueError("System: every magnet is fixed; at least one must be free")
        self.layers = dict(zip(names, magnets))
        for term in terms:
            term.check(self.layers, fixed)

    def __repr__(self):
        return f"System(magnets={list(self.names)}, terms={[t._owner() for t in self.terms]}, fixed={list(self.fixed)})"

    def energy_per_area(
        self,
        m: npt.ArrayLike | Mapping[str, npt.NDArray[np.float64]],
        *,
        field: npt.ArrayLike = (0.0, 0.0, 0.0),
        voltage: float | npt.NDArray[np.float64] = 0.0,
    ) -> float | npt.NDArray[np.float64]:
        """Energy per unit area (J/m^2) of the magnets at directions ``m`` (array (..., n_magnets, 3) in the
        order of ``magnets``, or a dict name -> (..., 3)): for every magnet ``Ms d E/(Ms V)`` of its layer
        (fastspin.dynamics.layer) in the applied ``field``, plus the energies of the terms (exchange,
        dipolar, voltage-controlled anisotropy at ``voltage``).  Torques have no energy."""
        if not isinstance(m, dict):
            arr = v.real_array(m, "m")
            if arr.shape[-2:] != (len(self.names), 3):
                raise ValueError(f"m must have shape (..., {len(self.names)}, 3), got {arr.shape}")
            m = {name: arr[..., k, :] for k, name in enumerate(self.names)}
        total: float | npt.NDArray[np.float64] = 0.0
        for name, layer in self.layers.items():
            total = total + layer.ms * layer.thickness * layer.energy_per_ms_volume(m[name], field)
        for term in self.terms:
            total = total + term.energy_per_area(m, self.layers, voltage)
        return total

    # ---------------------------------------------------------------- compilation
    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        """``{label: (array, item ndim)}`` of every per-trajectory input of the magnets and terms."""
        out = {}
        for name, layer in self.layers.items():
            for key, item in LAYER_INPUTS.items():
                value = getattr(layer, key)
                if value is not None:
                    out[f"{name}.{key}"] = (np.asarray(value), item)
        for term in self.terms:
            for key, pair in term.per_trajectory().items():
                out[f"{term._owner()}.{key}"] = pair
        return out

    def compile(
        self,
        drives: Mapping[str, Waveform | npt.ArrayLike],
        m0: Mapping[str, npt.NDArray[np.float64]],
        temperature: npt.NDArray[np.float64],
        dt: float,
        stochastic: bool = False,
        reference: Mapping[str, npt.ArrayLike] | None = None,
        frequency_axis: Mapping[str, npt.ArrayLike] | None = None,
        stiffness: Mapping[str, tuple[npt.ArrayLike, npt.ArrayLike]] | None = None,
    ) -> CompiledSystem:
        """The :class:`~fastspin.dynamics.system.CompiledSystem` of one call.

        ``drives``: ``{"current_density", "sot_current_density", "voltage", "field"}`` (constants, per
        trajectory or waveforms); ``m0``: ``{name: (3,) or (n, 3)}`` unit vectors of every magnet;
        ``temperature`` (K, scalar or per trajectory); ``dt`` the step (s) of the thermal field, which
        ``stochastic`` (the Heun integrator) adds, zero where the temperature is;
        ``reference`` / ``frequency_axis``: optional ``{name: vector}`` axes of the outcomes; ``stiffness``:
        optional ``{name: (h1, h2)}`` weights of the tracked orbit energy (fastspin.dynamics.outcomes).
        """
        inputs = self.per_trajectory()
        for name, value in drives.items():
            inputs.update(drive_lengths(name, value, 3 if name == "field" else 1))
        inputs.update({f"m0[{k}]": (a, 1) for k, a in m0.items()})
        inputs["temperature"] = (temperature, 0)
        n = v.batch_size(inputs)
        layers = {name: _broadcast_layer(layer, n) for name, layer in self.layers.items()}
        asm = Assembly(n, layers, list(self.free))
        for name in self.fixed:
            asm.fixed_vectors[name] = asm.vector_rows(f"{name}.m", m0[name])
        thermal = bool(np.any(temperature > 0))
        base_pre, base_field, base_torque, gll_alpha = [], [], [], []
        for k, name in enumerate(self.free):
            layer = layers[name]
            x, y, z = f"x{k}", f"y{k}", f"z{k}"
            base_pre.append(f"bk{k} = {asm.row(f'{name}.anisotropy_field', layer.anisotropy_field)}")
            u = asm.vector_rows(f"{name}.easy_axis", layer.easy_axis)
            d = asm.vector_rows(f"{name}.demag_field", MU0 * layer.ms[:, None] * layer.demag)
            base_field.append(
                f"bx{k}, by{k}, bz{k} = anisotropy_demag_field({x}, {y}, {z}, {', '.join(u)}, bk{k}, {', '.join(d)})"
            )
            base_field.append(f"bx{k} += Hx + nx{k}")
            base_field.append(f"by{k} += Hy + ny{k}")
            base_field.append(f"bz{k} += Hz + nz{k}")
            base_torque.append(f"tx{k}, ty{k}, tz{k} = precession_torque({x}, {y}, {z}, bx{k}, by{k}, bz{k})")
            alpha = asm.row(f"{name}.alpha", layer.alpha)
            gamma_ll = asm.row(f"{name}.gamma_ll", GAMMA / (1.0 + layer.alpha**2))
            gll_alpha.append((alpha, gamma_ll))
        for term in self.terms:
            term.emit(asm)
        drive_lines = []
        asm.pre, pre = [], asm.pre
        asm.emit_drive("field", drives.get("field", np.zeros(3)), components=3, var="H")
        for name, var in (("current_density", "J"), ("sot_current_density", "J_sot"), ("voltage", "V")):
            if name in asm.uses:
                if name not in drives:
                    raise ValueError(f"a term needs {name} but none was given")
                asm.emit_drive(name, drives[name], var=var)
        drive_lines, asm.pre = asm.pre, pre
        # outcome axes and the thermal field per free magnet
        sigma, axes = [], []
        for name in self.free:
            layer = layers[name]
            ref = _reference_axis(self, name, layer, m0, n, reference)
            normal = _normal_axes(layer.demag)
            e_axis = (
                _frequency_axes(ref, normal, layer.easy_axis)
                if not frequency_axis or name not in frequency_axis
                else np.broadcast_to(v.vectors(frequency_axis[name], "frequency_axis", unit=True), (n, 3))
            )
            in_plane = _in_plane_axes(e_axis, normal)
            h1, h2 = (1.0, 1.0) if not stiffness or name not in stiffness else stiffness[name]
            axes.append(
                dict(
                    reference=ref,
                    normal=normal,
                    frequency_axis=e_axis,
                    ref_rows=asm.vector_rows(f"{name}.reference", ref),
                    e_rows=asm.vector_rows(f"{name}.frequency_axis", e_axis),
                    f_rows=asm.vector_rows(f"{name}.second_axis", np.cross(ref, e_axis)),
                    n_rows=asm.vector_rows(f"{name}.normal", normal),
                    a_rows=asm.vector_rows(f"{name}.in_plane_axis", in_plane),
                    b_rows=asm.vector_rows(f"{name}.in_plane_axis_2", np.cross(normal, in_plane)),
                    h_rows=(asm.row(f"{name}.orbit_h1", h1), asm.row(f"{name}.orbit_h2", h2)),
                    energy_weights=stiffness is not None and name in stiffness,
                )
            )
            if stochastic:
                if thermal and layer.area is None:
                    raise ValueError(f"{layer.owner}: area is needed for the thermal field (volume)")
                volume = layer.thickness * (layer.area if layer.area is not None else 1.0)
                sigma.append(
                    asm.row(
                        f"{name}.thermal_sigma",
                        np.sqrt(
                            2.0
                            * layer.alpha
                            * K_B
                            * np.broadcast_to(temperature, (n,))
                            / (GAMMA * layer.ms * volume * dt)
                        ),
                    )
                )
        lines = drive_lines + base_pre + asm.pre + base_field + asm.field + base_torque + asm.torque
        for k, (alpha, gamma_ll) in enumerate(gll_alpha):
            lines.append(
                f"dx{k}, dy{k}, dz{k} = landau_lifshitz(x{k}, y{k}, z{k}, tx{k}, ty{k}, tz{k}, {alpha}, {gamma_ll})"
            )
        return CompiledSystem(
            system=self,
            n=n,
            P=asm.parameters(),
            tables=asm.table_array(),
            rhs_lines=lines,
            n_free=len(self.free),
            axes=axes,
            sigma_rows=sigma,
            thermal=thermal,
            resistance={self.free.index(k): r for k, r in asm.resistance.items()},
            m0=np.ascontiguousarray(np.concatenate([np.broadcast_to(m0[name], (n, 3)) for name in self.free], axis=1)),
            fixed_m=[np.broadcast_to(m0[name], (n, 3)) for name in self.fixed],
            extra=asm.extra,
            extra_setup=asm.extra_setup,
            extra_imports=asm.extra_imports,
            row_names=asm.row_names,
        )


def _magnet_names(magnets: tuple[FreeLayer, ...]) -> list[str]:
    """The unique names of ``magnets`` (FreeLayer objects, at least one); ValueError otherwise."""
    if not magnets:
        raise ValueError("System: magnets must hold at least one FreeLayer")
    names = []
    for magnet in magnets:
        if not isinstance(magnet, FreeLayer):
            raise ValueError(f"System: magnets must be FreeLayer objects, got {type(magnet)!r}")
        if magnet.name in names:
            raise ValueError(f"System: magnet name {magnet.name!r} is used twice (names must be unique)")
        names.append(magnet.name)
    return names


def _fixed_names(fixed: tuple[str, ...], names: list[str]) -> tuple[str, ...]:
    """``fixed`` checked: names of magnets of the system, each once."""
    for name in fixed:
        if name not in names:
            raise ValueError(f"System: fixed magnet {name!r} is not one of the magnets {names}")
    if len(set(fixed)) != len(fixed):
        raise ValueError(f"System: fixed names a magnet twice: {list(fixed)}")
    return fixed


def _check_term(term, names, fixed):
    """A term of the system: a :class:`Term` on magnets of the system that acts on no fixed magnet."""
    if not isinstance(term, Term):
        raise ValueError(f"System: terms must be fastspin.dynamics terms, got {type(term)!r}")
    for name in term.names():
        if name not in names:
            raise ValueError(f"{term._owner()}: unknown magnet {name!r} (the system has {names})")
    for name in term.targets():
        if name in fixed:
            raise ValueError(
                f"{term._owner()}: acts on the fixed magnet {name!r} (a fixed magnet "
                "does not move: drop the term or free the magnet)"
            )


@dataclass
class CompiledSystem:
    """Arrays and generated source of one call (fastspin.dynamics.assembly); kernels see only these."""

    system: System
    n: int
    P: npt.NDArray[np.float64]  # (n_rows, n) per-trajectory rows
    tables: npt.NDArray[np.float64]  # concatenated torque tables
    rhs_lines: list[str]  # body of the generated right-hand side
    n_free: int
    axes: list[dict[str, Any]]  # per free magnet: reference, normal, frequency_axis arrays (n, 3), row expressions
    sigma_rows: list[str]  # per free magnet: row expression of the thermal field's standard deviation (T)
    thermal: bool
    resistance: dict[int, tuple[str, float]]  # free index -> (expression of R / R_perp, R_perp)
    m0: npt.NDArray[np.float64]  # (n, 3 n_free) initial state of the free magnets
    fixed_m: list[npt.NDArray[np.float64]]  # (n, 3) directions of the fixed magnets
    extra: tuple[Any, ...] = ()  # constant arrays of the terms (transport stacks), passed to the kernels
    extra_setup: list[str] = dataclass_field(default_factory=list)  # per-block scratch set-up lines
    extra_imports: list[str] = dataclass_field(default_factory=list)  # imports of the generated module
    row_names: list[str] = dataclass_field(default_factory=list)


def _broadcast_layer(layer, n):
    """A view of ``layer`` with every per-trajectory parameter broadcast to ``n`` trajectories."""
    values: dict[str, Any]  # arrays, None for a layer without an area
    values = {
        key: (
            None
            if getattr(layer, key) is None
            else v.broadcast_rows(np.asarray(getattr(layer, key), dtype=float), n, item)
        )
        for key, item in LAYER_INPUTS.items()
    }
    return _BroadcastLayer(layer.name, layer.owner, **values)


@dataclass
class _BroadcastLayer:
    name: str
    owner: str
    ms: np.ndarray
    thickness: np.ndarray
    alpha: np.ndarray
    anisotropy_field: np.ndarray
    easy_axis: np.ndarray
    demag: np.ndarray
    area: np.ndarray | None


def _normal_axes(demag):
    """Film normal per trajectory: the axis of the largest demagnetizing factor (ties go to z)."""
    idx = 2 - np.argmax(demag[:, ::-1], axis=1)
    return np.eye(3)[idx]


def _frequency_axes(reference, normal, easy_axis):
    """Default e = r x n (in-plane, perpendicular to the reference r), else r x u, else any unit vector ⟂ r."""
    e = np.cross(reference, normal)
    for fallback in (
        easy_axis,
        np.broadcast_to([1.0, 0.0, 0.0], reference.shape),
        np.broadcast_to([0.0, 1.0, 0.0], reference.shape),
    ):
        short = np.linalg.norm(e, axis=1) < 1e-9
        e[short] = np.cross(reference[short], fallback[short])
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def _in_plane_axes(e_axis, normal):
    """Unit axes in the film plane (perpendicular to ``normal``): ``e`` projected, else any."""
    a = e_axis - np.sum(e_axis * normal, axis=1, keepdims=True) * normal
    short = np.linalg.norm(a, axis=1) < 1e-9
    a[short] = np.cross(normal[short], np.roll(normal[short], 1, axis=1))
    return a / np.linalg.norm(a, axis=1, keepdims=True)


def _reference_axis(system, name, layer, m0, n, reference):
    """Axis against which a free magnet's state is labelled: ``reference[name]`` if given, else the fixed
    polarizer of its first spin-transfer term, else its easy axis (if it has an anisotropy), else m0."""
    if reference and name in reference:
        return np.broadcast_to(v.vectors(reference[name], f"reference[{name!r}]", unit=True), (n, 3)).copy()
    for term in system.terms:
        pol = getattr(term, "polarizer", getattr(term, "reference", None))
        if name in term.targets() and pol is not None:
            if isinstance(pol, str):
                if pol in system.fixed:
                    return np.broadcast_to(m0[pol], (n, 3)).copy()
            else:
                return np.broadcast_to(pol, (n, 3)).copy()
    if np.any(layer.anisotropy_field != 0):
        return layer.easy_axis.copy()
    return np.broadcast_to(m0[name], (n, 3)).copy()
