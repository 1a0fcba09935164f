"""Circuit elements of the easy-plane MTJ (Louis Eqs. 50-72) against finite differences, limits and the LLGS."""

import numpy as np
import pytest

import fastspin.dynamics as dyn
from fastspin.circuit import FixedLayer, MTJCircuit, VoltageDrive, charge_flux_from_m
from fastspin.circuit import elements as el
from fastspin.circuit.variables import dm_dcharge, dm_dflux

from . import devices as D

RNG = np.random.default_rng(65)
THETA = RNG.uniform(0.4, np.pi - 0.4, 30)
PHI = RNG.uniform(-np.pi, np.pi, 30)
M = D.direction(THETA, PHI).T


@pytest.fixture
def free():
    return D.free_layer()


@pytest.fixture
def state(free):
    return charge_flux_from_m(free, M)


def test_energy_eq_54_equals_cartesian_eq_53(free, state):
    """Eq. 54 (spherical) against Eq. 53 (Cartesian) and against fastspin.dynamics's FreeLayer energy."""
    bx, by, bz = free.applied_field
    cartesian = (
        D.MS
        * D.VOLUME
        * (-(bx * M[:, 0] + by * M[:, 1] + bz * M[:, 2]) + 0.5 * D.HARD * M[:, 2] ** 2 - 0.5 * D.EASY * M[:, 0] ** 2)
    )
    np.testing.assert_allclose(el.energy(free, *state), cartesian, rtol=1e-12, atol=1e-30)
    layer = free.free_layer(D.THICKNESS)
    np.testing.assert_allclose(layer.volume(), D.VOLUME, rtol=1e-15)
    np.testing.assert_allclose(
        el.energy(free, *state),
        D.MS * D.VOLUME * layer.energy_per_ms_volume(M, free.applied_field),
        rtol=1e-12,
        atol=1e-30,
    )


def test_constitutive_laws_eqs_58_59(free, state):
    """V_C = dE/dQ and I_L = dE/dPhi, by central differences of E."""
    charge, flux = state
    h_q, h_phi = 1e-6 * free.charge_unit, 1e-6 * free.flux_unit
    de_dq = (el.energy(free, charge + h_q, flux) - el.energy(free, charge - h_q, flux)) / (2 * h_q)
    de_dphi = (el.energy(free, charge, flux + h_phi) - el.energy(free, charge, flux - h_phi)) / (2 * h_phi)
    v_c, i_l = el.capacitor_voltage(free, charge, flux), el.inductor_current(free, charge, flux)
    np.testing.assert_allclose(v_c, de_dq, rtol=1e-7, atol=1e-8 * np.abs(v_c).max())
    np.testing.assert_allclose(i_l, de_dphi, rtol=1e-7, atol=1e-8 * np.abs(i_l).max())


def test_differential_elements_eqs_60_62(free, state):
    """1/C = d2E/dQ2, 1/L = d2E/dPhi2, Omega = d2E/dQdPhi by second differences of E."""
    charge, flux = state
    h_q, h_phi = 1e-4 * free.charge_unit, 1e-4 * free.flux_unit

    def e(dq, dphi):
        return el.energy(free, charge + dq * h_q, flux + dphi * h_phi)

    d2_qq = (e(1, 0) - 2 * e(0, 0) + e(-1, 0)) / h_q**2
    d2_pp = (e(0, 1) - 2 * e(0, 0) + e(0, -1)) / h_phi**2
    d2_qp = (e(1, 1) - e(1, -1) - e(-1, 1) + e(-1, -1)) / (4 * h_q * h_phi)
    inv_c = 1.0 / el.differential_capacitance(free, charge, flux)
    inv_l = 1.0 / el.differential_inductance(free, charge, flux)
    omega = el.charge_flux_coupling(free, charge, flux)
    np.testing.assert_allclose(inv_c, d2_qq, rtol=1e-5, atol=1e-6 * np.abs(inv_c).max())
    np.testing.assert_allclose(inv_l, d2_pp, rtol=1e-5, atol=1e-6 * np.abs(inv_l).max())
    np.testing.assert_allclose(omega, d2_qp, rtol=1e-5, atol=1e-6 * np.abs(omega).max())
    # L changes sign on this set of states (where the in-plane energy is concave): why the netlist uses I_L(Q, Phi)
    assert np.any(inv_l < 0) and np.any(inv_l > 0)


def test_easy_plane_limits_eqs_63_64(free):
    phi = np.linspace(-np.pi, np.pi, 13)
    flux = phi * free.flux_unit
    equator = np.zeros_like(flux)
    # Eq. 64 is Eq. 61 at theta = pi/2 exactly, and Omega vanishes there
    np.testing.assert_allclose(
        el.differential_inductance(free, equator, flux), el.easy_plane_inductance(free, flux), rtol=1e-13
    )
    np.testing.assert_allclose(el.charge_flux_coupling(free, equator, flux), 0.0, atol=1e-6)
    # C -> C0 = 1/(gamma B_d Z_s) with a relative error bounded by (|B_e| + B_a)/B_d (Louis after Eq. 57)
    bound = (np.linalg.norm(free.applied_field) + free.easy_axis_field) / free.hard_axis_field
    ratio = el.differential_capacitance(free, equator, flux) / el.easy_plane_capacitance(free)
    assert np.all(np.abs(1.0 / ratio - 1.0) <= bound)
    errors = []
    for hard in (1.0, 10.0, 100.0):
        layer = type(free)(D.MS, D.VOLUME, 0.01, hard, D.EASY, free.applied_field)
        near = -0.01 * layer.charge_unit  # 0.6 degrees out of the plane
        ratio = el.differential_capacitance(layer, near, flux) / el.easy_plane_capacitance(layer)
        errors.append(np.max(np.abs(ratio - 1)))
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-3
    assert errors[1] / errors[2] == pytest.approx(10, rel=0.05)  # the error falls as 1/B_d


def test_lc_resonance_is_kittel(free):
    """The small-signal LC circuit at the equilibrium m = x (field along x): omega^2 = 1/(L C) - Omega^2 = Kittel."""
    layer = type(free)(D.MS, D.VOLUME, 0.0, D.HARD, D.EASY, (0.05, 0.0, 0.0))
    c = el.differential_capacitance(layer, 0.0, 0.0)
    inductance = el.differential_inductance(layer, 0.0, 0.0)
    h1, h2 = 0.05 + D.EASY + D.HARD, 0.05 + D.EASY
    kittel = layer.gamma * np.sqrt(h1 * h2)
    assert 1.0 / np.sqrt(inductance * c) == pytest.approx(kittel, rel=1e-13)
    assert el.charge_flux_coupling(layer, 0.0, 0.0) == 0.0


def test_damping_resistances_eq_50(free, state):
    charge, _ = state
    r_l, r_c = el.damping_resistances(free, charge)
    sin2 = np.sin(THETA) ** 2
    np.testing.assert_allclose(r_l * r_c, free.z_s**2 / sin2**2, rtol=1e-12)
    np.testing.assert_allclose(r_c / r_l, free.alpha**2, rtol=1e-12)
    undamped = type(free)(D.MS, D.VOLUME, 0.0, D.HARD)
    r_l0, r_c0 = el.damping_resistances(undamped, charge)
    assert np.all(np.isinf(r_l0)) and np.all(r_c0 == 0)


def test_mtj_resistance_eqs_65_68():
    layer = FixedLayer(D.R_P, D.R_AP)
    assert el.mtj_resistance(layer, 1.0) == pytest.approx(D.R_P, rel=1e-14)
    assert el.mtj_resistance(layer, -1.0) == pytest.approx(D.R_AP, rel=1e-14)
    assert el.mtj_resistance(layer, 0.0) == pytest.approx(layer.r_perp, rel=1e-14)
    # R_perp is the harmonic mean of R_P and R_AP; the conductance is linear in cos(beta)
    assert 2.0 / layer.r_perp == pytest.approx(1 / D.R_P + 1 / D.R_AP, rel=1e-14)
    cos_b = np.linspace(-1, 1, 9)
    conductance = 1.0 / el.mtj_resistance(layer, cos_b)
    np.testing.assert_allclose(np.diff(conductance, 2), 0.0, atol=1e-15)
    assert layer.eta**2 == pytest.approx((D.R_AP - D.R_P) / (D.R_AP + D.R_P), rel=1e-14)
    # the same junction in fastspin.dynamics
    other = dyn.MTJ(D.R_P, D.R_AP)
    np.testing.assert_allclose(el.mtj_resistance(layer, cos_b), other.resistance(cos_b), rtol=1e-14)


def test_spin_sources_eqs_70_72_from_potential(free, state):
    """I_s = -(sin^2/Z_s) dP_s/dQ and V_s = -(Z_s/sin^2) dP_s/dPhi (Eq. 51) with P_s of Eq. 70."""
    charge, flux = state
    fixed = FixedLayer(D.R_P, D.R_AP, (0.3, -0.5, 0.8))
    volts = 0.37
    h_q, h_phi = 1e-6 * free.charge_unit, 1e-6 * free.flux_unit

    def p_s(q, f):
        return el.spin_potential(free, fixed, q, f, volts)

    sin2 = np.sin(THETA) ** 2
    i_s = -sin2 / free.z_s * (p_s(charge + h_q, flux) - p_s(charge - h_q, flux)) / (2 * h_q)
    v_s = -free.z_s / sin2 * (p_s(charge, flux + h_phi) - p_s(charge, flux - h_phi)) / (2 * h_phi)
    got_i = el.spin_current_source(free, fixed, charge, flux, volts)
    got_v = el.spin_voltage_source(free, fixed, charge, flux, volts)
    np.testing.assert_allclose(got_i, i_s, rtol=1e-7, atol=1e-8 * np.abs(got_i).max())
    np.testing.assert_allclose(got_v, v_s, rtol=1e-7, atol=1e-8 * np.abs(got_v).max())


def test_eq_42_middle_expression_typo(free, state):
    """m_Q . (m x J_s) = -(Z_s/sin^2) m_Phi . J_s; Louis Eq. 42 prints -Z_s m_Phi . J_s in the middle
    (its final form, with dP_s/dPhi, is right)."""
    charge, flux = state
    m_q, m_phi = dm_dcharge(free, charge, flux), dm_dflux(free, charge, flux)
    j_s = np.array([0.2, -0.7, 0.4])
    lhs = np.sum(m_q * np.cross(M, j_s), axis=1)
    sin2 = np.sin(THETA) ** 2
    np.testing.assert_allclose(lhs, -free.z_s / sin2 * (m_phi @ j_s), rtol=1e-10, atol=1e-14 * np.abs(lhs).max())
    np.testing.assert_allclose(lhs / (-free.z_s * (m_phi @ j_s)), 1.0 / sin2, rtol=1e-10)


def _llgs_rates(circuit, m, volts):
    """dQ/dt, dPhi/dt from the Cartesian LLGS (Louis Eq. 24, Gilbert form, STT of Eq. 69 per fixed layer)."""
    free = circuit.free_layer
    bx, by, bz = free.applied_field
    b_eff = np.stack(
        [bx + free.easy_axis_field * m[:, 0], np.full(len(m), by), bz - free.hard_axis_field * m[:, 2]], axis=1
    )
    torque = -free.gamma * np.cross(m, b_eff)
    for layer, v in zip(circuit.fixed_layers, volts):
        p = np.array(layer.direction)
        j_s = (0.5 * layer.eta * v / layer.r_perp)[:, None] * p * free.flux_unit  # hbar/e (eta/2) V/R_perp p
        torque -= free.gamma / (free.ms * free.volume) * np.cross(m, np.cross(j_s, m))
    alpha = free.alpha
    dm = (torque + alpha * np.cross(m, torque)) / (1 + alpha**2)
    dq = -free.charge_unit * dm[:, 2]
    dphi = free.flux_unit * (m[:, 0] * dm[:, 1] - m[:, 1] * dm[:, 0]) / (m[:, 0] ** 2 + m[:, 1] ** 2)
    return dq, dphi


@pytest.mark.parametrize("n_fixed", [1, 2])
def test_kirchhoff_equals_llgs(n_fixed):
    """Kirchhoff's laws (Eqs. 48-49) with every element of this module, solved as a 2x2 linear system,
    give the dQ/dt, dPhi/dt of the Cartesian LLGS: checks V_C, I_L, R_L, R_C, I_s, V_s and the signs
    of the junction voltages together."""
    free = D.free_layer(alpha=0.05)
    layers = (FixedLayer(D.R_P, D.R_AP, (1, 0, 0)), FixedLayer(300.0, 450.0, (0.2, 0.3, 0.9)))[:n_fixed]
    circuit = MTJCircuit(free, layers, VoltageDrive(0.6, series_resistance=150.0))
    charge, flux = charge_flux_from_m(free, M)
    v_mtj, current, v_junctions = el.junction_voltages(circuit, charge, flux, 0.6)
    v_c, i_l = el.capacitor_voltage(free, charge, flux), el.inductor_current(free, charge, flux)
    r_l, r_c = el.damping_resistances(free, charge)
    i_s = sum(el.spin_current_source(free, f, charge, flux, v) for f, v in zip(layers, v_junctions))
    v_s = sum(el.spin_voltage_source(free, f, charge, flux, v) for f, v in zip(layers, v_junctions))
    dq, dphi = np.empty(len(M)), np.empty(len(M))
    for k in range(len(M)):  # I_C + V_L/R_L = I_s - I_L ;  -R_C I_C + V_L = V_C + V_s
        a = np.array([[1.0, 1.0 / r_l[k]], [-r_c[k], 1.0]])
        dq[k], dphi[k] = np.linalg.solve(a, [i_s[k] - i_l[k], v_c[k] + v_s[k]])
    ref_q, ref_phi = _llgs_rates(circuit, M, v_junctions)
    np.testing.assert_allclose(dq, ref_q, rtol=1e-9, atol=1e-12 * np.abs(ref_q).max())
    np.testing.assert_allclose(dphi, ref_phi, rtol=1e-9, atol=1e-12 * np.abs(ref_phi).max())
    # the drive circuit: V_src = I R_s + V_MTJ, V_MTJ = V_1 - V_2, and V_MTJ = I R_MTJ
    np.testing.assert_allclose(current * 150.0 + v_mtj, 0.6, rtol=1e-14)
    np.testing.assert_allclose(v_junctions[0] - (v_junctions[1] if n_fixed == 2 else 0.0), v_mtj, rtol=1e-14)
    assert np.all(v_junctions[0] > 0) and (n_fixed == 1 or np.all(v_junctions[1] < 0))
