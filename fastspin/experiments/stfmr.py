"""Spin-torque ferromagnetic resonance (ST-FMR): the spin-torque diode, simulated with the macrospin engine.

Tulapurkar et al., Nature 438, 339 (2005); Sankey et al., Nature Phys. 4, 67 (2008).

The measurement (:func:`st_fmr`)
--------------------------------
An RF drive at frequency ``f`` exerts the spin-transfer torques of fastspin/conventions.py; the free layer
precesses at ``f`` and its resistance ``R(t) = R(m(t))`` (fastspin.experiments.resistance) oscillates with it.
The product of current and resistance holds a DC part, the mixing voltage.  Current drive,
``I(t) = I_rf sin(2 pi f t)`` with ``I_rf = J_rf A`` (A the device area):

    V_mix = <I(t) R(t)> = I_rf <sin(2 pi f t) (R(t) - <R>)>,                                              (M)

``<.>`` the time average over the whole periods of ``f`` at the end of the run, after the transient (the
lock-in).  Subtracting ``<R>`` drops ``<R> I_rf <sin>``, zero over whole periods but not to rounding on a
sampled window.  Voltage drive ``V(t) = V_rf sin(2 pi f t)`` across an MTJ (its torque Louis et al. 2025
Eq. 69, fastspin.dynamics.junction): the junction rectifies the DC current ``I_dc = <V(t) G(t)>``, ``G = 1/R``;
with the DC path open (the bias tee of the experiment) the DC voltage that cancels it is read,

    V_mix = -I_dc / <G> = -V_rf <sin(2 pi f t) (G(t) - <G>)> / <G>,                                       (V)

equal to (M) with ``I_rf = V_rf / R`` to first order in the resistance change.

The lineshape (:func:`fit_lineshape`, :func:`lineshape`)
-------------------------------------------------------
Linearise the Gilbert equation of fastspin.dynamics.core.physics, ``dm/dt = -gamma m x B_eff + alpha m x dm/dt
+ gamma a_J m x (m x p) - gamma b_J m x p``, about the equilibrium ``m0`` in the bias field: with the film
normal ``e2``, ``e1 = e2 x m0`` and ``m = m0 + x e1 + y e2``, the energy is ``E/(Ms V) = E0 + (B1 x^2 + B2 y^2)/2``
(stiffness fields ``B1`` in plane, ``B2`` out of plane; an in-plane film, ``N = (0, 0, 1)``, in a field ``B``
along its easy axis: ``B1 = B + B_k``, ``B2 = B + B_k + mu0 Ms``).  For an in-plane polarizer
``p = cos(theta0) m0 + p1 e1`` the torques at ``m0`` are ``-gamma p1 (a_J e1 + b_J e2)``: the damping-like one
tilts ``m`` in the plane, the field-like one out of it.  For a drive ``~ exp(i omega t)``, ``w = omega / gamma``:

    i w x + (B2 + i alpha w) y = -p1 a_J,        -(B1 + i alpha w) x + i w y = -p1 b_J,
    x = p1 [b_J (B2 + i alpha w) - i w a_J] / D,     D = (B1 + i alpha w)(B2 + i alpha w) - w^2.

With the field along ``m0`` both stiffnesses are ``B + c_i``, so ``D`` depends on ``B`` only through
``s = B + i alpha w``: ``D = (s - B_r)(s - B_r')`` with the real root ``B_r`` of ``B1 B2 = w^2`` (the Kittel
condition ``omega = gamma sqrt(B1 B2)``, exactly, at the resonance field) and the far root
``B_r' = B_r - B1 - B2``.  Near ``B_r``

    x = p1 [b_J B2 - i w a_J] / ((B1 + B2)(B - B_r + i dB)) + (smooth in B),    dB = alpha omega / gamma,

a Lorentzian of half width ``dB`` (FWHM ``2 alpha omega / gamma``, the Gilbert linewidth in field at fixed
frequency) centred on the Kittel field.  ``R`` changes by ``(dR/dcos theta) p1 x`` and (M) keeps the in-phase
part ``Re x``, so the field sweep is

    V_mix(B) = V0 + S dB^2 / ((B - B0)^2 + dB^2) + A dB (B - B0) / ((B - B0)^2 + dB^2),                     (L)

    S / A = -(a_J / b_J) w / B2 = -(a_J / b_J) sqrt(B1 / B2)   (stiffnesses at B = B0):                    (R)

the damping-like torque gives the symmetric Lorentzian and the field-like torque the antisymmetric one
(Tulapurkar et al. 2005; the frequency-swept form of Sankey et al. 2008, Eq. 2, ``xi_par S(omega) - xi_perp
(Omega_perp / omega) A(omega)`` with ``Omega_perp = gamma B2``, has the same ratio).  With ``b_J = r
a_J`` (``field_like_ratio``), ``S/A = -sqrt(B1/B2) / r``: the ratio of the
fitted amplitudes measures the torque ratio.  When the field is not along the magnetization (a field at an
angle to the easy axis) the stiffnesses change at different rates and (L), (R) hold to first order in ``dB/B``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import curve_fit

from .. import validation as v
from ..columns import attach_units, frame_units
from ..constants import GAMMA_E
from ..dynamics import MTJ, FreeLayer, Sine, System, simulate, trajectories
from .resistance import resistance_model

SETTLE_DECAY_TIMES = 8.0  #: default transient: this many decay times of the free precession (e^-8 = 3.4e-4 left)
WINDOW_PERIODS = 10  #: default lock-in window: this many periods of the lowest frequency
MAX_DT = 1e-12  #: default integration step cap (s)
EQUILIBRIUM_TOLERANCE = 1e-12  #: relative transverse field at which the equilibrium search stops
EQUILIBRIUM_ITERATIONS = 10_000  #: cap on the steps of the equilibrium search
EQUILIBRIUM_STEP = 0.3  #: longest Newton step (rad) of the equilibrium search
FIT_COLUMNS = (
    "resonance_field",
    "linewidth",
    "symmetric",
    "antisymmetric",
    "offset",
    "ratio",
    "resonance_field_err",
    "linewidth_err",
    "symmetric_err",
    "antisymmetric_err",
    "offset_err",
    "ratio_err",
    "rms_residual",
)
_SINGLE_DEFAULTS: dict[str, Any] = dict(
    polarization=(1.0, 0.0, 0.0), efficiency=None, field_like_ratio=0.0, torque="constant", mtj=None
)


def lineshape(
    field: npt.ArrayLike,
    resonance_field: float,
    half_width: float,
    symmetric: float,
    antisymmetric: float,
    offset: float = 0.0,
) -> npt.NDArray[np.float64]:
    """The ST-FMR lineshape (L): ``offset + symmetric L_s + antisymmetric L_a`` with ``L_s = dB^2 / ((B - B0)^2 +
    dB^2)``, ``L_a = dB (B - B0) / ((B - B0)^2 + dB^2)`` (``dB = half_width``, the half width at half maximum of
    ``L_s``; ``L_a`` peaks at ``+-1/2`` at ``B0 +- dB``)."""
    u = np.asarray(field, dtype=float) - resonance_field
    denominator = u * u + half_width * half_width
    return offset + (symmetric * half_width + antisymmetric * u) * half_width / denominator


def st_fmr(
    device: FreeLayer | System,
    *,
    frequency: npt.ArrayLike,
    field: npt.ArrayLike,
    rf_current_density: float | None = None,
    rf_voltage: float | None = None,
    field_direction: npt.ArrayLike | None = None,
    polarization: npt.ArrayLike = _SINGLE_DEFAULTS["polarization"],
    efficiency: npt.ArrayLike | None = _SINGLE_DEFAULTS["efficiency"],
    field_like_ratio: npt.ArrayLike = _SINGLE_DEFAULTS["field_like_ratio"],
    torque: Any = _SINGLE_DEFAULTS["torque"],
    mtj: MTJ | None = _SINGLE_DEFAULTS["mtj"],
    m0: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    settle: float | None = None,
    window: float | None = None,
    dt: float | None = None,
    samples_per_period: int = 16,
    backend: str = "cpu",
) -> pd.DataFrame:
    """The mixing voltage of an ST-FMR field sweep at every ``frequency``: one row per (frequency, field).

    Device: a :class:`~fastspin.dynamics.FreeLayer` against the fixed polarizer ``polarization`` with the
    single-layer keywords of :func:`fastspin.dynamics.simulate` (``efficiency``, ``field_like_ratio``,
    ``torque``, ``mtj``), whose resistance is ``mtj`` (Louis Eq. 65 at ``m . p``; :class:`~fastspin.dynamics.MTJ`,
    needed for both drives); or a :class:`~fastspin.dynamics.System` with an MTJDrive or a TransportTorque term
    (fastspin.experiments.resistance), driven through its terms.  Drive (one of them, a non-zero scalar):
    ``rf_current_density`` J_rf (A/m^2): ``J(t) = J_rf sin(2 pi f t)`` drives the spin-transfer terms, ``V_mix``
    from (M) with ``I_rf = J_rf A`` (A the area of the free magnet(s); without an area, a TransportTorque's
    resistance-area product times ``J_rf``); ``rf_voltage`` V_rf (V): ``V(t) = V_rf sin(2 pi f t)`` across the
    MTJ, ``V_mix`` from (V) (module docstring).

    ``frequency``: Hz (> 0), a scalar or 1-D.  ``field``: bias field magnitudes (T) along ``field_direction``,
    1-D (the same sweep at every frequency) or 2-D with one row per frequency (e.g. a window around each
    resonance).  ``field_direction``: a vector; for a layer the default is the polarization turned by 45 degrees
    about the film normal (the axis of the largest demagnetizing factor) in the film plane, so that both the
    torques and the resistance change are first order in the precession; a System must give it.
    Start: a layer starts from its equilibrium in each bias field, the minimum of its energy
    (fastspin.dynamics.layer) reached from ``m0`` (default: along the field) by damped Newton steps; a System
    starts from ``m0`` (``{name: vector}`` for every magnet, as in ``simulate``), which should be its
    equilibrium (what is not decays in ``settle``).

    Run (RK4, ``dt`` default ``min(1 ps, 1/(2 samples_per_period f_max))``): the drive is on from t = 0;
    ``settle`` seconds of transient, default ``SETTLE_DECAY_TIMES`` decay times of the free precession: for a
    layer ``1 / Gamma`` with ``Gamma = alpha gamma (B1 + B2) / (2 (1 + alpha^2))``, the decay rate of the
    linearised Gilbert equation at each equilibrium (``B1 + B2`` the trace of the energy's curvature on the
    sphere), the slowest of the grid; for a System ``1 / (2 pi alpha f)`` at the lowest damping and frequency
    (``Gamma >= alpha omega`` at resonance, equal when ``B1 = B2``).  Then ``window`` seconds (default
    ``WINDOW_PERIODS`` periods of the lowest frequency) recorded at ``>= samples_per_period`` samples per
    period of the highest frequency; the lock-in averages over the last whole periods of each frequency in the
    window (trapezoid rule on the sampled product, the window's start interpolated).  The whole grid runs as
    one batch (two kernel calls: the transient without recording, then the window from its end state with the
    sine's phase carried on).

    Returns a DataFrame with ``frequency`` (Hz), ``field`` (T), ``v_mix`` (V) and ``resistance`` (``<R>`` over
    the window, Ohm; Ohm m^2 for a resistance-area product); ``attrs``: ``drive``, ``amplitude``,
    ``field_direction``, ``settle``, ``window``, ``dt``, ``record_every``.  Fit with :func:`fit_lineshape`.
    """
    single = isinstance(device, FreeLayer)
    if not single and not isinstance(device, System):
        raise ValueError(f"device must be a fastspin.dynamics.FreeLayer or System, got {type(device)!r}")
    keywords = dict(
        polarization=polarization, efficiency=efficiency, field_like_ratio=field_like_ratio, torque=torque, mtj=mtj
    )
    if not single:
        changed = [name for name, value in keywords.items() if value is not _SINGLE_DEFAULTS[name]]
        if changed:
            raise ValueError(f"{changed} are single-layer keywords; a System says them with its terms")
        keywords = {}
    elif v.vectors(polarization, "polarization").ndim != 1:
        raise ValueError("polarization must be one vector of shape (3,) (the fixed layer of the whole sweep)")
    frequency = np.atleast_1d(v.per_trajectory(frequency, "frequency", positive=True))
    if np.unique(frequency).size != frequency.size:
        raise ValueError(f"frequency values must be distinct, got {frequency.tolist()}")
    fields = _fields(field, frequency.size)
    drive, amplitude = _drive(rf_current_density, rf_voltage)
    dt, record_every, span = _sampling(frequency, dt, samples_per_period, window)
    settle = None if settle is None else v.positive_scalar(settle, "settle")
    direction = _field_direction(device, field_direction, polarization, single)
    n_f, n_b = fields.shape
    f_grid = np.repeat(frequency, n_b)
    b_grid = fields.ravel()
    vectors = b_grid[:, None] * direction
    unit, resistance = (
        resistance_model(device, mtj=mtj, polarization=polarization) if single else resistance_model(device)
    )
    free: list[FreeLayer] = [device] if isinstance(device, FreeLayer) else [device.layers[name] for name in device.free]
    scale = amplitude if drive == "rf_voltage" else amplitude * _area(free, unit)
    if single:
        start = _equilibrium(device, vectors, _search_start(m0, direction, b_grid))
        decay = np.min(_decay_rate(device, start, vectors))
    else:
        if not isinstance(m0, dict):
            raise ValueError("m0 must give every magnet of the System its start direction, {name: vector}")
        start = m0
        decay = 2 * math.pi * float(frequency.min()) * min(float(np.min(layer.alpha)) for layer in free)
    if settle is None:
        if not decay > 0:
            raise ValueError(
                "settle must be given (s): the free precession does not decay (alpha = 0 or a zero stiffness)"
            )
        settle = SETTLE_DECAY_TIMES / decay
    settle_steps = math.ceil(settle / dt - 1e-9)

    drive_key = "voltage" if drive == "rf_voltage" else "current_density"
    common = dict(field=vectors, dt=dt, method="rk4", backend=backend, **keywords)
    sine: dict[str, Any] = {drive_key: Sine(amplitude, f_grid)}  # a keyword named at run time
    transient = simulate(device, **sine, m0=start, duration=settle_steps * dt, **common)
    phase = np.mod(2 * math.pi * f_grid * (settle_steps * dt), 2 * math.pi)
    sine = {drive_key: Sine(amplitude, f_grid, phase)}
    t, m = trajectories(
        device, **sine, m0=_end_state(device, transient, start), duration=span, record_every=record_every, **common
    )
    r = resistance(m).reshape(n_f, n_b, t.size)
    average = _lock_in(t, frequency)
    reference = np.sin(2 * math.pi * f_grid.reshape(n_f, n_b, 1) * t + phase.reshape(n_f, n_b, 1))
    r_mean = average(r)
    if drive == "rf_voltage":
        g = 1.0 / r
        g_mean = average(g)
        v_mix = -scale * (average(reference * g) - average(reference) * g_mean) / g_mean
    else:
        v_mix = scale * (average(reference * r) - average(reference) * r_mean)
    frame = pd.DataFrame({"frequency": f_grid, "field": b_grid, "v_mix": v_mix.ravel(), "resistance": r_mean.ravel()})
    frame.attrs.update(
        drive=drive,
        amplitude=amplitude,
        field_direction=tuple(direction.tolist()),
        settle=settle_steps * dt,
        window=span,
        dt=dt,
        record_every=record_every,
    )
    return attach_units(frame, {"resistance": unit})


def fit_lineshape(frame: pd.DataFrame, by: str = "frequency", x: str = "field", y: str = "v_mix") -> pd.DataFrame:
    """Least-squares fit of (L) to ``y`` versus ``x`` for every value of ``by`` (scipy.optimize.curve_fit, started
    from the best of a grid of resonance fields and widths, where (L) is linear in ``S, A, V0``).

    Returns one row per ``by`` value: ``resonance_field`` B0 (T), ``linewidth`` (the FWHM ``2 dB``, T),
    ``symmetric`` S and ``antisymmetric`` A (units of ``y``), ``offset`` V0, ``ratio`` S/A, each with its standard
    error ``*_err`` (from the covariance of the fit; the ratio's propagated), and ``rms_residual``.  A sweep whose
    fit does not converge gets NaN.  Needs at least 6 distinct ``x`` per sweep.
    """
    for column in (by, x, y):
        if column not in frame.columns:
            raise ValueError(f"frame has no column {column!r} (columns: {list(frame.columns)})")
    rows = []
    for key, part in frame.groupby(by, sort=True):
        part = part.sort_values(x)
        b, signal = part[x].to_numpy(float), part[y].to_numpy(float)
        if np.unique(b).size < 6:
            raise ValueError(
                f"fit_lineshape needs at least 6 distinct {x} values per {by}; {by} = {key} has {np.unique(b).size}"
            )
        rows.append({by: key, **_fit_one(b, signal)})
    units = frame_units(frame)  # B0 and the width in the unit of x; S, A, V0 and the residual in that of y
    fitted = {by: units[by], "ratio": "1", "ratio_err": "1", "rms_residual": units[y]}
    for name in ("resonance_field", "linewidth", "symmetric", "antisymmetric", "offset"):
        fitted[name] = fitted[f"{name}_err"] = units[x] if name in ("resonance_field", "linewidth") else units[y]
    return attach_units(pd.DataFrame(rows), fitted)


def _fit_one(b, signal):
    try:
        popt, pcov = curve_fit(lineshape, b, signal, p0=_initial_guess(b, signal), maxfev=20_000)
    except RuntimeError:
        return dict.fromkeys(FIT_COLUMNS, np.nan)
    b0, half_width, s, a, offset = popt
    err = np.sqrt(np.diag(pcov))
    gradient = np.array([1.0 / s, -1.0 / a])  # of log|S/A| in (S, A)
    ratio = s / a
    return dict(
        zip(
            FIT_COLUMNS,
            (
                b0,
                2 * abs(half_width),
                s,
                a,
                offset,
                ratio,
                err[0],
                2 * err[1],
                err[2],
                err[3],
                err[4],
                abs(ratio) * np.sqrt(max(0.0, gradient @ pcov[2:4, 2:4] @ gradient)),
                float(np.sqrt(np.mean((lineshape(b, *popt) - signal) ** 2))),
            ),
        )
    )


def _initial_guess(b, signal, n_centres=100, n_widths=40):
    """``(B0, dB, S, A, V0)``: the least-squares (L) over B0 on (at most ``n_centres`` of) the sampled fields and
    dB on a geometric grid from a quarter of the smallest spacing to the whole range; (L) is linear in ``S, A,
    V0`` at each pair (normal equations)."""
    spacing = np.diff(b)
    span = b[-1] - b[0]
    centres = b[:: max(1, b.size // n_centres)]
    widths = np.geomspace(0.25 * max(spacing[spacing > 0].min(), 1e-12 * span), span, n_widths)
    u = b[None, None, :] - centres[:, None, None]
    w = widths[None, :, None]
    d = u * u + w * w
    basis = (w * w / d, w * u / d, np.ones_like(d))
    gram = np.stack([np.stack([np.sum(p * q, axis=-1) for q in basis], axis=-1) for p in basis], axis=-2)
    rhs = np.stack([np.sum(p * signal, axis=-1) for p in basis], axis=-1)
    coef = np.linalg.solve(gram, rhs[..., None])[..., 0]
    model = sum(coef[..., k, None] * basis[k] for k in range(3))
    i, j = np.unravel_index(np.argmin(np.sum((model - signal) ** 2, axis=-1)), coef.shape[:2])
    return [centres[i], widths[j], coef[i, j, 0], coef[i, j, 1], coef[i, j, 2]]


def _fields(field, n_frequencies):
    arr = v.real_array(field, "field")
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim == 1:
        return np.broadcast_to(arr, (n_frequencies, arr.size))
    if arr.ndim == 2 and arr.shape[0] == n_frequencies:
        return arr
    raise ValueError(
        f"field must be 1-D (every frequency) or 2-D with one row per frequency ({n_frequencies}), "
        f"got shape {arr.shape}"
    )


def _drive(rf_current_density, rf_voltage):
    if (rf_current_density is None) == (rf_voltage is None):
        raise ValueError("give the RF drive as rf_current_density (A/m^2) or rf_voltage (V), one of them")
    name = "rf_current_density" if rf_voltage is None else "rf_voltage"
    value = v.real_array(rf_current_density if rf_voltage is None else rf_voltage, name)
    if value.ndim != 0 or value == 0:
        raise ValueError(f"{name} must be a non-zero scalar amplitude, got {value!r}")
    return name, float(value)


def _sampling(frequency, dt, samples_per_period, window):
    """``(dt, record_every, span)``: the step, the recording stride (>= ``samples_per_period`` samples per period
    of the highest frequency) and the recorded window, a whole number of strides."""
    spp = v.integer(samples_per_period, "samples_per_period", 4)
    f_min, f_max = float(frequency.min()), float(frequency.max())
    dt = min(MAX_DT, 1.0 / (2 * spp * f_max)) if dt is None else v.positive_scalar(dt, "dt")
    record_every = int(1.0 / (spp * f_max * dt))
    if record_every < 1:
        raise ValueError(f"dt ({dt:.3g} s) is too long for {spp} samples per period at {f_max:.4g} Hz")
    window = WINDOW_PERIODS / f_min if window is None else v.positive_scalar(window, "window")
    span = math.ceil(window / (record_every * dt) - 1e-9) * record_every * dt
    if span * f_min < 1.0:
        raise ValueError(
            f"window ({window:.3g} s) must hold at least one period of the lowest frequency ({1.0 / f_min:.3g} s)"
        )
    return dt, record_every, span


def _search_start(m0, direction, b_grid):
    """Where the equilibrium search of a layer starts: ``m0``, else along the applied field."""
    if m0 is None:
        return np.where(b_grid[:, None] < 0, -direction, direction)
    start = v.vectors(m0, "m0", unit=True)
    if start.ndim == 2 and start.shape[0] != b_grid.size:
        raise ValueError(
            f"m0 must be one vector or one per (frequency, field) pair ({b_grid.size}), got {start.shape[0]}"
        )
    return np.broadcast_to(start, (b_grid.size, 3))


def _field_direction(device, field_direction, polarization, single):
    if field_direction is not None:
        direction = v.vectors(field_direction, "field_direction", unit=True)
        if direction.ndim != 1:
            raise ValueError(f"field_direction must be one vector of shape (3,), got shape {direction.shape}")
        return direction
    if not single:
        raise ValueError("field_direction must be given for a System")
    p = v.vectors(polarization, "polarization", unit=True)
    normal = np.eye(3)[int(np.argmax(np.mean(np.atleast_2d(device.demag), axis=0)))]
    in_plane = p - (p @ normal) * normal
    if np.linalg.norm(in_plane) < 1e-9:
        raise ValueError("field_direction must be given: the polarization is along the film normal")
    in_plane /= np.linalg.norm(in_plane)
    direction = in_plane + np.cross(normal, in_plane)
    return direction / np.linalg.norm(direction)


def _area(free, unit):
    """The area multiplying J_rf into the current when the resistance is in Ohm (1 for a resistance-area
    product)."""
    if unit != "Ohm":
        return 1.0
    areas = {float(layer.area) if layer.area is not None and np.ndim(layer.area) == 0 else None for layer in free}
    if None in areas or len(areas) != 1:
        raise ValueError(
            "rf_current_density with a resistance in Ohm needs the current I = J A: give the free "
            "magnet(s) one scalar area"
        )
    return areas.pop()


def _equilibrium(layer, field, start):
    """The local minimum of ``E/(Ms V)`` (fastspin.dynamics.layer) in ``field`` (n, 3) reached from ``start``.

    Newton steps on the sphere, ``m <- (m + d) / |m + d|`` with ``K d = B_perp`` (``B_perp`` the effective field
    transverse to ``m``, ``K = (m.B_eff) P - P (dB_eff/dm) P`` the curvature of the energy on the tangent plane,
    ``P = 1 - m m``, ``dB_eff/dm = B_k u u - diag(mu0 Ms N)``), at most ``EQUILIBRIUM_STEP`` rad long; where ``K``
    is not positive definite (near a saddle or a maximum) a gradient step ``d = B_perp / b`` instead, ``b`` a
    bound of the curvature (``|B| + |B_k| + max mu0 Ms N``), which lowers the energy.  Until ``|B_perp|`` falls
    below ``EQUILIBRIUM_TOLERANCE b``.
    """
    m = np.array(start, dtype=float)
    n = m.shape[0]
    bound = (
        np.linalg.norm(field, axis=-1)
        + np.abs(np.asarray(layer.anisotropy_field))
        + np.max(layer.demag_field_factors(), axis=-1)
    )[:, None]
    u = np.broadcast_to(layer.easy_axis, (n, 3))
    jacobian = np.asarray(layer.anisotropy_field)[..., None, None] * u[:, :, None] * u[
        :, None, :
    ] - layer.demag_field_factors()[..., :, None] * np.eye(3)
    for _ in range(EQUILIBRIUM_ITERATIONS):
        b = layer.effective_field(m, field)
        along = np.sum(m * b, axis=-1, keepdims=True)
        transverse = b - along * m
        if np.all(np.linalg.norm(transverse, axis=-1) <= EQUILIBRIUM_TOLERANCE * bound[:, 0]):
            break
        normal = m[:, :, None] * m[:, None, :]
        project = np.eye(3) - normal
        curvature = along[:, :, None] * project - project @ jacobian @ project
        with_normal = curvature + normal  # the normal direction gets eigenvalue 1: K is solved on the tangent plane
        newton = np.linalg.solve(with_normal, transverse[:, :, None])[:, :, 0]
        newton *= np.minimum(1.0, EQUILIBRIUM_STEP / np.maximum(np.linalg.norm(newton, axis=-1, keepdims=True), 1e-300))
        convex = np.linalg.eigvalsh(with_normal)[:, :1] > 0
        m = m + np.where(convex, newton, transverse / bound)
        m /= np.linalg.norm(m, axis=-1, keepdims=True)
    return m


def _decay_rate(layer, m, field):
    """``Gamma = alpha gamma (B1 + B2) / (2 (1 + alpha^2))`` (1/s), the decay rate of the free precession about
    the equilibrium ``m`` of the linearised Gilbert equation, with ``B1 + B2`` the trace of the curvature of
    ``E/(Ms V)`` on the sphere: ``2 m.B_eff - B_k (1 - (m.u)^2) + sum_i mu0 Ms N_i (1 - m_i^2)``."""
    b_eff = layer.effective_field(m, field)
    along_u = np.sum(m * layer.easy_axis, axis=-1)
    trace = (
        2 * np.sum(m * b_eff, axis=-1)
        - layer.anisotropy_field * (1 - along_u**2)
        + np.sum(layer.demag_field_factors() * (1 - m * m), axis=-1)
    )
    return layer.alpha * GAMMA_E * trace / (2 * (1 + layer.alpha**2))


def _end_state(device, frame, start):
    """The final directions of a ``simulate`` frame as the start of the next run."""
    if isinstance(device, FreeLayer):
        return frame[["mx", "my", "mz"]].to_numpy()
    state = dict(start)
    for name in device.free:
        state[name] = frame[[f"{name}.mx", f"{name}.my", f"{name}.mz"]].to_numpy()
    return state


def _lock_in(t, frequency):
    """The time average over the last whole periods of each frequency in the sampled window ``t``: a function of
    values ``(n_f, n_b, n_t)`` (frequency k on ``values[k]``) giving ``(n_f, n_b)``, by the trapezoid rule on the
    samples with the window's start interpolated linearly between its two neighbours."""
    end, step = t[-1], t[1] - t[0]
    lengths = np.floor(end * frequency * (1 + 1e-12)) / frequency
    weights = np.zeros((frequency.size, t.size))
    for k, length in enumerate(lengths):
        start = end - length
        j = int(np.floor(start / step))
        lam = (start - t[j]) / step  # the start's place in the cell [t_j, t_j+1]
        first = (t[j + 1] - start) / 2.0  # the partial cell: (value at start + value at t_j+1) / 2 times its length
        weights[k, j] += first * (1.0 - lam)
        weights[k, j + 1] += first * (1.0 + lam)
        weights[k, j + 1 : -1] += step / 2.0
        weights[k, j + 2 :] += step / 2.0
    weights /= lengths[:, None]
    return lambda values: np.einsum("fbt,ft->fb", values, weights)
