"""Spin-valve transport API: torques, spin accumulation and resistance of a stack over grids.

The model is linear in the current (Barnas et al. 2005, Sec. V: "the curves ... are the same for
arbitrary magnitude of the charge current"), so each geometry is solved once for a unit driving term
and every output is scaled afterwards: normalised torques are per ``hbar I0/|e|`` and independent of the
current; SI torques per area are ``tau_norm * hbar J / |e|`` for a charge current density ``J`` (A/m^2).

Entry points: :func:`solve` (arrays), :func:`evaluate` (tidy DataFrame over a broadcast or Cartesian grid of
named parameters), :func:`torque_vs_angle` (the paper's Figs 2-6 in one call).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation as v
from ..columns import attach_units
from ..constants import E_CHARGE, H_PLANCK, HBAR, M_ELECTRON
from ..numeric import unit_rows
from ..parameters import INTERFACE_FIELDS, KIND_BARRIER, KIND_NAMES, LAYER_FIELDS, parameter
from ..stack import Stack
from ..validation import TRANSPORT_RANGES
from . import kernels

COLLINEAR_SIN = 1e-6  # below |sin(phi)| the prefactors a, b come from the exact derivative d tau/d phi


@dataclass(frozen=True)
class TransportResult:
    """Arrays of a batch solve (``n`` points, ``nF`` magnets, ``nn = L-1`` contacts), all per unit ``e^2 j0``.

    ``torque[i, m]``: normalised torque (per ``hbar I0/|e|``) on magnet ``m`` (order of ``stack.magnet_names``);
    ``resistance_area[i]`` (Ohm m^2, the leads' bulk excluded); :meth:`direction` the unit net spins used;
    optional ``dtorque`` (d torque / d phi of the rotated layer), ``g_nodes`` (Ohm m^2: accumulation
    ``g = -|e| J g_nodes`` in J for charge current density J), ``f_nodes`` (F-side longitudinal values, NaN at
    N/N contacts) and ``j_nodes`` (x-directed spin currents ``e^2 j / (e^2 j0)``, dimensionless).
    """

    stack: Stack
    inputs: dict
    n_points: int
    varied_directions: dict  # layer index -> (n, 3) unit net spins set per point
    torque: np.ndarray
    resistance_area: np.ndarray
    dtorque: np.ndarray | None = None
    g_nodes: np.ndarray | None = None
    f_nodes: np.ndarray | None = None
    j_nodes: np.ndarray | None = None

    def direction(self, layer: int) -> np.ndarray:
        """Unit net spin of layer ``layer`` at every point, shape (n, 3)."""
        if layer in self.varied_directions:
            return self.varied_directions[layer]
        return np.broadcast_to(self.stack.compile().direction[layer], (self.n_points, 3))


# ---------------------------------------------------------------------------- inputs
def _split_key(stack: Stack, key: str):
    """``"F1.beta"`` -> ("layer", index, "beta"); ``"F1|N.gamma"`` -> ("interface", index, "gamma"): the
    parameter of :data:`fastspin.parameters.REGISTRY`, checked against the kind of its layer."""
    target, dot, field = key.rpartition(".")
    if not dot:
        raise ValueError(f"parameter {key!r}: expected 'phi', '<layer>.<field>' or '<left>|<right>.<field>'")
    owner = "interface" if "|" in target else "layer"
    try:
        declared = parameter(owner, field)
    except ValueError as err:
        raise ValueError(f"parameter {key!r}: {err}") from None
    if owner == "interface":
        return "interface", stack.interface_index(target), field
    k = stack.layer_index(target)
    kind = stack.compile().kind[k]
    if kind not in declared.kinds:
        raise ValueError(f"parameter {key!r}: layer {target!r} is a {KIND_NAMES[kind]} and has no {field}")
    if declared.lead_fixed and k in (0, stack.compile().n_layers - 1):
        raise ValueError(f"parameter {key!r}: layer {target!r} is a semi-infinite lead; its {field} is fixed")
    return "layer", k, field


def _check_values(key: str, field: str, values: np.ndarray) -> None:
    """Range checks of one named input, before any kernel runs (ValueError naming the parameter and the
    supported range, :data:`fastspin.validation.TRANSPORT_RANGES`)."""
    owner = f"parameter {key!r}"
    if field == "direction":
        finite = np.isfinite(values).all(axis=-1)
        zero = unit_rows(np.where(finite[:, None], values, 1.0))[1]
        if not finite.all() or zero.any():
            i = int(np.flatnonzero(~finite | zero)[0])
            raise ValueError(
                f"{owner}: direction must be a finite non-zero 3-vector, got {values[i]!r} (flat index {i})"
            )
        return
    if np.iscomplexobj(values):
        if field != "g_mix":
            raise ValueError(f"{owner}: {field} must be real, got the complex value {np.ravel(values)[0]!r}")
        _, high, unit = TRANSPORT_RANGES["g_mix"]
        bad = ~((values.real >= 0) & (values.real <= high) & (np.abs(values.imag) <= high))
        if np.any(bad):
            raise ValueError(
                f"{owner}: g_mix must be finite with Re >= 0, Re and |Im| <= {high:.3g} {unit}, "
                f"got {np.ravel(values)[np.ravel(bad)][0]!r}"
            )
        return
    v.real_array(values, field, owner)  # finite
    if field in ("beta", "gamma"):
        if not np.all(np.abs(values) < 1.0):
            raise ValueError(
                f"{owner}: {field} must be finite with |value| < 1, "
                f"got {np.ravel(values)[np.ravel(~(np.abs(values) < 1.0))][0].item()!r}"
            )
    elif field in ("g_mix_real", "g_mix_imag"):
        low, high, unit = TRANSPORT_RANGES["g_mix"]
        v.in_range(values, field, low if field == "g_mix_real" else -high, high, unit, owner)
    elif field.startswith("spin_current"):
        v.in_range(values, field, *TRANSPORT_RANGES["spin_current"], owner=owner)
    elif field in TRANSPORT_RANGES:
        v.in_range(values, field, *TRANSPORT_RANGES[field], owner=owner)


def _broadcast_inputs(params: dict, grid: bool) -> tuple[dict, int]:
    """Broadcast (or Cartesian-product, ``grid=True``) the named inputs to flat arrays of one length."""
    arrays = {}
    for key, value in params.items():
        if not (key.endswith(".g_mix") and np.iscomplexobj(value)):
            v.real_array(value, "values", f"parameter {key!r}", finite=False)  # bool, str, None, complex refused
        a = np.asarray(value)
        if a.size == 0:
            raise ValueError(f"parameter {key!r}: empty array")
        arrays[key] = a.astype(complex if a.dtype.kind == "c" else float)
    vec = {k: k.endswith(".direction") for k in arrays}
    for k, a in arrays.items():
        if vec[k] and a.shape[-1:] != (3,):
            raise ValueError(f"parameter {k!r}: a direction needs a trailing axis of length 3, got shape {a.shape}")
    if grid:
        axes = []
        for k, a in arrays.items():
            flat = a.reshape(-1, 3) if vec[k] else a.reshape(-1)
            axes.append(flat)
        sizes = [len(a) for a in axes]
        index = np.indices(sizes).reshape(len(sizes), -1)
        out = {k: axes[q][index[q]] for q, k in enumerate(arrays)}
        return out, int(np.prod(sizes))
    shapes = [a.shape[:-1] if vec[k] else a.shape for k, a in arrays.items()]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"parameters do not broadcast together: { {k: s for k, s in zip(arrays, shapes)} }") from None
    n = int(np.prod(shape))
    out = {}
    for k, a in arrays.items():
        if vec[k]:
            out[k] = np.broadcast_to(a, (*shape, 3)).reshape(n, 3)
        else:
            out[k] = np.broadcast_to(a, shape).reshape(n)
    return out, n


def check_stack(stack: object) -> Stack:
    """``stack`` itself if it is a :class:`~fastspin.stack.Stack`, else a TypeError naming the argument."""
    if not isinstance(stack, Stack):
        raise TypeError(f"stack must be a fastspin.Stack (see fastspin.presets), got {type(stack).__name__}")
    return stack


def rotation_axis(reference_direction: np.ndarray) -> np.ndarray:
    """Axis of the paper's rotation (the stack normal x), made perpendicular to the reference spin.

    For in-plane magnets this is x itself (Barnas 2005, Fig. 1); for a reference along x, y is used.
    Spin transport here is isotropic in spin space, so only the relative angle matters.
    """
    x = np.array([1.0, 0.0, 0.0])
    axis = x - np.dot(x, reference_direction) * reference_direction
    if np.linalg.norm(axis) < 1e-12:
        axis = np.array([0.0, 1.0, 0.0]) - reference_direction[1] * reference_direction
    return axis / np.linalg.norm(axis)


def _magnet_pair(stack: Stack, free, reference):
    names = stack.magnet_names
    if len(names) < 2:
        raise ValueError(f"the stack needs at least two ferromagnets for angles and a, b; it has {list(names)}")
    free = names[-1] if free is None else free
    reference = names[0] if reference is None else reference
    for role, name in (("free", free), ("reference", reference)):
        if name not in names:
            raise ValueError(f"{role} layer {name!r} is not a ferromagnet of the stack {list(names)}")
    if free == reference:
        raise ValueError(f"free and reference layers must differ, both are {free!r}")
    return stack.layer_index(free), stack.layer_index(reference)


# ---------------------------------------------------------------------------- solve
def solve(
    stack: Stack,
    params: dict | None = None,
    *,
    grid: bool = False,
    free: str | None = None,
    reference: str | None = None,
    derivative: bool = False,
    nodes: bool = False,
    accumulation: bool = False,
) -> TransportResult:
    """Batch solve of the boundary-value problem over named parameters (see :mod:`fastspin.stack`).

    ``params`` maps names to arrays broadcast together (or combined as a Cartesian product with
    ``grid=True``).  ``"phi"`` rotates the net spin of ``free`` (default: last magnet) away from that of
    ``reference`` (default: first magnet) by ``phi`` radians about :func:`~fastspin.transport.spinvalve.rotation_axis`.
    ``derivative=True`` adds ``d torque / d phi`` (needs ``phi``); ``nodes=True`` adds all node data,
    ``accumulation=True`` only the N-side accumulations ``g_nodes``.
    """
    c = check_stack(stack).compile()
    if params is not None and not isinstance(params, dict):
        raise TypeError(f"params must be a dict of parameter name -> values, got {type(params).__name__}")
    params = dict(params or {})
    flat, n = _broadcast_inputs(params, grid) if params else ({}, 1)
    ovr_field, ovr_index, ovr_values, dir_layer, dir_values = [], [], [], [], []
    rot_layer, axis = -1, np.zeros(3)
    for key, values in flat.items():
        if key == "phi":
            _check_values(key, "phi", values)
            v.warn_if_degrees(values, "phi")
            i_free, i_ref = _magnet_pair(stack, free, reference)
            ref = c.direction[i_ref]
            axis = rotation_axis(ref)
            perp = np.cross(axis, ref)
            dir_layer.append(i_free)
            dir_values.append(np.cos(values)[:, None] * ref + np.sin(values)[:, None] * perp)
            rot_layer = i_free
            continue
        where, k, field = _split_key(stack, key)
        _check_values(key, field, values)
        if field == "direction":
            dir_layer.append(k)
            dir_values.append(unit_rows(values)[0])  # scaled: no overflow of |(1e200, 1e200, 0)|
        elif field == "g_mix":
            for part, part_values in (("g_mix_real", values.real), ("g_mix_imag", values.imag)):
                ovr_field.append(INTERFACE_FIELDS[part])
                ovr_index.append(k)
                ovr_values.append(part_values)
        else:
            if np.iscomplexobj(values):
                raise ValueError(f"parameter {key!r}: {field} must be real")
            ovr_field.append((LAYER_FIELDS if where == "layer" else INTERFACE_FIELDS)[field])
            ovr_index.append(k)
            ovr_values.append(values)
    if len(set(dir_layer)) != len(dir_layer):
        raise ValueError("a layer's direction is set twice (by 'phi' and '<layer>.direction')")
    if rot_layer >= 0 and i_ref in dir_layer:
        raise ValueError(
            f"'phi' rotates {stack.names[rot_layer]!r} from the base direction of {stack.names[i_ref]!r}; "
            f"do not also vary '{stack.names[i_ref]}.direction'"
        )
    if derivative and rot_layer < 0:
        raise ValueError("derivative=True needs 'phi' among the parameters")

    base_layer = c.layer_params
    base_iface = np.stack([c.r_star, c.gamma, c.g_mix_real, c.g_mix_imag])
    ovr_values_arr = np.array(ovr_values, dtype=float).reshape(len(ovr_values), n)
    dir_values_arr = np.array(dir_values, dtype=float).reshape(len(dir_values), n, 3)
    nf, nn = len(c.magnets), c.n_layers - 1
    torque = np.empty((n, nf, 3))
    ra = np.empty(n)
    dtorque = np.empty((n if derivative else 0, nf, 3))
    g_nodes = np.empty((n if nodes or accumulation else 0, nn, 3))
    f_nodes = np.empty((n if nodes else 0, nn))
    j_nodes = np.empty((n if nodes else 0, nn, 3))
    kernels.solve_batch(
        c.kind,
        base_layer,
        base_iface,
        c.direction,
        np.array(ovr_field, np.int64),
        np.array(ovr_index, np.int64),
        ovr_values_arr,
        np.array(dir_layer, np.int64),
        dir_values_arr,
        rot_layer,
        axis,
        n,
        torque,
        ra,
        dtorque,
        g_nodes,
        f_nodes,
        j_nodes,
    )
    _check_resolved(c, flat, torque, ra)
    directions = dict(zip(dir_layer, dir_values_arr))  # unit vectors already (rotated by phi, or normalised above)
    inputs = dict(flat)
    if rot_layer >= 0:
        inputs["_rotation_axis"] = axis
    return TransportResult(
        stack,
        inputs,
        n,
        directions,
        torque,
        ra,
        dtorque if derivative else None,
        g_nodes if nodes or accumulation else None,
        f_nodes if nodes else None,
        j_nodes if nodes else None,
    )


def _check_resolved(compiled, inputs: dict, torque: np.ndarray, resistance_area: np.ndarray) -> None:
    """ValueError naming the first point whose linear system double precision cannot resolve.

    Inside :data:`~fastspin.validation.TRANSPORT_RANGES` this happens only where one layer's conductances exceed
    another's by about 1e16 (e.g. D_F/D_N = 1e10 with a 1 pm magnet): the block elimination then meets a block
    that is singular to rounding, and the kernel (``error_model="numpy"``: it never raises) returns NaN there.
    """
    bad = ~np.isfinite(torque).all(axis=(1, 2))
    if KIND_BARRIER not in compiled.kind:  # with a barrier the resistance is not modelled (NaN by design)
        bad |= ~np.isfinite(resistance_area)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        shown = {k: (values[i].tolist() if values.ndim > 1 else values[i].item()) for k, values in inputs.items()}
        raise ValueError(
            f"point {i} ({shown or 'the stack as built'}): the conductances of the stack differ by "
            f"more than double precision resolves (about 1e16); bring the lengths and resistivities "
            f"closer to each other ({sum(bad)} of {len(bad)} points affected)"
        )


# ---------------------------------------------------------------------------- derived quantities
def sharvin_conductance(fermi_energy: float) -> float:
    """Sharvin conductance per area ``e^2 k_F^2 / (4 pi h)`` (S/m^2) of a free-electron metal (Sec. V)."""
    k_f = math.sqrt(2.0 * M_ELECTRON * fermi_energy) / HBAR
    return E_CHARGE**2 * k_f**2 / (4.0 * math.pi * H_PLANCK)


def _rotation_plane(result: TransportResult, i_free: int, i_ref: int):
    """Per point: the rotation axis ``n`` of the free layer about the reference and ``sin(phi)``.

    With a ``phi`` sweep: its fixed axis and the signed ``sin(phi)``; otherwise ``n = S x s / |S x s|`` and
    ``sin(phi) = |S x s|`` (where the two are collinear, :func:`rotation_axis` of the reference).
    """
    if "_rotation_axis" in result.inputs:
        axis = np.broadcast_to(result.inputs["_rotation_axis"], (result.n_points, 3))
        return axis, np.sin(result.inputs["phi"])
    reference = result.direction(i_ref)
    cross = np.cross(reference, result.direction(i_free))
    sin_phi = np.linalg.norm(cross, axis=1)
    axis, collinear = unit_rows(cross)
    for i in np.flatnonzero(collinear):  # any axis normal to the pair: the torque itself vanishes there
        axis[i] = rotation_axis(reference[i])
    return axis, sin_phi


def decompose(
    result: TransportResult, free: str | None = None, reference: str | None = None
) -> dict[str, npt.NDArray[np.float64]]:
    """In-plane / out-of-plane decomposition of the torque on ``free`` relative to ``reference``.

    Returns arrays ``tau_phi, tau_x, a, b, sin_phi`` with ``tau_parallel = a s x (s x S)`` (Eq. 38),
    ``tau_perp = b s x S`` (Eq. 42), ``tau_phi = a sin(phi)`` (Eq. 39), ``tau_x = -b sin(phi)``.  With a
    ``phi`` sweep the signed angle and the fixed rotation axis are used (``tau_phi = tau . (n x s)``,
    ``tau_x = tau . n``), and a, b at ``sin(phi) = 0`` are the exact limits from ``d tau / d phi``.  Without
    ``phi``, a collinear pair has no rotation plane: a and b are NaN there (use a ``phi`` sweep for the limits).
    """
    stack = result.stack
    i_free, i_ref = _magnet_pair(stack, free, reference)
    m_free = stack.magnet_names.index(stack.names[i_free])
    tau = result.torque[:, m_free]
    s = result.direction(i_free)
    axis, sin_phi = _rotation_plane(result, i_free, i_ref)
    tau_phi = np.einsum("ij,ij->i", tau, np.cross(axis, s))
    tau_x = np.einsum("ij,ij->i", tau, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = tau_phi / sin_phi
        b = -tau_x / sin_phi
    collinear = np.abs(sin_phi) < COLLINEAR_SIN
    if np.any(collinear) and "_rotation_axis" in result.inputs:
        sub = solve(
            stack,
            {k: v[collinear] for k, v in result.inputs.items() if not k.startswith("_")},
            free=stack.names[i_free],
            reference=stack.names[i_ref],
            derivative=True,
        )
        assert sub.dtorque is not None  # solve(..., derivative=True) returns it
        dtau = sub.dtorque[:, m_free]
        cos_phi = np.cos(result.inputs["phi"][collinear])
        s_c = s[collinear]
        ax = axis[collinear]
        a[collinear] = np.einsum("ij,ij->i", dtau, np.cross(ax, s_c)) / cos_phi
        b[collinear] = -np.einsum("ij,ij->i", dtau, ax) / cos_phi
    return {"tau_phi": tau_phi, "tau_x": tau_x, "a": a, "b": b, "sin_phi": sin_phi, "axis": axis}


def accumulation_at_free_layer(
    result: TransportResult, free: str | None = None, reference: str | None = None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Spin accumulation in N at the contact on the left of ``free`` (on its right for a left lead):
    returns ``(g_amplitude, phi_g)`` with ``g_amplitude = |g| v_F rho(E_F) / |I0/e|`` (Fig. 6(a)) and
    ``phi_g`` the angle of g from the reference spin, for ``I0 > 0`` (Eq. 56, Fig. 6(b))."""
    stack = result.stack
    i_free, i_ref = _magnet_pair(stack, free, reference)
    node = i_free - 1 if i_free > 0 else i_free
    if result.g_nodes is None:
        raise ValueError("accumulation_at_free_layer needs a result of solve(..., accumulation=True) or nodes=True")
    g = -result.g_nodes[:, node]  # I0 > 0: g = -|e| J g_nodes with J > 0
    big_s = result.direction(i_ref)
    axis, _ = _rotation_plane(result, i_free, i_ref)
    e_y = np.cross(big_s, axis)
    # rho(E_F) v_F = 4 G_Sh / e^2 and |g| = e^2 |j0| |g_nodes|, so the paper's normalisation is 4 G_Sh |g_nodes|
    amplitude = 4.0 * sharvin_conductance(stack.fermi_energy) * np.linalg.norm(g, axis=1)
    phi_g = np.mod(np.arctan2(-np.einsum("ij,ij->i", g, e_y), np.einsum("ij,ij->i", g, big_s)), 2 * np.pi)
    return amplitude, phi_g


# ---------------------------------------------------------------------------- tables
def _input_columns(result: TransportResult) -> dict:
    cols = {}
    for key, values in result.inputs.items():
        if key.startswith("_"):
            continue
        if key.endswith(".direction"):
            for q, comp in enumerate("xyz"):
                cols[f"{key}_{comp}"] = values[:, q]
        elif np.iscomplexobj(values):
            cols[f"{key}_real"] = values.real
            cols[f"{key}_imag"] = values.imag
        else:
            cols[key] = values
    return cols


def _dataframe(cols: dict) -> pd.DataFrame:
    """DataFrame of equal-length float columns built on one 2-D block (pandas would otherwise copy twice)."""
    block = np.empty((len(cols), len(next(iter(cols.values())))))
    for q, values in enumerate(cols.values()):
        block[q] = values
    return pd.DataFrame(block.T, columns=list(cols), copy=False)


def evaluate(
    stack: Stack,
    params: dict | None = None,
    *,
    grid: bool = False,
    free: str | None = None,
    reference: str | None = None,
    current_density: npt.ArrayLike | None = None,
    angle_unit: str = "rad",
) -> pd.DataFrame:
    """Tidy table of a batch solve: one row per point, one column per input and output.

    ``params`` as in :func:`solve`; ``phi`` is given in ``angle_unit`` (``"rad"``, the default, or ``"deg"``;
    radians beyond a full turn warn, as they are most likely degrees) and is reported in radians.

    Columns: the inputs (``phi`` in rad, ``<layer>.thickness`` in m, ...; complex ``g_mix`` split into
    ``_real``/``_imag``, directions into ``_x, _y, _z``); for the ``free`` magnet relative to
    ``reference``: ``tau_phi, tau_x, a, b`` (normalised by ``hbar I0/|e|``, Eqs 38-44), ``g_amplitude``
    (``g v_F rho(E_F)/|I0/e|`` in N next to the free layer, Fig. 6(a)) and ``phi_g`` (rad); the normalised
    torque vector on every magnet ``torque_<name>_x/_y/_z``; ``resistance_area`` (Ohm m^2, leads' bulk
    excluded).  With ``current_density`` (A/m^2, broadcast against the rows) also ``tau_phi_per_area`` and
    ``tau_x_per_area`` in N/m (torque per unit area, ``tau_norm * hbar J/|e|``).  Without a ``phi`` axis,
    ``a`` and ``b`` are NaN where the free and reference magnets are collinear (no rotation plane).
    ``frame.attrs["units"]`` holds the unit of every column (:mod:`fastspin.columns`).
    """
    if isinstance(params, dict) and "phi" in params and angle_unit != "rad":
        params = {**params, "phi": v.angles(params["phi"], "phi", angle_unit)}
    v.angles(0.0, "phi", angle_unit)  # an unknown unit is refused even without a phi axis
    free_name, ref_name = (stack.names[i] for i in _magnet_pair(stack, free, reference))
    result = solve(stack, params, grid=grid, free=free_name, reference=ref_name, accumulation=True)
    dec = decompose(result, free_name, ref_name)
    amplitude, phi_g = accumulation_at_free_layer(result, free_name, ref_name)
    cols = _input_columns(result)
    cols.update(
        tau_phi=dec["tau_phi"],
        tau_x=dec["tau_x"],
        a=dec["a"],
        b=dec["b"],
        g_amplitude=amplitude,
        phi_g=phi_g,
        resistance_area=result.resistance_area,
    )
    for m, name in enumerate(stack.magnet_names):
        for q, comp in enumerate("xyz"):
            cols[f"torque_{name}_{comp}"] = result.torque[:, m, q]
    frame = _dataframe(cols)
    if current_density is not None:
        j = v.real_array(current_density, "current_density")
        try:
            j = np.broadcast_to(j, (len(frame),))
        except ValueError:
            raise ValueError(
                f"current_density of shape {j.shape} does not broadcast against the {len(frame)} "
                "points of the grid (give one value or one per point)"
            ) from None
        scale = HBAR * j / E_CHARGE
        frame["current_density"] = j
        frame["tau_phi_per_area"] = frame["tau_phi"] * scale
        frame["tau_x_per_area"] = frame["tau_x"] * scale
    return attach_units(frame)


def torque_vs_angle(stack: Stack, phi: npt.ArrayLike, *, angle_unit: str = "rad") -> pd.DataFrame:
    """Torque on the last magnet versus the angle ``phi`` between the net spins of the first and last magnets.

    ``phi``: 1-D array in ``angle_unit`` (``"rad"``, the default, or ``"deg"``; radians beyond a full turn warn, as
    they are most likely degrees); the ``phi`` column is in radians. Columns ``phi, tau_phi, tau_x, a, b,
    g_amplitude, phi_g, resistance_change`` (torques normalised by ``hbar I0/|e|`` for ``I0 > 0``; ``g_amplitude = g
    v_F rho(E_F)/|I0/e|`` as in Fig. 6(a); ``resistance_change = R(phi) - R(0)`` in Ohm m^2), plus
    ``resistance_area`` and the torque vectors of all magnets. One batched solve; a million angles take well under a
    second.
    """
    check_stack(stack)
    phi = v.angles(phi, "phi", angle_unit)
    if phi.ndim != 1:
        raise ValueError(f"phi must be a 1-D array of angles (rad), got shape {phi.shape}")
    frame = evaluate(stack, {"phi": phi})
    r0 = evaluate(stack, {"phi": [0.0]})["resistance_area"].iloc[0]
    frame.insert(frame.columns.get_loc("resistance_area"), "resistance_change", frame["resistance_area"] - r0)
    return attach_units(frame)
