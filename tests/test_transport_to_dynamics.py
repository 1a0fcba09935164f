"""The sign chain across modules: the transport torque on the net spin drives the macrospin (conventions.py).

The transport solver gives the torque vector on the spin of the thin layer, tau (N/m, per area).  With
m = -s and the spin per area (Ms d / gamma) s, the magnetization must move as dm/dt = -gamma tau/(Ms d).
The LLGS integrator, fed with the tabulated a(phi), b(phi) of the same stack, must start with that slope.
"""
import numpy as np
import pytest

import fastspin
from fastspin.constants import GAMMA_E
from fastspin.dynamics import FreeLayer, TabulatedTorque, simulate, trajectories
from fastspin.transport import evaluate

MS, THICKNESS = 1.2e6, 3e-9


@pytest.mark.parametrize("case, phi, current", [("i", 1.0, 2e11), ("i", 2.4, -1e11), ("fig5", 0.5, 3e11),
                                                ("iv", 1.7, 1e11)])
def test_initial_slope_equals_transport_torque(case, phi, current):
    stack = fastspin.presets.barnas2005(case)
    table = TabulatedTorque.from_frame(fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 4001)))
    row = evaluate(stack, {"phi": np.array([phi])}, current_density=current)
    scale = fastspin.constants.HBAR * current / fastspin.constants.E_CHARGE
    tau = np.array([row[f"torque_F2_{c}"].iloc[0] for c in "xyz"]) * scale  # on the spin of F2, N/m
    expected = -GAMMA_E * tau / (MS * THICKNESS)
    s_free = np.array([0.0, -np.sin(phi), np.cos(phi)])  # net spins of the paper (Fig. 1)
    s_ref = np.array([0.0, 0.0, 1.0])
    layer = FreeLayer(MS, THICKNESS, alpha=0.0, demag=(0.0, 0.0, 0.0))
    dt = 1e-16
    t, m = trajectories(layer, current_density=current, polarization=-s_ref, torque=table, m0=-s_free,
                        duration=2 * dt, dt=dt)
    slope = (m[0, 1] - m[0, 0]) / dt
    assert np.allclose(slope, expected, rtol=2e-5, atol=2e-5 * np.linalg.norm(expected))


def test_positive_current_destabilises_the_parallel_state_of_case_i():
    """Table I, case (i): I0 > 0 destabilises P (normal switching), I0 < 0 stabilises it."""
    stack = fastspin.presets.barnas2005("i")
    table = TabulatedTorque.from_frame(fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 181)))
    layer = FreeLayer(MS, THICKNESS, alpha=0.01, anisotropy_field=0.05, easy_axis=(0, 0, 1), demag=(1, 0, 0))
    m0 = (0.0, np.sin(0.05), -np.cos(0.05))  # near p = -z (P state: m parallel to p)
    frame = simulate(layer, current_density=np.array([-2e12, 2e12]), polarization=(0, 0, -1), torque=table, m0=m0,
                     duration=5e-9, dt=1e-12)
    assert frame["state"].iloc[0] == "parallel"
    assert frame["mz"].iloc[1] > 0.9 and frame["state"].iloc[1] == "antiparallel"
