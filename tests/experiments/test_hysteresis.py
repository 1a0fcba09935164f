"""Quasi-static hysteresis loops against independent results.

* Stoner-Wohlfarth (Stoner & Wohlfarth 1948): a uniaxial macrospin without shape anisotropy, the field at psi to
  its easy axis, switches at h_sw = (cos^(2/3) psi + sin^(2/3) psi)^(-3/2) B_k (the astroid), on both branches
  (a symmetric loop);
* an MTJ's R-H loop takes R_P and R_AP (Louis Eq. 65) on its saturated branches;
* R-I: the switching currents of a loop equal the linear-stability critical currents of
  fastspin.analysis.critical_currents_linear (Sun 2000) within the sweep step;
* a spin valve's R-I loop carries the transport engine's R(P) and R(AP).
"""

import math

import numpy as np
import pytest

from fastspin import Layer, Stack
from fastspin.analysis import critical_currents_linear
from fastspin.constants import GAMMA_E
from fastspin.dynamics import MTJ, FreeLayer, Staircase, System, TabulatedTorque, TransportTorque, trajectories
from fastspin.experiments import hysteresis_loop, loop_switching
from fastspin.experiments.resistance import resistance_model
from fastspin.materials import CO_CU, COBALT, COPPER

B_K = 0.1


@pytest.mark.compiled
def test_stoner_wohlfarth_astroid_and_a_symmetric_loop():
    layer = FreeLayer(8e5, 2e-9, 1.0, anisotropy_field=B_K, demag=(0, 0, 0))  # alpha = 1: the fastest relaxation
    psi = np.radians([10.0, 30.0, 45.0, 60.0, 80.0])
    direction = np.column_stack([np.cos(psi), np.sin(psi), np.zeros_like(psi)])
    points = 241
    # a dwell long enough for the passage through the bottleneck just past the saddle-node (critical slowing)
    frame = hysteresis_loop(layer, field=1.2 * B_K, direction=direction, points=points, dwell=10e-9, dt=2e-12)
    assert len(frame) == len(psi) * 2 * points
    step = 2.4 * B_K / (points - 1)
    switching = loop_switching(frame)
    down = switching[switching.branch == "down"]["switching_field"].to_numpy()
    up = switching[switching.branch == "up"]["switching_field"].to_numpy()
    astroid = B_K * (np.cos(psi) ** (2 / 3) + np.sin(psi) ** (2 / 3)) ** -1.5
    np.testing.assert_allclose(-down, astroid, atol=step)
    np.testing.assert_allclose(up, -down, atol=1e-12)  # symmetric
    # saturated ends: m along the field; after the down branch m points along -u
    first = frame[(frame.branch == "down") & (frame.step == 0)]
    assert np.all(first["m_axis"] > np.cos(psi) - 0.1)
    last = frame[(frame.branch == "down") & (frame.step == points - 1)]
    assert np.all(last["m_axis"] < 0)


def test_mtj_r_h_loop_takes_r_p_and_r_ap():
    mtj = MTJ(1000.0, 2500.0)
    layer = FreeLayer(8e5, 2e-9, 0.3, anisotropy_field=B_K, demag=(0, 0, 0), area=1e-16)
    psi = math.radians(3.0)
    frame = hysteresis_loop(
        layer,
        field=0.15,
        direction=(math.cos(psi), math.sin(psi), 0.0),
        points=61,
        dwell=1e-9,
        dt=2e-12,
        mtj=mtj,
        voltage=0.01,
        sweep="field",
    )
    down = frame[frame.branch == "down"]
    r = down["resistance"].to_numpy()
    # parallel (R_P) at the start; antiparallel (R_AP) after switching, both to the small misalignment of m
    assert r[0] == pytest.approx(1000.0, rel=1e-3)
    assert r[-1] == pytest.approx(2500.0, rel=2e-3)
    model = mtj.resistance(down[["mx", "my", "mz"]].to_numpy() @ np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(r, model, rtol=1e-12)


def _slonczewski_table():
    angle = np.linspace(0.0, math.pi, 181)
    a = 0.5 / (-4.0 + (1.4) ** 3 * (3.0 + np.cos(angle)) / (4.0 * 0.4**1.5))  # eta = 2a
    return TabulatedTorque(angle, a, 0.1 * a)


@pytest.mark.compiled
def test_r_i_switching_currents_are_the_linear_critical_currents():
    """An axially symmetric magnet (easy axis along p, no shape anisotropy: no stable precession states) switches
    where the collinear state loses stability.  The dwell lets an instability half a step above threshold grow
    from the equilibrium's tilt (2e-3 rad, from a transverse bias of 0.1 mT) within one level."""
    layer = FreeLayer(8e5, 2e-9, 0.1, anisotropy_field=0.05, demag=(0, 0, 0))
    table = _slonczewski_table()
    bias = 0.005
    critical = critical_currents_linear(table, layer, [bias]).iloc[0]
    j_p, j_ap = critical["j_c_p"], critical["j_c_ap"]
    assert j_p > 0 > j_ap
    amplitude = 1.3 * max(j_p, -j_ap)
    points = 41
    step = 2 * amplitude / (points - 1)
    frame = hysteresis_loop(
        layer,
        current_density=amplitude,
        torque=table,
        polarization=(1.0, 0.0, 0.0),
        bias_field=(bias, 1e-4, 0.0),
        points=points,
        dwell=600e-9,
        dt=2e-12,
        m0=(-1.0, 0.002, 0.0),
    )
    switching = loop_switching(frame).set_index("branch")["switching_current_density"]
    assert switching["down"] == pytest.approx(j_ap, abs=step)  # AP -> P at negative current
    assert switching["up"] == pytest.approx(j_p, abs=step)  # P -> AP at positive current
    r_states = frame.groupby("branch", observed=True)["m_axis"].agg(["first", "last"])
    assert (r_states["first"] * r_states["last"] < 0).all()  # each branch ends reversed


@pytest.mark.compiled
def test_mtj_r_v_loop_switches_at_the_critical_voltages_between_r_p_and_r_ap():
    """A voltage-driven MTJ (Louis Eq. 69: a_J proportional to V at any angle) on an axially symmetric free layer
    swept through +-V: a collinear state loses stability where s a_J = alpha B_k (Sun 2000 with H1 = H2 = B_k),
    P -> AP at +V_c (a positive V pushes m away from p), AP -> P at -V_c, within the sweep step; the resistance
    is R_AP, then R_P (Eq. 65)."""
    mtj = MTJ(1000.0, 2000.0)
    layer = FreeLayer(1e6, 1.5e-9, 0.05, anisotropy_field=0.05, demag=(0, 0, 0), area=np.pi * (25e-9) ** 2)
    a_j_per_volt, _ = mtj.torque_fields(1.0, 1e6, 1.5e-9, np.pi * (25e-9) ** 2)
    v_c = 0.05 * 0.05 / a_j_per_volt
    points = 61
    amplitude = 3 * v_c
    step = 2 * amplitude / (points - 1)
    frame = hysteresis_loop(
        layer,
        voltage=amplitude,
        mtj=mtj,
        bias_field=(0.0, 1e-4, 0.0),
        points=points,
        dwell=300e-9,
        dt=2e-12,
        m0=(-1.0, 0.002, 0.0),
    )
    switching = loop_switching(frame).set_index("branch")["switching_voltage"]
    assert switching["down"] == pytest.approx(-v_c, abs=step)
    assert switching["up"] == pytest.approx(v_c, abs=step)
    down = frame[frame.branch == "down"]["resistance"].to_numpy()
    assert down[0] == pytest.approx(2000.0, rel=1e-3) and down[-1] == pytest.approx(1000.0, rel=1e-3)


def test_spin_valve_r_i_loop_resistances_come_from_the_transport_engine():
    layers = [
        Layer("L", COPPER, math.inf),
        Layer("F1", COBALT, 8e-9, (0, 0, 1)),
        Layer("N", COPPER, 10e-9),
        Layer("F2", COBALT, 2e-9, (0, 0, 1)),
        Layer("R", COPPER, math.inf),
    ]
    stack = Stack(layers, (CO_CU,) * 4)
    magnets = [
        FreeLayer(1.4e6, 8e-9, 0.02, name="fixed", area=1e-16),
        FreeLayer(1.4e6, 2e-9, 0.02, anisotropy_field=0.05, name="free", area=1e-16),
    ]
    valve = System(magnets, [TransportTorque(stack, {"F1": "fixed", "F2": "free"})], fixed=["fixed"])
    frame = hysteresis_loop(
        valve,
        current_density=3e12,
        points=5,
        dwell=0.2e-9,
        dt=1e-12,
        m0={"fixed": (1.0, 0.0, 0.0), "free": (1.0, 0.02, 0.0)},
    )
    unit, model = resistance_model(valve)
    assert unit == "Ohm"
    r_p, r_ap = model(np.array([[[1.0, 0, 0], [1.0, 0, 0]], [[1.0, 0, 0], [-1.0, 0, 0]]]))
    assert r_ap > r_p
    r = frame["resistance"].to_numpy()
    assert r.min() >= r_p - 1e-9 * r_p and r.max() <= r_ap + 1e-9 * r_ap
    m = frame[["fixed.mx", "fixed.my", "fixed.mz", "free.mx", "free.my", "free.mz"]].to_numpy().reshape(-1, 2, 3)
    np.testing.assert_allclose(r, model(m), rtol=1e-12)


def test_staircase_levels_in_the_kernel():
    """The staircase the loops ride on, as the kernel evaluates it: an undamped moment in the field B z precesses
    at dphi/dt = +gamma B (dm/dt = -gamma m x B: x -> +y for B > 0), so each step's phase advance reads the
    level held there."""
    wave = Staircase((0.0, 0.0, 0.01), 3, 1e-10, delay=0.25e-12)
    levels = Staircase(1.0, 3, 1e-10).levels()
    np.testing.assert_allclose(levels, [1.0, 0.0, -1.0, -1.0, 0.0, 1.0])
    layer = FreeLayer(8e5, 2e-9, 0.0, demag=(0, 0, 0))
    t, m = trajectories(layer, field=wave, m0=(1.0, 0.0, 0.0), duration=0.6e-9, dt=1e-12)
    advance = np.diff(np.unwrap(np.arctan2(m[0, :, 1], m[0, :, 0]))) / 1e-12
    level_of_step = levels[np.minimum((t[:-1] / 1e-10 + 1e-9).astype(int), 5)]
    inside = (np.arange(600) % 100) != 0  # steps that straddle no edge
    np.testing.assert_allclose(advance[inside], GAMMA_E * 0.01 * level_of_step[inside], rtol=1e-9, atol=1e-3)


@pytest.mark.parametrize(
    "changes, word",
    [
        (dict(field=None), "one of field"),
        (dict(current_density=1e11), "sweep= names"),
        (dict(voltage=0.1, sweep="field"), "voltage drive needs mtj"),
        (dict(sweep="voltage"), "sweep= names"),
        (dict(field=-0.1), "field"),
        (dict(points=1), "points"),
        (dict(dwell=1.5e-12), "dwell"),
        (dict(direction=(0, 0, 0)), "direction"),
        (dict(bias_field=(1, 2)), "bias_field"),
        (dict(magnet="free"), "magnet"),
    ],
)
def test_bad_input(changes, word):
    kw = dict(field=0.1, points=5, dwell=1e-11, dt=1e-12)
    with pytest.raises(ValueError, match=word):
        hysteresis_loop(FreeLayer(8e5, 2e-9, 0.5, anisotropy_field=B_K), **{**kw, **changes})


@pytest.mark.compiled
def test_command_line_writes_loops_switching_fields_and_the_figure(tmp_path):
    from fastspin.cli import main

    out = tmp_path / "loops"
    assert main(["hysteresis", "--out", str(out), "--angles", "20", "60", "3", "--points", "60", "--dwell", "5"]) == 0
    for name in ("loops.csv", "switching.csv", "hysteresis.png"):
        assert (out / name).stat().st_size > 0
    import pandas as pd

    switching = pd.read_csv(out / "switching.csv")
    step = 2 * 0.06 / 59
    assert np.abs(switching["switching_field"] - switching["astroid_field"]).max() <= step
    assert main(["hysteresis", "--out", str(out), "--points", "1"]) == 2  # a one-line error


def test_loops_batch_over_devices_and_polarizers():
    """One loop per device (a damping per loop) and per MTJ reference direction: the resistance of each loop is
    Eq. 65 at its own polarizer, and a per-loop temperature array is accepted."""
    mtj = MTJ(1000.0, 2000.0)
    layer = FreeLayer(8e5, 2e-9, [1.0, 0.5], anisotropy_field=B_K, demag=(0, 0, 0), area=1e-16)
    polarizers = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    frame = hysteresis_loop(
        layer,
        field=0.12,
        direction=(math.cos(0.3), math.sin(0.3), 0.0),
        points=5,
        dwell=0.1e-9,
        dt=1e-12,
        mtj=mtj,
        polarization=polarizers,
        temperature=np.zeros(2),
    )
    assert frame.groupby("loop").size().tolist() == [10, 10]
    m = frame[["mx", "my", "mz"]].to_numpy().reshape(2, 10, 3)
    expected = mtj.resistance(np.einsum("nlc,nc->nl", m, polarizers)).ravel()
    np.testing.assert_allclose(frame["resistance"].to_numpy(), expected, rtol=1e-12)
