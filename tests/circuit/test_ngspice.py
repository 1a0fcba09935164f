"""ngspice runs the exported netlist and agrees with fastspin's charge-flux model.

Settings: the defaults of SpiceSettings (trapezoidal rule, max step 0.05 t0 = 0.28 ps here, reltol 1e-6,
vntol 1e-9, abstol 1e-12 on the scaled nodes).  Without ngspice these tests skip locally and fail in CI.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from fastspin.circuit import NgspiceError, PoleError, SpiceSettings, run_ngspice

from . import devices as D

pytestmark = pytest.mark.usefixtures("ngspice")
CASES = D.ngspice_cases()
MEASURED = json.loads((Path(__file__).parent / "fixtures" / "circuit_measurements.json").read_text())["ngspice"]


def _run(case):
    circuit, m0, duration = CASES[case]
    frame = run_ngspice(circuit, m0=m0, duration=duration)
    t = frame.time.to_numpy()
    return circuit, frame, t, frame[["mx", "my", "mz"]].to_numpy(), D.fastspin_at(circuit, m0, duration, t)


def test_damped_relaxation_trajectory():
    _, frame, t, m_spice, m_fast = _run("damped_relaxation")
    deviation = np.abs(m_spice - m_fast).max()
    assert deviation < 1e-3
    assert np.abs(m_spice[-1] - m_fast[-1]).max() < 1e-6  # both relaxed to the same equilibrium
    assert frame.attrs["wall_time_s"] > 0


def test_accuracy_needs_the_max_step():
    """ngspice's truncation-error control alone lets the phase drift: without the max step of the
    default settings the damped relaxation is off by more than 1e-2 (measured 1.8e-2 with reltol 1e-6)."""
    circuit, m0, duration = CASES["damped_relaxation"]
    frame = run_ngspice(circuit, m0=m0, duration=duration, settings=SpiceSettings(max_step_per_t0=100.0))
    t = frame.time.to_numpy()
    assert np.abs(frame[["mx", "my", "mz"]].to_numpy() - D.fastspin_at(circuit, m0, duration, t)).max() > 1e-2


@pytest.mark.parametrize("case", ["free_precession", "driven_oscillation", "two_layer_oscillator"])
def test_precession_frequency(case):
    circuit, frame, t, m_spice, m_fast = _run(case)
    late = t > t[-1] / 2
    f_spice = D.crossing_frequency(t[late], m_spice[late, 1])
    f_fast = D.crossing_frequency(t[late], m_fast[late, 1])
    assert abs(f_spice / f_fast - 1) < 1e-3
    assert f_fast == pytest.approx(MEASURED[case]["fastspin_frequency_hz"], rel=1e-6)
    if circuit.fixed_layers:  # ngspice's own V and I: Ohm's law with R(cos beta) of Eq. 65, and the drive loop
        np.testing.assert_allclose(frame.v_mtj / frame.i_mtj, frame.r_mtj, rtol=1e-5)
        series = circuit.drive.series_resistance
        np.testing.assert_allclose(frame.i_mtj * series + frame.v_mtj, frame.source_voltage, atol=1e-7)


@pytest.mark.parametrize("case, final_mx", [("switching_p_to_ap", -1.0), ("switching_ap_to_p", 1.0)])
def test_switching_final_state(case, final_mx):
    _, frame, t, m_spice, m_fast = _run(case)
    assert m_spice[-1, 0] == pytest.approx(final_mx, abs=1e-4)
    assert m_fast[-1, 0] == pytest.approx(final_mx, abs=1e-4)
    np.testing.assert_allclose(m_spice[-1], m_fast[-1], atol=1e-4)
    crossing = t[np.argmax(np.sign(m_spice[:, 0]) == np.sign(final_mx))]
    assert crossing == pytest.approx(MEASURED[case]["fastspin_switching_time_s"], rel=1e-2)


def test_pole_is_an_error():
    """The two-layer oscillator at +0.7 V drives m onto the -z pole (fastspin raises too, test_dynamics)."""
    with pytest.raises(PoleError, match="ngspice trajectory reached a pole"):
        run_ngspice(D.spin_torque_oscillator(0.7), m0=D.direction(np.pi / 2 - 0.05, 0.05), duration=6e-9)


def test_failures_are_reported():
    circuit, m0, _ = CASES["driven_oscillation"]
    with pytest.raises(FileNotFoundError, match="not found"):
        run_ngspice(circuit, m0=m0, duration=1e-10, executable="no-such-ngspice-binary")
    with pytest.raises(NgspiceError, match="ngspice failed"):
        run_ngspice(circuit, m0=m0, duration=1e-10, executable="false")
