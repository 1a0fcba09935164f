"""Diffusive MTJ electrode (Manchon et al. 2012): the general engine against the paper's closed forms and limits."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import Polynomial

from fastspin import Ferromagnet, Interface, Layer, NormalMetal, Stack, mtj
from fastspin.materials import DiffusiveFerromagnet
from fastspin.transport import solve

FIG1 = dict(lambda_j=1e-9, lambda_sf_f=15e-9, lambda_sf_n=2e-9, diffusion_ratio=1.0)
lengths = st.floats(0.2e-9, 30e-9)


def eq12_terms(lambda_j, lambda_phi, lambda_sf_f):
    """L^2/L0^2 of the paper written with its chi = tau_phi/tau_sf and beta = tau_J/tau_sf (Eqs 13-14)."""
    chi, beta = (lambda_phi / lambda_sf_f) ** 2, (lambda_j / lambda_sf_f) ** 2
    xi = (1 + chi) ** 2 * beta**2 + chi**2
    return ((1 + chi) * beta**2 + chi**2) / xi, chi**2 * beta / xi, chi, beta


@given(
    d=lengths,
    lj=lengths,
    lphi=lengths,
    lsf_f=st.floats(1e-9, 100e-9),
    lsf_n=st.floats(0.3e-9, 100e-9),
    ratio=st.floats(0.05, 20.0),
    jr=st.floats(-2, 2),
    ji=st.floats(-2, 2),
)
@settings(max_examples=60)
def test_engine_equals_closed_forms(d, lj, lphi, lsf_f, lsf_n, ratio, jr, ji):
    """The general engine reproduces Eq. 12 and the profiles Eqs 9-10 to 1e-10 relative."""
    j0 = complex(jr, ji) if abs(complex(jr, ji)) > 1e-3 else 1.0
    kw = dict(lambda_j=lj, lambda_phi=lphi, lambda_sf_f=lsf_f, lambda_sf_n=lsf_n, diffusion_ratio=ratio, j0=j0)
    engine = mtj.electrode_torque(d, method="engine", **kw)
    closed = mtj.electrode_torque(d, method="closed_form", **kw)
    t_e = complex(engine["t_par"].iloc[0], engine["t_perp"].iloc[0])
    t_c = complex(closed["t_par"].iloc[0], closed["t_perp"].iloc[0])
    assert abs(t_e - t_c) <= 1e-10 * abs(t_c)
    x = np.linspace(0, 3 * d + 2 * lsf_n, 23)
    prof = mtj.electrode_profile(x, d, **kw)
    m = mtj.closed_form_profile(x, d, **kw)
    scale = np.max(np.abs(m))
    assert np.max(np.abs(prof["m_par"] + 1j * prof["m_perp"] - m)) <= 1e-10 * scale


def test_direct_eq12_and_eq9_evaluation():
    """The overflow-free rewrite equals Eq. 12 and Eq. 9 typed as printed (cosh/sinh) where those are finite."""
    kw = dict(lambda_j=0.8e-9, lambda_phi=1.3e-9, lambda_sf_f=12e-9, lambda_sf_n=3e-9, diffusion_ratio=0.7)
    d, j0 = 3e-9, 0.9 + 0.2j
    inv_l0 = -1j / kw["lambda_j"] ** 2 + 1 / kw["lambda_phi"] ** 2
    big_l = 1 / np.sqrt(inv_l0 + 1 / kw["lambda_sf_f"] ** 2)
    eta = kw["diffusion_ratio"] * kw["lambda_sf_n"] / big_l
    den = np.cosh(d / big_l) + eta * np.sinh(d / big_l)
    t_printed = j0 / d * (big_l**2 * inv_l0) * (den - 1) / den
    got = mtj.electrode_torque(d, method="closed_form", j0=j0, **kw)
    assert complex(got["t_par"].iloc[0], got["t_perp"].iloc[0]) == pytest.approx(t_printed, rel=1e-12)
    x = np.array([0.0, 1e-9, 2.5e-9])
    m_printed = j0 * big_l * (np.sinh((d - x) / big_l) + eta * np.cosh((d - x) / big_l)) / den  # D_F = 1
    assert np.allclose(mtj.closed_form_profile(x, d, j0=j0, **kw), m_printed, rtol=1e-12)


@pytest.mark.parametrize("method", ["engine", "closed_form"])
def test_thick_electrode_reaches_eqs_13_14_without_overflow(method):
    """d/|L| up to 1e4: finite, and d T equals the semi-infinite Eqs 13-14."""
    lj, lphi, lsf = 1e-9, 1.5e-9, 15e-9
    big_l = abs(1 / np.sqrt(-1j / lj**2 + 1 / lphi**2 + 1 / lsf**2))
    d = np.array([1e2, 1e3, 1e4]) * big_l
    j0 = 0.7 + 0.4j
    frame = mtj.electrode_torque(
        d, lambda_j=lj, lambda_phi=lphi, lambda_sf_f=lsf, lambda_sf_n=2e-9, j0=j0, method=method
    )
    assert np.all(np.isfinite(frame[["t_par", "t_perp"]].to_numpy()))
    a, b, _, _ = eq12_terms(lj, lphi, lsf)
    t_par = (a * j0.real + b * j0.imag) / d  # Eq. 13
    t_perp = (a * j0.imag - b * j0.real) / d  # Eq. 14
    assert np.allclose(frame["t_par"], t_par, rtol=1e-10, atol=0)
    assert np.allclose(frame["t_perp"], t_perp, rtol=1e-10, atol=0)


def test_dephasing_limits():
    """chi << 1: T = J0/d (ballistic); chi >> 1: T mixes J0 with beta = tau_J/tau_sf (Sec. after Eq. 14)."""
    d, lsf, j0 = 1e-6, 20e-9, 0.6 + 0.3j
    fast = mtj.electrode_torque(d, lambda_j=2e-9, lambda_phi=1e-13, lambda_sf_f=lsf, lambda_sf_n=1e-9, j0=j0)
    _, _, chi, _ = eq12_terms(2e-9, 1e-13, lsf)
    assert chi < 1e-8
    assert complex(fast["t_par"].iloc[0], fast["t_perp"].iloc[0]) * d == pytest.approx(j0, rel=1e-6)
    lj = 4e-9
    slow = mtj.electrode_torque(d, lambda_j=lj, lambda_phi=1e-3, lambda_sf_f=lsf, lambda_sf_n=1e-9, j0=j0)
    _, _, chi, beta = eq12_terms(lj, 1e-3, lsf)
    assert chi > 1e9
    expected = complex(j0.real + beta * j0.imag, j0.imag - beta * j0.real) / (d * (1 + beta**2))
    assert complex(slow["t_par"].iloc[0], slow["t_perp"].iloc[0]) == pytest.approx(expected, rel=1e-8)


def test_thin_electrode_eq16_and_effective_length_eq17():
    kw = dict(lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=10e-9, lambda_sf_n=1e-9, diffusion_ratio=1.3)
    inv_l0 = -1j / kw["lambda_j"] ** 2 + 1 / kw["lambda_phi"] ** 2
    big_l = 1 / np.sqrt(inv_l0 + 1 / kw["lambda_sf_f"] ** 2)
    eta = kw["diffusion_ratio"] * kw["lambda_sf_n"] / big_l
    errors16, errors17 = [], []
    for d in (1e-11, 1e-12, 1e-13):
        t = mtj.electrode_torque(d, **kw)
        t = complex(t["t_par"].iloc[0], t["t_perp"].iloc[0])
        eq16 = (1 / d) * (big_l**2 * inv_l0) / (1 + big_l / (eta * d))
        errors16.append(abs(t - eq16) / abs(eq16))
        lstar = mtj.effective_spin_diffusion_length(
            d, lambda_sf_f=kw["lambda_sf_f"], lambda_sf_n=kw["lambda_sf_n"], diffusion_ratio=kw["diffusion_ratio"]
        )
        inv_lstar2 = inv_l0 + 1 / lstar**2  # Eq. 15 with lambda*_sf of Eq. 17
        eq15 = (1 / d) * inv_l0 / inv_lstar2
        errors17.append(abs(t - eq15) / abs(eq15))
    assert errors16[-1] < 1e-4 and errors17[-1] < 1e-4
    # both approximations converge linearly in d (ratios of successive errors ~10)
    assert 8 < errors16[0] / errors16[1] < 12 and 8 < errors17[0] / errors17[1] < 12
    # Eq. 17 itself: 1/lambda*^2 = 1/lambda_sf^F^2 + (D_N/D_F)/(lambda_sf^N d)
    lstar = mtj.effective_spin_diffusion_length(2e-9, lambda_sf_f=10e-9, lambda_sf_n=1e-9, diffusion_ratio=2.0)
    assert lstar == pytest.approx((1 / 10e-9**2 + 0.5 / (1e-9 * 2e-9)) ** -0.5, rel=1e-14)


def test_fig1_out_of_plane_accumulation_grows_with_dephasing_length():
    """Fig. 1 (lambda_J = 1 nm, lambda_sf^F = 15 nm, lambda_sf^N = 2 nm, d = 2 nm, J0_perp = 0): m_perp grows
    with lambda_phi = 0.5, 1, 1.5 nm at every position.  Recorded m_perp(0): 0.0602, 0.3296, 0.5388 (x 1e-9 J0/D_F)."""
    x = np.linspace(0, 8e-9, 161)
    profiles = [
        mtj.electrode_profile(x, 2e-9, lambda_phi=lp, j0=1.0, **FIG1)["m_perp"].to_numpy()
        for lp in (0.5e-9, 1e-9, 1.5e-9)
    ]
    assert np.all(profiles[0] < profiles[1]) and np.all(profiles[1] < profiles[2])
    assert [p[0] * 1e9 for p in profiles] == pytest.approx([0.060241, 0.329561, 0.538844], rel=1e-4)


def test_fig2_ratio_grows_as_the_layer_thins():
    """Fig. 2 inset: |T_perp/T_par| grows as d shrinks (J0_perp = 0) for lambda_J = 0.5, 1, 1.5 nm and
    lambda_phi = 0.5, 1 nm.  The ratio is negative here, as the paper's own Eq. 14 gives (T_perp = -chi^2 beta
    J0/(d xi))."""
    d = np.array([0.5, 1, 2, 3, 5]) * 1e-9
    for lj in (0.5e-9, 1e-9, 1.5e-9):
        for lphi in (0.5e-9, 1e-9):
            ratio = mtj.electrode_torque(d, lambda_j=lj, lambda_phi=lphi, lambda_sf_f=15e-9, lambda_sf_n=2e-9, j0=1.0)[
                "ratio"
            ].to_numpy()
            assert np.all(np.diff(np.abs(ratio)) < 0), (lj, lphi, ratio)
    ratio = mtj.electrode_torque(1e-6, lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=15e-9, lambda_sf_n=2e-9)["ratio"]
    _, b, _, _ = eq12_terms(1e-9, 1e-9, 15e-9)
    assert ratio.iloc[0] < 0 and ratio.iloc[0] == pytest.approx(-b / eq12_terms(1e-9, 1e-9, 15e-9)[0], rel=1e-9)


def test_fig3_linear_out_of_plane_torque_appears_for_thin_electrodes():
    """J0_par = a1 V, J0_perp = b2 V^2 (no linear term injected): T_perp(V) acquires a linear coefficient that
    grows as d decreases (Fig. 3 parameters).  Recorded c1 of T_perp per a1, per metre."""
    voltage = np.linspace(-0.5, 0.5, 21)
    thickness = np.array([0.5, 1, 2, 5, 10, 30]) * 1e-9
    frame = mtj.bias_dependence(
        voltage,
        thickness,
        j0_par=Polynomial([0, 1.0]),
        j0_perp=Polynomial([0, 0, 0.3]),
        lambda_j=1e-9,
        lambda_phi=1e-9,
        lambda_sf_f=10e-9,
        lambda_sf_n=1e-9,
    )
    fit = mtj.bias_coefficients(frame)
    c1 = fit["t_perp_c1"].to_numpy()
    assert np.all(np.diff(np.abs(c1)) < 0)  # thickness ascending: |c1| falls
    assert c1 == pytest.approx([-4.348181e8, -1.966173e8, -4.838231e7, -1.451729e6, -4.935196e5, -1.650083e5], rel=1e-5)
    # the fit is exact: T is linear in J0, so T_perp = Im(K) a1 V + Re(K) b2 V^2
    k = mtj.electrode_torque(thickness, lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=10e-9, lambda_sf_n=1e-9, j0=1.0)
    assert np.allclose(c1, k["t_perp"], rtol=1e-8)
    assert np.allclose(fit["t_perp_c2"], 0.3 * k["t_par"], rtol=1e-8)
    # sampled arrays give the same as polynomials
    sampled = mtj.bias_dependence(
        voltage,
        thickness[:1],
        j0_par=voltage,
        j0_perp=0.3 * voltage**2,
        lambda_j=1e-9,
        lambda_phi=1e-9,
        lambda_sf_f=10e-9,
        lambda_sf_n=1e-9,
    )
    assert np.allclose(sampled["t_perp"], frame["t_perp"].iloc[:21], rtol=1e-12)


def test_short_transverse_lengths_recover_the_spin_valve():
    """lambda_J, lambda_phi -> 0: the transverse spin is absorbed at the surface, as with the spin-valve
    boundary condition of an F with infinite mixing conductance and a transparent interface."""
    cu = NormalMetal("Cu", 0.5e-8, 1e-6)
    co_rho, co_beta, co_lsf = 5.1e-8, 0.51, 60e-9
    p = Layer("P", Ferromagnet("Co", co_rho, co_beta, co_lsf), math.inf, (0, 0, 1))
    interface = Interface(0.52e-15, 0.76, 0.542e15)

    def valve(free_layer, contacts):
        return Stack((p, Layer("N", cu, 8e-9), free_layer, Layer("lead", cu, math.inf)), (interface, *contacts))

    phi = np.array([0.7, 1.9])
    limit = valve(
        Layer("F", Ferromagnet("Co", co_rho, co_beta, co_lsf), 5e-9, (0, 1, 0)),
        (Interface(1e-22, 0.0, 1e22), Interface(1e-22, 0.0, 1e22)),
    )
    target = solve(limit, {"phi": phi}).torque[:, 1]
    errors = []
    for lam in (1e-12, 1e-13):
        diffusive = valve(
            Layer("F", DiffusiveFerromagnet("Co", co_rho, co_beta, co_lsf, lam, lam), 5e-9, (0, 1, 0)), (None, None)
        )
        got = solve(diffusive, {"phi": phi}).torque[:, 1]
        errors.append(np.max(np.abs(got - target)) / np.max(np.abs(target)))
    assert errors[1] < 1e-3 and errors[0] / errors[1] > 5  # converges as lambda -> 0


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(thickness=-1e-9), "thickness"),
        (dict(thickness=0.0), "thickness"),
        (dict(lambda_j=0.0), "lambda_j"),
        (dict(lambda_phi=np.nan), "lambda_phi"),
        (dict(lambda_sf_f=-1.0), "lambda_sf_f"),
        (dict(lambda_sf_n=np.inf), "lambda_sf_n"),
        (dict(diffusion_ratio=0.0), "diffusion_ratio"),
        (dict(j0=complex(np.nan, 0)), "j0"),
        (dict(method="exact"), "method"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, word):
    args = dict(thickness=2e-9, lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=15e-9, lambda_sf_n=2e-9)
    args.update(kwargs)
    thickness = args.pop("thickness")
    with pytest.raises(ValueError, match=word):
        mtj.electrode_torque(thickness, **args)
