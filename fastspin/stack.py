"""A multilayer: ordered layers with thicknesses and magnetizations, validated, then compiled to arrays.

A :class:`Stack` is a human description (names, materials, interfaces).  :meth:`Stack.compile` turns it
once into flat float arrays (:class:`CompiledStack`) that the Numba kernels consume; kernels never see
Python objects.  Rules (Barnas et al. 2005, Sec. III):

* the first and the last layers are semi-infinite leads (``thickness = math.inf``), all others finite;
* two ferromagnets never touch (each N/F contact is an :class:`~fastspin.materials.Interface`);
* an N/N contact is transparent (continuous spin accumulation and spin current) and takes no interface;
* every ferromagnet has a direction: the unit vector of its *net spin* (opposite to its magnetization,
  see :mod:`fastspin.conventions`); any 3-vector is accepted and normalised;
* a :class:`~fastspin.materials.DiffusiveFerromagnet` (transverse spin penetrates, Manchon 2012) touches
  only normal metals or a barrier, through transparent contacts (``None``);
* a :class:`~fastspin.materials.TunnelBarrier` may only be the first layer (it injects a spin current).

Parameters are addressed by name, for grids and scans: ``"<layer>.<field>"`` with field one of
``rho_star, beta, l_sf, thickness, lambda_j, lambda_phi, direction`` (``spin_current_x/_y/_z`` of a barrier) and
``"<left>|<right>.<field>"`` with field one of
``r_star, gamma, g_mix, g_mix_real, g_mix_imag`` for the interface between two named layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from . import validation as v
from .constants import EV
from .materials import DiffusiveFerromagnet, Ferromagnet, Interface, NormalMetal, TunnelBarrier
from .numeric import unit_rows
from .parameters import (
    KIND_BARRIER,
    KIND_F,
    KIND_FD,
    KIND_N,
    LAYER_FIELDS,
    MAGNET_KINDS,
    N_LAYER_FIELDS,
)

# the parameters, their rows in the kernels' arrays and the layer kinds are declared in fastspin.parameters
FERMI_ENERGY_RANGE = (1e-22, 1e-15)  # J: 0.6 meV to 6 keV


@dataclass(frozen=True)
class Layer:
    """One layer: a ``name`` unique in its stack, a material, a ``thickness`` (m, ``math.inf`` for a lead)
    and, for a ferromagnet, the ``direction`` of its net spin (3-vector, any length > 0)."""

    name: str
    material: NormalMetal | Ferromagnet | DiffusiveFerromagnet | TunnelBarrier
    thickness: float
    direction: tuple[float, float, float] | None = None

    @property
    def is_magnet(self) -> bool:
        return isinstance(self.material, (Ferromagnet, DiffusiveFerromagnet))


@dataclass(frozen=True)
class CompiledStack:
    """Flat arrays of a validated stack (SI); index ``k`` of an interface array is the contact between
    layers ``k`` and ``k + 1``, which is also the kernels' node ``k``."""

    names: tuple[str, ...]
    kind: np.ndarray  # (L,) int64: KIND_N, KIND_F, KIND_FD or KIND_BARRIER
    layer_params: np.ndarray  # (N_LAYER_FIELDS, L) rows as in LAYER_FIELDS (SI; unused entries 0)
    direction: np.ndarray  # (L, 3) unit net-spin vectors (zeros for N)
    r_star: np.ndarray  # (L-1,) Ohm m^2 (0 for N/N)
    gamma: np.ndarray  # (L-1,)
    g_mix_real: np.ndarray  # (L-1,) S/m^2
    g_mix_imag: np.ndarray  # (L-1,) S/m^2
    magnets: np.ndarray  # (nF,) int64 indices of the ferromagnetic layers (both kinds)

    @property
    def n_layers(self) -> int:
        return len(self.names)

    @property
    def rho_star(self) -> np.ndarray:
        return self.layer_params[0]

    @property
    def beta(self) -> np.ndarray:
        return self.layer_params[1]

    @property
    def l_sf(self) -> np.ndarray:
        return self.layer_params[2]

    @property
    def thickness(self) -> np.ndarray:
        return self.layer_params[3]


@dataclass(frozen=True)
class Stack:
    """An ordered multilayer.  ``interfaces[k]`` sits between ``layers[k]`` and ``layers[k+1]``: an
    :class:`~fastspin.materials.Interface` for every N/F contact, ``None`` for an N/N contact.  ``fermi_energy`` (J) is
    used only to express spin accumulations like the paper's Fig. 6(a) (``g v_F rho(E_F) / |I0/e|``)."""

    layers: tuple[Layer, ...]
    interfaces: tuple[Interface | None, ...]
    fermi_energy: float = 7.0 * EV
    _compiled: CompiledStack = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "interfaces", tuple(self.interfaces))
        object.__setattr__(self, "_compiled", self._validate_and_compile())

    # ------------------------------------------------------------------ validation
    def _validate_and_compile(self) -> CompiledStack:
        layers, contacts = self.layers, self.interfaces
        n = len(layers)
        if n < 2:
            raise ValueError(f"a stack needs at least two layers (two leads), got {n}")
        if len(contacts) != n - 1:
            raise ValueError(f"a stack of {n} layers needs {n - 1} interfaces (None for N/N), got {len(contacts)}")
        names = [layer.name for layer in layers]
        if len(set(names)) != n:
            raise ValueError(f"layer names must be unique, got {names}")
        v.number(self.fermi_energy, "fermi_energy", "stack", *FERMI_ENERGY_RANGE, unit="J")

        kind = np.zeros(n, np.int64)
        params = np.zeros((N_LAYER_FIELDS, n))
        direction = np.zeros((n, 3))
        for k, layer in enumerate(layers):
            kind[k], params[:, k], direction[k] = _compile_layer(k, layer, n)
        interface_rows = np.zeros((4, n - 1))  # r_star, gamma, Re g_mix, Im g_mix
        for k, contact in enumerate(contacts):
            interface_rows[:, k] = _compile_contact(k, contact, layers[k], layers[k + 1], kind[k], kind[k + 1])
        r_star, gamma, gre, gim = interface_rows
        return CompiledStack(
            names=tuple(names),
            kind=kind,
            layer_params=params,
            direction=direction,
            r_star=r_star,
            gamma=gamma,
            g_mix_real=gre,
            g_mix_imag=gim,
            magnets=np.flatnonzero(np.isin(kind, MAGNET_KINDS)),
        )

    # ------------------------------------------------------------------ access
    def compile(self) -> CompiledStack:
        """The flat arrays the kernels consume (computed once, at construction)."""
        return self._compiled

    @property
    def names(self) -> tuple[str, ...]:
        return self._compiled.names

    @property
    def magnet_names(self) -> tuple[str, ...]:
        return tuple(self._compiled.names[k] for k in self._compiled.magnets)

    def layer_index(self, name: str) -> int:
        try:
            return self._compiled.names.index(name)
        except ValueError:
            raise ValueError(f"no layer named {name!r}; layers are {list(self._compiled.names)}") from None

    def interface_index(self, name: str) -> int:
        """Index of the interface ``"<left>|<right>"`` (two adjacent layer names)."""
        left, sep, right = name.partition("|")
        if not sep:
            raise ValueError(f"an interface is named '<left>|<right>', got {name!r}")
        k = self.layer_index(left)
        if self.layer_index(right) != k + 1:
            raise ValueError(f"interface {name!r}: layers {left!r} and {right!r} are not adjacent")
        if self._compiled.kind[k] + self._compiled.kind[k + 1] != KIND_F:  # only N/F contacts have parameters
            raise ValueError(f"interface {name!r} is a transparent contact and has no parameters")
        return k

    def interface_names(self) -> list[str]:
        """Names ``"<left>|<right>"`` of the N/F interfaces (the ones with parameters)."""
        c = self._compiled
        return [f"{c.names[k]}|{c.names[k + 1]}" for k in range(c.n_layers - 1) if c.kind[k] + c.kind[k + 1] == KIND_F]


def _compile_layer(k, layer, n):
    """``(kind, parameter column, net-spin direction)`` of layer ``k`` of ``n``, checked (module docstring)."""
    where = f"layer {k} ({layer.name!r})"
    mat = layer.material
    if not isinstance(mat, (NormalMetal, Ferromagnet, DiffusiveFerromagnet, TunnelBarrier)):
        raise ValueError(
            f"{where}: material must be a NormalMetal, Ferromagnet, DiffusiveFerromagnet or "
            f"TunnelBarrier, got {type(mat).__name__}"
        )
    column = np.zeros(N_LAYER_FIELDS)
    column[LAYER_FIELDS["thickness"]] = _thickness(where, layer.thickness, k in (0, n - 1))
    direction = np.zeros(3)
    if isinstance(mat, TunnelBarrier):
        if k != 0:
            raise ValueError(f"{where}: a tunnel barrier can only be the first layer")
        for axis, value in zip("xyz", mat.spin_current):
            column[LAYER_FIELDS[f"spin_current_{axis}"]] = value
        return KIND_BARRIER, column, direction
    column[LAYER_FIELDS["rho_star"]], column[LAYER_FIELDS["l_sf"]] = mat.rho_star, mat.l_sf
    if isinstance(mat, NormalMetal):
        if layer.direction is not None:
            raise ValueError(f"{where}: a {type(mat).__name__} takes no direction, got {layer.direction!r}")
        return KIND_N, column, direction
    column[LAYER_FIELDS["beta"]] = mat.beta
    if layer.direction is None:
        raise ValueError(f"{where}: a ferromagnet needs a direction (net-spin 3-vector)")
    direction = unit_vector(layer.direction, f"{where}: direction")
    if isinstance(mat, Ferromagnet):
        return KIND_F, column, direction
    column[LAYER_FIELDS["lambda_j"]], column[LAYER_FIELDS["lambda_phi"]] = mat.lambda_j, mat.lambda_phi
    return KIND_FD, column, direction


def _thickness(where, thickness, is_lead):
    """A lead's thickness is ``math.inf``; any other layer's lies in the supported range (finite, > 0)."""
    if is_lead:
        if v.real_array(thickness, "thickness", where, finite=False) != math.inf:
            raise ValueError(f"{where}: thickness of a lead (first or last layer) must be math.inf, got {thickness!r}")
        return math.inf
    return v.transport_value(thickness, "thickness", f"{where} (only the first and last layers are semi-infinite)")


def _compile_contact(k, contact, left, right, kind_left, kind_right):
    """``(r_star, gamma, Re g_mix, Im g_mix)`` of contact ``k`` between ``left`` and ``right``, checked: an
    :class:`Interface` at an N/F contact, ``None`` (transparent) at N/N and at contacts of a diffusive
    ferromagnet or a barrier."""
    where = f"interface {k} ({left.name!r}|{right.name!r})"
    if left.is_magnet and right.is_magnet:
        raise ValueError(f"{where}: two ferromagnets touch; separate them with a normal metal")
    if kind_left == KIND_BARRIER and kind_right == KIND_F:
        raise ValueError(f"{where}: a barrier must be followed by a normal metal or a DiffusiveFerromagnet")
    if KIND_FD in (kind_left, kind_right) or kind_left == KIND_BARRIER:
        if contact is not None:
            raise ValueError(
                f"{where}: a contact of a DiffusiveFerromagnet or a barrier is transparent "
                f"and takes None, got {contact!r}"
            )
        return 0.0, 0.0, 0.0, 0.0
    if left.is_magnet or right.is_magnet:
        if not isinstance(contact, Interface):
            raise ValueError(f"{where}: an N/F contact needs an Interface, got {contact!r}")
        return contact.r_star, contact.gamma, contact.g_mix.real, contact.g_mix.imag
    if contact is not None:
        raise ValueError(f"{where}: an N/N contact is transparent and takes None, got {contact!r}")
    return 0.0, 0.0, 0.0, 0.0


def unit_vector(vector: npt.ArrayLike, what: str) -> npt.NDArray[np.float64]:
    """``vector / |vector|`` for a finite non-zero 3-vector, else a ValueError naming ``what``."""
    vec = v.real_array(vector, what)
    if vec.shape != (3,):
        raise ValueError(f"{what} must be a finite 3-vector, got {vector!r}")
    unit, zero = unit_rows(vec)
    if zero:
        raise ValueError(f"{what} must be non-zero, got {vector!r}")
    return unit
