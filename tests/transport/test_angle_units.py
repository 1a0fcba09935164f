"""Angles: radians by default, degrees on request, and a warning for radians that look like degrees."""

import warnings

import numpy as np
import pytest

import fastspin

STACK = fastspin.presets.barnas2005("i")


def test_degrees_on_request_equal_radians():
    degrees = fastspin.torque_vs_angle(STACK, [30.0, 90.0, 150.0], angle_unit="deg")
    radians = fastspin.torque_vs_angle(STACK, np.radians([30.0, 90.0, 150.0]))
    np.testing.assert_array_equal(degrees.to_numpy(), radians.to_numpy())  # the phi column is radians in both
    grid = fastspin.evaluate(STACK, {"phi": [45.0], "N.thickness": [5e-9, 10e-9]}, grid=True, angle_unit="deg")
    np.testing.assert_allclose(grid["phi"], np.pi / 4, rtol=1e-15)


def test_radians_beyond_a_full_turn_warn_once():
    with pytest.warns(UserWarning, match="angle_unit='deg'") as caught:
        fastspin.torque_vs_angle(STACK, [90.0])
    assert len([w for w in caught if "full turn" in str(w.message)]) == 1
    with pytest.warns(UserWarning, match="full turn"):
        fastspin.evaluate(STACK, {"phi": [0.0, 7.0]})


def test_a_full_turn_and_degrees_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fastspin.torque_vs_angle(STACK, np.linspace(-2 * np.pi, 2 * np.pi, 5))
        fastspin.torque_vs_angle(STACK, [360.0], angle_unit="deg")


def test_an_unknown_angle_unit_is_refused():
    with pytest.raises(ValueError, match="angle_unit"):
        fastspin.torque_vs_angle(STACK, [1.0], angle_unit="grad")
    with pytest.raises(ValueError, match="angle_unit"):
        fastspin.evaluate(STACK, {"N.thickness": [5e-9]}, angle_unit="turns")
