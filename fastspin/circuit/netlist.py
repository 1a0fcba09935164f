"""SPICE netlist of the easy-plane MTJ equivalent circuit (Louis et al. 2025, Fig. 2 and Sec. III).

Built from the same :class:`~fastspin.circuit.MTJCircuit` as the Python model.  The MTJ is
a two-terminal subcircuit ``fastspin_mtj plus minus`` (fixed layer 1 on the ``plus`` side, see
:mod:`fastspin.circuit.parameters` for the sign of ``V_MTJ``) in a drive circuit: a DC or piecewise-linear source
``VSRC src 0`` and a series resistor ``RS src plus``; ``minus`` is ground.

Scaling and accuracy
--------------------
``Q ~ 1e-14 C`` and ``Phi ~ 1e-15 Wb`` are below SPICE's default absolute tolerances (``vntol = 1e-6 V``,
``chgtol = 1e-14 C``): as node voltages, any value would pass the Newton and truncation-error tests.
The internal nodes therefore hold dimensionless, order-one quantities, for any material:

* ``V(q) = Q/Q_0 = -cos(theta)`` and ``V(phi) = Phi/Phi_0 = phi`` (rad), integrated by capacitors of
  ``t_0`` farads fed by currents equal to ``dq/dtau`` and ``dphi/dtau`` with ``tau = t/t_0``;
* ``t_0 = 1/(gamma B_d)``, the hard-axis precession time, so every internal rate is of order one
  (time itself stays in seconds, so the drive circuit is physical);
* the Fig. 2 circuit (``V_C``, ``I_L``, ``R_C``, ``R_L``, ``V_s``, ``I_s``) is written in units of
  ``V_0 = Phi_0/t_0`` volts, ``I_0 = Q_0/t_0`` amperes and ``Z_s`` ohms, in which Louis's laws are
  unchanged with ``Z_s = 1``; the spin sources read the physical junction voltages ``V_k``.

Measured with ngspice-39: the accuracy is set by the maximum time step, not by the
tolerances.  The trapezoidal rule's phase error grows as ``(omega h)^2`` per period and ngspice's
truncation-error control lets it accumulate (20 ns of damped relaxation: ``|dm| ~ 1`` with the
default tolerances and no step limit, ``1.8e-2`` with ``reltol = 1e-6``); a max step of ``0.05 t_0``
gives ``3.4e-4``.  A variant of this netlist with ``Q``, ``Phi`` and every branch in SI gave the same
waveform to the printed digits once the step was bounded: the scaling is a margin that makes the
tolerances mean what they say, the step bound is what makes the physics right.

The constitutive laws ``V_C(Q, Phi)`` and ``I_L(Q, Phi)`` (Eqs. 58-59) are behavioural sources; no
differential ``C`` or ``L`` element (Eqs. 60-61: ``L`` changes sign) appears.  ``sin^2(theta)`` is
clamped at ``min_sin_theta^2`` so that a trajectory reaching a pole cannot divide by zero; the runner
(:mod:`fastspin.circuit.ngspice`) raises :class:`~fastspin.circuit.PoleError` if the result enters that zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .. import validation as v
from .parameters import MTJCircuit
from .variables import MIN_SIN_THETA, charge_flux_from_m

_METHODS = ("trap", "gear")


@dataclass(frozen=True)
class SpiceSettings:
    """Transient settings written into the netlist (``.options`` and ``.tran``).

    Tolerances apply to the scaled, order-one internal nodes.  ``max_step`` (s) defaults to
    ``max_step_per_t0 * t_0``; ``method`` is ``"trap"`` (no numerical damping: the physical damping is
    what the trajectory shows) or ``"gear"``.
    """

    reltol: float = 1e-6
    abstol: float = 1e-12
    vntol: float = 1e-9
    chgtol: float = 1e-18
    method: str = "trap"
    max_step: float | None = None
    max_step_per_t0: float = 0.05

    def __post_init__(self) -> None:
        for name in ("reltol", "abstol", "vntol", "chgtol", "max_step_per_t0"):
            v.number(getattr(self, name), name, "spice settings", low=0.0, low_open=True)
        if self.max_step is not None:
            v.number(self.max_step, "max_step", "spice settings", low=0.0, low_open=True, unit="s")
        if self.method not in _METHODS:
            raise ValueError(f"spice settings: method must be one of {_METHODS}, got {self.method!r}")

    def step(self, circuit: MTJCircuit) -> float:
        """The maximum time step (s) for ``circuit``."""
        if self.max_step is not None:
            return float(self.max_step)
        return self.max_step_per_t0 * circuit.free_layer.time_unit


def _num(x):
    return f"{float(x):.17g}"


def _state_expressions(min_sin_theta):
    """Expressions of cos(theta), sin(theta), sin^2(theta), cos(phi), sin(phi) in the scaled nodes."""
    s2 = f"max(1-V(q)*V(q),{_num(min_sin_theta**2)})"
    return {"ct": "(-V(q))", "s2": s2, "st": f"sqrt({s2})", "cp": "cos(V(phi))", "sp": "sin(V(phi))"}


def _macrospin_lines(circuit, q0, phi0, min_sin_theta):
    """The Fig. 2 circuit in reduced units plus the two state integrators."""
    free = circuit.free_layer
    e = _state_expressions(min_sin_theta)
    ct, s2, st, cp, sp = e["ct"], e["s2"], e["st"], e["cp"], e["sp"]
    hard = free.hard_axis_field
    bx, by, bz = (b / hard for b in free.applied_field)
    ba = free.easy_axis_field / hard
    alpha = free.alpha
    t0 = free.time_unit
    v_c = f"-({_num(bx)}*{cp}+{_num(by)}*{sp})*{ct}/{st}+{_num(bz)}-(1+{_num(ba)}*{cp}*{cp})*{ct}"
    i_l = f"({_num(bx)}*{sp}-{_num(by)}*{cp})*{st}+{_num(ba)}*{sp}*{cp}*{s2}"
    lines = [
        "* state: V(q) = Q/Q0 = -cos(theta), V(phi) = Phi/Phi0 = phi; C = t0 so I = dV/d(t/t0)",
        f"Cq q 0 {_num(t0)} ic={_num(q0)}",
        f"Cphi phi 0 {_num(t0)} ic={_num(phi0)}",
        "FQ 0 q VIC 1",
        "GPHI 0 phi vl 0 1",
        "* Louis Fig. 2 in units V0 = Phi0/t0, I0 = Q0/t0, Z_s = 1 (Eqs. 48-50, 58-59)",
        "VIC vl c1 0",
        f"BRC c1 c2 V={_num(alpha)}/{s2}*i(VIC)",
    ]
    node = "c2"
    for k, layer in enumerate(circuit.fixed_layers, start=1):
        px, py, _ = layer.direction
        lines.append(
            f"BVS{k} {node} c{k + 2} V={_num(_kappa(circuit, layer))}*V(vj{k})*({_num(px)}*{sp}-{_num(py)}*{cp})/{st}"
        )
        node = f"c{k + 2}"
    lines += [
        f"BVC {node} 0 V={v_c}",
        f"BIL vl 0 I={i_l}",
        f"BRL vl 0 I={_num(alpha)}*{s2}*V(vl)",
    ]
    for k, layer in enumerate(circuit.fixed_layers, start=1):
        px, py, pz = layer.direction
        lines.append(
            f"BIS{k} 0 vl I={_num(_kappa(circuit, layer))}*V(vj{k})*"
            f"({_num(pz)}*{st}-({_num(px)}*{cp}+{_num(py)}*{sp})*{ct})*{st}"
        )
    return lines


def _kappa(circuit, layer):
    """``(eta/2)/(R_perp I_0)`` (1/V): reduced spin-source prefactor per volt of junction voltage."""
    free = circuit.free_layer
    return 0.5 * layer.eta * free.time_unit / (layer.r_perp * free.charge_unit)


def _junction_lines(circuit, min_sin_theta):
    """Tunnel conductances ``(1 + eta^2 cos(beta))/R_perp`` (Eq. 65) and junction-voltage probes."""
    e = _state_expressions(min_sin_theta)
    ct, st, cp, sp = e["ct"], e["st"], e["cp"], e["sp"]
    layers = circuit.fixed_layers
    ends = [("plus", "minus")] if len(layers) == 1 else [("plus", "free"), ("free", "minus")]
    lines = ["* tunnel junctions, R = R_perp/(1 + eta^2 cos(beta)) (Eqs. 65-68)"]
    for k, (layer, (a, b)) in enumerate(zip(layers, ends), start=1):
        px, py, pz = layer.direction
        cos_b = f"(({_num(px)}*{cp}+{_num(py)}*{sp})*{st}+{_num(pz)}*{ct})"
        lines.append(f"BJ{k} {a} {b} I=V({a},{b})*(1+{_num(layer.eta**2)}*{cos_b})/{_num(layer.r_perp)}")
    lines.append("* junction voltages V(fixed side) - V(free side)")
    lines.append("EVJ1 vj1 0 plus minus 1" if len(layers) == 1 else "EVJ1 vj1 0 plus free 1")
    if len(layers) == 2:
        lines.append("EVJ2 vj2 0 minus free 1")
    return lines


def _source_line(drive):
    if drive.is_dc:
        return f"VSRC src 0 DC {_num(drive.voltage)}"
    times, values = drive.breakpoints()
    points = " ".join(f"{_num(t)} {_num(v)}" for t, v in zip(times, values))
    return f"VSRC src 0 PWL({points})"


def initial_state(circuit: MTJCircuit, m0: npt.ArrayLike, min_sin_theta: float = MIN_SIN_THETA) -> tuple[float, float]:
    """Scaled initial node voltages ``(q0, phi0)`` for a start at ``m0``; ValueError at a pole."""
    m0 = np.asarray(m0, dtype=float)
    if m0.shape != (3,):
        raise ValueError(f"m0 must be a 3-vector, got shape {m0.shape}")
    charge, flux = charge_flux_from_m(circuit.free_layer, m0, min_sin_theta=min_sin_theta, name="m0")
    return float(charge) / circuit.free_layer.charge_unit, float(flux) / circuit.free_layer.flux_unit


def write_netlist(
    circuit: MTJCircuit,
    *,
    m0: npt.ArrayLike,
    duration: float,
    settings: SpiceSettings | None = None,
    dialect: str = "ngspice",
    output_file: str = "fastspin_out.txt",
    min_sin_theta: float = MIN_SIN_THETA,
) -> str:
    """Netlist text for a transient of ``duration`` (s) from ``m0``.

    ``dialect="ngspice"`` adds a ``.control`` block writing the waveforms to ``output_file`` (read by
    :func:`fastspin.circuit.run_ngspice`); ``dialect="ltspice"`` leaves it out (LTspice stores
    every node in its .raw file).  Internal node names: ``q``, ``phi``, ``vl`` (``xmtj.`` prefix in
    ngspice, ``xmtj:`` in LTspice when fixed layers make the MTJ a subcircuit).
    """
    if not isinstance(circuit, MTJCircuit):
        raise TypeError(f"circuit must be an MTJCircuit, got {type(circuit).__name__}")
    if dialect not in ("ngspice", "ltspice"):
        raise ValueError(f"dialect must be 'ngspice' or 'ltspice', got {dialect!r}")
    duration = v.number(duration, "duration", low=0.0, low_open=True, unit="s")
    settings = SpiceSettings() if settings is None else settings
    if not isinstance(settings, SpiceSettings):
        raise ValueError("settings must be a SpiceSettings")
    q0, phi0 = initial_state(circuit, m0, min_sin_theta)
    free = circuit.free_layer
    step = settings.step(circuit)
    header = [
        "* fastspin: equivalent circuit of an easy-plane MTJ (Louis et al. 2025, Eqs. 48-72)",
        f"* Ms = {_num(free.ms)} A/m, volume = {_num(free.volume)} m^3, alpha = {_num(free.alpha)}, "
        f"B_d = {_num(free.hard_axis_field)} T, B_a = {_num(free.easy_axis_field)} T, "
        f"B_e = ({', '.join(_num(b) for b in free.applied_field)}) T",
        f"* t0 = 1/(gamma B_d) = {_num(free.time_unit)} s, Q0 = {_num(free.charge_unit)} C, "
        f"Phi0 = {_num(free.flux_unit)} Wb, Z_s = {_num(free.z_s)} Ohm",
        "* V(q) = -cos(theta), V(phi) = phi (rad); V_MTJ = V(plus) - V(minus) > 0 pushes m away from",
        "* the plus-side fixed layer (electrons flow from the free layer into it)",
    ]
    macro = _macrospin_lines(circuit, q0, phi0, min_sin_theta)
    if circuit.fixed_layers:
        body = [
            ".subckt fastspin_mtj plus minus",
            *macro,
            *_junction_lines(circuit, min_sin_theta),
            ".ends fastspin_mtj",
            *_drive_lines(circuit),
        ]
    else:
        body = macro
    options = (
        f".options reltol={_num(settings.reltol)} abstol={_num(settings.abstol)} "
        f"vntol={_num(settings.vntol)} chgtol={_num(settings.chgtol)} method={settings.method}"
    )
    lines = [*header, *body, options, f".tran {_num(step)} {_num(duration)} 0 {_num(step)} uic"]
    if dialect == "ngspice":
        vectors = " ".join(probe_vectors(circuit).values())
        lines += [
            ".control",
            "set wr_singlescale",
            "set wr_vecnames",
            "run",
            f"wrdata {output_file} {vectors}",
            "quit 0",
            ".endc",
        ]
    lines.append(".end")
    return "\n".join(lines) + "\n"


def _drive_lines(circuit):
    """Source ``VSRC src 0``, series resistor ``RS src plus`` (if any) and the MTJ instance ``XMTJ``."""
    drive = circuit.drive
    if drive is None:
        return ["VSRC src 0 DC 0", "XMTJ src 0 fastspin_mtj"]
    if drive.series_resistance > 0.0:
        return [_source_line(drive), f"RS src plus {_num(drive.series_resistance)}", "XMTJ plus 0 fastspin_mtj"]
    return [_source_line(drive), "XMTJ src 0 fastspin_mtj"]


def probe_vectors(circuit: MTJCircuit) -> dict[str, str]:
    """ngspice vectors written by the ``.control`` block, keyed by what they hold."""
    if not circuit.fixed_layers:
        return {"q": "v(q)", "phi": "v(phi)"}
    series = circuit.drive is not None and circuit.drive.series_resistance > 0.0
    return {
        "q": "v(xmtj.q)",
        "phi": "v(xmtj.phi)",
        "source_voltage": "v(src)",
        "v_mtj": "v(plus)" if series else "v(src)",
        "source_current": "i(vsrc)",
    }
