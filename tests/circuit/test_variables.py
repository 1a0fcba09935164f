"""Charge and flux of a macrospin (Louis Eqs. 28-35), checked numerically, typos included."""

import numpy as np
import pytest

from fastspin.circuit import charge_flux_from_m, m_from_charge_flux
from fastspin.circuit.elements import energy
from fastspin.circuit.variables import angles_from_charge_flux, dm_dcharge, dm_dflux
from fastspin.constants import E_CHARGE, HBAR

from . import devices as D

RNG = np.random.default_rng(20250508)
THETA = RNG.uniform(0.3, np.pi - 0.3, 40)
PHI = RNG.uniform(-np.pi, np.pi, 40)
M = D.direction(THETA, PHI).T  # (40, 3)


@pytest.fixture
def free():
    return D.free_layer()


def test_round_trip_and_scale(free):
    charge, flux = charge_flux_from_m(free, 2.5 * M)  # m is normalised
    np.testing.assert_allclose(m_from_charge_flux(free, charge, flux), M, atol=1e-14)
    # Eq. 29 with S_s = Ms V / gamma (Eq. 26): Q = -(e/hbar) S_s cos(theta), Phi = (hbar/e) phi
    np.testing.assert_allclose(charge, -E_CHARGE / HBAR * D.MS * D.VOLUME / free.gamma * np.cos(THETA), rtol=1e-13)
    np.testing.assert_allclose(flux, HBAR / E_CHARGE * PHI, rtol=1e-13)
    # tiny SI values: Q ~ 1e-14 C and Phi ~ 1e-15 Wb for a 100 nm x 50 nm x 2 nm layer
    assert 1e-14 < free.charge_unit < 1e-13 and 1e-16 < free.flux_unit < 1e-15
    # Z_s = (hbar/e)^2 / S_s = Phi_0 / Q_0 (Eq. 33), an impedance of about 10 mOhm here
    assert free.z_s == pytest.approx(free.flux_unit / free.charge_unit, rel=1e-14)
    assert free.z_s == pytest.approx(0.0097182, rel=1e-4)


def test_flux_keeps_winding(free):
    """Phi counts turns: m(Q, Phi + 2 pi Phi_0) = m(Q, Phi)."""
    charge, flux = charge_flux_from_m(free, M)
    np.testing.assert_allclose(m_from_charge_flux(free, charge, flux + 2 * np.pi * free.flux_unit), M, atol=1e-13)


def _finite_difference(free, charge, flux, dq=0.0, dphi=0.0):
    return (m_from_charge_flux(free, charge + dq, flux + dphi) - m_from_charge_flux(free, charge - dq, flux - dphi)) / 2


def test_tangent_vectors_eqs_30_31(free):
    charge, flux = charge_flux_from_m(free, M)
    h_q, h_phi = 1e-6 * free.charge_unit, 1e-6 * free.flux_unit
    m_q, m_phi = dm_dcharge(free, charge, flux), dm_dflux(free, charge, flux)
    np.testing.assert_allclose(
        _finite_difference(free, charge, flux, dq=h_q) / h_q, m_q, rtol=1e-7, atol=1e-8 / free.charge_unit
    )
    np.testing.assert_allclose(
        _finite_difference(free, charge, flux, dphi=h_phi) / h_phi, m_phi, rtol=1e-7, atol=1e-8 / free.flux_unit
    )
    # orthogonal to m and to each other
    for v in (m_q, m_phi):
        np.testing.assert_allclose(np.sum(v * M, axis=1) / np.linalg.norm(v, axis=1), 0.0, atol=1e-14)
    cosine = np.sum(m_q * m_phi, axis=1) / (np.linalg.norm(m_q, axis=1) * np.linalg.norm(m_phi, axis=1))
    np.testing.assert_allclose(cosine, 0.0, atol=1e-14)


def test_norms_eq_32_corrected(free):
    """Louis Eq. 32 prints |m_Q|^2 = Z_s sin^2(theta)/S_s; the derivative of Eq. 30 gives Z_s/(S_s sin^2(theta)).

    The corrected form is the one Eqs. 37-38 and R_C of Eq. 50 need; |m_Phi|^2 is printed right.
    """
    charge, flux = charge_flux_from_m(free, M)
    sin2 = np.sin(THETA) ** 2
    m_q, m_phi = dm_dcharge(free, charge, flux), dm_dflux(free, charge, flux)
    norm_q = np.sum(m_q**2, axis=1)
    np.testing.assert_allclose(norm_q, free.z_s / (free.spin * sin2), rtol=1e-12)
    printed = free.z_s * sin2 / free.spin
    np.testing.assert_allclose(norm_q / printed, 1.0 / sin2**2, rtol=1e-12)  # the printed form is off by sin^4
    np.testing.assert_allclose(np.sum(m_phi**2, axis=1), sin2 / (free.z_s * free.spin), rtol=1e-12)


def test_cross_products_eqs_34_35(free):
    charge, flux = charge_flux_from_m(free, M)
    sin2 = (np.sin(THETA) ** 2)[:, None]
    m_q, m_phi = dm_dcharge(free, charge, flux), dm_dflux(free, charge, flux)
    np.testing.assert_allclose(np.cross(M, m_q), free.z_s / sin2 * m_phi, rtol=1e-12, atol=1e-12 / free.flux_unit)
    np.testing.assert_allclose(np.cross(M, m_phi), -sin2 / free.z_s * m_q, rtol=1e-12, atol=1e-12 / free.charge_unit)
    # Eq. 35 (the cleaned copy drops S_s): S_s m_Phi . (m x m_Q) = 1
    np.testing.assert_allclose(free.spin * np.sum(m_phi * np.cross(M, m_q), axis=1), 1.0, rtol=1e-12)


def test_eq_29_sign_makes_llg_hamiltonian(free):
    """With Q = -Q_0 cos(theta) the undamped LLG, dm/dt = -gamma m x B_eff (Louis Eq. 24), is exactly
    dQ/dt = -dE/dPhi, dPhi/dt = +dE/dQ (Eqs. 9-10); E from Eq. 54, differentiated numerically."""
    charge, flux = charge_flux_from_m(free, M)
    bx, by, bz = free.applied_field
    # -(1/(Ms V)) dE/dm of Eq. 53: B_e + B_a m_x e_x - B_d m_z e_z
    b_eff = np.stack(
        [bx + free.easy_axis_field * M[:, 0], np.full(len(M), by), bz - free.hard_axis_field * M[:, 2]], axis=1
    )
    dm_dt = -free.gamma * np.cross(M, b_eff)
    dq_dt = -free.charge_unit * dm_dt[:, 2]
    dphi_dt = free.flux_unit * (M[:, 0] * dm_dt[:, 1] - M[:, 1] * dm_dt[:, 0]) / (M[:, 0] ** 2 + M[:, 1] ** 2)
    h_q, h_phi = 1e-5 * free.charge_unit, 1e-5 * free.flux_unit
    de_dq = (energy(free, charge + h_q, flux) - energy(free, charge - h_q, flux)) / (2 * h_q)
    de_dphi = (energy(free, charge, flux + h_phi) - energy(free, charge, flux - h_phi)) / (2 * h_phi)
    scale_q = np.max(np.abs(dq_dt))
    scale_phi = np.max(np.abs(dphi_dt))
    np.testing.assert_allclose(dq_dt, -de_dphi, atol=1e-8 * scale_q)
    np.testing.assert_allclose(dphi_dt, de_dq, atol=1e-8 * scale_phi)


def test_charge_beyond_a_pole(free):
    with pytest.raises(ValueError, match="charge: |Q| must be below Q_0"):
        angles_from_charge_flux(free, 1.0 * free.charge_unit, 0.0)
    with pytest.raises(ValueError, match="charge and flux must be finite"):
        m_from_charge_flux(free, 0.0, np.nan)
