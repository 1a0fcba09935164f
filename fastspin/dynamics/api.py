"""Public entry points: :func:`simulate` (one DataFrame row per trajectory) and :func:`trajectories`.

Inputs are validated and flattened into per-trajectory arrays here, once; the kernels of
fastspin.dynamics.integrators only see arrays.  Every per-trajectory input (``current_density``,
``voltage``, ``field``, ``polarization``, ``m0``, ``temperature``, ``efficiency``, the layer's
parameters, ...) may be a scalar / single vector or one value per trajectory; they broadcast together.
"""
import numpy as np
import pandas as pd

from ..constants import K_B, MU0
from ..conventions import stt_field_tesla
from . import _validate as v
from . import integrators, rhs as R
from .layer import FreeLayer
from .mtj import MTJ
from .outcomes import O_ACCEPTED, O_FAILED, O_REJECTED, to_frame
from .rng import seed_states
from .torques import KIND_CONSTANT, KIND_TABLE, TabulatedTorque, kernel_inputs

METHODS = ("rk4", "rk45", "heun")


def _steps(duration, dt):
    duration = v.positive_scalar(duration, "duration")
    dt = v.positive_scalar(dt, "dt")
    n_steps = int(round(duration / dt))
    if n_steps < 1 or abs(n_steps * dt - duration) > 1e-9 * duration:
        raise ValueError(f"duration ({duration}) must be a whole, non-zero number of steps dt ({dt})")
    return duration, dt, n_steps


def _torque_model(torque, field_like_ratio):
    """The torque model (a DataFrame becomes a :class:`TabulatedTorque`) and its kernel kind."""
    if isinstance(torque, pd.DataFrame):
        torque = TabulatedTorque.from_frame(torque)
    if not isinstance(torque, str) and not hasattr(torque, "kernel_spec"):
        raise ValueError(f"torque must be 'constant', a torque model or a torque table, got {type(torque)!r}")
    kind = kernel_inputs(torque)[0]
    if kind == KIND_TABLE and np.any(field_like_ratio != 0):
        raise ValueError("field_like_ratio must be 0 with a tabulated torque (its b(theta) is the field-like part)")
    return torque, kind


def _normal_axes(demag):
    """Film normal per trajectory: the axis of the largest demagnetizing factor (ties go to z)."""
    idx = 2 - np.argmax(demag[:, ::-1], axis=1)
    return np.eye(3)[idx]


def _frequency_axes(polarization, normal, easy_axis):
    """Default e = p x n (in-plane, perpendicular to p), else p x u, else any unit vector ⟂ p."""
    e = np.cross(polarization, normal)
    for fallback in (easy_axis, np.broadcast_to([1.0, 0.0, 0.0], polarization.shape),
                     np.broadcast_to([0.0, 1.0, 0.0], polarization.shape)):
        short = np.linalg.norm(e, axis=1) < 1e-9
        e[short] = np.cross(polarization[short], fallback[short])
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def _prepare(layer, current_density, field, polarization, torque, efficiency, field_like_ratio, m0,
             duration, dt, method, temperature, seed, ac_field, ac_frequency, voltage, mtj,
             switch_threshold, window, frequency_axis):
    if not isinstance(layer, FreeLayer):
        raise ValueError(f"layer must be a fastspin.dynamics.FreeLayer, got {type(layer)!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    duration, dt, n_steps = _steps(duration, dt)
    current_density = v.per_trajectory(current_density, "current_density")
    temperature = v.per_trajectory(temperature, "temperature", non_negative=True)
    field_like_ratio = v.per_trajectory(field_like_ratio, "field_like_ratio")
    ac_frequency = v.per_trajectory(ac_frequency, "ac_frequency", non_negative=True)
    field = v.vectors(field, "field")
    ac_field = v.vectors(ac_field, "ac_field")
    polarization = v.vectors(polarization, "polarization", unit=True)
    m0 = v.vectors(m0, "m0", unit=True)
    threshold = float(v.real_array(switch_threshold, "switch_threshold"))
    if not -1.0 < threshold < 1.0:
        raise ValueError(f"switch_threshold must lie in (-1, 1), got {switch_threshold!r}")
    window = float(v.real_array(window, "window"))
    if not 0.0 < window <= 1.0:
        raise ValueError(f"window must be a fraction in (0, 1], got {window!r}")
    if np.any(temperature > 0) and method != "heun":
        raise ValueError("temperature > 0 needs method='heun' (the stochastic integrator)")
    torque, kind = _torque_model(torque, field_like_ratio)
    if voltage is not None:
        if not isinstance(mtj, MTJ):
            raise ValueError("voltage drive needs mtj=fastspin.dynamics.MTJ(...)")
        if np.any(current_density != 0):
            raise ValueError("give either current_density or voltage, not both")
        if kind != KIND_CONSTANT or efficiency is not None:
            raise ValueError("with voltage drive the torque is set by the MTJ (Louis Eq. 69 or its bias "
                             "polynomials): leave torque='constant' and efficiency=None")
        voltage = v.per_trajectory(voltage, "voltage")
    elif mtj is not None and not isinstance(mtj, MTJ):
        raise ValueError(f"mtj must be a fastspin.dynamics.MTJ, got {type(mtj)!r}")
    efficiency = v.per_trajectory(1.0 if efficiency is None else efficiency, "efficiency")

    per_traj = {
        "current_density": (current_density, 0), "temperature": (temperature, 0),
        "field_like_ratio": (field_like_ratio, 0), "ac_frequency": (ac_frequency, 0),
        "efficiency": (efficiency, 0), "field": (field, 1), "ac_field": (ac_field, 1),
        "polarization": (polarization, 1), "m0": (m0, 1),
        "layer.ms": (layer.ms, 0), "layer.thickness": (layer.thickness, 0), "layer.alpha": (layer.alpha, 0),
        "layer.anisotropy_field": (layer.anisotropy_field, 0), "layer.easy_axis": (layer.easy_axis, 1),
        "layer.demag": (layer.demag, 1),
    }
    if layer.area is not None:
        per_traj["layer.area"] = (layer.area, 0)
    if voltage is not None:
        per_traj["voltage"] = (voltage, 0)
    if frequency_axis is not None:
        per_traj["frequency_axis"] = (v.vectors(frequency_axis, "frequency_axis", unit=True), 1)
    n = v.batch_size(per_traj)
    b = {name: v.broadcast_rows(arr, n, nd) for name, (arr, nd) in per_traj.items()}

    ms, thickness, alpha = b["layer.ms"], b["layer.thickness"], b["layer.alpha"]
    P = R.empty_parameters(n)
    P[[R.HX, R.HY, R.HZ]] = b["field"].T
    P[[R.AX, R.AY, R.AZ]] = b["ac_field"].T
    P[R.OMEGA] = 2.0 * np.pi * b["ac_frequency"]
    P[[R.PX, R.PY, R.PZ]] = b["polarization"].T
    P[[R.UX, R.UY, R.UZ]] = b["layer.easy_axis"].T
    P[R.BK] = b["layer.anisotropy_field"]
    P[[R.DX, R.DY, R.DZ]] = (MU0 * ms[:, np.newaxis] * b["layer.demag"]).T
    P[R.ALPHA] = alpha
    P[R.GLL] = R.GAMMA / (1.0 + alpha**2)
    if voltage is not None:
        if layer.area is None:
            raise ValueError(f"{layer.owner}: area is needed for the MTJ voltage drive")
        a_j, b_j = mtj.torque_fields(b["voltage"], ms, thickness, b["layer.area"])
        if b_j is not None and np.any(b["field_like_ratio"] != 0):
            raise ValueError("field_like_ratio must be 0 when the MTJ has field-like bias coefficients")
        P[R.DL] = a_j
        P[R.FL] = b_j if b_j is not None else b["field_like_ratio"] * a_j
    else:
        P[R.DL] = stt_field_tesla(b["current_density"], ms, thickness, b["efficiency"])
        P[R.FL] = P[R.DL] if kind == KIND_TABLE else b["field_like_ratio"] * P[R.DL]
    if np.any(b["temperature"] > 0):
        if layer.area is None:
            raise ValueError(f"{layer.owner}: area is needed for the thermal field (volume)")
        P[R.SIGMA] = np.sqrt(2.0 * alpha * K_B * b["temperature"]
                             / (R.GAMMA * ms * thickness * b["layer.area"] * dt))
    normal = _normal_axes(b["layer.demag"])
    axis = b["frequency_axis"] if frequency_axis is not None else _frequency_axes(
        b["polarization"], normal, b["layer.easy_axis"])
    P[[R.EX, R.EY, R.EZ]] = axis.T
    P[[R.NX, R.NY, R.NZ]] = normal.T

    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    elif not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    kind, q, table = kernel_inputs(torque, ac=bool(np.any(P[[R.AX, R.AY, R.AZ]] != 0)))
    window_start = n_steps - max(1, int(round(window * n_steps)))
    inputs = {"current_density": b["current_density"]}
    if voltage is not None:
        inputs = {"voltage": b["voltage"]}
    inputs.update({"field_x": b["field"][:, 0], "field_y": b["field"][:, 1], "field_z": b["field"][:, 2]})
    return dict(n=n, P=np.ascontiguousarray(P), m0=b["m0"], kind=kind, q=q, table=table, dt=dt, n_steps=n_steps,
                window_start=window_start, threshold=threshold, eta2=0.0 if mtj is None else mtj.eta**2,
                method=method, seed=int(seed), thermal=bool(np.any(b["temperature"] > 0)),
                polarization=b["polarization"], normal=normal, inputs=inputs, mtj=mtj)


def _run(batch, record_every, rtol, atol, max_step):
    n = batch["n"]
    out = integrators.new_outputs(n)
    n_rec = batch["n_steps"] // record_every + 1 if record_every > 0 else 1
    record = np.zeros((n if record_every > 0 else 1, n_rec, 3))
    common = (batch["kind"], batch["q"], batch["table"])
    tail = (batch["window_start"], batch["threshold"], batch["eta2"])
    with np.errstate(over="ignore"):  # uint64 streams wrap by design (only visible without the JIT)
        if batch["method"] == "rk4":
            integrators.rk4_batch(batch["P"], batch["m0"], *common, batch["dt"], batch["n_steps"], *tail,
                                  record_every, record, out)
        elif batch["method"] == "heun":
            rng = seed_states(batch["seed"], n)
            integrators.heun_batch(batch["P"], batch["m0"], rng, *common, batch["dt"], batch["n_steps"], *tail,
                                   record_every, record, out)
        else:
            integrators.rk45_batch(batch["P"], batch["m0"], *common, batch["dt"], batch["n_steps"], *tail,
                                   rtol, atol, max_step, record_every, record, out)
    return out, record


def _tolerances(rtol, atol, max_step, duration):
    rtol = v.positive_scalar(rtol, "rtol")
    atol = v.positive_scalar(atol, "atol")
    max_step = v.positive_scalar(duration if max_step is None else max_step, "max_step")
    return rtol, atol, max_step


def simulate(layer, *, current_density=0.0, field=(0.0, 0.0, 0.0), polarization=(1.0, 0.0, 0.0),
             torque="constant", efficiency=None, field_like_ratio=0.0, m0=(1.0, 0.0, 0.0), duration, dt,
             method="rk4", temperature=0.0, seed=None, ac_field=(0.0, 0.0, 0.0), ac_frequency=0.0,
             voltage=None, mtj=None, rtol=1e-8, atol=1e-10, max_step=None, switch_threshold=0.0,
             window=0.5, static_tolerance=1e-3, collinear_tolerance=0.02, frequency_axis=None):
    """Integrate the LLGS equation for a batch of macrospins; one DataFrame row per trajectory.

    Physics (SI; fastspin/conventions.py, fastspin.dynamics.rhs): free layer ``layer``
    (:class:`FreeLayer`); applied field ``field`` + ``ac_field cos(2 pi ac_frequency t)`` (T); fixed
    layer magnetization ``polarization`` (p); spin-transfer torque
    ``gamma a_J m x (m x p) - gamma b_J m x p`` with ``a_J = hbar eta(theta) J / (2|e| Ms d)``:

    * ``current_density`` J (A/m^2) with ``torque`` = ``"constant"`` (``eta = efficiency``, default 1),
      :class:`SlonczewskiTorque`, :class:`AsymmetricTorque` (``efficiency`` scales their eta) or a
      :class:`TabulatedTorque` / the DataFrame of ``fastspin.torque_vs_angle`` (``eta = 2 a_n``,
      field-like ``2 b_n``); ``field_like_ratio`` gives ``b_J = ratio * a_J`` for analytic models.
    * or ``voltage`` (V) across ``mtj`` (:class:`MTJ`, Louis et al. 2025 Eqs 65-69, or its bias
      polynomials); the layer needs an ``area``.  With ``mtj`` the mean resistance is reported.

    Integration: ``method`` ``"rk4"`` (fixed step ``dt``), ``"rk45"`` (adaptive Dormand-Prince with
    ``rtol``, ``atol``, ``max_step``; ``dt`` is then the sampling interval) or ``"heun"`` (stochastic
    Heun with the thermal field at ``temperature`` K, reproducible per trajectory from ``seed``;
    needs the layer ``area``).  ``duration`` must be a whole number of ``dt``.

    Outcomes (fastspin.dynamics.outcomes) over the last ``window`` fraction of the run: columns
    ``mx, my, mz`` (final), ``state`` (parallel, antiparallel, canted, in_plane_precession,
    out_of_plane_precession; ``static_tolerance`` on the ranges of m.e and m.p, ``collinear_tolerance``
    on 1 - |m.p|), ``switched`` and ``switching_time`` (first crossing of m.p through
    ``switch_threshold``, s), ``frequency`` (Hz, from the extrema of m.e, NaN when not precessing),
    ``amplitude`` (half the range of m.e), ``mean_mx, mean_my, mean_mz, mean_cos_theta``,
    ``mean_resistance`` (Ohm, NaN without ``mtj``), plus the inputs ``current_density`` (or ``voltage``)
    and ``field_x, field_y, field_z``.  ``e`` is ``frequency_axis`` or ``p x n`` (n the film normal,
    the axis of the largest demagnetizing factor).  For ``rk45``: ``accepted_steps``, ``rejected_steps``,
    ``integration_failed``.  ``frame.attrs["seed"]`` holds the seed used.
    """
    batch = _prepare(layer, current_density, field, polarization, torque, efficiency, field_like_ratio, m0,
                     duration, dt, method, temperature, seed, ac_field, ac_frequency, voltage, mtj,
                     switch_threshold, window, frequency_axis)
    rtol, atol, max_step = _tolerances(rtol, atol, max_step, duration)
    static_tolerance = v.positive_scalar(static_tolerance, "static_tolerance")
    collinear_tolerance = v.positive_scalar(collinear_tolerance, "collinear_tolerance")
    out, _ = _run(batch, 0, rtol, atol, max_step)
    frame = to_frame(out, batch["inputs"], batch["polarization"], batch["normal"], batch["thermal"],
                     static_tolerance, collinear_tolerance, batch["mtj"])
    if method == "rk45":
        frame["accepted_steps"] = out[:, O_ACCEPTED].astype(np.int64)
        frame["rejected_steps"] = out[:, O_REJECTED].astype(np.int64)
        frame["integration_failed"] = out[:, O_FAILED] > 0
    frame.attrs["seed"] = batch["seed"]
    return frame


def trajectories(layer, *, record_every=1, current_density=0.0, field=(0.0, 0.0, 0.0),
                 polarization=(1.0, 0.0, 0.0), torque="constant", efficiency=None, field_like_ratio=0.0,
                 m0=(1.0, 0.0, 0.0), duration, dt, method="rk4", temperature=0.0, seed=None,
                 ac_field=(0.0, 0.0, 0.0), ac_frequency=0.0, voltage=None, mtj=None, rtol=1e-8, atol=1e-10,
                 max_step=None, switch_threshold=0.0, window=0.5, frequency_axis=None):
    """Decimated traces ``(t, m)``: ``t`` (n_rec,) in s, ``m`` (n_traj, n_rec, 3), every ``record_every``
    steps (sampling points for rk45) from t = 0.

    Same keywords and the very same kernels (same steps, same random streams) as :func:`simulate`.
    """
    if isinstance(record_every, bool) or not isinstance(record_every, (int, np.integer)) or record_every < 1:
        raise ValueError(f"record_every must be a positive integer, got {record_every!r}")
    batch = _prepare(layer, current_density, field, polarization, torque, efficiency, field_like_ratio, m0,
                     duration, dt, method, temperature, seed, ac_field, ac_frequency, voltage, mtj,
                     switch_threshold, window, frequency_axis)
    rtol, atol, max_step = _tolerances(rtol, atol, max_step, duration)
    _, record = _run(batch, int(record_every), rtol, atol, max_step)
    t = np.arange(record.shape[1]) * record_every * batch["dt"]
    return t, record
