"""Spectra of macrospin dynamics: power spectral densities (spin-torque oscillators at temperature) and
pulsed-inductive microwave magnetometry (PIMM).  One tidy DataFrame out of each call.

Power spectral density (:func:`power_spectrum`)
-----------------------------------------------
Welch's method (Welch, IEEE Trans. Audio Electroacoust. 15, 70 (1967)) as in :func:`scipy.signal.welch`: the
record of ``n`` samples (interval ``dt``, ``fs = 1/dt``) is cut into segments of ``L = n // segments`` samples
overlapping by half (``2 segments - 1`` of them), each has its mean removed, is multiplied by the window ``w``
and zero-padded to ``oversample * L`` points; the one-sided density averaged over the segments is

    S(f_k) = c_k |sum_j w_j x_j exp(-2 pi i f_k j dt)|^2 / (fs sum_j w_j^2),    c_k = 2 (1 at 0 and fs/2),   (P)

in (signal unit)^2/Hz, on the grid ``f_k = k fs / (oversample L)``.  By Parseval, ``sum_k S(f_k) df`` is the
window-weighted variance of the signal: a sinusoid ``A cos(2 pi f0 t)`` integrates to ``A^2/2``, white noise
to its variance.  ``segments=1`` is the single windowed FFT (periodogram).  Zero-padding only samples the
same spectrum more finely; the resolution stays ``fs / L``.

Spectral line (:func:`spectral_line`)
-------------------------------------
The peak frequency is the maximum of ``S`` refined by the parabola through it and its two neighbours; the
linewidth is the full width at half of that maximum, the half-maximum crossings interpolated linearly on
both sides; the power is ``sum S df`` (over the ``band`` if one is given).  A pure sinusoid gives the window's
own width: the FWHM of ``|W(f)|^2``, 1.44 bins ``fs / L`` for the Hann window (Harris, Proc. IEEE 66, 51
(1978), Table 1, "3.0-dB bandwidth").  A Lorentzian line of FWHM ``Delta f`` wider than that gives
``Delta f``.  The linewidth of an auto-oscillator (a spin-torque oscillator) at temperature ``T`` grows
with ``T``, linearly at low ``T`` (Kim, Tiberkevich and Slavin, Phys. Rev. Lett. 100, 017207 (2008)).

PIMM (:func:`pimm`)
-------------------
A macrospin at an equilibrium with the principal stiffness fields ``H1, H2`` (tesla: the eigenvalues of the
tangent-plane Hessian of ``E/(Ms V)``) obeys, linearised, the Gilbert equation
``dm/dt = -gamma m x B_eff + alpha m x dm/dt`` with ``(m x B_eff) = (H2 m2, -H1 m1)`` in the transverse
coordinates ``(m1, m2)``.  Solutions ``exp(lambda t)`` have

    (1 + alpha^2) lambda^2 + alpha gamma (H1 + H2) lambda + gamma^2 H1 H2 = 0,

so a free ring-down is ``m1(t) = exp(-t/tau) (a cos 2 pi f t + b sin 2 pi f t)`` with

    1/tau = alpha gamma (H1 + H2) / (2 (1 + alpha^2)),                                                   (G)
    2 pi f = gamma sqrt(H1 H2 - alpha^2 (H1 - H2)^2 / 4) / (1 + alpha^2)  ~  gamma sqrt(H1 H2)          (K)

(Smit-Beljers / Kittel at first order in alpha).  For an in-plane film (demag (0, 0, 1)) with the field ``B``
along its easy axis, ``H1 = B + B_k``, ``H2 = B + B_k + mu0 Ms``: Kittel's
``f = (gamma / 2 pi) sqrt((B + B_k)(B + B_k + mu0 Ms))`` and ``1/tau = alpha gamma (2 B + 2 B_k + mu0 Ms) / 2``.
The power spectrum of ``exp(-t/tau) cos(2 pi f t)`` is a Lorentzian of FWHM ``1 / (pi tau)`` (Hz); the
field-swept FMR linewidth is ``2 alpha omega / gamma`` (T).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import signal as sps
from scipy.optimize import curve_fit

from .. import validation as v
from ..columns import attach_units
from ..dynamics import MTJ, FreeLayer, Pulse, System, trajectories
from ..dynamics.waveforms import Waveform

SIGNALS = ("m", "voltage")
_AXES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}
_SCALAR_INPUTS = (
    "current_density",
    "sot_current_density",
    "voltage",
    "efficiency",
    "field_like_ratio",
    "ac_frequency",
    "temperature",
)
_VECTOR_INPUTS = ("field", "ac_field")
_LAYER_INPUTS = ("ms", "thickness", "alpha", "anisotropy_field", "area")


# ----------------------------------------------------------------------------------------------------------
# spectra of recorded signals


def power_spectrum(
    t: npt.ArrayLike,
    signal: npt.ArrayLike,
    *,
    window: str | tuple[Any, ...] = "hann",
    segments: int = 8,
    oversample: int = 8,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """One-sided power spectral density (P) of real signals sampled at the uniform times ``t`` (s).

    ``signal``: shape (n_t,) or a batch (..., n_t) (the last axis is time).  ``segments``: the record is cut
    into this many pieces of ``L = n_t // segments`` samples, averaged with half overlap (Welch); 1 is a single
    windowed FFT.  ``window``: any :func:`scipy.signal.get_window` name; ``oversample``: zero-padding factor.
    Returns ``(frequency, psd)``: frequency (n_f,) in Hz from 0 to ``fs/2``; psd (..., n_f) in (signal
    unit)^2/Hz, whose sum times the frequency step is the signal's variance.
    """
    t = v.real_array(t, "t")
    if t.ndim != 1 or t.size < 8:
        raise ValueError(f"t must be 1-D with at least 8 samples, got shape {t.shape}")
    step = np.diff(t)
    if step[0] <= 0 or np.any(np.abs(step - step[0]) > 1e-6 * step[0]):
        raise ValueError("t must be increasing and uniformly spaced")
    x = v.real_array(signal, "signal")
    if x.ndim == 0 or x.shape[-1] != t.size:
        raise ValueError(f"signal must have the length of t ({t.size}) on its last axis, got shape {x.shape}")
    segments = v.integer(segments, "segments", 1)
    oversample = v.integer(oversample, "oversample", 1)
    length = t.size // segments
    if length < 8:
        raise ValueError(f"segments ({segments}) leaves {length} samples per segment of the {t.size}; need >= 8")
    try:
        taper = sps.get_window(window, length)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"window must be a scipy.signal.get_window window, got {window!r}") from exc
    frequency, psd = sps.welch(
        x,
        fs=1.0 / step[0],
        window=taper,
        nperseg=length,
        noverlap=length // 2 if segments > 1 else 0,
        nfft=oversample * length,
        detrend="constant",
        return_onesided=True,
        scaling="density",
        axis=-1,
    )
    return frequency, psd


def spectral_line(frequency: npt.ArrayLike, psd: npt.ArrayLike, *, band: npt.ArrayLike | None = None) -> pd.DataFrame:
    """Peak frequency, FWHM linewidth and integrated power of every spectrum of a batch (see the module
    docstring).

    ``frequency``: (n_f,) uniformly spaced, increasing (Hz); ``psd``: (n_f,) or (..., n_f); ``band``: optional
    ``(f_low, f_high)`` (Hz) to which the search, the crossings and the power are restricted.  Returns one row
    per spectrum (batch flattened in C order): ``peak_frequency`` (Hz), ``peak_psd``, ``linewidth`` (FWHM, Hz;
    NaN when the line does not fall to half its maximum on both sides inside the band) and ``power``
    (``sum psd df``).
    """
    f = v.real_array(frequency, "frequency")
    if f.ndim != 1 or f.size < 3:
        raise ValueError(f"frequency must be 1-D with at least 3 points, got shape {f.shape}")
    df = f[1] - f[0]
    if df <= 0 or np.any(np.abs(np.diff(f) - df) > 1e-6 * df):
        raise ValueError("frequency must be increasing and uniformly spaced")
    p = v.real_array(psd, "psd")
    if p.ndim == 0 or p.shape[-1] != f.size:
        raise ValueError(f"psd must have the length of frequency ({f.size}) on its last axis, got shape {p.shape}")
    p = p.reshape(-1, f.size)
    inside = np.ones(f.size, dtype=bool)
    if band is not None:
        limits = v.real_array(band, "band")
        if limits.shape != (2,) or not limits[0] < limits[1]:
            raise ValueError(f"band must be (f_low, f_high) with f_low < f_high, got {band!r}")
        inside = (f >= limits[0]) & (f <= limits[1])
        if inside.sum() < 3:
            raise ValueError(f"band {band!r} holds fewer than 3 frequencies of the spectrum")
    rows = np.arange(p.shape[0])
    peak = np.argmax(np.where(inside, p, -np.inf), axis=1)
    interior = (
        inside[np.maximum(peak - 1, 0)] & inside[np.minimum(peak + 1, f.size - 1)] & (peak > 0) & (peak < f.size - 1)
    )
    y0 = p[rows, np.maximum(peak - 1, 0)]
    y1 = p[rows, peak]
    y2 = p[rows, np.minimum(peak + 1, f.size - 1)]
    curvature = y0 - 2.0 * y1 + y2
    usable = interior & (curvature < 0)
    delta = np.where(usable, 0.5 * (y0 - y2) / np.where(usable, curvature, -1.0), 0.0)
    height = y1 - 0.25 * (y0 - y2) * delta
    half = 0.5 * height[:, None]
    index = np.arange(f.size)
    below = (p < half) & inside
    left = np.where(below & (index < peak[:, None]), index, -1).max(axis=1)
    right = np.where(below & (index > peak[:, None]), index, f.size).min(axis=1)
    found = (left >= 0) & (right < f.size)
    lo, hi = np.clip(left, 0, f.size - 2), np.clip(right, 1, f.size - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_left = f[lo] + (half[:, 0] - p[rows, lo]) / (p[rows, lo + 1] - p[rows, lo]) * df
        f_right = f[hi - 1] + (p[rows, hi - 1] - half[:, 0]) / (p[rows, hi - 1] - p[rows, hi]) * df
    lines = pd.DataFrame(
        {
            "peak_frequency": f[peak] + delta * df,
            "peak_psd": height,
            "linewidth": np.where(found, f_right - f_left, np.nan),
            "power": np.sum(np.where(inside, p, 0.0), axis=1) * df,
        }
    )
    return attach_units(lines)  # peak_psd in the unit of psd ("psd"), power in that times Hz


# ----------------------------------------------------------------------------------------------------------
# signals of simulated trajectory batches


def _axis(component):
    if isinstance(component, str):
        if component not in _AXES:
            raise ValueError(f"component must be 'x', 'y', 'z' or a vector, got {component!r}")
        return np.array(_AXES[component])
    return v.vectors(component, "component", unit=True)


def _device(system_or_layer, magnet):
    """Index of ``magnet`` in the recorded m of a System (None for a FreeLayer, which records only its own)."""
    if isinstance(system_or_layer, FreeLayer):
        if magnet is not None:
            raise ValueError(f"magnet names a magnet of a System; a FreeLayer has one, got magnet={magnet!r}")
        return None
    if not isinstance(system_or_layer, System):
        raise ValueError(f"the device must be a fastspin.dynamics.FreeLayer or System, got {type(system_or_layer)!r}")
    magnet = system_or_layer.free[0] if magnet is None else magnet
    if magnet not in system_or_layer.free:
        raise ValueError(f"magnet must be a free magnet of the system {list(system_or_layer.free)}, got {magnet!r}")
    return system_or_layer.names.index(magnet)


def _magnet_m(m, index):
    return m if index is None else m[:, :, index, :]


def _steps(duration, dt, transient, offset=0.0):
    """``(steps, dt, start)`` of a run whose last ``duration`` (s) starts ``transient`` (s) after ``offset``."""
    duration = v.positive_scalar(duration, "duration")
    dt = v.positive_scalar(dt, "dt")
    arr = v.real_array(transient, "transient")
    if arr.ndim != 0 or arr < 0:
        raise ValueError(f"transient must be a scalar >= 0 (s), got {transient!r}")
    start = offset + float(arr)
    return max(1, math.ceil((start + duration) / dt - 1e-9)), dt, start


def _input_columns(device, options, n):
    """The drives and per-trajectory layer parameters of a call as columns (vectors as ``_x, _y, _z``)."""
    cols = {}
    for key in _SCALAR_INPUTS:
        value = options.get(key)
        if value is not None and not isinstance(value, Waveform):
            cols[key] = np.broadcast_to(v.per_trajectory(value, key), (n,)).copy()
    for key in _VECTOR_INPUTS:
        value = options.get(key)
        if value is not None and not isinstance(value, Waveform):
            arr = np.broadcast_to(v.vectors(value, key), (n, 3))
            cols.update({f"{key}_{axis}": arr[:, c].copy() for c, axis in enumerate("xyz")})
    if isinstance(device, FreeLayer):
        for key in _LAYER_INPUTS:
            value = getattr(device, key)
            if value is not None and np.ndim(value) == 1:
                cols[key] = np.asarray(value, dtype=float)
    return cols


def _voltage(layer, m, options):
    """``V(t) = J A R(p . m(t))`` of a current-biased MTJ (Louis et al. 2025 Eq. 65, ``A`` the layer area)."""
    mtj = options.get("mtj")
    if not isinstance(layer, FreeLayer) or not isinstance(mtj, MTJ):
        raise ValueError(
            "signal='voltage' needs a FreeLayer with mtj=fastspin.dynamics.MTJ(...) (its R(theta)); "
            "for other devices analyse signal='m' along the reference direction"
        )
    if options.get("voltage") is not None:
        raise ValueError(
            "signal='voltage' under a voltage drive: the voltage is the drive itself; bias the MTJ "
            "with current_density to see its voltage oscillate"
        )
    current_density = options.get("current_density", 0.0)
    if isinstance(current_density, Waveform):
        raise ValueError("signal='voltage' needs a constant current_density (scalar or one per trajectory)")
    if layer.area is None:
        raise ValueError(f"{layer.owner}: signal='voltage' needs the area (current = current_density * area)")
    n = m.shape[0]
    current = np.broadcast_to(v.per_trajectory(current_density, "current_density") * layer.area, (n,))
    p = np.broadcast_to(v.vectors(options.get("polarization", (1.0, 0.0, 0.0)), "polarization", unit=True), (n, 3))
    return current[:, None] * mtj.resistance(np.einsum("ntk,nk->nt", m, p))


def spectrum(
    system_or_layer: FreeLayer | System,
    *,
    duration: float,
    dt: float,
    transient: float = 0.0,
    record_every: int = 1,
    signal: str = "m",
    component: str | npt.ArrayLike = "x",
    magnet: str | None = None,
    window: str | tuple[Any, ...] = "hann",
    segments: int = 8,
    oversample: int = 8,
    band: npt.ArrayLike | None = None,
    psd: bool = False,
    **simulate_options: Any,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Power spectral density, peak frequency, linewidth and power of a trajectory batch (spin-torque
    oscillators, thermal precession, driven response).

    Runs :func:`fastspin.dynamics.trajectories` for ``transient + duration`` (rounded up to whole steps
    ``dt``; every keyword of it in ``simulate_options``: ``current_density``, ``field``, ``temperature`` with
    ``method="heun"``, ``seed``, ...), drops the first ``transient`` seconds and takes the spectrum (P) of
    the rest, sampled every ``record_every`` steps, with :func:`power_spectrum` (``window``, ``segments``,
    ``oversample``) and its line with :func:`spectral_line` (``band``).

    ``signal="m"``: the magnetization along ``component`` (``"x"``, ``"y"``, ``"z"`` or a vector; for a
    :class:`~fastspin.dynamics.System`, of the free magnet ``magnet``, default the first).  ``signal=
    "voltage"``: ``V(t) = J A R(p . m)`` (V) of a FreeLayer biased by ``current_density`` ``J`` through
    ``mtj=MTJ(...)`` (Louis et al. 2025 Eq. 65; ``A`` the layer area, ``p`` the polarization).

    Returns one row per trajectory: ``trajectory``, the drives given (``current_density``, ``temperature``,
    ``field_x, field_y, field_z``, ...; waveforms are left out) and per-trajectory layer parameters, then
    ``peak_frequency`` (Hz), ``peak_psd``, ``linewidth`` (FWHM, Hz), ``power`` (signal unit^2) and
    ``resolution`` (Hz, the bin ``fs / L`` of a segment: a linewidth near the window's width in bins times it
    is resolution-limited).  ``frame.attrs["seed"]`` holds the seed.  With ``psd=True``: ``(frame, spectra)``,
    ``spectra`` the long frame ``trajectory, frequency, psd``.
    """
    if signal not in SIGNALS:
        raise ValueError(f"signal must be one of {SIGNALS}, got {signal!r}")
    index = _device(system_or_layer, magnet)
    axis = _axis(component) if signal == "m" else None
    n_steps, dt, transient = _steps(duration, dt, transient)
    record_every = v.integer(record_every, "record_every", 1)
    options = dict(simulate_options, seed=v.seed(simulate_options.get("seed")))
    t, m = trajectories(system_or_layer, duration=n_steps * dt, dt=dt, record_every=record_every, **options)
    keep = t >= transient - 1e-9 * dt
    m = _magnet_m(m, index)[:, keep]
    x = m @ axis if signal == "m" else _voltage(system_or_layer, m, options)
    frequency, density = power_spectrum(t[keep], x, window=window, segments=segments, oversample=oversample)
    lines = spectral_line(frequency, density, band=band)
    n = m.shape[0]
    frame = pd.DataFrame({"trajectory": np.arange(n), **_input_columns(system_or_layer, options, n)})
    frame = pd.concat([frame, lines], axis=1)
    frame["resolution"] = 1.0 / ((keep.sum() // segments) * record_every * dt)
    frame.attrs["seed"] = options["seed"]
    signal_units = {"m": ("1/Hz", "1"), "voltage": ("V^2/Hz", "V^2")}[signal]
    attach_units(frame, {"peak_psd": signal_units[0], "power": signal_units[1]})
    if not psd:
        return frame
    spectra = pd.DataFrame(
        {
            "trajectory": np.repeat(np.arange(n), frequency.size),
            "frequency": np.tile(frequency, n),
            "psd": density.ravel(),
        }
    )
    return frame, attach_units(spectra, {"psd": signal_units[0]})


# ----------------------------------------------------------------------------------------------------------
# pulsed-inductive microwave magnetometry


def _with_damping(device, alpha):
    """The device with the Gilbert damping of every free magnet set to ``alpha``."""
    if isinstance(device, FreeLayer):
        return dataclasses.replace(device, alpha=alpha)
    magnets = [
        dataclasses.replace(layer, alpha=alpha) if layer.name in device.free else layer for layer in device.magnets
    ]
    return System(magnets, device.terms, device.fixed)


def _excitation(field_step, field_pulse):
    """``(field waveform or vectors added to the bias, end of the excitation (s), its columns)``."""
    if (field_step is None) == (field_pulse is None):
        raise ValueError("give the excitation as field_step=(Bx, By, Bz) or field_pulse=Pulse(...) (one of them)")
    if field_step is not None:
        step = v.vectors(field_step, "field_step")
        if not np.all(np.any(step != 0, axis=-1)):
            raise ValueError("field_step must not contain zero vectors (no excitation)")
        return step, 0.0, {"step": step}
    if not isinstance(field_pulse, Pulse):
        raise ValueError(f"field_pulse must be a fastspin.dynamics.Pulse, got {type(field_pulse)!r}")
    amplitude = v.vectors(field_pulse.amplitude, "field_pulse amplitude")
    if not np.all(np.any(amplitude != 0, axis=-1)):
        raise ValueError("field_pulse amplitude must not contain zero vectors (no excitation)")
    columns = {
        "pulse": amplitude,
        **{f"pulse_{key}": getattr(field_pulse, key) for key in ("width", "rise", "fall", "delay")},
    }
    return field_pulse, float(np.max(field_pulse.end)), columns


def _ringdown(t, s, f_guess):
    """Least-squares fit of ``exp(-r t) (a cos 2 pi f t + b sin 2 pi f t) + c`` to ``s(t)``; the damped
    sinusoid (G, K).  Start: ``f_guess`` and the rate of a log-spaced grid whose linear fit of ``a, b, c``
    leaves the least residual.  Returns ``(a, b, f, r, c)``, their standard errors, and the rms residual."""
    if not np.isfinite(f_guess) or f_guess <= 0:
        return np.full(5, np.nan), np.full(5, np.nan), np.nan
    u = t * f_guess  # time in periods of the guess: parameters of order one

    def model(u: npt.NDArray[np.float64], a: float, b: float, f: float, r: float, c: float) -> npt.NDArray[np.float64]:
        e = np.exp(-r * u)
        return e * (a * np.cos(2 * np.pi * f * u) + b * np.sin(2 * np.pi * f * u)) + c

    def linear(r: float) -> tuple[npt.NDArray[np.float64], float]:
        e = np.exp(-r * u)
        basis = np.stack([e * np.cos(2 * np.pi * u), e * np.sin(2 * np.pi * u), np.ones_like(u)], axis=1)
        coef = np.linalg.lstsq(basis, s, rcond=None)[0]
        return coef, np.sum((basis @ coef - s) ** 2)

    rates = np.geomspace(0.1 / u[-1], 2 * np.pi, 60)
    r0 = min(rates, key=lambda r: linear(r)[1])
    (a0, b0, c0), _ = linear(r0)
    try:
        popt, pcov = curve_fit(model, u, s, p0=[a0, b0, 1.0, r0, c0])
    except RuntimeError:
        return np.full(5, np.nan), np.full(5, np.nan), np.nan
    scale = np.array([1.0, 1.0, f_guess, f_guess, 1.0])
    errors = np.sqrt(np.abs(np.diag(pcov))) if np.all(np.isfinite(pcov)) else np.full(5, np.nan)
    rms = float(np.sqrt(np.mean((model(u, *popt) - s) ** 2)))
    return popt * scale, errors * scale, rms


def pimm(
    system_or_layer: FreeLayer | System,
    *,
    field: npt.ArrayLike,
    duration: float,
    dt: float,
    field_step: npt.ArrayLike | None = None,
    field_pulse: Pulse | None = None,
    transient: float = 0.0,
    m0: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    relax: float = 10e-9,
    relax_damping: float = 1.0,
    record_every: int = 1,
    component: str | npt.ArrayLike | None = None,
    magnet: str | None = None,
    oversample: int = 16,
    **simulate_options: Any,
) -> pd.DataFrame:
    """Pulsed-inductive microwave magnetometry: the free ring-down after a field step or a short field pulse,
    fitted to a damped sinusoid for the frequency (K) and the decay rate (G), and its FFT.

    1. Equilibrium in the bias ``field`` (T; (3,) or one vector per trajectory (n, 3)): from ``m0`` (default:
       along the bias, or the easy axis where the bias is zero; a System needs ``{name: vector}``) the device
       relaxes for ``relax`` seconds with the damping of its free magnets raised to ``relax_damping``
       (overdamped, rk4, T = 0, the other ``simulate_options`` kept).  That lands on the energy minimum
       reached from ``m0``; with a damping-like spin torque the fixed point depends on the damping, so the
       start is then only near it (the ring-down is still free: its frequency and decay are unaffected).
    2. Ring-down with the physical damping: at t = 0 the field becomes ``field + field_step`` (a vector or
       (n, 3)), or ``field + field_pulse`` (a :class:`~fastspin.dynamics.Pulse` of vector amplitude); every
       ``simulate_options`` keyword (``method``, ``temperature``, ``seed``, drives, ...) applies.
    3. The record ``transient`` seconds after the excitation ends (at 0 for a step, at the pulse's end) for
       ``duration`` seconds, ``m`` along ``component`` (default: the excitation direction made transverse to
       the equilibrium m, per trajectory; or ``"x"``, ``"y"``, ``"z"``, a vector) is fitted with
       ``exp(-t/tau) (a cos 2 pi f t + b sin 2 pi f t) + c`` (:func:`scipy.optimize.curve_fit`, started at the
       FFT peak), and its boxcar periodogram (zero-padded ``oversample`` times) gives the FFT line.

    Returns one row per trajectory: ``trajectory``, ``field_x, field_y, field_z``, the excitation
    (``step_x, step_y, step_z`` or ``pulse_x, pulse_y, pulse_z, pulse_width, pulse_rise, pulse_fall,
    pulse_delay``), the other drives given, then ``frequency`` (Hz), ``decay_rate`` (1/tau, 1/s),
    ``decay_time`` (tau, s), ``linewidth`` (``1/(pi tau)``, the FWHM in Hz of the Lorentzian),
    ``frequency_error`` and ``decay_rate_error`` (standard errors of the fit), ``amplitude`` (``sqrt(a^2 +
    b^2)``), ``offset`` (c), ``fit_residual`` (rms residual / amplitude), ``fft_frequency`` and
    ``fft_linewidth`` (Hz, the peak and FWHM of the periodogram, the latter broadened when ``duration`` is
    not many tau) and ``relax_residual`` (the largest change of m over the second half of the relaxation).
    ``frame.attrs["seed"]`` holds the seed.
    """
    index = _device(system_or_layer, magnet)
    bias = v.vectors(field, "field")
    excitation, excitation_end, excitation_columns = _excitation(field_step, field_pulse)
    n_steps, dt, start_time = _steps(duration, dt, transient, excitation_end)
    relax_steps = max(2, math.ceil(v.positive_scalar(relax, "relax") / dt - 1e-9)) // 2 * 2
    record_every = v.integer(record_every, "record_every", 1)
    alpha = v.positive_scalar(relax_damping, "relax_damping")
    axis = None if component is None else _axis(component)
    if m0 is None:
        if not isinstance(system_or_layer, FreeLayer):
            raise ValueError("m0 must give every magnet of the system its start direction ({name: vector})")
        norm = np.linalg.norm(bias, axis=-1, keepdims=True)
        m0 = np.where(norm > 0, bias / np.where(norm > 0, norm, 1.0), system_or_layer.easy_axis)

    still = {k: x for k, x in simulate_options.items() if k not in ("method", "temperature", "seed")}
    with warnings.catch_warnings():  # relaxing from the equilibrium itself is fine: nothing moves, as it should
        warnings.simplefilter("ignore", v.FixedPointWarning)
        _, settle = trajectories(
            _with_damping(system_or_layer, alpha),
            field=bias,
            m0=m0,
            duration=relax_steps * dt,
            dt=dt,
            record_every=relax_steps // 2,
            method="rk4",
            **still,
        )
    relax_residual = np.max(np.abs(settle[:, -1] - settle[:, -2]).reshape(settle.shape[0], -1), axis=1)
    start: npt.NDArray[np.float64] | dict[str, npt.NDArray[np.float64]]
    if isinstance(system_or_layer, FreeLayer):
        start = settle[:, -1]
    else:
        start = {name: settle[:, -1, k] for k, name in enumerate(system_or_layer.names)}
    options = dict(simulate_options, seed=v.seed(simulate_options.get("seed")))
    t, m = trajectories(
        system_or_layer,
        field=excitation + bias,
        m0=start,
        duration=n_steps * dt,
        dt=dt,
        record_every=record_every,
        **options,
    )
    n = m.shape[0]
    equilibrium = np.broadcast_to(_magnet_m(settle, index)[:, -1], (n, 3))
    if axis is None:
        push = np.broadcast_to(excitation_columns["step" if field_pulse is None else "pulse"], (n, 3))
        push = push / np.linalg.norm(push, axis=1, keepdims=True)
        push = push - np.sum(push * equilibrium, axis=1, keepdims=True) * equilibrium
        size = np.linalg.norm(push, axis=1, keepdims=True)
        if np.any(size < 1e-6):
            raise ValueError(
                "the field excitation is parallel to the equilibrium magnetization (no torque, no "
                "ring-down): excite transversely"
            )
        axis = push / size
    keep = t >= start_time - 1e-9 * dt
    s = np.einsum("ntk,nk->nt", _magnet_m(m, index)[:, keep], np.broadcast_to(axis, (n, 3)))
    window_t = t[keep] - t[keep][0]
    frequency, density = power_spectrum(window_t, s, window="boxcar", segments=1, oversample=oversample)
    fft = spectral_line(frequency, density, band=(2.0 / window_t[-1], frequency[-1]))
    fits = [_ringdown(window_t, s[j], fft["peak_frequency"].iloc[j]) for j in range(n)]
    popt = np.array([f[0] for f in fits])
    errors = np.array([f[1] for f in fits])
    amplitude = np.hypot(popt[:, 0], popt[:, 1])

    cols: dict[str, npt.NDArray[Any]] = {"trajectory": np.arange(n)}
    cols.update({f"field_{a}": np.broadcast_to(bias, (n, 3))[:, c].copy() for c, a in enumerate("xyz")})
    for key, value in excitation_columns.items():
        if key in ("step", "pulse"):
            cols.update({f"{key}_{a}": np.broadcast_to(value, (n, 3))[:, c].copy() for c, a in enumerate("xyz")})
        else:
            cols[key] = np.broadcast_to(value, (n,)).copy()
    cols.update(_input_columns(system_or_layer, options, n))
    frame = pd.DataFrame(cols)
    frame["frequency"] = popt[:, 2]
    frame["decay_rate"] = popt[:, 3]
    frame["decay_time"] = 1.0 / popt[:, 3]
    frame["linewidth"] = popt[:, 3] / np.pi
    frame["frequency_error"] = errors[:, 2]
    frame["decay_rate_error"] = errors[:, 3]
    frame["amplitude"] = amplitude
    frame["offset"] = popt[:, 4]
    frame["fit_residual"] = np.array([f[2] for f in fits]) / amplitude
    frame["fft_frequency"] = fft["peak_frequency"].to_numpy()
    frame["fft_linewidth"] = fft["linewidth"].to_numpy()
    frame["relax_residual"] = np.broadcast_to(relax_residual, (n,))
    frame.attrs["seed"] = options["seed"]
    return attach_units(frame)
