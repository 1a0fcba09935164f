"""The sign chain across modules: the transport torque on the net spin drives the macrospin (conventions.py).

The transport solver gives the torque on the spin of the thin layer per area, tau (N/m: ``tau_phi_per_area``,
``tau_x_per_area`` of ``evaluate`` with a current density).  With
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


@pytest.mark.parametrize(
    "case, phi, current", [("i", 1.0, 2e11), ("i", 2.4, -1e11), ("fig5", 0.5, 3e11), ("iv", 1.7, 1e11)]
)
def test_initial_slope_equals_transport_torque(case, phi, current):
    stack = fastspin.presets.barnas2005(case)
    table = TabulatedTorque.from_frame(fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 4001)))
    row = evaluate(stack, {"phi": np.array([phi])}, current_density=current)
    s_free = np.array([0.0, -np.sin(phi), np.cos(phi)])  # net spins of the paper (Fig. 1)
    s_ref = np.array([0.0, 0.0, 1.0])
    axis = np.array([1.0, 0.0, 0.0])  # rotation axis x: tau = tau_phi (x cross s) + tau_x x  (tau is perp. to s)
    tau = row["tau_phi_per_area"].iloc[0] * np.cross(axis, s_free) + row["tau_x_per_area"].iloc[0] * axis  # N/m
    expected = -GAMMA_E * tau / (MS * THICKNESS)
    layer = FreeLayer(MS, THICKNESS, alpha=0.0, demag=(0.0, 0.0, 0.0))
    dt = 1e-16
    t, m = trajectories(
        layer, current_density=current, polarization=-s_ref, torque=table, m0=-s_free, duration=2 * dt, dt=dt
    )
    slope = (m[0, 1] - m[0, 0]) / dt
    assert np.allclose(slope, expected, rtol=2e-5, atol=2e-5 * np.linalg.norm(expected))


def test_positive_current_destabilises_the_parallel_state_of_case_i():
    """Table I, case (i): I0 > 0 destabilises P (normal switching), I0 < 0 stabilises it."""
    stack = fastspin.presets.barnas2005("i")
    table = TabulatedTorque.from_frame(fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 181)))
    layer = FreeLayer(MS, THICKNESS, alpha=0.01, anisotropy_field=0.05, easy_axis=(0, 0, 1), demag=(1, 0, 0))
    m0 = (0.0, np.sin(0.05), -np.cos(0.05))  # near p = -z (P state: m parallel to p)
    frame = simulate(
        layer,
        current_density=np.array([-2e12, 2e12]),
        polarization=(0, 0, -1),
        torque=table,
        m0=m0,
        duration=5e-9,
        dt=1e-12,
    )
    assert frame["state"].iloc[0] == "parallel"
    assert frame["mz"].iloc[1] > 0.9 and frame["state"].iloc[1] == "antiparallel"


def test_mtj_electrode_torques_drive_the_macrospin():
    """Manchon T_par(V), T_perp(V) -> bias polynomials -> fastspin.dynamics.MTJ: the initial slope of m equals
    gamma/(Ms d) [a(V) m x (m x p) - b(V) m x p] with a = d T_par, b = d T_perp at J0(V) (fastspin.mtj)."""
    from numpy.polynomial import Polynomial

    from fastspin import mtj
    from fastspin.dynamics import MTJ

    d = 2e-9
    electrode = dict(lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=10e-9, lambda_sf_n=1e-9)
    j0_par, j0_perp = Polynomial([0.0, 2e-3]), Polynomial([1e-4, 0.0, 5e-4])  # J/m^2 per V^k
    dl, fl = mtj.drive_coefficients(d, j0_par=j0_par, j0_perp=j0_perp, **electrode)
    voltage = 0.4
    t = mtj.electrode_torque(d, j0=j0_par(voltage) + 1j * j0_perp(voltage), **electrode)
    assert Polynomial(dl)(voltage) == pytest.approx(d * t["t_par"].iloc[0], rel=1e-12)
    assert Polynomial(fl)(voltage) == pytest.approx(d * t["t_perp"].iloc[0], rel=1e-12)
    layer = FreeLayer(MS, d, alpha=0.0, demag=(0.0, 0.0, 0.0), area=1e-14)
    p = np.array([1.0, 0.0, 0.0])
    m0 = np.array([np.cos(0.8), np.sin(0.8), 0.0])
    dt = 1e-16
    _, m = trajectories(
        layer,
        voltage=voltage,
        mtj=MTJ(1e3, 2e3, damping_like_coefficients=dl, field_like_coefficients=fl),
        polarization=p,
        m0=m0,
        duration=2 * dt,
        dt=dt,
    )
    a, b = d * t["t_par"].iloc[0], d * t["t_perp"].iloc[0]
    expected = GAMMA_E / (MS * d) * (a * np.cross(m0, np.cross(m0, p)) - b * np.cross(m0, p))
    assert np.allclose((m[0, 1] - m[0, 0]) / dt, expected, rtol=1e-5, atol=1e-5 * np.linalg.norm(expected))
