"""The spin-transfer torque of a computed stack (Valet-Fert + mixing conductance) as a term of a system.

``TransportTorque(stack, magnets)``: ``magnets`` maps layer names of ``stack`` (a :class:`fastspin.Stack`) to
magnet names of the system; their thicknesses must agree.  Driven by ``current_density`` J (A/m^2).  The
torque per area on stack magnet i, normalised by ``hbar J/|e|`` (fastspin.transport), acts on the net spin
``s_i = -m_i``, so (fastspin/conventions.py)

    dm_i/dt|_STT = -gamma (hbar J / (|e| Ms_i d_i)) tau_i     (tau_i normalised, a vector).

Stack magnets that are not mapped keep the stack's direction.  Two paths:

* two magnets in the stack (``method="table"``, the default there): the torque on each depends only on
  their relative angle, ``tau = a_n s x (s x S) + b_n s x S`` (Barnas et al. 2005 Eqs 38, 42); ``a_n``,
  ``b_n`` of each mapped free magnet are tabulated once over ``angles`` angles and interpolated in
  ``cos theta`` inside the kernel (fastspin.dynamics.torques.TabulatedTorque): a spin-transfer torque with
  the other magnet as polarizer;
* any number of magnets (``method="solve"``, the default for three or more): the transport kernel's
  block-tridiagonal solve (fastspin.transport.kernels) runs inside the integrator at every stage, at the
  instantaneous directions of all magnets.

Both paths evaluate the torque at the unit vectors ``m / |m|`` (the stages of a Runge-Kutta step leave
the sphere by O(dt^2)), so they integrate the same vector field and differ only by the table's
interpolation error (5e-12 of the largest torque with the default 1025 angles).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from numba import njit

from ..constants import E_CHARGE, HBAR
from ..stack import Stack
from ..transport.kernels import _solve_point, make_scratch
from ..transport.spinvalve import evaluate
from .terms import Term, _emit_spin_torque
from .torques import TabulatedTorque, kernel_inputs

if TYPE_CHECKING:
    from .assembly import Assembly
    from .layer import FreeLayer

METHODS = ("auto", "table", "solve")


class TransportTorque(Term):
    """Transport torque of ``stack`` on the magnets mapped by ``magnets`` (see the module docstring)."""

    def __init__(self, stack, magnets, method="auto", angles=1025):
        if not isinstance(stack, Stack):
            raise ValueError(f"TransportTorque: stack must be a fastspin.Stack, got {type(stack)!r}")
        if not isinstance(magnets, dict) or not magnets:
            raise ValueError(
                "TransportTorque: magnets must map stack layer names to magnet names, e.g. "
                f"{{{stack.magnet_names[-1]!r}: 'free'}}"
            )
        for layer, name in magnets.items():
            if layer not in stack.magnet_names:
                raise ValueError(
                    f"TransportTorque: magnets maps {layer!r}, which is not a ferromagnet of the stack "
                    f"{list(stack.magnet_names)}"
                )
            if not isinstance(name, str) or not name:
                raise ValueError(f"TransportTorque: magnets[{layer!r}] must be a magnet name, got {name!r}")
        if len(set(magnets.values())) != len(magnets):
            raise ValueError(f"TransportTorque: magnets maps two layers to one magnet: {magnets}")
        if method not in METHODS:
            raise ValueError(f"TransportTorque: method must be one of {METHODS}, got {method!r}")
        if method == "table" and len(stack.magnet_names) != 2:
            raise ValueError(
                f"TransportTorque: method='table' needs a stack of two magnets, this one has {list(stack.magnet_names)}"
            )
        if isinstance(angles, bool) or not isinstance(angles, (int, np.integer)) or angles < 4:
            raise ValueError(f"TransportTorque: angles must be an integer >= 4, got {angles!r}")
        self.stack = stack
        self.magnets = dict(magnets)
        self.method = ("table" if len(stack.magnet_names) == 2 else "solve") if method == "auto" else method
        self.angles = int(angles)

    def _owner(self):
        return f"TransportTorque({list(self.magnets.values())})"

    def partners(self) -> tuple[str, ...]:
        return tuple(self.magnets.values())

    def check(self, layers: Mapping[str, FreeLayer], fixed: tuple[str, ...]) -> None:
        """Thicknesses of the mapped magnets equal those of their stack layers; one mapped magnet is free."""
        thickness = self.stack.compile().thickness
        for layer, name in self.magnets.items():
            d = thickness[self.stack.layer_index(layer)]
            ours = np.asarray(layers[name].thickness)
            if not np.allclose(ours, d, rtol=1e-9, atol=0.0):
                raise ValueError(
                    f"{self._owner()}: magnet {name!r} has thickness {ours} m but stack layer {layer!r} "
                    f"has {d} m (they must match)"
                )
        if all(name in fixed for name in self.magnets.values()):
            raise ValueError(f"{self._owner()}: every mapped magnet is fixed; the torque acts on none")

    def emit(self, asm: Assembly) -> None:
        if self.method == "table":
            self._emit_table(asm)
        else:
            self._emit_solve(asm)

    def _emit_table(self, asm):
        first, second = self.stack.magnet_names
        direction = self.stack.compile().direction
        phi = np.linspace(0.0, np.pi, self.angles)
        for layer, other in ((first, second), (second, first)):
            name = self.magnets.get(layer)
            if name is None or name not in asm.free:
                continue
            frame = evaluate(self.stack, {"phi": phi}, free=layer, reference=other)
            table = TabulatedTorque(phi, frame["a"].to_numpy(), frame["b"].to_numpy())
            polarizer = self.magnets.get(other)
            if polarizer is None:  # the other magnet keeps the stack's direction: magnetization = -net spin
                polarizer = -direction[self.stack.layer_index(other)]
            magnet = asm.magnets[name]
            coefficient = HBAR / (2.0 * E_CHARGE * magnet.ms * magnet.thickness)
            _emit_spin_torque(
                asm,
                f"transport[{name}]",
                name,
                polarizer,
                asm.drive("current_density"),
                coefficient,
                0.0,
                kernel_inputs(table),
                unit_vectors=True,
            )

    def _emit_solve(self, asm):
        c = self.stack.compile()
        if asm.extra:
            raise ValueError("a system takes one TransportTorque with method='solve'")
        base_iface = np.stack([c.r_star, c.gamma, c.g_mix_real, c.g_mix_imag])
        asm.extra = (
            c.kind.astype(np.int64),
            np.ascontiguousarray(c.layer_params),
            np.ascontiguousarray(base_iface),
            np.ascontiguousarray(c.direction),
            len(c.magnets),
        )
        asm.extra_imports.append("from fastspin.dynamics.transport_torque import transport_scratch, transport_solve")
        asm.extra_setup.append("X = transport_scratch(E[0], E[1], E[2], E[3], E[4])")
        for layer, name in self.magnets.items():
            index = self.stack.layer_index(layer)
            s = asm.unit_state(name)
            asm.torque.extend(f"X[0][3][{index}, {i}] = -{s[i]}" for i in range(3))
        asm.torque.append("transport_solve(X)")
        drive = asm.drive("current_density")
        magnet_index = list(c.magnets)
        for layer, name in self.magnets.items():
            if name not in asm.free:
                continue
            im = magnet_index.index(self.stack.layer_index(layer))
            magnet = asm.magnets[name]
            s = asm.fresh("s")
            coefficient = asm.row(f"transport[{name}].coefficient", HBAR / (E_CHARGE * magnet.ms * magnet.thickness))
            asm.torque.append(f"{s} = -{drive} * {coefficient}")
            asm.add_torque(name, f"{s} * X[2][0][{im}, 0], {s} * X[2][0][{im}, 1], {s} * X[2][0][{im}, 2]")


@njit(cache=True, error_model="numpy")
def transport_scratch(
    kind: npt.NDArray[np.int64],
    layer_params: npt.NDArray[np.float64],
    iface: npt.NDArray[np.float64],
    direction: npt.NDArray[np.float64],
    n_magnets: int,
) -> tuple:
    """Work arrays of one transport solve (fastspin.transport.kernels._solve_point), made once per block:
    ``X = (point, scratch, outputs, axis)`` as the kernel takes them, built once (not at every call): the
    net-spin directions ``X[0][3]`` are written at every stage, the torques on the magnets come out in
    ``X[2][0]``."""
    no_vec = np.empty((0, 3))
    return (
        (kind, layer_params, iface, direction.copy()),
        make_scratch(kind.shape[0]),
        (np.zeros((n_magnets, 3)), no_vec, no_vec, np.empty(0), no_vec),
        np.zeros(3),
    )


@njit(cache=True, error_model="numpy")
def transport_solve(X: tuple) -> None:
    """Normalised torques on every magnet of the stack at the directions in ``X[0][3]`` (into ``X[2][0]``)."""
    _solve_point(X[0], -1, X[3], X[1], X[2])
