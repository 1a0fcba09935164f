"""The transport torque of a computed stack as a system term: both magnets free, the two-magnet table path
against the in-kernel solve, and a three-magnet stack against ``fastspin.evaluate``.

The reference is the transport engine itself, called from Python at the same configuration:
``fastspin.evaluate`` gives the torque per area on every magnet, ``tau_i = tau_norm,i hbar J/|e|`` (N/m),
acting on the net spin ``s_i = -m_i``, so the magnetization must start with ``dm_i/dt = -gamma tau_i /
(Ms_i d_i)`` (fastspin/conventions.py).  With alpha = 0 and no field the initial slope is that torque alone.
"""

import math

import numpy as np
import pytest
from dynamics_reference import JIT

import fastspin
from fastspin import Layer, Stack
from fastspin.constants import E_CHARGE, GAMMA_E, HBAR
from fastspin.dynamics import FreeLayer, SpinTransfer, System, TransportTorque, simulate, trajectories
from fastspin.materials import CO_CU, COBALT, COPPER

MS = COBALT_MS = 1.4e6  # A/m
D1, D2, D3 = 8e-9, 4e-9, 6e-9


def _valve(thicknesses=(D1, D2)):
    """Cu(lead) / Co F1 / Cu 10 nm / Co F2 / Cu(lead): the F/N/F/N valve of Barnas et al. with a finite F1."""
    layers = [
        Layer("L", COPPER, math.inf),
        Layer("F1", COBALT, thicknesses[0], (0, 0, 1)),
        Layer("N", COPPER, 10e-9),
        Layer("F2", COBALT, thicknesses[1], (0, 1, 0)),
        Layer("R", COPPER, math.inf),
    ]
    return Stack(layers, (CO_CU,) * 4)


def _triple():
    layers = [
        Layer("L", COPPER, math.inf),
        Layer("F1", COBALT, D1, (0, 0, 1)),
        Layer("N1", COPPER, 5e-9),
        Layer("F2", COBALT, D2, (1, 0, 0)),
        Layer("N2", COPPER, 5e-9),
        Layer("F3", COBALT, D3, (0, 1, 0)),
        Layer("R", COPPER, math.inf),
    ]
    return Stack(layers, (CO_CU,) * 6)


def _magnets(names, thicknesses, alpha=0.0, **kw):
    return [FreeLayer(MS, d, alpha, name=n, **kw) for n, d in zip(names, thicknesses)]


def _random_directions(rng, n):
    v = rng.normal(size=(n, 3))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _evaluate_slopes(stack, layer_names, m, current):
    """``-gamma tau_i / (Ms d_i)`` of every mapped magnet from ``fastspin.evaluate`` (one row per configuration)."""
    params = {f"{name}.direction": -m[:, k] for k, name in enumerate(layer_names)}
    frame = fastspin.evaluate(stack, params, free=layer_names[-1], reference=layer_names[0])
    thickness = stack.compile().thickness
    slopes = []
    for name in layer_names:
        tau = frame[[f"torque_{name}_{c}" for c in "xyz"]].to_numpy() * HBAR * current / E_CHARGE
        slopes.append(-GAMMA_E * tau / (MS * thickness[stack.layer_index(name)]))
    return np.stack(slopes, axis=1)


def _initial_slopes(system, m0, current):
    dt = 1e-16
    names = system.names
    t, m = trajectories(
        system, current_density=current, m0={n: m0[:, k] for k, n in enumerate(names)}, duration=2 * dt, dt=dt
    )
    return (m[:, 1] - m[:, 0]) / dt


@pytest.mark.parametrize("method", ["table", "solve"])
@pytest.mark.parametrize("current", [3e11, -2e11])
def test_both_layers_free_start_with_the_transport_torque(method, current):
    stack = _valve()
    system = System(
        _magnets(("a", "b"), (D1, D2), demag=(0, 0, 0)), [TransportTorque(stack, {"F1": "a", "F2": "b"}, method=method)]
    )
    m0 = _random_directions(np.random.default_rng(1), 8).reshape(4, 2, 3)
    slope = _initial_slopes(system, m0, current)
    expected = _evaluate_slopes(stack, ["F1", "F2"], m0, current)
    scale = np.abs(expected).max()
    assert scale > 1e8  # a torque that moves the magnets
    assert np.abs(slope - expected).max() < 2e-6 * scale


def test_table_and_in_kernel_solve_agree_over_20_ns():
    """Two free magnets with anisotropy and damping, currents of both signs (relaxation to AP, and a switch of
    the thin magnet to P in 0.02 T): the tabulated path (a_n, b_n of each magnet in cos theta) and the
    transport solve at every stage give the same trajectories (measured: 1.3e-9 at most)."""
    stack = _valve()
    runs = {}
    duration = 20e-9 if JIT else 2e-11
    for method in ("table", "solve"):
        system = System(
            _magnets(("a", "b"), (D1, D2), alpha=0.01, anisotropy_field=0.05),
            [TransportTorque(stack, {"F1": "a", "F2": "b"}, method=method)],
        )
        runs[method] = trajectories(
            system,
            current_density=np.array([-4e11, 4e11, 1e12, 6e11]),
            field=[(0.0, 0.0, 0.0)] * 3 + [(0.02, 0.0, 0.0)],
            m0={"a": (1.0, 0.2, 0.1), "b": (-0.9, 0.4, 0.1)},
            duration=duration,
            dt=1e-12,
            record_every=100,
        )[1]
    assert runs["table"][3, -1, 1, 0] > 0.99 or not JIT  # the thin magnet switched to +x
    assert np.abs(runs["table"] - runs["solve"]).max() < 1e-8


def test_three_magnet_stack_in_kernel_solve_equals_evaluate():
    """Three magnets, all free, at random configurations: the in-kernel solve gives the torques of
    ``fastspin.evaluate`` on every magnet."""
    stack = _triple()
    system = System(
        _magnets(("a", "b", "c"), (D1, D2, D3), demag=(0, 0, 0)),
        [TransportTorque(stack, {"F1": "a", "F2": "b", "F3": "c"})],
    )
    m0 = _random_directions(np.random.default_rng(7), 15).reshape(5, 3, 3)
    for current in (5e11, -5e11):
        slope = _initial_slopes(system, m0, current)
        expected = _evaluate_slopes(stack, ["F1", "F2", "F3"], m0, current)
        assert np.abs(slope - expected).max() < 2e-6 * np.abs(expected).max()


def test_unmapped_magnets_keep_the_stack_direction():
    """The Barnas Fig. 5 valve with its semi-infinite F1 left unmapped: the torque on the free F2 is the
    single-layer tabulated torque against p = -(F1 net spin); both paths follow the single-layer run to
    within the difference of their RK4 truncation errors (the transport term evaluates its torque at
    m/|m| inside a step, the single-layer one at m): measured 6.1e-9 at dt = 0.05 ps over 0.5 ns."""
    stack = fastspin.presets.barnas2005("fig5")
    layer = FreeLayer(MS, 10e-9, 0.01, anisotropy_field=0.01, name="free")
    table = fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 1025))
    kw = dict(current_density=np.array([-8e12, 4e12]), duration=0.5e-9 if JIT else 1e-12, dt=0.05e-12)
    m0 = (0.2, 0.3, -0.9)
    single = simulate(layer, polarization=(0, 0, -1), torque=table, m0=m0, **kw)
    for method in ("table", "solve"):
        system = System([layer], [TransportTorque(stack, {"F2": "free"}, method=method)])
        frame = simulate(system, m0={"free": m0}, **kw)
        np.testing.assert_allclose(
            frame[["free.mx", "free.my", "free.mz"]].to_numpy(),
            single[["mx", "my", "mz"]].to_numpy(),
            rtol=0,
            atol=2e-8,
        )


def test_spin_transfer_from_a_free_polarizer_acts_on_both():
    """A SpinTransfer whose polarizer is another free magnet follows that magnet: with alpha = 0 and no
    field, dm/dt = gamma a_J m x (m x p) at the initial configuration."""
    a, b = _magnets(("a", "b"), (D1, D2), demag=(0, 0, 0))
    system = System([a, b], [SpinTransfer("b", "a", efficiency=0.3)])
    m0 = _random_directions(np.random.default_rng(3), 6).reshape(3, 2, 3)
    current = 1e12
    slope = _initial_slopes(system, m0, current)
    a_j = HBAR * 0.3 * current / (2 * E_CHARGE * MS * D2)
    mb, ma = m0[:, 1], m0[:, 0]
    expected = GAMMA_E * a_j * np.cross(mb, np.cross(mb, ma))
    assert np.abs(slope[:, 0]).max() == 0.0
    assert np.abs(slope[:, 1] - expected).max() < 2e-6 * np.abs(expected).max()


@pytest.mark.parametrize(
    "magnets, thickness, word",
    [
        ({"F9": "a"}, D1, "not a ferromagnet"),
        ({"F1": "a"}, 5e-9, "thickness"),
        ({"F1": "zz"}, D1, "unknown magnet"),
    ],
)
def test_mismatched_stacks_are_refused(magnets, thickness, word):
    with pytest.raises(ValueError, match=word):
        System([FreeLayer(MS, thickness, 0.01, name="a")], [TransportTorque(_valve(), magnets)])
