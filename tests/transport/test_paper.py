"""Statements of Barnas et al. (2005) with its Co/Cu parameters (d0 = d2 = 10 nm), numbers recorded.

Where the numbers disagree with the paper's words, the test records what the equations give; the
evidence is in docs/transport.md ("Where the paper and the equations disagree").
"""

import numpy as np
import pytest
from scipy.optimize import brentq

from fastspin import presets, torque_vs_angle

PHI = np.linspace(0.0, np.pi, 721)

# case: (sign of tau_phi on (0, pi) for I0 > 0, sign of GMR), Table I
TABLE_I = {"i": (+1, +1), "ii": (+1, -1), "iii": (-1, +1), "iv": (-1, -1)}

# Golden values of this implementation (Im G_mix = 0.016e15 S/m^2): a(0), a(pi), R(AP) - R(P) in Ohm m^2.
GOLDEN = {
    "i": (0.28548443, 0.4324106, 8.185402864e-16),
    "ii": (0.4320783, 0.28565242, -8.185402864e-16),
    "iii": (-0.28548443, -0.4324106, 8.185402864e-16),
    "iv": (-0.4320783, -0.28565242, -8.185402864e-16),
}


@pytest.mark.parametrize("case", sorted(TABLE_I))
def test_table_one_signs_and_values(case):
    frame = torque_vs_angle(presets.barnas2005(case), PHI)
    torque_sign, gmr_sign = TABLE_I[case]
    inner = frame["tau_phi"].to_numpy()[1:-1]
    assert np.all(np.sign(inner) == torque_sign)
    gmr = frame["resistance_change"].iloc[-1]
    assert np.sign(gmr) == gmr_sign
    a0, api, gmr_golden = GOLDEN[case]
    ends = torque_vs_angle(presets.barnas2005(case), np.array([0.0, np.pi]))
    assert ends["a"].to_numpy() == pytest.approx([a0, api], rel=1e-6)
    assert gmr == pytest.approx(gmr_golden, rel=1e-8)
    # "the switching is normal/inverse" follows the thick layer; the slope ratio follows g(P)/g(AP) (Sec. VI)
    assert abs(api) > abs(a0) if case in ("i", "iii") else abs(a0) > abs(api)


def test_fig5_torque_has_a_zero_inside():
    """Fig. 5 stack (beta1 = 0.1, gamma1 = -0.1, beta2 = 0.51, gamma2 = 0.76): tau_phi vanishes at phi_c.

    The paper: zero at phi_c inside (0, pi). Recorded: phi_c = 0.28069 pi.  Sign pattern: the equations give
    tau_phi < 0 on (0, phi_c) and > 0 on (phi_c, pi) for I0 > 0 (the paper's words say the reverse; see the
    module docstring)."""
    stack = presets.barnas2005("fig5")
    frame = torque_vs_angle(stack, PHI)
    tau = frame["tau_phi"].to_numpy()[1:-1]
    changes = np.flatnonzero(np.sign(tau[:-1]) != np.sign(tau[1:]))
    assert len(changes) == 1
    phi_c = brentq(lambda p: torque_vs_angle(stack, np.array([p]))["tau_phi"].iloc[0], 0.1, 3.0, xtol=1e-13)
    assert phi_c / np.pi == pytest.approx(0.2806947, abs=2e-7)
    assert np.all(tau[PHI[1:-1] < phi_c - 1e-3] < 0) and np.all(tau[PHI[1:-1] > phi_c + 1e-3] > 0)
    ends = torque_vs_angle(stack, np.array([0.0, np.pi]))
    assert ends["a"].to_numpy() == pytest.approx([-0.02670195, 0.12000656], rel=1e-6)


def tau_phi_at(stack, phi):
    """tau_phi of ``stack`` at one angle ``phi`` (rad)."""
    return torque_vs_angle(stack, np.array([phi]))["tau_phi"].iloc[0]


def test_fig5_inset_phi_c_decreases_with_gamma1():
    """Inset of Fig. 5: phi_c versus gamma1 for several beta1. Recorded numbers (phi_c / pi)."""
    expected = {(0.0, -0.2): 0.5835, (0.0, 0.1): 0.458, (0.1, -0.3): 0.377, (0.1, 0.1): 0.146}
    for (beta1, gamma1), value in expected.items():
        stack = presets.barnas2005("fig5", beta1=beta1, gamma1=gamma1)
        phi_c = brentq(lambda p, stack=stack: tau_phi_at(stack, p), 1e-3, np.pi - 1e-3)
        assert phi_c / np.pi == pytest.approx(value, abs=1e-3)
    for beta1 in (0.0, 0.1):
        values = []
        for gamma1 in (-0.3, -0.1, 0.1):
            stack = presets.barnas2005("fig5", beta1=beta1, gamma1=gamma1)
            values.append(brentq(lambda p, stack=stack: tau_phi_at(stack, p), 1e-3, np.pi - 1e-3))
        assert values[0] > values[1] > values[2]


def test_fig6_real_mixing_conductance():
    """Sec. VI with Im G_mix = 0: the factor -sin(phi - phi_g)/sin(phi) of Eq. 57 stays between about 0.5 and
    1.05 (recorded 0.5233 to 1.0383), ~0.7 near 0 and 0.52 near pi; g dips near 0.4 pi (Fig. 6(a):
    "the dip around 0.45 pi"), tau_x = 0 exactly (Eq. 55) and a = -G g sin(phi - phi_g)/sin(phi) (Eq. 57)."""
    stack = presets.barnas2005("i", im_gmix=0.0)
    phi = np.linspace(1e-4, np.pi - 1e-4, 2001)
    frame = torque_vs_angle(stack, phi)
    factor = -np.sin(phi - frame["phi_g"]) / np.sin(phi)
    assert factor.min() == pytest.approx(0.52332, abs=1e-4)
    assert factor.max() == pytest.approx(1.03827, abs=1e-4)
    assert factor.iloc[0] == pytest.approx(0.68974, abs=1e-4)
    assert factor.iloc[-1] == pytest.approx(0.52332, abs=1e-4)
    assert phi[np.argmin(frame["g_amplitude"])] / np.pi == pytest.approx(0.3995, abs=2e-3)
    assert frame["g_amplitude"].iloc[-1] == pytest.approx(3.45123, rel=1e-4)  # Fig. 6(a) tops at ~3.5
    assert np.all(frame["tau_x"] == 0.0) and np.all(frame["b"] == 0.0)
    # Eq. 57, a = -(hbar/e^2) G g sin(phi - phi_g)/sin(phi), per hbar I0/|e| and with the Fig. 6(a)
    # normalisation g_amp = 4 G_Sh |g| / (e^2 |j0|): a = G g_amp factor / (4 G_Sh)
    from fastspin.transport import sharvin_conductance

    g_sh = sharvin_conductance(stack.fermi_energy)
    a_eq57 = (0.542e15 / (4 * g_sh)) * frame["g_amplitude"] * factor
    assert np.allclose(frame["a"], a_eq57, rtol=1e-10)


def test_copper_spin_diffusion_length_is_a_micrometre():
    """Why l_sf(Cu) = 1000 nm: with the paper's printed '103 nm' the Fig. 6 factor would reach 10 near phi = 0,
    far from the stated range 0.52-1.05."""
    phi = np.linspace(1e-4, np.pi - 1e-4, 401)
    for lsf0, upper in ((1000e-9, 1.05), (103e-9, 5.0)):
        frame = torque_vs_angle(presets.barnas2005("i", im_gmix=0.0, lsf0=lsf0), phi)
        factor = -np.sin(phi - frame["phi_g"]) / np.sin(phi)
        assert (factor.max() < upper) == (lsf0 == 1000e-9)
