"""The exported netlist, read back in Python: its behavioural sources are Louis's elements in the scaled
units the netlist documents, and its topology is the circuit of Fig. 2 (no ngspice needed here)."""

import math
import re

import numpy as np
import pytest

from fastspin.circuit import FixedLayer, MTJCircuit, SpiceSettings, VoltageDrive, charge_flux_from_m, write_netlist
from fastspin.circuit import elements as el

from . import devices as D


def _sources(netlist):
    """{name: (n+, n-, kind, expression)} of the B sources."""
    out = {}
    for line in netlist.splitlines():
        match = re.match(r"^(B\w+) (\w+) (\w+) ([VI])=(.*)$", line)
        if match:
            name, a, b, kind, expr = match.groups()
            out[name] = (a, b, kind, expr)
    return out


def _evaluate(expr, nodes, branch_currents):
    """Evaluate a SPICE behavioural expression with node voltages and branch currents."""
    code = re.sub(r"V\((\w+),(\w+)\)", r'(V("\1")-V("\2"))', expr)
    code = re.sub(r"V\((\w+)\)", r'V("\1")', code)
    code = re.sub(r"i\((\w+)\)", r'I("\1")', code)
    names = {
        "V": lambda n: 0.0 if n == "0" else nodes[n],
        "I": lambda n: branch_currents[n],
        "max": np.maximum,
        "sqrt": np.sqrt,
        "cos": np.cos,
        "sin": np.sin,
    }
    return eval(code, {"__builtins__": {}}, names)  # noqa: S307 - our own generated text


@pytest.fixture
def two_layer():
    return MTJCircuit(D.free_layer(0.02), D.polarizer_analyzer(), VoltageDrive(0.6, series_resistance=75.0))


def test_sources_are_the_elements_in_scaled_units(two_layer):
    free = two_layer.free_layer
    t0 = free.time_unit
    v0, i0 = free.flux_unit / t0, free.charge_unit / t0  # the netlist's voltage and current units
    netlist = write_netlist(two_layer, m0=D.M0, duration=1e-9)
    sources = _sources(netlist)
    assert set(sources) == {"BRC", "BVS1", "BVS2", "BVC", "BIL", "BRL", "BIS1", "BIS2", "BJ1", "BJ2"}
    rng = np.random.default_rng(3)
    theta, phi = rng.uniform(0.3, np.pi - 0.3, 25), rng.uniform(-7, 7, 25)
    charge, flux = charge_flux_from_m(free, D.direction(theta, phi).T)
    flux = phi * free.flux_unit  # keep the winding: the netlist works with the unwrapped phi
    i_c, v_l = rng.normal(size=25), rng.normal(size=25)
    v_plus, v_free = 0.5, 0.2
    nodes = {
        "q": charge / free.charge_unit,
        "phi": phi,
        "vl": v_l,
        "plus": v_plus,
        "free": v_free,
        "minus": 0.0,
        "vj1": v_plus - v_free,
        "vj2": 0.0 - v_free,
    }
    value = {name: _evaluate(expr, nodes, {"VIC": i_c}) for name, (_, _, _, expr) in sources.items()}
    polarizer, analyzer = two_layer.fixed_layers
    np.testing.assert_allclose(value["BVC"] * v0, el.capacitor_voltage(free, charge, flux), rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(value["BIL"] * i0, el.inductor_current(free, charge, flux), rtol=1e-12, atol=1e-16)
    r_l, r_c = el.damping_resistances(free, charge)
    np.testing.assert_allclose(value["BRC"] * v0, r_c * i_c * i0, rtol=1e-12)
    np.testing.assert_allclose(value["BRL"] * i0, v_l * v0 / r_l, rtol=1e-12)
    for k, (layer, vj) in enumerate([(polarizer, v_plus - v_free), (analyzer, -v_free)], start=1):
        np.testing.assert_allclose(
            value[f"BVS{k}"] * v0, el.spin_voltage_source(free, layer, charge, flux, vj), rtol=1e-12, atol=1e-20
        )
        np.testing.assert_allclose(
            value[f"BIS{k}"] * i0, el.spin_current_source(free, layer, charge, flux, vj), rtol=1e-12, atol=1e-18
        )
    for name, layer, volts in (("BJ1", polarizer, v_plus - v_free), ("BJ2", analyzer, v_free)):
        cos_b = el.junction_cos_beta(free, layer, charge, flux)
        np.testing.assert_allclose(value[name], volts / el.mtj_resistance(layer, cos_b), rtol=1e-12)


def test_topology_is_figure_2(two_layer):
    """Series branch VIC-BRC-BVS1-BVS2-BVC from vl to ground (Eq. 49), BIL, BRL, BIS1, BIS2 at vl (Eq. 48),
    integrators dq/dtau = I_C (FQ) and dphi/dtau = V_L (GPHI) on capacitors of t0; junctions in series."""
    netlist = write_netlist(two_layer, m0=D.M0, duration=1e-9)
    sources = _sources(netlist)
    chain = [("VIC", "vl", "c1")] + [(n, sources[n][0], sources[n][1]) for n in ("BRC", "BVS1", "BVS2", "BVC")]
    assert "VIC vl c1 0" in netlist
    for (_, _, end), (_, start, _) in zip(chain[:-1], chain[1:]):
        assert end == start
    assert chain[-1][2] == "0"
    assert [sources[n][:3] for n in ("BIL", "BRL")] == [("vl", "0", "I")] * 2
    assert [sources[n][:3] for n in ("BIS1", "BIS2")] == [("0", "vl", "I")] * 2
    assert [sources[n][:2] for n in ("BJ1", "BJ2")] == [("plus", "free"), ("free", "minus")]
    t0 = two_layer.free_layer.time_unit
    capacitors = [line for line in netlist.splitlines() if line.startswith("C")]
    assert len(capacitors) == 2 and all(float(c.split()[3]) == pytest.approx(t0, rel=1e-15) for c in capacitors)
    assert not [line for line in netlist.splitlines() if re.match(r"^L\w* ", line)]  # no differential L element
    assert "FQ 0 q VIC 1" in netlist and "GPHI 0 phi vl 0 1" in netlist
    assert "RS src plus 75" in netlist and "XMTJ plus 0 fastspin_mtj" in netlist


def test_scaled_kirchhoff_gives_the_python_rates(two_layer):
    """Solving the netlist's node equations at one state gives the dQ/dt, dPhi/dt of the Python model."""
    from fastspin.circuit.integrator import _kernel_parameters, _rates

    free = two_layer.free_layer
    netlist = write_netlist(two_layer, m0=D.M0, duration=1e-9)
    sources = _sources(netlist)
    q, phi = -0.2, 2.3
    charge = q * free.charge_unit
    _, current, v_j = el.junction_voltages(two_layer, charge, phi * free.flux_unit, 0.6)
    nodes = {"q": q, "phi": phi, "vj1": v_j[0], "vj2": v_j[1]}

    def branch(name, i_c=0.0, v_l=0.0):
        return _evaluate(sources[name][3], dict(nodes, vl=v_l), {"VIC": i_c})

    # v_l = BVC + BRC(i_c) + BVS1 + BVS2 ;  i_c + BIL + BRL(v_l) = BIS1 + BIS2   (both linear in i_c, v_l)
    r_c = branch("BRC", i_c=1.0)
    g_l = branch("BRL", v_l=1.0)
    e = branch("BVC") + branch("BVS1") + branch("BVS2")
    j = branch("BIS1") + branch("BIS2") - branch("BIL")
    i_c, v_l = np.linalg.solve([[-r_c, 1.0], [1.0, g_l]], [e, j])
    free_par, fixed_par, drive_par = _kernel_parameters(two_layer)
    dq, dphi = _rates(q, phi, 0.6, free_par, fixed_par, 2, drive_par[0])
    assert i_c / free.time_unit == pytest.approx(dq, rel=1e-12)
    assert v_l / free.time_unit == pytest.approx(dphi, rel=1e-12)
    assert current > 0


def test_dialects_and_sources():
    pulse = D.mtj(0.8, series_resistance=100.0, delay=0.2e-9, rise_time=0.1e-9, width=3e-9, fall_time=0.2e-9)
    settings = SpiceSettings(max_step=1e-13, method="gear", reltol=1e-5)
    ng = write_netlist(pulse, m0=D.M0, duration=5e-9, settings=settings)
    lt = write_netlist(pulse, m0=D.M0, duration=5e-9, settings=settings, dialect="ltspice")
    times, values = pulse.drive.breakpoints()
    np.testing.assert_allclose(times, [0, 0.2e-9, 0.3e-9, 3.3e-9, 3.5e-9], rtol=1e-15)
    np.testing.assert_allclose(values, [0, 0, 0.8, 0.8, 0])
    pwl = re.search(r"^VSRC src 0 PWL\((.*)\)$", ng, re.M).group(1).split()
    np.testing.assert_array_equal(np.array(pwl, dtype=float), np.column_stack([times, values]).ravel())
    assert ".tran 1e-13 5.0000000000000001e-09 0 1e-13 uic" in ng
    assert "method=gear" in ng and "reltol=1.0000000000000001e-05" in ng
    assert ".control" in ng and "wrdata fastspin_out.txt v(xmtj.q) v(xmtj.phi) v(src) v(plus) i(vsrc)" in ng
    assert ".control" not in lt and "wrdata" not in lt
    control = (".control", "set ", "run", "wrdata", "quit", ".endc")
    body = [line for line in ng.splitlines() if not line.startswith(control)]
    assert body == lt.splitlines()
    dc = write_netlist(D.mtj(0.4), m0=D.M0, duration=1e-9)
    assert "VSRC src 0 DC 0.40000000000000002" in dc and "XMTJ src 0 fastspin_mtj" in dc
    alone = write_netlist(MTJCircuit(D.free_layer()), m0=D.M0, duration=1e-9)
    assert ".subckt" not in alone and "VSRC" not in alone and "wrdata fastspin_out.txt v(q) v(phi)" in alone


def test_initial_state_and_pole_clamp():
    circuit = D.mtj(0.4)
    netlist = write_netlist(circuit, m0=D.M0, duration=1e-9, min_sin_theta=1e-2)
    q0 = float(re.search(r"^Cq q 0 \S+ ic=(\S+)$", netlist, re.M).group(1))
    phi0 = float(re.search(r"^Cphi phi 0 \S+ ic=(\S+)$", netlist, re.M).group(1))
    assert q0 == pytest.approx(-D.M0[2], rel=1e-15) and phi0 == pytest.approx(0.5, rel=1e-15)
    assert "max(1-V(q)*V(q),0.0001)" in netlist  # sin^2(theta) clamped at min_sin_theta^2


def test_netlist_errors():
    circuit = D.mtj(0.4)
    with pytest.raises(ValueError, match="dialect"):
        write_netlist(circuit, m0=D.M0, duration=1e-9, dialect="hspice")
    with pytest.raises(ValueError, match="settings must be a SpiceSettings"):
        write_netlist(circuit, m0=D.M0, duration=1e-9, settings={"reltol": 1e-3})
    with pytest.raises(ValueError, match="spice settings: reltol"):
        SpiceSettings(reltol=0.0)
    with pytest.raises(ValueError, match="spice settings: method"):
        SpiceSettings(method="euler")
    with pytest.raises(ValueError, match="spice settings: max_step"):
        SpiceSettings(max_step=math.nan)
    assert SpiceSettings().step(circuit) == pytest.approx(0.05 / (circuit.free_layer.gamma * D.HARD), rel=1e-15)
    assert FixedLayer(D.R_P, D.R_AP).r_perp == pytest.approx(4000.0 / 3.0)
