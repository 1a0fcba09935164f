"""The public API: columns, broadcasting and grids, current scaling, the exact collinear limits."""

import numpy as np
import pytest

import fastspin
from fastspin import presets, torque_vs_angle
from fastspin.transport import evaluate, solve

COLUMNS = ["phi", "tau_phi", "tau_x", "a", "b", "g_amplitude", "phi_g", "resistance_change"]


def test_torque_vs_angle_columns_and_units():
    frame = fastspin.torque_vs_angle(presets.barnas2005("i"), np.linspace(0, np.pi, 7))
    assert list(frame.columns[: len(COLUMNS)]) == COLUMNS
    assert len(frame) == 7 and frame["resistance_change"].iloc[0] == 0.0


def test_collinear_prefactors_are_the_limits():
    """a(0), b(0), a(pi), b(pi) from the exact derivative equal tau/sin(phi) just beside 0 and pi (a is even)."""
    stack = presets.barnas2005("ii")
    eps = 1e-4
    exact = torque_vs_angle(stack, np.array([0.0, np.pi]))
    near = torque_vs_angle(stack, np.array([eps, np.pi - eps]))
    assert np.allclose(exact["a"], near["a"], rtol=1e-7)
    assert np.allclose(exact["b"], near["b"], rtol=1e-6)
    # and the derivative is the finite-difference slope of tau_phi
    h = 1e-6
    slope = (
        torque_vs_angle(stack, np.array([h]))["tau_phi"].iloc[0]
        - torque_vs_angle(stack, np.array([-h]))["tau_phi"].iloc[0]
    ) / (2 * h)
    assert slope == pytest.approx(exact["a"].iloc[0], rel=1e-8)


def test_angle_range_beyond_pi_uses_signed_sine():
    """phi in (pi, 2 pi): tau_phi = a sin(phi) changes sign while a(2 pi - phi) = a(phi) (mirror symmetry)."""
    stack = presets.barnas2005("i")
    frame = torque_vs_angle(stack, np.array([1.0, 2 * np.pi - 1.0]))
    assert frame["a"].iloc[0] == pytest.approx(frame["a"].iloc[1], rel=1e-12)
    assert frame["tau_phi"].iloc[0] == pytest.approx(-frame["tau_phi"].iloc[1], rel=1e-12)


def test_grid_and_broadcast_give_the_same_points():
    stack = presets.barnas2005("i")
    phi = np.linspace(0.1, 3.0, 4)
    d0 = np.array([2e-9, 10e-9, 30e-9])
    grid = evaluate(stack, {"phi": phi, "N.thickness": d0}, grid=True)
    broad = evaluate(stack, {"phi": phi[:, None], "N.thickness": d0[None, :]})
    assert len(grid) == 12 and np.allclose(grid["tau_phi"], broad["tau_phi"], rtol=1e-14)
    assert np.allclose(grid["phi"], np.repeat(phi, 3)) and np.allclose(grid["N.thickness"], np.tile(d0, 4))
    # the same point built as its own stack
    single = torque_vs_angle(presets.barnas2005("i", d0=30e-9), np.array([phi[2]]))
    row = grid[(grid["phi"] == phi[2]) & (grid["N.thickness"] == 30e-9)]
    assert row["tau_phi"].iloc[0] == pytest.approx(single["tau_phi"].iloc[0], rel=1e-13)


def test_overrides_match_presets():
    """Every preset override equals the named grid parameter it stands for."""
    base = presets.barnas2005("i")
    pairs = [
        ("beta1", "F1.beta", 0.3),
        ("gamma2", "N|F2.gamma", 0.4),
        ("lsf0", "N.l_sf", 200e-9),
        ("d2", "F2.thickness", 4e-9),
        ("r_star1", "F1|N.r_star", 1e-15),
    ]
    for override, key, value in pairs:
        ref = torque_vs_angle(presets.barnas2005("i", **{override: value}), np.array([1.2]))
        got = evaluate(base, {"phi": np.array([1.2]), key: np.array([value])})
        if override == "gamma2":  # the preset sets both interfaces of F2
            got = evaluate(base, {"phi": np.array([1.2]), key: np.array([value]), "F2|lead.gamma": np.array([value])})
        if override == "lsf0":
            got = evaluate(base, {"phi": np.array([1.2]), key: np.array([value]), "lead.l_sf": np.array([value])})
        assert got["tau_phi"].iloc[0] == pytest.approx(ref["tau_phi"].iloc[0], rel=1e-13), override


def test_dual_spin_valve_torques_on_every_magnet():
    """F/N/F/N/F: torque vectors are perpendicular to each magnet; rotating everything rigidly rotates them."""
    co, cu = fastspin.materials.COBALT, fastspin.materials.COPPER
    interface = fastspin.materials.CO_CU
    layers = (
        fastspin.Layer("P", co, np.inf, (0, 0, 1)),
        fastspin.Layer("N1", cu, 5e-9),
        fastspin.Layer("F", co, 3e-9, (1, 0, 0)),
        fastspin.Layer("N2", cu, 5e-9),
        fastspin.Layer("A", co, np.inf, (0, 1, 0)),
    )
    stack = fastspin.Stack(layers, (interface,) * 4)
    res = solve(stack)
    for m, layer in enumerate(stack.compile().magnets):
        assert abs(res.torque[0, m] @ stack.compile().direction[layer]) < 1e-14
    rot = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1.0]])  # 90 degrees about z
    rotated = fastspin.Stack(
        tuple(
            fastspin.Layer(
                layer.name,
                layer.material,
                layer.thickness,
                None if layer.direction is None else tuple(rot @ layer.direction),
            )
            for layer in layers
        ),
        (interface,) * 4,
    )
    res_rot = solve(rotated)
    assert np.allclose(res_rot.torque[0], res.torque[0] @ rot.T, atol=1e-14)
    assert res_rot.resistance_area[0] == pytest.approx(res.resistance_area[0], rel=1e-13)
