"""Bad parameters give a ValueError naming the parameter (and the layer), before any kernel runs."""

import math

import numpy as np
import pytest

from fastspin.circuit import (
    EasyPlaneFreeLayer,
    FixedLayer,
    MTJCircuit,
    VoltageDrive,
    charge_flux_from_m,
    run_ngspice,
    simulate,
    trajectories,
    write_netlist,
)

from . import devices as D


@pytest.mark.parametrize("r_p, r_ap", [(1000.0, 1000.0), (2000.0, 1000.0)])
def test_r_ap_not_above_r_p(r_p, r_ap):
    with pytest.raises(ValueError, match="polarizer: resistance_antiparallel"):
        FixedLayer(r_p, r_ap, name="polarizer")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", ["ms", "volume", "alpha", "hard_axis_field", "easy_axis_field", "gamma"])
def test_free_layer_non_finite(name, bad):
    kwargs = dict(ms=D.MS, volume=D.VOLUME, alpha=0.01, hard_axis_field=D.HARD)
    kwargs[name] = bad
    with pytest.raises(ValueError, match=f"free layer: {name}"):
        EasyPlaneFreeLayer(**kwargs)


@pytest.mark.parametrize(
    "name, value",
    [("ms", 0.0), ("volume", -1e-24), ("alpha", -0.01), ("hard_axis_field", 0.0), ("hard_axis_field", -0.5)],
)
def test_free_layer_out_of_range(name, value):
    kwargs = dict(ms=D.MS, volume=D.VOLUME, alpha=0.01, hard_axis_field=D.HARD)
    kwargs[name] = value
    with pytest.raises(ValueError, match=f"free layer: {name}"):
        EasyPlaneFreeLayer(**kwargs)


def test_field_and_direction_vectors():
    with pytest.raises(ValueError, match="free layer: applied_field"):
        D.free_layer(field=(0.0, math.nan, 0.0))
    with pytest.raises(ValueError, match="free layer: applied_field"):
        D.free_layer(field=(0.0, 0.0))
    with pytest.raises(ValueError, match="analyzer: direction"):
        FixedLayer(D.R_P, D.R_AP, (0.0, 0.0, 0.0), name="analyzer")
    with pytest.raises(ValueError, match="analyzer: resistance_parallel"):
        FixedLayer(math.nan, D.R_AP, name="analyzer")
    assert FixedLayer(D.R_P, D.R_AP, (0.0, 3.0, 4.0)).direction == (0.0, 0.6, 0.8)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(voltage=math.nan), "voltage"),
        (dict(voltage=0.3, series_resistance=-1.0), "series_resistance"),
        (dict(voltage=0.3, width=0.0), "width"),
        (dict(voltage=0.3, delay=1e-9), "rise_time"),
        (dict(voltage=0.3, width=1e-9), "fall_time"),
        (dict(voltage=0.3, rise_time=math.inf), "rise_time"),
    ],
)
def test_drive(kwargs, name):
    with pytest.raises(ValueError, match=f"voltage drive: {name}"):
        VoltageDrive(**kwargs)


def test_circuit_composition():
    free = D.free_layer()
    fixed = FixedLayer(D.R_P, D.R_AP)
    with pytest.raises(ValueError, match="at most 2"):
        MTJCircuit(free, (fixed, fixed, fixed))
    with pytest.raises(ValueError, match="drive needs at least one fixed layer"):
        MTJCircuit(free, (), VoltageDrive(0.3))
    with pytest.raises(ValueError, match="free_layer"):
        MTJCircuit("not a layer")


@pytest.mark.parametrize("m0", [(0.0, 0.0, 1.0), (0.0, 0.0, -2.0), (1e-5, 0.0, 1.0)])
def test_start_at_a_pole(m0):
    circuit = D.mtj(0.3)
    with pytest.raises(ValueError, match=r"m: sin\(theta\) = .* below .* poles"):
        charge_flux_from_m(circuit.free_layer, m0)
    with pytest.raises(ValueError, match="m0: sin.*poles"):
        simulate(circuit, m0=m0, duration=1e-10, dt=1e-12)
    with pytest.raises(ValueError, match="m0: sin.*poles"):
        write_netlist(circuit, m0=m0, duration=1e-9)
    with pytest.raises(ValueError, match="m0: sin.*poles"):  # before ngspice is even looked for
        run_ngspice(circuit, m0=m0, duration=1e-9, executable="no-such-ngspice")


def test_non_finite_start_and_time_grid():
    circuit = D.mtj(0.3)
    with pytest.raises(ValueError, match="m0 must be finite"):
        trajectories(circuit, m0=(1.0, math.nan, 0.0), duration=1e-10, dt=1e-12)
    with pytest.raises(ValueError, match="m0 must have shape"):
        trajectories(circuit, m0=np.ones((2, 2, 3)), duration=1e-10, dt=1e-12)
    with pytest.raises(ValueError, match="dt must be"):
        trajectories(circuit, m0=D.M0, duration=1e-10, dt=math.nan)
    with pytest.raises(ValueError, match="whole number of steps"):
        trajectories(circuit, m0=D.M0, duration=1e-10, dt=3e-12)
    with pytest.raises(ValueError, match="record_every"):
        trajectories(circuit, m0=D.M0, duration=1e-10, dt=1e-12, record_every=0)
    with pytest.raises(ValueError, match="voltage must be finite"):
        trajectories(circuit, m0=D.M0, duration=1e-10, dt=1e-12, voltage=[0.1, math.inf])
    with pytest.raises(ValueError, match="voltage needs a circuit with a drive"):
        trajectories(MTJCircuit(D.free_layer()), m0=D.M0, duration=1e-10, dt=1e-12, voltage=0.1)
    with pytest.raises(ValueError, match="on_pole"):
        trajectories(circuit, m0=D.M0, duration=1e-10, dt=1e-12, on_pole="ignore")
    with pytest.raises(ValueError, match="min_sin_theta"):
        trajectories(circuit, m0=D.M0, duration=1e-10, dt=1e-12, min_sin_theta=1.5)
    with pytest.raises(ValueError, match="duration must be"):
        write_netlist(circuit, m0=D.M0, duration=math.inf)


def test_free_layer_is_the_same_layer_for_the_cartesian_integrator():
    """EasyPlaneFreeLayer.free_layer: the volume (hence S_s) is kept; a bad thickness is named."""
    free = EasyPlaneFreeLayer(ms=1e6, volume=2e-24, alpha=0.02, hard_axis_field=1.0, easy_axis_field=0.01)
    layer = free.free_layer(2e-9)
    assert float(layer.volume()) == pytest.approx(2e-24, rel=1e-15)
    assert float(layer.alpha) == 0.02 and float(layer.ms) == 1e6
    with pytest.raises(ValueError, match="thickness"):
        free.free_layer(-1e-9)
