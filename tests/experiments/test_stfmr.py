"""ST-FMR (the spin-torque diode) against the linear response of the Gilbert equation (fastspin.experiments.stfmr):
the Kittel resonance field, the Gilbert linewidth 2 alpha omega / gamma (FWHM in field at fixed frequency), the
ratio S/A = -(a_J / b_J) sqrt(B1 / B2) and the amplitudes of the two Lorentzians; voltage drive of an MTJ against
the equivalent current drive; a System against its single layer; the equilibrium, the decay rate, the lock-in
average, the lineshape fit; the input checks.

Device: an in-plane film (N = (0, 0, 1)), Ms = 8e5 A/m, d = 1.5 nm, alpha = 0.02, B_k = 10 mT along x, 100 nm
diameter, field along the easy axis x, polarizer in the plane at 60 degrees from it; for the field along x
``B1 = B + B_k``, ``B2 = B + B_k + mu0 Ms`` and the Kittel field solves ``omega = gamma sqrt(B1 B2)``.
"""

import numba
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from fastspin.constants import GAMMA_E, MU0
from fastspin.conventions import stt_field_tesla
from fastspin.dynamics import MTJ, FreeLayer, MTJDrive, System
from fastspin.experiments import stfmr
from fastspin.experiments.stfmr import fit_lineshape, lineshape, st_fmr

JIT = not numba.config.DISABLE_JIT
heavy = pytest.mark.skipif(not JIT, reason="batches of 10^2 trajectories x 10^4 RK4 steps need the JIT")

MS, THICKNESS, ALPHA, BK = 8e5, 1.5e-9, 0.02, 0.01
AREA = np.pi * (50e-9) ** 2
THETA0 = np.radians(60.0)
P = (np.cos(THETA0), np.sin(THETA0), 0.0)
JUNCTION = MTJ(100.0, 200.0)
J_RF = 5e8  # a_J = 0.14 mT: in-plane cone below 0.04 rad at resonance (r = 2, 8 GHz): linear response


def _layer(anisotropy_field=BK, alpha=ALPHA, area=AREA):
    return FreeLayer(MS, THICKNESS, alpha, anisotropy_field=anisotropy_field, area=area, name="free")


def _stiffness(frequency):
    """``(w, B1, B2)`` at the Kittel resonance: ``w = omega/gamma``, ``B1 B2 = w^2``, ``B2 = B1 + mu0 Ms``."""
    w = 2 * np.pi * np.asarray(frequency) / GAMMA_E
    b1 = -MU0 * MS / 2 + np.sqrt((MU0 * MS / 2) ** 2 + w**2)
    return w, b1, b1 + MU0 * MS


def _sweeps(frequency, anisotropy_field=BK, points=41):
    """Fields B_r +- 8 half widths around each Kittel resonance (one row per frequency)."""
    w, b1, _ = _stiffness(frequency)
    return (b1 - anisotropy_field)[:, None] + np.linspace(-8, 8, points)[None, :] * ALPHA * w[:, None]


@heavy
@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0])
def test_resonance_linewidth_and_lineshape_follow_the_linear_response(ratio):
    """8, 11, 14 GHz, field-like ratio b_J/a_J = r: the fitted resonance field is the Kittel field, the FWHM is
    2 alpha omega / gamma, S/A = -sqrt(B1/B2) / r (module docstring, Eq. R), and the amplitudes are those of the
    linearised Gilbert equation, S = -I_rf R' p1^2 a_J / (2 alpha (B1 + B2)), A = I_rf R' p1^2 b_J B2 /
    (2 alpha w (B1 + B2)) with R' = dR/dcos(theta) (Louis Eq. 65) and p1 = sin(theta0).  Measured: resonance
    field within 2.9e-4, linewidth within 1.8e-4, S/A within 4.9e-4, S within 4.1e-4, A within 1e-4 (the largest
    at r = 2, where the field-like torque widens the cone)."""
    frequency = np.array([8e9, 11e9, 14e9])
    frame = st_fmr(
        _layer(),
        frequency=frequency,
        field=_sweeps(frequency),
        rf_current_density=J_RF,
        field_direction=(1, 0, 0),
        polarization=P,
        field_like_ratio=ratio,
        mtj=JUNCTION,
    )
    assert frame.shape == (3 * 41, 4)
    fit = fit_lineshape(frame)
    w, b1, b2 = _stiffness(frequency)
    np.testing.assert_allclose(fit["frequency"], frequency)
    np.testing.assert_allclose(fit["resonance_field"], b1 - BK, rtol=1e-3)
    np.testing.assert_allclose(fit["linewidth"], 2 * ALPHA * w, rtol=1e-3)
    np.testing.assert_allclose(fit["ratio"], -np.sqrt(b1 / b2) / ratio, rtol=2e-3)
    a_j = stt_field_tesla(J_RF, MS, THICKNESS)
    slope = -JUNCTION.r_perp * JUNCTION.eta**2 / (1 + JUNCTION.eta**2 * np.cos(THETA0)) ** 2
    prefactor = J_RF * AREA * slope * np.sin(THETA0) ** 2 / (2 * ALPHA * (b1 + b2))
    np.testing.assert_allclose(fit["symmetric"], -prefactor * a_j, rtol=1e-3)
    np.testing.assert_allclose(fit["antisymmetric"], prefactor * ratio * a_j * b2 / w, rtol=1e-3)


@heavy
def test_default_field_direction_is_45_degrees_from_the_polarizer_in_the_plane():
    """Without anisotropy the equilibrium follows the field, at 45 degrees from p = x: the line at 10 GHz sits at
    the Kittel field B1 = B (B_k = 0) with the Gilbert width, and S/A = -sqrt(B1/B2)/r with p1 = sin 45 degrees
    (measured: within 1e-5, 3e-5 and 9e-5)."""
    frequency = np.array([10e9])
    frame = st_fmr(
        _layer(anisotropy_field=0.0),
        frequency=frequency,
        field=_sweeps(frequency, 0.0),
        rf_current_density=J_RF,
        field_like_ratio=0.5,
        mtj=JUNCTION,
    )
    np.testing.assert_allclose(frame.attrs["field_direction"], (np.sqrt(0.5), np.sqrt(0.5), 0.0), rtol=1e-15)
    fit = fit_lineshape(frame)
    w, b1, b2 = _stiffness(frequency)
    np.testing.assert_allclose(fit["resonance_field"], b1, rtol=1e-3)
    np.testing.assert_allclose(fit["linewidth"], 2 * ALPHA * w, rtol=1e-3)
    np.testing.assert_allclose(fit["ratio"], -np.sqrt(b1 / b2) / 0.5, rtol=2e-3)


@pytest.fixture(scope="module")
def voltage_sweep():
    """Voltage drive of the MTJ at 9 GHz, V_rf = 1 mV (a_J = 0.15 mT), b_J = 0.5 a_J."""
    if not JIT:
        pytest.skip("needs the JIT")
    frequency = np.array([9e9])
    return st_fmr(
        _layer(),
        frequency=frequency,
        field=_sweeps(frequency),
        rf_voltage=1e-3,
        field_direction=(1, 0, 0),
        polarization=P,
        field_like_ratio=0.5,
        mtj=JUNCTION,
    )


def test_voltage_drive_equals_the_equivalent_current_drive(voltage_sweep):
    """At fixed bias the MTJ torque is a_J = hbar eta V / (2|e| R_perp Ms V_o) (Louis Eq. 69), the current drive's
    with efficiency eta / (1 + eta^2 cos theta0) at J = V / (R0 A): same dynamics, and V_mix = -<V G>/<G> (Eq. V)
    equals <I R> (Eq. M) to second order in dR/R (measured 1.2e-5 of the peak); the line obeys Kittel, Gilbert and
    Eq. R (measured 2e-5, 3e-5, 5e-5)."""
    r0 = float(JUNCTION.resistance(np.cos(THETA0)))
    efficiency = JUNCTION.eta / (1 + JUNCTION.eta**2 * np.cos(THETA0))
    current = st_fmr(
        _layer(),
        frequency=[9e9],
        field=voltage_sweep["field"].to_numpy(),
        rf_current_density=1e-3 / (r0 * AREA),
        efficiency=efficiency,
        field_direction=(1, 0, 0),
        polarization=P,
        field_like_ratio=0.5,
        mtj=JUNCTION,
    )
    peak = voltage_sweep["v_mix"].abs().max()
    assert np.abs(voltage_sweep["v_mix"] - current["v_mix"]).max() < 1e-4 * peak
    np.testing.assert_allclose(voltage_sweep["resistance"], r0, rtol=1e-4)
    fit = fit_lineshape(voltage_sweep)
    w, b1, b2 = _stiffness(np.array([9e9]))
    np.testing.assert_allclose(fit["resonance_field"], b1 - BK, rtol=1e-3)
    np.testing.assert_allclose(fit["linewidth"], 2 * ALPHA * w, rtol=1e-3)
    np.testing.assert_allclose(fit["ratio"], -np.sqrt(b1 / b2) / 0.5, rtol=2e-3)


def test_system_with_an_mtj_drive_equals_the_single_layer(voltage_sweep):
    """The same junction as a System (MTJDrive against a fixed vector), started at its equilibrium (along the
    easy axis and the field) with the same transient: the same V_mix and resistance (measured: bitwise equal)."""
    system = System([_layer()], [MTJDrive("free", P, JUNCTION, field_like_ratio=0.5)])
    frame = st_fmr(
        system,
        frequency=[9e9],
        field=voltage_sweep["field"].to_numpy(),
        rf_voltage=1e-3,
        field_direction=(1, 0, 0),
        m0={"free": (1, 0, 0)},
        settle=voltage_sweep.attrs["settle"],
    )
    assert frame.attrs == voltage_sweep.attrs
    np.testing.assert_allclose(frame["v_mix"], voltage_sweep["v_mix"], rtol=1e-12)
    np.testing.assert_allclose(frame["resistance"], voltage_sweep["resistance"], rtol=1e-12)


def test_equilibrium_in_a_tilted_field_solves_the_torque_balance():
    """Field at 70 degrees to the easy axis in the plane: the equilibrium angle phi solves
    B sin(phi - phi_B) + (B_k / 2) sin(2 phi) = 0 (brentq), 300 fields from 1 mT to 0.3 T."""
    layer = _layer(anisotropy_field=0.02)
    phi_b = np.radians(70.0)
    b = np.linspace(0.001, 0.3, 300)
    along = np.array([np.cos(phi_b), np.sin(phi_b), 0.0])
    m = stfmr._equilibrium(layer, b[:, None] * along, np.broadcast_to(along, (b.size, 3)))
    phi = [brentq(lambda x, bb=bb: bb * np.sin(x - phi_b) + 0.01 * np.sin(2 * x), 0.0, phi_b) for bb in b]
    np.testing.assert_allclose(np.arctan2(m[:, 1], m[:, 0]), phi, rtol=0, atol=1e-10)
    np.testing.assert_allclose(m[:, 2], 0.0, atol=1e-12)


def test_decay_rate_is_the_real_part_of_the_linearised_gilbert_eigenvalues():
    """At the equilibria of the tilted field, -Re(lambda) of the Jacobian of dm/dt = -gamma/(1 + alpha^2)
    [m x B + alpha m x (m x B)] on the tangent plane (central differences) is Gamma = alpha gamma (B1 + B2) /
    (2 (1 + alpha^2)), the decay rate behind the default transient."""
    layer = _layer(anisotropy_field=0.02)
    along = np.array([np.cos(np.radians(70.0)), np.sin(np.radians(70.0)), 0.0])
    field = np.array([0.005, 0.05, 0.3])[:, None] * along
    m0 = stfmr._equilibrium(layer, field, np.broadcast_to(along, field.shape))
    gamma_ll = GAMMA_E / (1 + ALPHA**2)

    def rate(m, k):
        b = layer.effective_field(m, field[k])
        return -gamma_ll * (np.cross(m, b) + ALPHA * np.cross(m, np.cross(m, b)))

    for k in range(3):
        e1 = np.cross((0.0, 0.0, 1.0), m0[k])
        e1 /= np.linalg.norm(e1)
        basis = (e1, np.cross(m0[k], e1))
        h = 1e-6
        jac = np.empty((2, 2))
        for j, e in enumerate(basis):
            plus, minus = m0[k] + h * e, m0[k] - h * e
            diff = rate(plus / np.linalg.norm(plus), k) - rate(minus / np.linalg.norm(minus), k)
            jac[:, j] = [diff @ basis[0] / (2 * h), diff @ basis[1] / (2 * h)]
        eigenvalues = np.linalg.eigvals(jac)
        np.testing.assert_allclose(-eigenvalues.real, stfmr._decay_rate(layer, m0[k], field[k]), rtol=1e-6)


def test_lock_in_averages_over_whole_periods_of_a_non_commensurate_grid():
    """Samples every 3.7 ps over 3.7 ns (3.3, 7.1, 13.9 GHz, 19 to 82 samples per period): <sin^2> = 1/2,
    <sin> = 0 and <sin cos> = 0 within 1e-5 (measured: largest 1.2e-6, at 13.9 GHz)."""
    t = np.arange(1001) * 3.7e-12
    frequency = np.array([3.3e9, 7.1e9, 13.9e9])
    average = stfmr._lock_in(t, frequency)
    arg = 2 * np.pi * frequency[:, None, None] * t + 0.3
    np.testing.assert_allclose(average(np.sin(arg) ** 2), 0.5, rtol=0, atol=1e-5)
    np.testing.assert_allclose(average(np.sin(arg)), 0.0, atol=1e-5)
    np.testing.assert_allclose(average(np.sin(arg) * np.cos(arg)), 0.0, atol=1e-5)
    np.testing.assert_allclose(average(np.ones_like(arg)), 1.0, rtol=1e-13)


def test_fit_recovers_the_parameters_of_the_lineshape():
    """Two sweeps of Eq. L with known B0, dB, S, A, V0 (one unevenly sampled): recovered to 1e-6; with 1 % noise
    the true values lie within 4 standard errors."""
    rng = np.random.default_rng(3)
    b1 = np.linspace(0.05, 0.15, 61)
    b2 = np.sort(rng.uniform(0.2, 0.4, 80))
    truth = {1e9: (0.1, 0.004, 2e-6, -3e-6, 1e-8), 2e9: (0.31, 0.01, -1e-6, 0.5e-6, -2e-8)}
    frame = pd.DataFrame({"frequency": np.repeat([1e9, 2e9], [61, 80]), "field": np.concatenate([b1, b2])})
    frame["v_mix"] = [lineshape(b, *truth[f]) for f, b in zip(frame["frequency"], frame["field"])]
    fit = fit_lineshape(frame)
    for row in fit.itertuples():
        b0, half_width, s, a, offset = truth[row.frequency]
        np.testing.assert_allclose(
            [row.resonance_field, row.linewidth, row.symmetric, row.antisymmetric, row.ratio],
            [b0, 2 * half_width, s, a, s / a],
            rtol=1e-6,
        )
        np.testing.assert_allclose(row.offset, offset, rtol=0, atol=1e-6 * abs(s))
    scale = frame.groupby("frequency")["v_mix"].transform(lambda x: x.abs().max())
    frame["v_mix"] += 0.01 * scale * rng.normal(size=len(frame))
    noisy = fit_lineshape(frame)
    for row in noisy.itertuples():
        b0, half_width, s, a, _ = truth[row.frequency]
        for value, err, expected in (
            (row.resonance_field, row.resonance_field_err, b0),
            (row.linewidth, row.linewidth_err, 2 * half_width),
            (row.ratio, row.ratio_err, s / a),
        ):
            assert abs(value - expected) < 4 * err


def test_a_sweep_whose_fit_fails_gets_nan_and_the_others_are_fitted(monkeypatch):
    real = stfmr.curve_fit

    def failing(f, x, y, **kwargs):
        if x.min() > 0.15:
            raise RuntimeError("Optimal parameters not found")
        return real(f, x, y, **kwargs)

    monkeypatch.setattr(stfmr, "curve_fit", failing)
    b = np.linspace(0.05, 0.15, 41)
    frame = pd.DataFrame({"frequency": np.repeat([1e9, 2e9], 41), "field": np.concatenate([b, b + 0.2])})
    frame["v_mix"] = lineshape(frame["field"], 0.1, 0.005, 1.0, 0.5) + lineshape(frame["field"], 0.3, 0.005, 1.0, 0.5)
    fit = fit_lineshape(frame).set_index("frequency")
    assert list(fit.columns) == list(stfmr.FIT_COLUMNS)
    np.testing.assert_allclose(fit.loc[1e9, "resonance_field"], 0.1, rtol=1e-3)
    assert fit.loc[2e9].isna().all()


def _valid(**changes):
    kwargs = dict(frequency=10e9, field=np.linspace(0.1, 0.2, 11), rf_current_density=1e9, mtj=JUNCTION)
    kwargs.update(changes)
    return kwargs


@pytest.mark.parametrize(
    "device, changes, name",
    [
        ("layer", {}, "device"),
        (None, dict(frequency=-1e9), "frequency"),
        (None, dict(frequency=[1e10, 1e10]), "frequency"),
        (None, dict(field=np.ones((2, 5))), "field"),
        (None, dict(field=[0.1, np.nan]), "field"),
        (None, dict(rf_current_density=None), "rf_current_density"),
        (None, dict(rf_voltage=1e-3), "rf_voltage"),
        (None, dict(rf_current_density=0.0), "rf_current_density"),
        (None, dict(rf_current_density=None, rf_voltage=[1e-3, 2e-3]), "rf_voltage"),
        (None, dict(field_direction=(0, 0, 0)), "field_direction"),
        (None, dict(field_direction=[(1, 0, 0), (0, 1, 0)]), "field_direction"),
        (None, dict(polarization=(0, 0, 1)), "field_direction"),
        (None, dict(polarization=[P, P]), "polarization"),
        (None, dict(samples_per_period=3), "samples_per_period"),
        (None, dict(dt=1e-10), "dt"),
        (None, dict(window=1e-11), "window"),
        (None, dict(settle=-1e-9), "settle"),
        (None, dict(m0=np.ones((3, 3))), "m0"),
        (None, dict(mtj=None), "mtj"),
        (_layer(area=None), {}, "area"),
        (_layer(alpha=0.0), {}, "settle"),
        ("system", dict(mtj=None, field_direction=None, m0={"free": (1, 0, 0)}), "field_direction"),
        ("system", dict(mtj=None, field_direction=(1, 0, 0), m0={"free": (1, 0, 0)}, polarization=P), "polarization"),
        ("system", dict(mtj=None, field_direction=(1, 0, 0)), "m0"),
    ],
)
def test_bad_input_gives_a_one_line_error_naming_the_parameter(device, changes, name):
    if isinstance(device, str) and device == "system":
        device = System([_layer()], [MTJDrive("free", P, JUNCTION)])
    elif device is None:
        device = _layer()
    with pytest.raises(ValueError, match=name) as info:
        st_fmr(device, **_valid(**changes))
    assert "\n" not in str(info.value)


def test_fit_rejects_frames_it_cannot_fit():
    frame = pd.DataFrame({"frequency": 1e9, "field": np.linspace(0, 1, 5), "v_mix": 0.0})
    with pytest.raises(ValueError, match="6 distinct field"):
        fit_lineshape(frame)
    with pytest.raises(ValueError, match="no column 'v_mix'"):
        fit_lineshape(frame.drop(columns="v_mix"))


@pytest.mark.compiled
def test_command_line_writes_the_map_its_fits_and_the_figure(tmp_path):
    from fastspin.cli import main

    out = tmp_path / "fmr"
    assert main(["st-fmr", "--out", str(out), "--frequency", "8", "16", "2", "--field", "20", "300", "80"]) == 0
    fit = pd.read_csv(out / "fit.csv")
    gilbert = 2 * 0.015 * 2 * np.pi * fit["frequency"] / GAMMA_E  # FWHM 2 alpha omega / gamma, the field at 45 deg
    np.testing.assert_allclose(fit["linewidth"], gilbert, rtol=0.03)
    assert len(pd.read_csv(out / "v_mix.csv")) == 160 and (out / "st_fmr.png").stat().st_size > 0
    assert main(["st-fmr", "--out", str(out), "--frequency", "8", "16", "0"]) == 2
