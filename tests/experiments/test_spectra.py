"""Spectra and PIMM against independent references: the analytic transform of the Hann window (Harris 1978),
Parseval, an analytic Lorentzian, Kittel's formula and the linear Gilbert decay rate of an in-plane film, the
orbit frequency from zero crossings, the resistance of Louis Eq. 65, and the thermal broadening of a spin-torque
oscillator."""

import numpy as np
import pytest
from scipy import signal as sps
from scipy.optimize import brentq

from fastspin.constants import GAMMA_E, MU0
from fastspin.dynamics import MTJ, FreeLayer, Pulse, System, simulate, trajectories
from fastspin.experiments.spectra import pimm, power_spectrum, spectral_line, spectrum

FILM = dict(ms=8e5, thickness=2e-9, anisotropy_field=5e-3)  # in-plane film, easy axis x, mu0 Ms = 1.005 T
STO = dict(current_density=3.5e10, field=(0.05, 0.0, 0.0), m0=(np.cos(0.5), np.sin(0.5), 0.0))


def _hann_fwhm_bins(length):
    """FWHM of |W(f)|^2 of the periodic Hann window of ``length`` points, in bins fs/length, from its DTFT."""
    w = sps.get_window("hann", length)
    n = np.arange(length)

    def power(bins):
        return abs(np.sum(w * np.exp(-2j * np.pi * bins * n / length))) ** 2

    return 2.0 * brentq(lambda b: power(b) - 0.5 * power(0.0), 0.1, 1.5)


def test_sinusoid_gives_its_frequency_the_window_linewidth_and_its_power():
    """Two sinusoids off the bin grid, Welch with 8 Hann segments of L = 2048: peak within 0.01 bin (measured
    2e-4), FWHM = the window's 1.4406 bins (Harris: 1.44) within 0.3 % (measured +0.05 %), power A^2/2 within
    0.1 % (measured 2e-6)."""
    fs, n, segments = 1e11, 2**14, 8
    t = np.arange(n) / fs
    f0, amplitude = np.array([7.3123e9, 12.77e9]), np.array([0.3, 1.0])
    x = amplitude[:, None] * np.cos(2 * np.pi * f0[:, None] * t + 0.4)
    frequency, psd = power_spectrum(t, x, segments=segments)
    line = spectral_line(frequency, psd)
    bin_width = fs / (n // segments)
    fwhm = _hann_fwhm_bins(n // segments)
    assert fwhm == pytest.approx(1.44, abs=0.005)
    np.testing.assert_allclose((line["peak_frequency"] - f0) / bin_width, 0.0, atol=0.01)
    np.testing.assert_allclose(line["linewidth"] / bin_width, fwhm, rtol=3e-3)
    np.testing.assert_allclose(line["power"], amplitude**2 / 2, rtol=1e-3)
    one = spectral_line(*power_spectrum(t, x[1], segments=1))  # a single windowed FFT: 8 times finer
    assert one["linewidth"].iloc[0] == pytest.approx(fwhm * bin_width / segments, rel=3e-3)


def test_psd_integrates_to_the_variance_and_a_lorentzian_gives_its_width():
    """Parseval: white noise integrates to its variance for any window and segmentation; an analytic
    Lorentzian (with a stronger line outside the band) gives its centre and FWHM inside the band."""
    rng = np.random.default_rng(3)
    t = np.arange(2**15) * 1e-12
    noise = rng.normal(0.0, 0.2, (3, t.size))
    for window, segments in (("hann", 16), ("boxcar", 1), ("blackman", 4)):
        frequency, psd = power_spectrum(t, noise, window=window, segments=segments, oversample=2)
        np.testing.assert_allclose(spectral_line(frequency, psd)["power"], noise.var(axis=1), rtol=0.02)
    f = np.linspace(0.0, 20e9, 20001)
    lorentz = 1.0 / (1.0 + ((f - 6.1234e9) / 0.15e9) ** 2) + 3.0 / (1.0 + ((f - 15e9) / 0.1e9) ** 2)
    line = spectral_line(f, lorentz, band=(2e9, 10e9)).iloc[0]
    assert line["peak_frequency"] == pytest.approx(6.1234e9, rel=1e-6)
    assert line["linewidth"] == pytest.approx(0.3e9, rel=1e-3)  # measured +4e-4: the far line's tail
    assert spectral_line(f, lorentz)["peak_frequency"].iloc[0] == pytest.approx(15e9, rel=1e-6)


def test_pimm_gives_kittel_and_the_gilbert_decay_rate():
    """In-plane film, bias B = 20, 50, 100 mT along the easy axis (alpha = 0.01; 0.02 at 50 mT), 0.5 mT
    transverse step, from a start 0.5 rad off the equilibrium (the overdamped relaxation finds it), with
    H1 = B + B_k, H2 = H1 + mu0 Ms:

    * Kittel f = (gamma/2pi) sqrt(H1 H2) within 0.5 % (measured -0.06, -0.03, -0.02, -0.13 %) and the first-order
      Gilbert rate 1/tau = alpha gamma (H1 + H2)/2 within 2 % (measured -0.01 ... -0.04 %);
    * the exact linear rates (K), (G) of fastspin.experiments.spectra, whose alpha^2 terms are those deviations,
      within 2e-4 (measured 3e-5 at most);
    * the FFT peak within 0.5 % of Kittel (measured 0.02 % at most) and its FWHM 1/(pi tau) within 5 % (measured
      +1.9 % at 20 mT, where the 5 ns record is 4.6 tau, down to -0.04 %)."""
    b = np.array([0.02, 0.05, 0.1, 0.05])
    alpha = np.array([0.01, 0.01, 0.01, 0.02])
    layer = FreeLayer(**FILM, alpha=alpha)
    frame = pimm(
        layer,
        field=np.stack([b, 0 * b, 0 * b], axis=1),
        field_step=(0.0, 5e-4, 0.0),
        m0=(np.cos(0.5), np.sin(0.5), 0.0),
        duration=5e-9,
        dt=1e-12,
        record_every=2,
    )
    h1 = b + FILM["anisotropy_field"]
    h2 = h1 + MU0 * FILM["ms"]
    kittel = GAMMA_E / (2 * np.pi) * np.sqrt(h1 * h2)
    gilbert = alpha * GAMMA_E * (h1 + h2) / 2
    assert (frame["relax_residual"] < 1e-9).all()
    np.testing.assert_allclose(frame["frequency"], kittel, rtol=5e-3)
    np.testing.assert_allclose(frame["decay_rate"], gilbert, rtol=0.02)
    np.testing.assert_allclose(frame["linewidth"], gilbert / np.pi, rtol=0.02)
    exact_rate = gilbert / (1 + alpha**2)
    exact_frequency = GAMMA_E / (2 * np.pi) * np.sqrt(h1 * h2 - alpha**2 * (h1 - h2) ** 2 / 4) / (1 + alpha**2)
    np.testing.assert_allclose(frame["frequency"], exact_frequency, rtol=2e-4)
    np.testing.assert_allclose(frame["decay_rate"], exact_rate, rtol=2e-4)
    np.testing.assert_allclose(frame["fft_frequency"], kittel, rtol=5e-3)
    np.testing.assert_allclose(frame["fft_linewidth"], gilbert / np.pi, rtol=0.05)
    assert (frame["fit_residual"] < 1e-3).all()
    assert (frame["frequency_error"] < 1e-4 * frame["frequency"]).all()
    np.testing.assert_allclose(frame["offset"], 5e-4 / h1, rtol=0.01)  # the new equilibrium tilt m_y = dB/H1
    assert list(frame["alpha"]) == list(alpha) and list(frame["field_x"]) == list(b)


def test_pimm_pulse_and_system_give_the_same_ring_down():
    """A 20 ps out-of-plane pulse, fitted from its end, and a one-magnet System (magnet named) ring down at the
    step's frequency and rate."""
    layer = FreeLayer(**FILM, alpha=0.01, name="free")
    step = pimm(layer, field=(0.05, 0.0, 0.0), field_step=(0.0, 5e-4, 0.0), duration=5e-9, dt=1e-12)
    pulse = pimm(layer, field=(0.05, 0.0, 0.0), field_pulse=Pulse((0.0, 0.0, 5e-3), 20e-12), duration=5e-9, dt=1e-12)
    system = pimm(
        System([layer]),
        field=(0.05, 0.0, 0.0),
        field_step=(0.0, 5e-4, 0.0),
        m0={"free": (1, 0, 0)},
        magnet="free",
        duration=5e-9,
        dt=1e-12,
    )
    for other in (pulse, system):
        assert other["frequency"].iloc[0] == pytest.approx(step["frequency"].iloc[0], rel=1e-3)
        assert other["decay_rate"].iloc[0] == pytest.approx(step["decay_rate"].iloc[0], rel=1e-3)
    assert pulse["pulse_z"].iloc[0] == 5e-3 and pulse["pulse_width"].iloc[0] == 20e-12


@pytest.mark.compiled
def test_sto_linewidth_is_resolution_limited_at_zero_temperature_and_grows_with_temperature():
    """A 100 x 100 nm^2 in-plane STO (J = 3.5e10 A/m^2, 1.3 times threshold, in_plane_precession), 1 us of
    m_y in 32 Hann segments (31.25 ns, 32 MHz bins): at T = 0 the peak is the orbit frequency from the upward
    zero crossings of m_y (1e-4; same integrator) and the FWHM the window's 1.44 bins (1 %; measured +0.06 %);
    three seeds per temperature: measured 99-146 MHz at 50 K and 193-428 MHz at 300 K: every 50 K line wider
    than 2 bins and narrower than every 300 K line."""
    layer = FreeLayer(**FILM, alpha=0.01, area=1e-14)
    assert simulate(layer, **STO, duration=100e-9, dt=1e-12)["state"].iloc[0] == "in_plane_precession"
    t, m = trajectories(layer, **STO, duration=100e-9, dt=1e-12, method="heun")
    y = m[0, t > 50e-9, 1]
    up = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
    crossings = t[t > 50e-9][up] + 1e-12 * y[up] / (y[up] - y[up + 1])
    orbit_frequency = (len(crossings) - 1) / (crossings[-1] - crossings[0])
    temperature = np.repeat([0.0, 50.0, 300.0], 3)
    frame = spectrum(
        layer,
        **STO,
        temperature=temperature,
        method="heun",
        seed=1,
        duration=1e-6,
        transient=30e-9,
        dt=1e-12,
        record_every=5,
        component="y",
        segments=32,
    )
    resolution = frame["resolution"].iloc[0]
    assert resolution == pytest.approx(32e6, rel=1e-3)
    cold = frame[frame["temperature"] == 0.0].iloc[0]
    assert cold["peak_frequency"] == pytest.approx(orbit_frequency, rel=1e-4)
    assert cold["linewidth"] == pytest.approx(_hann_fwhm_bins(1250) * resolution, rel=0.01)
    mild = frame.loc[frame["temperature"] == 50.0, "linewidth"]
    hot = frame.loc[frame["temperature"] == 300.0, "linewidth"]
    assert mild.min() > 2 * resolution and mild.max() < hot.min()
    assert (frame["current_density"] == STO["current_density"]).all() and frame.attrs["seed"] == 1


@pytest.mark.compiled
def test_voltage_of_a_current_biased_mtj_and_the_long_psd_frame():
    """V = J A R(p.m) (Louis Eq. 65): the symmetric in-plane orbit puts m_x, hence V, at twice the m_y
    frequency; its power is the variance of R_perp / (1 + eta^2 m_x) J A from the recorded m; the long frame
    integrates to the power."""
    layer = FreeLayer(**FILM, alpha=0.01, area=1e-14)
    mtj = MTJ(r_p=100.0, r_ap=200.0)
    run = dict(STO, duration=200e-9, transient=50e-9, dt=1e-12, record_every=5, segments=4)
    volts, spectra = spectrum(layer, **run, signal="voltage", mtj=mtj, psd=True)
    magnet = spectrum(layer, **run, component="y", mtj=mtj)
    assert volts["peak_frequency"].iloc[0] == pytest.approx(2 * magnet["peak_frequency"].iloc[0], rel=2e-3)
    t, m = trajectories(
        layer,
        current_density=STO["current_density"],
        field=STO["field"],
        m0=STO["m0"],
        duration=250e-9,
        dt=1e-12,
        record_every=5,
        mtj=mtj,
    )
    eta2 = (200.0 - 100.0) / 300.0
    v = STO["current_density"] * 1e-14 * (2 * 200.0 * 100.0 / 300.0) / (1 + eta2 * m[0, t >= 50e-9 - 1e-21, 0])
    assert volts["power"].iloc[0] == pytest.approx(v.var(), rel=0.02)
    df = spectra["frequency"].iloc[1] - spectra["frequency"].iloc[0]
    assert spectra["psd"].sum() * df == pytest.approx(volts["power"].iloc[0], rel=1e-9)
    assert set(spectra.columns) == {"trajectory", "frequency", "psd"}


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: power_spectrum([0.0, 1.0, 3.0] + list(range(4, 10)), np.zeros(9)), "t"),
        (lambda: power_spectrum(np.arange(64.0), np.zeros(63)), "signal"),
        (lambda: power_spectrum(np.arange(64.0), np.zeros(64), segments=0), "segments"),
        (lambda: power_spectrum(np.arange(64.0), np.zeros(64), segments=16), "segments"),
        (lambda: power_spectrum(np.arange(64.0), np.zeros(64), window="nonsense"), "window"),
        (lambda: power_spectrum(np.arange(64.0), np.zeros(64), oversample=1.5), "oversample"),
        (lambda: spectral_line(np.arange(8.0), np.ones(8), band=(5.0, 2.0)), "band"),
        (lambda: spectral_line(np.arange(8.0)[::-1], np.ones(8)), "frequency"),
        (lambda: spectral_line(np.arange(8.0), np.ones(7)), "psd"),
        (lambda: spectrum(FreeLayer(**FILM, alpha=0.01), duration=1e-9, dt=1e-12, signal="current"), "signal"),
        (lambda: spectrum(FreeLayer(**FILM, alpha=0.01), duration=1e-9, dt=1e-12, component="w"), "component"),
        (lambda: spectrum(FreeLayer(**FILM, alpha=0.01), duration=1e-9, dt=1e-12, transient=-1.0), "transient"),
        (lambda: spectrum(FreeLayer(**FILM, alpha=0.01), duration=1e-9, dt=1e-12, signal="voltage"), "mtj"),
        (lambda: spectrum(FreeLayer(**FILM, alpha=0.01), duration=1e-9, dt=1e-12, magnet="free"), "magnet"),
        (lambda: spectrum("layer", duration=1e-9, dt=1e-12), "device"),
        (lambda: pimm(FreeLayer(**FILM, alpha=0.01), field=(0.05, 0, 0), duration=1e-9, dt=1e-12), "field_step"),
        (
            lambda: pimm(
                FreeLayer(**FILM, alpha=0.01), field=(0.05, 0, 0), field_step=(0, 0, 0), duration=1e-9, dt=1e-12
            ),
            "field_step",
        ),
        (
            lambda: pimm(
                FreeLayer(**FILM, alpha=0.01), field=(0.05, 0, 0), field_pulse=(0, 1e-3, 0), duration=1e-9, dt=1e-12
            ),
            "field_pulse",
        ),
        (
            lambda: pimm(
                FreeLayer(**FILM, alpha=0.01), field=(0.05, 0), field_step=(0, 1e-3, 0), duration=1e-9, dt=1e-12
            ),
            "field",
        ),
        (
            lambda: pimm(
                FreeLayer(**FILM, alpha=0.01),
                field=(0.05, 0, 0),
                field_step=(0, 1e-3, 0),
                duration=1e-9,
                dt=1e-12,
                relax_damping=0.0,
            ),
            "relax_damping",
        ),
        (
            lambda: pimm(
                FreeLayer(**FILM, alpha=0.01), field=(0.05, 0, 0), field_step=(1e-3, 0, 0), duration=1e-9, dt=1e-12
            ),
            "parallel",
        ),
        (
            lambda: pimm(
                System([FreeLayer(**FILM, alpha=0.01, name="free")]),
                field=(0.05, 0, 0),
                field_step=(0, 1e-3, 0),
                duration=1e-9,
                dt=1e-12,
            ),
            "m0",
        ),
    ],
)
def test_bad_input_raises_a_one_line_value_error_naming_it(call, name):
    with pytest.raises(ValueError, match=name) as info:
        call()
    assert "\n" not in str(info.value)


@pytest.mark.compiled
def test_command_lines_write_tables_and_figures(tmp_path):
    import pandas as pd

    from fastspin.cli import main

    out = tmp_path / "pimm"
    assert main(["pimm", "--out", str(out), "--field", "20", "80", "3", "--duration", "3"]) == 0
    frame = pd.read_csv(out / "pimm.csv")
    assert np.abs(frame["frequency"] / frame["kittel_frequency"] - 1).max() < 2e-3
    assert np.abs(frame["linewidth"] / frame["gilbert_linewidth"] - 1).max() < 5e-3
    assert (out / "pimm.png").stat().st_size > 0
    out = tmp_path / "sto"
    assert (
        main(
            [
                "spectrum",
                "--out",
                str(out),
                "--current",
                "3.5",
                "4",
                "2",
                "--temperature",
                "0",
                "--duration",
                "100",
                "--segments",
                "4",
            ]
        )
        == 0
    )
    frame = pd.read_csv(out / "spectrum.csv")
    assert len(frame) == 2 and frame["peak_frequency"].between(3e9, 8e9).all()
    for name in ("psd.csv", "spectrum.png", "linewidth.png"):
        assert (out / name).stat().st_size > 0
    assert main(["pimm", "--out", str(out), "--field", "20", "80", "0"]) == 2
