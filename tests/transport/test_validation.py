"""Bad input raises a ValueError naming the layer and the parameter, before any kernel runs."""

import math

import numpy as np
import pytest

from fastspin import Ferromagnet, Interface, Layer, NormalMetal, Stack, presets, torque_vs_angle
from fastspin.transport import evaluate

CO = Ferromagnet("Co", 5.1e-8, 0.51, 60e-9)
CU = NormalMetal("Cu", 0.5e-8, 1e-6)
IF = Interface(0.52e-15, 0.76, 0.542e15 + 0.016e15j)


def valve(**changes):
    layers = dict(
        f1=Layer("F1", CO, math.inf, (0, 0, 1)),
        n=Layer("N", CU, 10e-9),
        f2=Layer("F2", CO, 10e-9, (0, 1, 0)),
        lead=Layer("lead", CU, math.inf),
    )
    layers.update(changes)
    return Stack(tuple(layers.values()), (IF, IF, IF))


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: Ferromagnet("Py", 1e-7, 1.0, 5e-9), ["'Py'", "beta"]),
        (lambda: Ferromagnet("Py", 1e-7, -1.2, 5e-9), ["'Py'", "beta"]),
        (lambda: Ferromagnet("Py", -1e-7, 0.5, 5e-9), ["'Py'", "rho_star"]),
        (lambda: Ferromagnet("Py", 1e-7, 0.5, 0.0), ["'Py'", "l_sf"]),
        (lambda: NormalMetal("Cu", float("nan"), 1e-6), ["'Cu'", "rho_star"]),
        (lambda: Interface(0.0, 0.5, 1e15), ["r_star"]),
        (lambda: Interface(1e-15, 1.0, 1e15), ["gamma"]),
        (lambda: Interface(1e-15, 0.5, -1e15 + 0j), ["g_mix"]),
        (lambda: Interface(1e-15, 0.5, complex(1e15, float("inf"))), ["g_mix"]),
        (lambda: Interface(1e-15, 1.5, 1e15, name="N|F2"), ["'N|F2'", "gamma"]),
        (lambda: presets.barnas2005("i", gamma2=1.2), ["'N|F2, F2|lead'", "gamma"]),
        (lambda: presets.barnas2005("i", r_star1=0.0), ["'F1|N'", "r_star"]),
    ],
)
def test_bad_materials(make, words):
    with pytest.raises(ValueError) as err:
        make()
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize(
    "changes, words",
    [
        (dict(n=Layer("N", CU, -1e-9)), ["'N'", "thickness"]),
        (dict(n=Layer("N", CU, 0.0)), ["'N'", "thickness"]),
        (dict(f2=Layer("F2", CO, math.inf, (0, 1, 0))), ["'F2'", "thickness", "semi-infinite"]),
        (dict(lead=Layer("lead", CU, 5e-9)), ["'lead'", "thickness", "inf"]),
        (dict(f2=Layer("F2", CO, 10e-9, (0, 0, 0))), ["'F2'", "direction", "non-zero"]),
        (dict(f2=Layer("F2", CO, 10e-9, (0, float("nan"), 1))), ["'F2'", "direction", "finite"]),
        (dict(f2=Layer("F2", CO, 10e-9)), ["'F2'", "direction"]),
        (dict(n=Layer("N", CU, float("nan"))), ["'N'", "thickness"]),
    ],
)
def test_bad_layers(changes, words):
    with pytest.raises(ValueError) as err:
        valve(**changes)
    for word in words:
        assert word in str(err.value)


def test_touching_ferromagnets_and_contacts():
    with pytest.raises(ValueError, match="two ferromagnets touch"):
        Stack(
            (Layer("A", CO, math.inf, (0, 0, 1)), Layer("B", CO, 5e-9, (0, 0, 1)), Layer("C", CU, math.inf)), (IF, IF)
        )
    with pytest.raises(ValueError, match="N/F contact needs an Interface"):
        Stack((Layer("A", CO, math.inf, (0, 0, 1)), Layer("C", CU, math.inf)), (None,))
    with pytest.raises(ValueError, match="N/N contact is transparent"):
        Stack((Layer("A", CU, math.inf), Layer("C", CU, math.inf)), (IF,))
    with pytest.raises(ValueError, match="unique"):
        Stack((Layer("A", CU, math.inf), Layer("A", CU, math.inf)), (None,))


@pytest.mark.parametrize(
    "params, words",
    [
        ({"N.thickness": np.array([1e-9, -2e-9])}, ["'N.thickness'", "thickness", "in [1e-15, 1e+03] m"]),
        ({"F2.beta": np.array([0.2, 1.0])}, ["'F2.beta'", "|value| < 1"]),
        ({"N|F2.gamma": np.array([np.nan])}, ["'N|F2.gamma'", "finite"]),
        ({"N|F2.g_mix": np.array([-1e15 + 0j])}, ["'N|F2.g_mix'", "Re >= 0"]),
        ({"F1.l_sf": np.array([0.0])}, ["'F1.l_sf'", "l_sf"]),
        ({"F1.thickness": np.array([1e-9])}, ["'F1.thickness'", "lead"]),
        ({"N.beta": np.array([0.1])}, ["'N.beta'", "normal metal"]),
        ({"X.beta": np.array([0.1])}, ["'X'"]),
        ({"F2.spin": np.array([0.1])}, ["'F2.spin'", "unknown"]),
        ({"phi": np.array([np.inf])}, ["'phi'", "finite"]),
        ({"F2.direction": np.array([0.0, 0.0, 0.0])}, ["'F2.direction'", "non-zero"]),
        ({"N.thickness": np.array([])}, ["'N.thickness'", "empty"]),
        ({"N.thickness": np.array(["a"])}, ["'N.thickness'", "numbers"]),
    ],
)
def test_bad_grid_values(params, words):
    with pytest.raises(ValueError) as err:
        evaluate(presets.barnas2005("i"), params)
    for word in words:
        assert word in str(err.value)


def test_phi_and_a_varied_reference_direction_are_refused():
    with pytest.raises(ValueError, match="F1.direction"):
        evaluate(presets.barnas2005("i"), {"phi": np.array([1.0]), "F1.direction": np.array([[0.0, 1.0, 0.0]])})


def test_bad_preset_arguments():
    with pytest.raises(ValueError, match="case"):
        presets.barnas2005("v")
    with pytest.raises(ValueError, match="unknown override"):
        presets.barnas2005("i", spacer=3e-9)
    with pytest.raises(ValueError, match="beta"):
        presets.barnas2005("i", beta2=1.5)
    with pytest.raises(ValueError, match="1-D"):
        torque_vs_angle(presets.barnas2005("i"), np.zeros((2, 2)))
