"""Terms of a system of macrospins: couplings and torques, each naming the magnets it acts on.

Every term gives its effective field or torque on its target magnets (tesla; fastspin.dynamics.core.physics)
and, where it has one, its energy per unit area (J/m^2; the magnets of a system share the lateral area):

* :class:`Exchange` ``(a, b, bilinear, biquadratic=0)``: interlayer exchange across the interface of a and b,
  ``E/A = -J1 m_a.m_b - J2 (m_a.m_b)^2`` (J/m^2; ``J1 < 0`` is antiferromagnetic); field on a
  ``(J1 + 2 J2 m_a.m_b) m_b / (Ms_a d_a)``.
* :class:`Dipolar` ``(a, b, tensor)``: mutual demagnetizing coupling ``E = mu0 Ms_a Ms_b V_a m_a.N_ab m_b``;
  field on a ``-mu0 Ms_b N_ab m_b``, on b ``-mu0 Ms_a (V_a/V_b) N_ab^T m_a``.
* :class:`SpinTransfer` ``(target, polarizer, efficiency, field_like_ratio, model)``: driven by
  ``current_density`` J, ``T = a_J(theta) m x (m x p) - b_J(theta) m x p``, ``a_J = hbar eta J / (2|e| Ms d)``
  (fastspin/conventions.py); ``p`` a fixed unit vector or another magnet's instantaneous direction;
  ``eta = efficiency * f(cos theta)`` with the angular form of ``model`` (fastspin.dynamics.torques).
* :class:`SpinOrbit` ``(target, spin_hall_angle, spin_polarization, field_like_ratio)``: driven by
  ``sot_current_density`` J_HM, ``dm/dt = gamma a m x (m x sigma) - gamma b m x sigma``,
  ``a = hbar theta_SH J_HM / (2|e| Ms d)``, ``b = field_like_ratio a``.
* :class:`VoltageControlledAnisotropy` ``(target, coefficient)``: driven by ``voltage``, the uniaxial
  anisotropy field of the target becomes ``B_k + coefficient V`` (coefficient in T/V).
* :class:`MTJDrive` ``(target, reference, mtj, field_like_ratio)``: the voltage-biased tunnel junction of
  Louis et al. 2025 Eqs 65-69 between ``target`` and ``reference`` (fastspin.dynamics.junction), driven by
  ``voltage``; its resistance R(theta) is averaged over the analysis window.
* :class:`fastspin.dynamics.transport_torque.TransportTorque`: the Valet-Fert + mixing-conductance torque of
  a stack on each of its magnets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation as v
from ..constants import E_CHARGE, HBAR, MU0
from .junction import MTJ
from .torques import (
    TABLE_ROW,
    TORQUE_CONSTANT,
    TORQUE_RATIONAL,
    TORQUE_TABLE,
    TabulatedTorque,
    TorqueModel,
    kernel_inputs,
)

if TYPE_CHECKING:
    from .assembly import Assembly
    from .layer import FreeLayer


class Term:
    """Base of the terms: the magnets a term acts on (``targets``, which must be free), the magnets it
    reads (``partners``), its per-trajectory inputs, and how it writes its code (``emit``)."""

    label = "term"

    def targets(self) -> tuple[str, ...]:
        return ()

    def partners(self) -> tuple[str, ...]:
        return ()

    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        """``{parameter: (array, item ndim)}`` of the term's per-trajectory inputs."""
        return {}

    def check(self, layers: Mapping[str, FreeLayer], fixed: tuple[str, ...]) -> None:
        """Checks against the system's magnets (``layers``: name -> FreeLayer) when the system is built."""

    def emit(self, asm: Assembly) -> None:
        """Add the term's rows and lines of code to ``asm`` (fastspin.dynamics.assembly); every term has its own."""
        raise NotImplementedError(f"{type(self).__name__} does not emit its code")

    def energy_per_area(
        self,
        m: Mapping[str, npt.NDArray[np.float64]],
        layers: Mapping[str, FreeLayer],
        voltage: float | npt.NDArray[np.float64] = 0.0,
    ) -> float | npt.NDArray[np.float64]:
        """Energy per unit area (J/m^2) at directions ``m`` (dict name -> (..., 3)) and bias ``voltage``;
        0 for a torque, which has no energy."""
        return 0.0

    def _owner(self):
        return f"{type(self).__name__}({', '.join(repr(n) for n in self.names())})"

    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.targets() + self.partners()))


def _name(value: object, what: str, owner: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{owner}: {what} must be a magnet name (a non-empty string), got {value!r}")
    return value


class Exchange(Term):
    """Interlayer exchange between magnets ``a`` and ``b`` (module docstring), J/m^2."""

    def __init__(self, a: str, b: str, bilinear: npt.ArrayLike, biquadratic: npt.ArrayLike = 0.0) -> None:
        owner = "Exchange"
        self.a = _name(a, "a", owner)
        self.b = _name(b, "b", owner)
        owner = self._owner()
        if self.a == self.b:
            raise ValueError(f"{owner}: couples magnet {self.a!r} to itself (a and b must differ)")
        self.bilinear = v.per_trajectory(bilinear, "bilinear", owner)
        self.biquadratic = v.per_trajectory(biquadratic, "biquadratic", owner)

    def partners(self) -> tuple[str, ...]:
        return (self.a, self.b)

    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        return {"bilinear": (self.bilinear, 0), "biquadratic": (self.biquadratic, 0)}

    def emit(self, asm: Assembly) -> None:
        ma, mb = asm.state(self.a), asm.state(self.b)
        label = f"exchange[{self.a},{self.b}]"
        j1 = asm.row(f"{label}.bilinear", self.bilinear)
        j2 = asm.row(f"{label}.biquadratic", self.biquadratic)
        cos_ab = asm.fresh("cos")
        asm.field.append(f"{cos_ab} = dot({', '.join(ma)}, {', '.join(mb)})")
        for target, other in ((self.a, mb), (self.b, ma)):
            if target in asm.free:
                layer = asm.magnets[target]
                inv = asm.row(f"{label}.inv_ms_d[{target}]", 1.0 / (layer.ms * layer.thickness))
                asm.add_field(target, f"exchange_field({', '.join(other)}, {cos_ab}, {j1}, {j2}, {inv})")

    def energy_per_area(
        self,
        m: Mapping[str, npt.NDArray[np.float64]],
        layers: Mapping[str, FreeLayer],
        voltage: float | npt.NDArray[np.float64] = 0.0,
    ) -> float | npt.NDArray[np.float64]:
        c = np.sum(m[self.a] * m[self.b], axis=-1)
        return -self.bilinear * c - self.biquadratic * c * c


class Dipolar(Term):
    """Mutual demagnetizing coupling of ``a`` and ``b`` with the 3 x 3 tensor ``N_ab`` (module docstring)."""

    def __init__(self, a: str, b: str, tensor: npt.ArrayLike) -> None:
        owner = "Dipolar"
        self.a = _name(a, "a", owner)
        self.b = _name(b, "b", owner)
        owner = self._owner()
        if self.a == self.b:
            raise ValueError(
                f"{owner}: couples magnet {self.a!r} to itself (a and b must differ; a magnet's "
                "own demagnetizing tensor is its FreeLayer demag)"
            )
        self.tensor = v.real_array(tensor, "tensor", owner)
        if self.tensor.shape[-2:] != (3, 3) or self.tensor.ndim not in (2, 3):
            raise ValueError(f"{owner}: tensor must have shape (3, 3) or (n, 3, 3), got {self.tensor.shape}")

    def partners(self) -> tuple[str, ...]:
        return (self.a, self.b)

    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        return {"tensor": (self.tensor, 2)}

    def _volume_ratio(self, layers):
        """``V_a / V_b`` (the magnets share the lateral area unless both give an area)."""
        la, lb = layers[self.a], layers[self.b]
        ratio = la.thickness / lb.thickness
        if la.area is not None and lb.area is not None:
            ratio = ratio * la.area / lb.area
        return ratio

    def emit(self, asm: Assembly) -> None:
        label = f"dipolar[{self.a},{self.b}]"
        tensor = np.broadcast_to(self.tensor, (asm.n, 3, 3))
        layers = asm.magnets
        for target, other, n_mat, scale in (
            (self.a, self.b, tensor, MU0 * layers[self.b].ms),
            (self.b, self.a, np.swapaxes(tensor, 1, 2), MU0 * layers[self.a].ms * self._volume_ratio(layers)),
        ):
            if target not in asm.free:
                continue
            entries = ", ".join(
                asm.row(f"{label}.N[{target}]{r}{c}", n_mat[:, r, c]) for r in range(3) for c in range(3)
            )
            s = asm.row(f"{label}.scale[{target}]", scale)
            asm.add_field(target, f"tensor_field({', '.join(asm.state(other))}, {entries}, {s})")

    def energy_per_area(
        self,
        m: Mapping[str, npt.NDArray[np.float64]],
        layers: Mapping[str, FreeLayer],
        voltage: float | npt.NDArray[np.float64] = 0.0,
    ) -> float | npt.NDArray[np.float64]:
        la, lb = layers[self.a], layers[self.b]
        nm = np.einsum("...ij,...j->...i", self.tensor, m[self.b])
        area_a = 1.0 if la.area is None or lb.area is None else la.area / lb.area
        return MU0 * la.ms * lb.ms * la.thickness * area_a * np.sum(m[self.a] * nm, axis=-1)


def _polarizer(value: str | npt.ArrayLike, owner: str) -> str | npt.NDArray[np.float64]:
    """A magnet name, or unit vectors of shape (3,) / (n, 3)."""
    if isinstance(value, str):
        return value
    return v.vectors(value, "polarizer", owner, unit=True)


def _emit_spin_torque(asm, label, target, polarizer, drive, coefficient, ratio, model, unit_vectors=False):
    """Lines adding ``a m x (m x p) - b m x p`` to the torque of ``target``:
    ``a = coefficient * drive * f_dl(u)``, ``b = coefficient * drive * f_fl(u)`` (ratio for analytic forms).

    ``unit_vectors``: evaluate the torque at ``m / |m|`` and ``p / |p|`` (the stages of a Runge-Kutta step
    leave the sphere by O(dt^2)), as a transport solve at the instantaneous directions does."""
    state = asm.unit_state if unit_vectors else asm.state
    m = state(target)
    p = state(polarizer) if isinstance(polarizer, str) else asm.vector_rows(f"{label}.polarizer", polarizer)
    a = asm.fresh("a")
    asm.torque.append(f"{a} = {asm.row(f'{label}.coefficient', coefficient)} * {drive}")
    kind, q, table = model
    if kind == TORQUE_CONSTANT:
        dl, fl = a, f"{asm.row(f'{label}.field_like_ratio', ratio)} * {a}"
    else:
        u = asm.cosine(m, p)
        if kind == TORQUE_RATIONAL:
            f = asm.fresh("f")
            q_rows = ", ".join(asm.row(f"{label}.q{i}", q[i]) for i in range(3))
            asm.torque.append(f"{f} = rational_factor({q_rows}, {u})")
            dl = f"{a} * {f}"
            fl = f"{asm.row(f'{label}.field_like_ratio', ratio)} * {dl}"
        else:
            f_dl, f_fl = asm.fresh("fdl"), asm.fresh("ffl")
            offset = asm.table(table)
            asm.torque.append(
                f"{f_dl}, {f_fl} = table_factors(TB, int({asm.row(f'{label}.table_offset', offset)}), "
                f"int({asm.row(f'{label}.table_intervals', table.size // TABLE_ROW)}), {u})"
            )
            dl, fl = f"{a} * {f_dl}", f"{a} * {f_fl}"
    asm.add_torque(target, f"spin_torque({', '.join(m)}, {', '.join(p)}, {dl}, {fl})")


class SpinTransfer(Term):
    """Spin-transfer torque on ``target`` from ``polarizer`` (module docstring), driven by ``current_density``.

    ``model``: ``"constant"``, :class:`~fastspin.dynamics.SlonczewskiTorque`,
    :class:`~fastspin.dynamics.AsymmetricTorque`, :class:`~fastspin.dynamics.TabulatedTorque` or the DataFrame of
    ``fastspin.torque_vs_angle`` (then ``eta = 2 a_n efficiency`` and the field-like efficiency
    ``2 b_n efficiency``; ``field_like_ratio`` must be 0).
    """

    def __init__(
        self,
        target: str,
        polarizer: str | npt.ArrayLike,
        efficiency: npt.ArrayLike = 1.0,
        field_like_ratio: npt.ArrayLike = 0.0,
        model: str | TorqueModel | pd.DataFrame = "constant",
    ) -> None:
        self.target = _name(target, "target", "SpinTransfer")
        self.polarizer = _polarizer(polarizer, f"SpinTransfer({self.target!r})")
        owner = self._owner()
        if isinstance(self.polarizer, str) and self.polarizer == self.target:
            raise ValueError(f"{owner}: polarizer is the target itself ({self.target!r})")
        self.efficiency = v.per_trajectory(efficiency, "efficiency", owner)
        self.field_like_ratio = v.per_trajectory(field_like_ratio, "field_like_ratio", owner)
        if isinstance(model, pd.DataFrame):
            model = TabulatedTorque.from_frame(model)
        if not (isinstance(model, str) or hasattr(model, "kernel_spec")):
            raise ValueError(
                f"{owner}: model must be 'constant', a torque model or a torque table, got {type(model)!r}"
            )
        self.model = model
        self._kernel = kernel_inputs(model)
        if self._kernel[0] == TORQUE_TABLE and np.any(self.field_like_ratio != 0):
            raise ValueError(
                f"{owner}: field_like_ratio must be 0 with a tabulated torque (its b(theta) is the field-like part)"
            )

    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    def partners(self) -> tuple[str, ...]:
        return (self.polarizer,) if isinstance(self.polarizer, str) else ()

    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        out = {"efficiency": (self.efficiency, 0), "field_like_ratio": (self.field_like_ratio, 0)}
        if not isinstance(self.polarizer, str):
            out["polarizer"] = (self.polarizer, 1)
        return out

    def emit(self, asm: Assembly) -> None:
        layer = asm.magnets[self.target]
        coefficient = HBAR * self.efficiency / (2.0 * E_CHARGE * layer.ms * layer.thickness)
        _emit_spin_torque(
            asm,
            f"spin_transfer[{self.target}]",
            self.target,
            self.polarizer,
            asm.drive("current_density"),
            coefficient,
            self.field_like_ratio,
            self._kernel,
        )


class SpinOrbit(Term):
    """Spin-orbit torque on ``target`` (module docstring), driven by ``sot_current_density``."""

    def __init__(
        self,
        target: str,
        spin_hall_angle: npt.ArrayLike,
        spin_polarization: npt.ArrayLike = (0.0, 1.0, 0.0),
        field_like_ratio: npt.ArrayLike = 0.0,
    ) -> None:
        self.target = _name(target, "target", "SpinOrbit")
        owner = self._owner()
        self.spin_hall_angle = v.per_trajectory(spin_hall_angle, "spin_hall_angle", owner)
        self.spin_polarization = v.vectors(spin_polarization, "spin_polarization", owner, unit=True)
        self.field_like_ratio = v.per_trajectory(field_like_ratio, "field_like_ratio", owner)

    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        return {
            "spin_hall_angle": (self.spin_hall_angle, 0),
            "spin_polarization": (self.spin_polarization, 1),
            "field_like_ratio": (self.field_like_ratio, 0),
        }

    def emit(self, asm: Assembly) -> None:
        layer = asm.magnets[self.target]
        coefficient = HBAR * self.spin_hall_angle / (2.0 * E_CHARGE * layer.ms * layer.thickness)
        _emit_spin_torque(
            asm,
            f"spin_orbit[{self.target}]",
            self.target,
            self.spin_polarization,
            asm.drive("sot_current_density"),
            coefficient,
            self.field_like_ratio,
            (TORQUE_CONSTANT, None, None),
        )


class VoltageControlledAnisotropy(Term):
    """The uniaxial anisotropy field of ``target`` changes by ``coefficient * V`` (T/V), driven by ``voltage``."""

    def __init__(self, target: str, coefficient: npt.ArrayLike) -> None:
        self.target = _name(target, "target", "VoltageControlledAnisotropy")
        self.coefficient = v.per_trajectory(coefficient, "coefficient", self._owner())

    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        return {"coefficient": (self.coefficient, 0)}

    def emit(self, asm: Assembly) -> None:
        k = asm.index(self.target)
        coefficient = asm.row(f"vcma[{self.target}].coefficient", self.coefficient)
        asm.pre.append(f"bk{k} += {coefficient} * {asm.drive('voltage')}")

    def energy_per_area(
        self,
        m: Mapping[str, npt.NDArray[np.float64]],
        layers: Mapping[str, FreeLayer],
        voltage: float | npt.NDArray[np.float64] = 0.0,
    ) -> float | npt.NDArray[np.float64]:
        layer = layers[self.target]
        u = np.sum(m[self.target] * layer.easy_axis, axis=-1)
        return -0.5 * layer.ms * layer.thickness * self.coefficient * voltage * u * u


class MTJDrive(Term):
    """Voltage-biased MTJ (Louis et al. 2025 Eqs 65-69, fastspin.dynamics.junction) between ``target`` and
    ``reference`` (a magnet name or a fixed unit vector), driven by ``voltage``.

    Damping-like torque field ``a_J = hbar eta V / (2|e| R_perp Ms V_o)`` (Eq. 69; the target needs an
    ``area``) or ``a(V) / (Ms d)`` from the MTJ's bias polynomial; field-like ``b(V) / (Ms d)`` from its
    polynomial, else ``field_like_ratio * a_J``.
    """

    def __init__(
        self, target: str, reference: str | npt.ArrayLike, mtj: MTJ, field_like_ratio: npt.ArrayLike = 0.0
    ) -> None:
        self.target = _name(target, "target", "MTJDrive")
        self.reference = _polarizer(reference, f"MTJDrive({self.target!r})")
        owner = self._owner()
        if not isinstance(mtj, MTJ):
            raise ValueError(f"{owner}: mtj must be a fastspin.dynamics.MTJ, got {type(mtj)!r}")
        self.mtj = mtj
        self.field_like_ratio = v.per_trajectory(field_like_ratio, "field_like_ratio", owner)
        if mtj.field_like_coefficients is not None and np.any(self.field_like_ratio != 0):
            raise ValueError(f"{owner}: field_like_ratio must be 0 when the MTJ has field-like bias coefficients")

    def targets(self) -> tuple[str, ...]:
        return (self.target,)

    def partners(self) -> tuple[str, ...]:
        return (self.reference,) if isinstance(self.reference, str) else ()

    def per_trajectory(self) -> dict[str, tuple[npt.NDArray[Any], int]]:
        out = {"field_like_ratio": (self.field_like_ratio, 0)}
        if not isinstance(self.reference, str):
            out["reference"] = (self.reference, 1)
        return out

    def _polynomial(self, asm, label, coefficients, voltage):
        """Horner's evaluation of ``sum c_k V^k`` (J/m^2) into a fresh variable."""
        var = asm.fresh("poly")
        rows = [asm.row(f"{label}[{k}]", c) for k, c in enumerate(coefficients)]
        expr = rows[-1]
        for row in reversed(rows[:-1]):
            expr = f"({expr}) * {voltage} + {row}"
        asm.torque.append(f"{var} = {expr}")
        return var

    def emit(self, asm: Assembly) -> None:
        label = f"mtj[{self.target}]"
        layer = asm.magnets[self.target]
        voltage = asm.drive("voltage")
        m = asm.state(self.target)
        p = (
            asm.state(self.reference)
            if isinstance(self.reference, str)
            else asm.vector_rows(f"{label}.reference", self.reference)
        )
        mtj = self.mtj
        inv_ms_d = 1.0 / (layer.ms * layer.thickness)
        if mtj.damping_like_coefficients is None:
            if layer.area is None:
                raise ValueError(f"{layer.owner}: area is needed for the MTJ voltage drive")
            coefficient = HBAR * mtj.eta / (2.0 * E_CHARGE * mtj.r_perp * layer.ms * layer.thickness * layer.area)
            dl = asm.fresh("a")
            asm.torque.append(f"{dl} = {asm.row(f'{label}.coefficient', coefficient)} * {voltage}")
        else:
            poly = self._polynomial(asm, f"{label}.damping_like", mtj.damping_like_coefficients, voltage)
            dl = f"{asm.row(f'{label}.inv_ms_d', inv_ms_d)} * {poly}"
        if mtj.field_like_coefficients is None:
            fl = f"{asm.row(f'{label}.field_like_ratio', self.field_like_ratio)} * {dl}"
        else:
            poly = self._polynomial(asm, f"{label}.field_like", mtj.field_like_coefficients, voltage)
            fl = f"{asm.row(f'{label}.inv_ms_d_fl', inv_ms_d)} * {poly}"
        asm.add_torque(self.target, f"spin_torque({', '.join(m)}, {', '.join(p)}, {dl}, {fl})")
        eta2 = asm.row(f"{label}.eta2", mtj.eta**2)
        asm.resistance[self.target] = (f"1.0 / (1.0 + {eta2} * dot({', '.join(m)}, {', '.join(p)}))", mtj.r_perp)
