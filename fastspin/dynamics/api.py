"""Public entry points: :func:`simulate` (one DataFrame row per trajectory) and :func:`trajectories`.

Both take a :class:`~fastspin.dynamics.System` of coupled magnets, or a single
:class:`~fastspin.dynamics.FreeLayer` driven against a fixed polarizer (the single-layer keywords
``polarization``, ``torque``, ``efficiency``, ``field_like_ratio``, ``mtj``), which becomes a one-magnet
system on the same engine.  Inputs are validated here, once, before any kernel runs; every
per-trajectory input (drives, waveform parameters, magnet and term parameters, ``m0``, ``temperature``)
may be a scalar / single vector or one value per trajectory, and they broadcast together.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation as v
from ..columns import attach_units
from ..constants import GAMMA_E
from . import backends, batches, cpu, gpu
from .junction import MTJ
from .layer import FreeLayer
from .outcomes import N_OUT_MAGNET, O_ACCEPTED, O_FAILED, O_REJECTED, STATES, magnet_columns
from .system import System
from .terms import MTJDrive, SpinTransfer, Term
from .torques import TorqueModel
from .waveforms import Sine, Waveform

#: a drive: a constant, one value (vector for the field) per trajectory, or a waveform
_Drive: TypeAlias = Waveform | npt.ArrayLike
#: ``stiffness``: ``(h1, h2)`` (T, for a single layer) or ``{magnet: (h1, h2)}``
_Stiffness: TypeAlias = tuple[npt.ArrayLike, npt.ArrayLike] | Mapping[str, tuple[npt.ArrayLike, npt.ArrayLike]]

METHODS = ("rk4", "rk45", "heun")
#: largest ``gamma*B_max*dt`` without a StabilityWarning; RK4 is stable up to 2*sqrt(2) on the imaginary axis (undamped
#: precession), Heun (second order) amplifies a rotation by sqrt(1 + z^4/4) a step, 3 % at 0.5.
STABLE_RATE_DT = {"rk4": 2.0, "heun": 0.5}
#: trajectories a CPU :func:`~fastspin.dynamics.simulate` runs at once; a larger batch runs in chunks of this size,
#: so that its parameter rows and outcome arrays (about 70 floats a trajectory) stay small beside its result frame
SIMULATE_CHUNK = 1 << 16
MAX_STEPS = v.MAX_STEPS  #: steps of one trajectory at most (duration / dt; duration / max_step for rk45)
_POLARIZATION = (1.0, 0.0, 0.0)  # the defaults of the single-layer keywords (a System is refused any other value)
_SINGLE_DEFAULTS = dict(polarization=_POLARIZATION, torque="constant", efficiency=None, field_like_ratio=0.0, mtj=None)


def _drive(value, name, components=1):
    """A validated drive: a waveform as it is, else finite scalars / per-trajectory values (vectors for field)."""
    if isinstance(value, Waveform):
        return value
    return v.vectors(value, name) if components == 3 else v.per_trajectory(value, name)


def _with_ac(field, ac_field, ac_frequency):
    """``field + ac_field cos(2 pi ac_frequency t)`` (as a :class:`Sine` of phase pi/2)."""
    ac_field = v.vectors(ac_field, "ac_field")
    ac_frequency = v.per_trajectory(ac_frequency, "ac_frequency", non_negative=True)
    if not np.any(ac_field != 0):
        return field
    return field + Sine(ac_field, ac_frequency, phase=0.5 * np.pi)


def _options(method, seed, switch_threshold, window, rtol, atol, max_step, duration, temperature):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if np.any(temperature > 0) and method != "heun":
        raise ValueError("temperature > 0 needs method='heun' (the stochastic integrator)")
    threshold = float(v.real_array(switch_threshold, "switch_threshold"))
    if not -1.0 < threshold < 1.0:
        raise ValueError(f"switch_threshold must lie in (-1, 1), got {switch_threshold!r}")
    window = float(v.real_array(window, "window"))
    if not 0.0 < window <= 1.0:
        raise ValueError(f"window must be a fraction in (0, 1], got {window!r}")
    seed = v.seed(seed)
    rtol = v.positive_scalar(rtol, "rtol")
    atol = v.positive_scalar(atol, "atol")
    max_step = v.positive_scalar(duration if max_step is None else max_step, "max_step")
    if method == "rk45" and not duration / max_step <= MAX_STEPS:
        raise ValueError(
            f"max_step = {max_step:.3g} s needs at least {duration / max_step:.3g} steps for duration "
            f"{duration:.3g} s: more than MAX_STEPS = {MAX_STEPS:.0e} (fastspin.dynamics.api)"
        )
    return dict(threshold=threshold, window=window, seed=seed, rtol=rtol, atol=atol, max_step=max_step)


def _single_layer(
    layer, current_density, voltage, field, polarization, torque, efficiency, field_like_ratio, mtj, m0, frequency_axis
):
    """The one-magnet system of the single-layer keywords, its drives, m0, outcome axes and input columns."""
    polarization = v.vectors(polarization, "polarization", unit=True)
    field_like_ratio = v.per_trajectory(field_like_ratio, "field_like_ratio")
    if isinstance(torque, pd.DataFrame) or hasattr(torque, "kernel_spec"):
        model = torque
    elif isinstance(torque, str) and torque == "constant":
        model = "constant"
    else:
        raise ValueError(f"torque must be 'constant', a torque model or a torque table, got {torque!r}")
    if voltage is not None:
        if not isinstance(mtj, MTJ):
            raise ValueError("voltage drive needs mtj=fastspin.dynamics.MTJ(...)")
        if isinstance(current_density, Waveform) or np.any(v.per_trajectory(current_density, "current_density") != 0):
            raise ValueError("give either current_density or voltage, not both")
        if model != "constant" or efficiency is not None:
            raise ValueError(
                "with voltage drive the torque is set by the MTJ (Louis Eq. 69 or its bias "
                "polynomials): leave torque='constant' and efficiency=None"
            )
        term: Term = MTJDrive(layer.name, polarization, mtj, field_like_ratio=field_like_ratio)
        drives = {"voltage": _drive(voltage, "voltage")}
    else:
        if mtj is not None and not isinstance(mtj, MTJ):
            raise ValueError(f"mtj must be a fastspin.dynamics.MTJ, got {type(mtj)!r}")
        efficiency = v.per_trajectory(1.0 if efficiency is None else efficiency, "efficiency")
        term = SpinTransfer(
            layer.name, polarization, efficiency=efficiency, field_like_ratio=field_like_ratio, model=model
        )
        drives = {"current_density": _drive(current_density, "current_density")}
    drives["field"] = field
    system = System([layer], [term])
    m0 = {layer.name: v.vectors(m0, "m0", unit=True)}
    axes = {layer.name: v.vectors(frequency_axis, "frequency_axis", unit=True)} if frequency_axis is not None else None
    return system, drives, m0, {layer.name: polarization}, axes


def _prepare(
    system,
    current_density,
    sot_current_density,
    voltage,
    field,
    m0,
    temperature,
    dt,
    method,
    reference,
    frequency_axis,
    single,
    stiffness=None,
):
    """Validated drives and the :class:`~fastspin.dynamics.system.CompiledSystem` of one call (``temperature``
    and ``field`` validated already)."""
    if single is not None:
        system, drives, m0, reference, frequency_axis = _single_layer(
            system, current_density, voltage, field, m0=m0, frequency_axis=frequency_axis, **single
        )
    else:
        drives = {
            "current_density": _drive(current_density, "current_density"),
            "sot_current_density": _drive(sot_current_density, "sot_current_density"),
            "field": field,
        }
        if voltage is not None:
            drives["voltage"] = _drive(voltage, "voltage")
        m0 = _initial_state(system, m0)
        reference = {k: v.vectors(x, f"reference[{k!r}]", unit=True) for k, x in (reference or {}).items()}
        for name in list(reference) + list(frequency_axis or {}):
            if name not in system.free:
                raise ValueError(
                    f"reference/frequency_axis: {name!r} is not a free magnet of the system {list(system.free)}"
                )
    if stiffness is not None:
        names = system.free
        if single is not None:
            stiffness = {names[0]: stiffness}
        stiffness = {k: tuple(v.per_trajectory(x, f"stiffness[{k!r}]") for x in pair) for k, pair in stiffness.items()}
    compiled = system.compile(
        drives,
        m0,
        temperature,
        dt,
        stochastic=method == "heun",
        reference=reference,
        frequency_axis=frequency_axis,
        stiffness=stiffness,
    )
    return system, drives, compiled


def _initial_state(system, m0):
    if not isinstance(m0, dict):
        raise ValueError(
            f"m0 must map every magnet name to its initial direction, e.g. {{{system.names[0]!r}: "
            f"(1, 0, 0)}}; got {type(m0).__name__}"
        )
    missing = [name for name in system.names if name not in m0]
    if missing:
        raise ValueError(f"m0 is missing the magnet(s) {missing} (every magnet, fixed ones too, needs a direction)")
    unknown = [name for name in m0 if name not in system.names]
    if unknown:
        raise ValueError(f"m0 names unknown magnet(s) {unknown}; the system has {list(system.names)}")
    return {name: v.vectors(m0[name], f"m0[{name!r}]", unit=True) for name in system.names}


def _input_columns(drives, n):
    """Input columns of the frame: constant drives as given (``field_x``, ...); for a waveform its offset and
    the parameters of its pulses and sines (``"<drive>.pulse.width"``, ``"<drive>.sine.frequency"``, ...;
    numbered ``pulse1``, ``pulse2`` ... when a drive holds several)."""
    cols = {}
    for name in ("current_density", "sot_current_density", "voltage", "field"):
        if name not in drives:
            continue
        value = drives[name]
        if isinstance(value, Waveform):
            parts = {"": value.offset}
            kinds = [type(w).__name__.lower() for w in value.terms()]
            for k, wave in enumerate(value.terms()):
                label = kinds[k] if kinds.count(kinds[k]) == 1 else f"{kinds[k]}{kinds[: k + 1].count(kinds[k])}"
                for param in _WAVE_COLUMNS.get(kinds[k], ()):
                    parts[f".{label}.{param}"] = getattr(wave, param)
        else:
            parts = {"": value}
        for suffix, arr in parts.items():
            arr = np.asarray(arr, dtype=float)
            if name == "field" and (suffix == "" or suffix.endswith("amplitude")):
                arr = np.broadcast_to(arr, (n, 3))
                for c, axis in enumerate("xyz"):
                    cols[f"{name}{suffix}_{axis}"] = arr[:, c].copy()
            else:
                cols[f"{name}{suffix}"] = np.broadcast_to(arr, (n,)).copy()
    return cols


_WAVE_COLUMNS = {
    "pulse": ("amplitude", "width", "rise", "fall", "delay"),
    "sine": ("amplitude", "frequency", "phase"),
    "staircase": ("amplitude", "dwell", "delay"),
}


def _frame(compiled, out, halves, drives, thermal, static_tolerance, collinear_tolerance, settle_tolerance, single):
    cols = _input_columns(drives, compiled.n)
    names = compiled.system.free
    for k, name in enumerate(names):
        axes = compiled.axes[k]
        r_perp = compiled.resistance.get(k, (None, None))[1]
        block = out[:, k * N_OUT_MAGNET : (k + 1) * N_OUT_MAGNET]
        magnet = magnet_columns(
            block,
            halves,
            axes["reference"],
            axes["normal"],
            thermal,
            static_tolerance,
            collinear_tolerance,
            settle_tolerance,
            r_perp,
            axes["energy_weights"],
        )
        prefix = "" if single else f"{name}."
        magnet["state"] = pd.Categorical(magnet["state"], categories=STATES)
        cols.update({prefix + key: value for key, value in magnet.items()})
    frame = pd.DataFrame(cols)
    return frame


def _run(
    system,
    *,
    current_density,
    sot_current_density,
    voltage,
    field,
    m0,
    duration,
    dt,
    method,
    temperature,
    seed,
    ac_field,
    ac_frequency,
    rtol,
    atol,
    max_step,
    switch_threshold,
    window,
    reference,
    frequency_axis,
    record_every,
    single,
    stiffness=None,
    backend="cpu",
    precision="float64",
    first_index=0,
    warn=True,
):
    target = backends.resolve(backend, precision)
    duration, dt, n_steps = v.time_steps(duration, dt)
    temperature_arr = v.per_trajectory(temperature, "temperature", non_negative=True)
    opts = _options(method, seed, switch_threshold, window, rtol, atol, max_step, duration, temperature_arr)
    field = _with_ac(field if isinstance(field, Waveform) else _drive(field, "field", 3), ac_field, ac_frequency)
    system, drives, compiled = _prepare(
        system,
        current_density,
        sot_current_density,
        voltage,
        field,
        m0,
        temperature_arr,
        dt,
        method,
        reference,
        frequency_axis,
        single,
        stiffness,
    )
    opts["rate"] = (
        _warn_if_unstable(compiled, method, duration, dt, first_index, warn) if method in STABLE_RATE_DT else None
    )
    waveforms = any(isinstance(d, Waveform) for d in (current_density, sot_current_density, voltage, field))
    if warn and not waveforms and not np.any(temperature_arr > 0):  # a waveform may move the fixed point later
        _warn_if_fixed_point(compiled, duration, opts["rate"])
    window_start = max(0, n_steps - max(2, int(round(opts["window"] * n_steps))))
    window_mid = window_start + (n_steps - window_start) // 2
    if target == "cuda" and backend == "auto" and gpu.unsupported(compiled, method, n_steps, precision):
        target = "cpu"  # "auto": what the GPU does not run runs on the CPU
        if precision != "float64":
            raise ValueError(f"precision={precision!r}: {gpu.unsupported(compiled, method, n_steps, precision)}")
    if target == "cuda":
        out, record = gpu.run(
            compiled,
            method,
            dt,
            n_steps,
            window_start,
            window_mid,
            opts["threshold"],
            record_every,
            seed=opts["seed"],
            precision=precision,
        )
    else:
        out, record = cpu.run(
            compiled,
            method,
            dt,
            n_steps,
            window_start,
            window_mid,
            opts["threshold"],
            record_every,
            seed=opts["seed"],
            rtol=opts["rtol"],
            atol=opts["atol"],
            max_step=opts["max_step"],
            first_index=first_index,
        )
    opts["halves"] = ((window_mid - window_start) * dt, (n_steps - window_mid) * dt)
    opts["dt"] = dt
    return compiled, drives, out, record, opts


def _warn_if_unstable(compiled, method, duration, dt, first_index=0, warn=True):
    """:class:`~fastspin.validation.StabilityWarning` when ``gamma B_max dt`` exceeds the stable range of
    ``method`` (:data:`STABLE_RATE_DT`), with ``gamma B_max`` the stiffness of the right-hand side
    (:func:`fastspin.dynamics.cpu.rate_bound`: fields, anisotropy, demagnetization, exchange and torques alike)."""
    rate, trajectory = cpu.rate_bound(compiled, duration)
    limit = STABLE_RATE_DT[method]
    if warn and not rate * dt <= limit:
        warnings.warn(
            v.StabilityWarning(
                f"method={method!r}, dt = {dt:.3g} s: gamma*B_max*dt = {rate * dt:.3g} exceeds its stable range "
                f"({limit}) (gamma*B_max = {rate:.3g} 1/s, trajectory {first_index + trajectory}): "
                "the results can be far from "
                f"the converged ones; take dt <= {limit / rate:.3g} s"
            ),
            stacklevel=4,
        )
    return rate


#: ``|dm/dt|`` at the start below this fraction of gamma * 1 T (or of gamma B_max) counts as a fixed point
FIXED_POINT_RATE = 1e-12


def _warn_if_fixed_point(compiled, duration, rate):
    """:class:`~fastspin.validation.FixedPointWarning` when every (sampled) trajectory of a deterministic run
    starts at a fixed point of its drive (``|dm/dt| = 0`` at ``m0`` at every sampled time,
    :func:`fastspin.dynamics.cpu.start_rates`): such a run never moves, e.g. ``m0`` equal to the polarizer ``p``
    with no field and no temperature, where the spin-transfer torque ``m x (m x p)`` vanishes identically."""
    scale = rate if rate else GAMMA_E
    if np.all(cpu.start_rates(compiled, duration) <= FIXED_POINT_RATE * scale):
        warnings.warn(
            "every trajectory starts at a fixed point of its drive (dm/dt = 0 at m0 for the whole run), so none "
            "moves: e.g. m0 along the polarizer with no field and no temperature. Tilt m0 (m0=(cos 0.1, sin 0.1, "
            "0)), add a transverse field or a temperature to see the dynamics",
            v.FixedPointWarning,
            stacklevel=4,
        )


def _check_finite(m, method, dt, rate, first_index=0):
    """ValueError naming the first trajectory whose magnetization ``m`` (n, ...) is not finite: an integration
    that diverged (a step beyond the stable range) never returns NaN as a result."""
    bad = ~np.isfinite(m.reshape(len(m), -1)).all(axis=1)
    if np.any(bad):
        i = first_index + int(np.flatnonzero(bad)[0])
        advice = (
            f" (gamma*B_max*dt = {rate * dt:.3g}; take dt <= {STABLE_RATE_DT[method] / rate:.3g} s)" if rate else ""
        )
        raise ValueError(
            f"trajectory {i} ({int(bad.sum())} of {len(bad)} in its batch) diverged: m is not finite; dt = {dt:.3g} "
            f"s is beyond the stable step of method={method!r} for these parameters{advice}"
        )


def _single_keywords(system, **given):
    """The single-layer keywords for a :class:`FreeLayer`; ``None`` for a :class:`System`, which says them with
    terms (any non-default value is refused)."""
    if isinstance(system, FreeLayer):
        return given
    if not isinstance(system, System):
        raise ValueError(f"the first argument must be a fastspin.dynamics.FreeLayer or System, got {type(system)!r}")
    changed = [name for name, value in given.items() if value is not _SINGLE_DEFAULTS[name]]
    if changed:
        raise ValueError(
            f"{changed} are single-layer keywords; with a System give them as terms (SpinTransfer, MTJDrive, ...)"
        )
    return None


def simulate(
    system: FreeLayer | System,
    *,
    current_density: _Drive = 0.0,
    field: _Drive = (0.0, 0.0, 0.0),
    polarization: npt.ArrayLike = _POLARIZATION,
    torque: str | TorqueModel | pd.DataFrame = "constant",
    efficiency: npt.ArrayLike | None = None,
    field_like_ratio: npt.ArrayLike = 0.0,
    m0: npt.ArrayLike | Mapping[str, npt.ArrayLike] = (1.0, 0.0, 0.0),
    duration: float,
    dt: float,
    method: str = "rk4",
    temperature: npt.ArrayLike = 0.0,
    seed: int | None = None,
    ac_field: npt.ArrayLike = (0.0, 0.0, 0.0),
    ac_frequency: npt.ArrayLike = 0.0,
    voltage: _Drive | None = None,
    mtj: MTJ | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_step: float | None = None,
    switch_threshold: float = 0.0,
    window: float = 0.5,
    static_tolerance: float = 1e-3,
    collinear_tolerance: float = 0.02,
    frequency_axis: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    sot_current_density: _Drive = 0.0,
    reference: Mapping[str, npt.ArrayLike] | None = None,
    settle_tolerance: float = 1e-3,
    stiffness: _Stiffness | None = None,
    backend: str = "cpu",
    precision: str = "float64",
) -> pd.DataFrame:
    """Integrate the LLGS equations of a batch of macrospins; one DataFrame row per trajectory.

    ``system``: a :class:`~fastspin.dynamics.System` (coupled magnets and terms) or a single
    :class:`FreeLayer`.  Physics (SI; fastspin/conventions.py, fastspin.dynamics.core.physics): every free
    magnet in the applied ``field`` (T; a vector, one per trajectory, or a waveform; plus
    ``ac_field cos(2 pi ac_frequency t)``), its own anisotropy and demagnetizing fields, and the terms.
    Drives of the terms: ``current_density`` (A/m^2, :class:`SpinTransfer`, :class:`TransportTorque`),
    ``sot_current_density`` (A/m^2, heavy-metal current of :class:`SpinOrbit`), ``voltage`` (V,
    :class:`MTJDrive`, :class:`VoltageControlledAnisotropy`): constants, one value per trajectory, or
    waveforms (:class:`Pulse`, :class:`PiecewiseLinear`, :class:`Sine` and their sums).

    Single layer: fixed-layer magnetization ``polarization`` (p); spin-transfer torque
    ``gamma a_J m x (m x p) - gamma b_J m x p`` with ``a_J = hbar eta(theta) J / (2|e| Ms d)``, ``torque`` =
    ``"constant"`` (``eta = efficiency``, default 1), :class:`SlonczewskiTorque`, :class:`AsymmetricTorque`
    (``efficiency`` scales their eta) or a :class:`TabulatedTorque` / the DataFrame of
    ``fastspin.torque_vs_angle`` (``eta = 2 a_n``, field-like ``2 b_n``); ``field_like_ratio`` gives
    ``b_J = ratio * a_J`` for analytic models; or ``voltage`` across ``mtj`` (:class:`MTJ`, Louis et al.
    2025 Eqs 65-69, or its bias polynomials; the layer needs an ``area``).

    Integration: ``method`` ``"rk4"`` (fixed step ``dt``), ``"rk45"`` (adaptive Dormand-Prince with
    ``rtol``, ``atol``, ``max_step`` on the whole state; ``dt`` is then the sampling interval) or ``"heun"``
    (stochastic Heun with a thermal field per free magnet at ``temperature`` K from its own volume,
    reproducible per trajectory from ``seed``).  ``duration`` must be a whole number of ``dt``.
    ``backend``: ``"cpu"`` (all cores), ``"cuda"`` (one GPU thread per trajectory, the same physics,
    steps and random streams: ``pip install 'fastspin[cuda]'``; rk4 and heun) or ``"auto"`` (CUDA when a
    GPU is usable); ``precision``: ``"float64"`` or, on CUDA, ``"float32"`` (fastspin.dynamics.gpu gives
    its measured error).
    ``m0``: for a system, ``{name: vector}`` for every magnet (fixed ones too); for a layer, a vector.

    Outcomes per free magnet (fastspin.dynamics.outcomes) over the last ``window`` fraction of the run
    (split in two halves), against the magnet's reference axis p (``reference[name]``, else the fixed
    polarizer of its first spin-transfer or MTJ term, else its easy axis, else its m0): ``mx, my, mz``
    (final); ``state``: parallel, antiparallel, canted, static_out_of_plane, in_plane_precession or
    out_of_plane_precession (an orbit that keeps the sign of m.n and winds around the normal n);
    ``settled`` (False when the orbit still grows or decays between the halves by more than
    ``settle_tolerance``, relative; a decaying run is then labelled by the state it decays to, a growing one
    by its orbit); ``static_tolerance`` on the ranges of m.e, m.p and m.n, ``collinear_tolerance`` on
    ``1 - |m.p|``; ``switched`` (ends on the other side of ``switch_threshold`` in m.p than it started),
    ``switching_time`` (the last crossing, into the final side; NaN when not switched) and
    ``first_crossing_time`` (s); ``frequency`` (Hz, from the extrema of m.e), ``amplitude`` (half the range
    of m.e), ``mean_mx, mean_my, mean_mz, mean_cos_theta``, ``mean_resistance`` (Ohm, with an MTJ; else
    NaN), ``orbit_energy_ratio`` (the window average of ``h1 (m.e)^2 + h2 (m.(p x e))^2`` in the second
    half over that in the first: < 1 decaying, > 1 growing; ``stiffness=(h1, h2)`` (T), or a dict per
    magnet, makes it the linearised energy about +-p; default (1, 1)); ``e`` is ``frequency_axis`` or
    ``p x n`` (n the film normal, the axis of the largest demagnetizing factor).  For a system each column
    is prefixed by the magnet's name (``"free.mx"``, ``"free.state"``, ...).  Inputs: the constant drives
    (``current_density`` ..., ``field_x, field_y, field_z``) and the parameters of waveforms
    (``"<drive>.pulse.width"``, ...).  For ``rk45``: ``accepted_steps``,
    ``rejected_steps``, ``integration_failed``.  ``frame.attrs["seed"]`` holds the seed used and
    ``frame.attrs["units"]`` the unit of every column (:mod:`fastspin.columns`).

    NaN appears only where a quantity does not exist: ``switching_time``, ``first_crossing_time`` (no switch,
    no crossing), ``frequency`` (no oscillation), ``mean_resistance`` (no MTJ) and ``orbit_energy_ratio`` (no
    orbit in the first half).  A step beyond the stable range of ``rk4`` or ``heun`` (``gamma B_max dt``,
    :data:`~fastspin.dynamics.api.STABLE_RATE_DT`) gives a :class:`~fastspin.validation.StabilityWarning` before
    the run, and a trajectory that diverges a ``ValueError`` naming it and a step that converges.  Batches larger
    than :data:`~fastspin.dynamics.api.SIMULATE_CHUNK` run in chunks (the same numbers, random streams included)
    so that the call peaks at less than twice the memory of its frame.
    """
    single = _single_keywords(
        system,
        polarization=polarization,
        torque=torque,
        efficiency=efficiency,
        field_like_ratio=field_like_ratio,
        mtj=mtj,
    )
    if single is None and isinstance(frequency_axis, (tuple, list, np.ndarray)):
        raise ValueError("frequency_axis must map free magnet names to vectors for a System")
    static_tolerance = v.positive_scalar(static_tolerance, "static_tolerance")
    collinear_tolerance = v.positive_scalar(collinear_tolerance, "collinear_tolerance")
    settle_tolerance = v.positive_scalar(settle_tolerance, "settle_tolerance")
    inputs = dict(
        current_density=current_density,
        sot_current_density=sot_current_density,
        voltage=voltage,
        field=field,
        m0=m0,
        temperature=temperature,
        ac_field=ac_field,
        ac_frequency=ac_frequency,
        reference=reference,
        frequency_axis=frequency_axis,
    )
    options = dict(
        method=method,
        seed=seed,
        static_tolerance=static_tolerance,
        collinear_tolerance=collinear_tolerance,
        settle_tolerance=settle_tolerance,
        duration=duration,
        dt=dt,
        rtol=rtol,
        atol=atol,
        max_step=max_step,
        switch_threshold=switch_threshold,
        window=window,
        stiffness=stiffness,
        backend=backend,
        precision=precision,
    )
    n = batches.batch_length(system, single, inputs)
    chunk = SIMULATE_CHUNK if backend == "cpu" else n
    if n <= chunk:
        return _simulate_part(system, single, inputs, 0, n, n, True, **options)
    options["seed"] = v.seed(seed)  # one seed: chunk k continues the random streams at its first trajectory
    rows, warned = _Rows(n), False
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", v.StabilityWarning)
            rows.add(
                _simulate_part(
                    batches.take(system, lo, hi, n),
                    batches.take(single, lo, hi, n),
                    batches.take(inputs, lo, hi, n),
                    lo,
                    hi,
                    n,
                    not warned,
                    **options,
                )
            )
        for warning in caught:  # once per call: the first chunk that is beyond the stable range says it
            warned = True
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return rows.frame()


class _Rows:
    """The frame of a chunked :func:`simulate`, filled chunk by chunk: the float columns go straight into one
    (n, k) block that the final frame keeps (no second copy); the other columns are kept per chunk."""

    def __init__(self, n):
        self.n, self.filled, self.block, self.others = n, 0, None, {}

    def add(self, part: pd.DataFrame) -> None:
        if self.block is None:
            self.columns, self.attrs = list(part.columns), dict(part.attrs)
            self.floats = [c for c in part.columns if part[c].dtype == np.float64]
            self.block = np.empty((self.n, len(self.floats)))
        self.block[self.filled : self.filled + len(part)] = part[self.floats].to_numpy()
        self.filled += len(part)
        for column in self.columns:
            if column not in self.floats:
                self.others.setdefault(column, []).append(part[column])

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.block, columns=self.floats, copy=False)
        for loc, column in enumerate(self.columns):
            if column in self.others:
                frame.insert(loc, column, pd.concat(self.others[column], ignore_index=True))
        frame.attrs.update(self.attrs)
        return frame


def _simulate_part(
    system,
    single,
    inputs,
    lo,
    hi,
    n,
    warn,
    *,
    method,
    seed,
    static_tolerance,
    collinear_tolerance,
    settle_tolerance,
    **run_options,
):
    """:func:`simulate` on trajectories ``lo .. hi - 1`` of a batch of ``n`` (inputs already restricted)."""
    compiled, drives, out, _, opts = _run(
        system,
        **inputs,
        method=method,
        seed=seed,
        record_every=0,
        single=single,
        first_index=lo,
        warn=warn,
        **run_options,
    )
    frame = _frame(
        compiled,
        out,
        opts["halves"],
        drives,
        compiled.thermal,
        static_tolerance,
        collinear_tolerance,
        settle_tolerance,
        single,
    )
    _check_finite(
        frame[[c for c in frame.columns if c.split(".")[-1] in ("mx", "my", "mz")]].to_numpy(),
        method,
        opts["dt"],
        opts["rate"],
        lo,
    )
    if method == "rk45":
        frame["accepted_steps"] = out[:, O_ACCEPTED].astype(np.int64)
        frame["rejected_steps"] = out[:, O_REJECTED].astype(np.int64)
        frame["integration_failed"] = out[:, O_FAILED] > 0
    frame.attrs["seed"] = opts["seed"]
    return attach_units(frame)  # a chunked simulate takes the attrs of its first part


def trajectories(
    system: FreeLayer | System,
    *,
    record_every: int = 1,
    current_density: _Drive = 0.0,
    field: _Drive = (0.0, 0.0, 0.0),
    polarization: npt.ArrayLike = _POLARIZATION,
    torque: str | TorqueModel | pd.DataFrame = "constant",
    efficiency: npt.ArrayLike | None = None,
    field_like_ratio: npt.ArrayLike = 0.0,
    m0: npt.ArrayLike | Mapping[str, npt.ArrayLike] = (1.0, 0.0, 0.0),
    duration: float,
    dt: float,
    method: str = "rk4",
    temperature: npt.ArrayLike = 0.0,
    seed: int | None = None,
    ac_field: npt.ArrayLike = (0.0, 0.0, 0.0),
    ac_frequency: npt.ArrayLike = 0.0,
    voltage: _Drive | None = None,
    mtj: MTJ | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    max_step: float | None = None,
    switch_threshold: float = 0.0,
    window: float = 0.5,
    frequency_axis: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    sot_current_density: _Drive = 0.0,
    reference: Mapping[str, npt.ArrayLike] | None = None,
    backend: str = "cpu",
    precision: str = "float64",
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Decimated traces ``(t, m)`` every ``record_every`` steps (sampling points for rk45) from t = 0.

    ``t`` (n_rec,) in s; ``m`` (n_traj, n_rec, 3) for a single :class:`FreeLayer`, (n_traj, n_rec,
    n_magnets, 3) for a :class:`~fastspin.dynamics.System` (its magnets in order, fixed ones included).
    Same keywords (``backend``, ``precision`` too) and the very same kernels (same steps, same random
    streams) as :func:`simulate`.
    """
    record_every = v.integer(record_every, "record_every", 1, MAX_STEPS)
    single = _single_keywords(
        system,
        polarization=polarization,
        torque=torque,
        efficiency=efficiency,
        field_like_ratio=field_like_ratio,
        mtj=mtj,
    )
    compiled, _, _, record, opts = _run(
        system,
        current_density=current_density,
        sot_current_density=sot_current_density,
        voltage=voltage,
        field=field,
        m0=m0,
        duration=duration,
        dt=dt,
        method=method,
        temperature=temperature,
        seed=seed,
        ac_field=ac_field,
        ac_frequency=ac_frequency,
        rtol=rtol,
        atol=atol,
        max_step=max_step,
        switch_threshold=switch_threshold,
        window=window,
        reference=reference,
        frequency_axis=frequency_axis,
        record_every=int(record_every),
        single=single,
        backend=backend,
        precision=precision,
    )
    _check_finite(record, method, dt, opts["rate"])
    t = np.arange(record.shape[1]) * record_every * dt
    if single is not None:
        return t, record[:, :, 0, :]
    full = compiled.system
    m = np.empty(record.shape[:2] + (len(full.names), 3))
    for k, name in enumerate(full.names):
        if name in full.free:
            m[:, :, k] = record[:, :, full.free.index(name)]
        else:
            m[:, :, k] = compiled.fixed_m[full.fixed.index(name)][:, None, :]
    return t, m
