"""Switching probability and write error rate of pulses from stochastic LLGS ensembles.

:func:`switching_probability` runs ``n_trajectories`` stochastic-Heun trajectories (fastspin.dynamics) for every
pulse of an amplitude x width grid, starting from the thermal equilibrium of the start well, and counts those
that end on the other side.  The probability comes with its Wilson score interval (Wilson, J. Am. Stat. Assoc.
22, 209 (1927)): for ``k`` switches in ``n`` trials, ``p = k / n`` and ``z`` the normal quantile of the
confidence level,

    centre = (p + z^2 / (2 n)) / (1 + z^2 / n),
    half width = z sqrt(p (1 - p) / n + z^2 / (4 n^2)) / (1 + z^2 / n),                                  (W)

which keeps its coverage near ``p = 0`` and ``1``, where the normal interval collapses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import norm

from .. import validation as v
from ..columns import attach_units
from ..constants import K_B
from ..dynamics import FreeLayer, Pulse, System, simulate
from ..dynamics.backends import resolve

CHUNK_TRAJECTORIES = 1 << 20  #: trajectories per kernel call (the frames of larger grids are never held at once)


def wilson_interval(
    switched: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``(low, high)`` of the Wilson score interval (W) for ``switched`` successes out of ``n`` trials."""
    switched = np.asarray(switched, dtype=float)
    n = np.asarray(n, dtype=float)
    z = norm.ppf(0.5 + 0.5 * confidence)
    p = switched / n
    scale = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / scale
    half = z * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / scale
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def boltzmann_directions(
    layer: FreeLayer,
    start: npt.ArrayLike,
    temperature: float,
    n: int,
    seed: int | None,
    field: npt.ArrayLike = (0.0, 0.0, 0.0),
    n_theta: int = 2048,
    n_phi: int = 256,
) -> npt.NDArray[np.float64]:
    """``n`` unit vectors drawn from the Boltzmann distribution ``exp(-E(m) / k_B T)`` of ``layer`` (energy
    ``Ms V E/(Ms V)`` of fastspin.dynamics.layer in ``field``) restricted to the hemisphere around ``start``.

    The hemisphere is cut into ``n_theta`` x ``n_phi`` cells in the polar angle from ``start`` and the azimuth;
    a cell is drawn with the probability of its integrated density (``sin(theta) dtheta dphi``, midpoint
    rule), then a point uniformly in ``cos(theta)`` and ``phi`` inside it.
    """
    pole = np.asarray(start, dtype=float) / np.linalg.norm(start)
    helper = np.eye(3)[np.argmin(np.abs(pole))]
    e1 = np.cross(pole, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(pole, e1)
    edges = np.linspace(0.0, 0.5 * np.pi, n_theta + 1)
    theta = 0.5 * (edges[1:] + edges[:-1])
    phi = (np.arange(n_phi) + 0.5) * 2.0 * np.pi / n_phi

    def directions(t: npt.NDArray[np.float64], f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return (
            np.cos(t)[..., None] * pole
            + (np.sin(t) * np.cos(f))[..., None] * e1
            + (np.sin(t) * np.sin(f))[..., None] * e2
        )

    m = directions(theta[:, None], phi[None, :])
    energy = layer.ms * layer.thickness * layer.area * layer.energy_per_ms_volume(m, field)
    weight = np.exp(-(energy - energy.min()) / (K_B * temperature)) * (np.cos(edges[:-1]) - np.cos(edges[1:]))[:, None]
    rng = np.random.default_rng(seed)
    cells = rng.choice(weight.size, size=n, p=(weight / weight.sum()).ravel())
    i, k = np.divmod(cells, n_phi)
    cos_t = np.cos(edges[i]) - rng.random(n) * (np.cos(edges[i]) - np.cos(edges[i + 1]))
    f = (k + rng.random(n)) * 2.0 * np.pi / n_phi
    return directions(np.arccos(cos_t), f)


def _grid_pulse(pulse, name):
    if not isinstance(pulse, Pulse):
        raise ValueError(f"{name} must be a fastspin.dynamics.Pulse (its amplitude x width grid), got {type(pulse)!r}")
    amplitude = np.atleast_1d(pulse.amplitude)
    width = np.atleast_1d(pulse.width)
    if amplitude.ndim != 1 or width.ndim != 1:
        raise ValueError(f"{name}: amplitude and width must be scalars or 1-D grids")
    for key in ("rise", "fall", "delay"):
        if np.ndim(getattr(pulse, key)) != 0:
            raise ValueError(f"{name}: {key} must be a scalar (amplitude and width span the grid)")
    return amplitude, width


def switching_probability(
    system_or_layer: FreeLayer | System,
    *,
    current_density: Pulse | None = None,
    voltage: Pulse | None = None,
    temperature: float,
    n_trajectories: int,
    seed: int | None = None,
    backend: str = "cpu",
    equilibrate: str | float = "boltzmann",
    relax: float = 2e-9,
    dt: float = 1e-12,
    magnet: str | None = None,
    confidence: float = 0.95,
    m0: npt.ArrayLike | Mapping[str, npt.ArrayLike] | None = None,
    field: npt.ArrayLike = (0.0, 0.0, 0.0),
    duration: float | None = None,
    **simulate_options: Any,
) -> pd.DataFrame:
    """Switching probability of every pulse of an amplitude x width grid at ``temperature`` (K, > 0).

    ``current_density=Pulse(amplitude, width, rise, fall)`` or ``voltage=Pulse(...)`` (one of them): its
    ``amplitude`` and ``width`` (scalars or 1-D) span the grid; ``n_trajectories`` stochastic-Heun trajectories
    per pulse (``dt``; reproducible from ``seed``).  The device: a :class:`~fastspin.dynamics.FreeLayer` (with
    ``polarization``, ``torque``, ``efficiency``, ``mtj`` ... in ``simulate_options``, as for
    :func:`fastspin.dynamics.simulate`) or a :class:`~fastspin.dynamics.System` (``m0`` gives every magnet;
    ``magnet`` names the one whose switching is counted, default the first free one).

    Start states: ``equilibrate="boltzmann"`` (a layer only) draws them from the Boltzmann distribution of the
    start well around ``m0`` (default: the polarization, i.e. the parallel state) with
    :func:`boltzmann_directions`; a number (s) instead runs that long at ``temperature`` without drive from
    ``m0`` before the pulse (the pulse is delayed by it), which thermalizes any system.  The state is read
    ``relax`` seconds after the pulse (``duration``, if given, must leave room for the pulse): a trajectory
    switched when it ends on the other side of its reference axis (the ``switched`` column of ``simulate``).

    Returns one row per pulse: ``amplitude, width, n, switched`` (count), ``p_switch``, ``p_low``, ``p_high``
    (the Wilson interval (W) at ``confidence``), ``wer = 1 - p_switch``, and ``equilibrate``, ``relax``.
    ``backend``: ``"cpu"``, ``"cuda"`` or ``"auto"`` (fastspin.dynamics.backends; the same random streams on
    both, so the counts agree).
    """
    backend = resolve(backend)
    pulse = current_density if current_density is not None else voltage
    if pulse is None or (current_density is not None and voltage is not None):
        raise ValueError("give the pulse as current_density=Pulse(...) or voltage=Pulse(...) (one of them)")
    drive_name = "current_density" if current_density is not None else "voltage"
    amplitude, width = _grid_pulse(pulse, drive_name)
    temperature = v.positive_scalar(temperature, "temperature")
    if isinstance(n_trajectories, bool) or not isinstance(n_trajectories, (int, np.integer)) or n_trajectories < 1:
        raise ValueError(f"n_trajectories must be an integer >= 1, got {n_trajectories!r}")
    relax = float(v.real_array(relax, "relax"))
    if relax < 0:
        raise ValueError(f"relax must be >= 0 (s), got {relax}")
    dt = v.positive_scalar(dt, "dt")
    single = isinstance(system_or_layer, FreeLayer)
    if not single and not isinstance(system_or_layer, System):
        raise ValueError(f"the device must be a fastspin.dynamics.FreeLayer or System, got {type(system_or_layer)!r}")
    if equilibrate == "boltzmann":
        if not single:
            raise ValueError("equilibrate='boltzmann' samples a single FreeLayer; give a time (s) for a System")
        delay = 0.0
    else:
        delay = float(v.real_array(equilibrate, "equilibrate"))
        if delay < 0:
            raise ValueError(f"equilibrate must be 'boltzmann' or a time >= 0 (s), got {equilibrate!r}")
    pulse_end = delay + float(pulse.rise) + float(pulse.fall) + width.max()
    total = pulse_end + relax if duration is None else v.positive_scalar(duration, "duration")
    if pulse_end > total:
        raise ValueError(f"the pulse (ending at {pulse_end:.3g} s) is longer than the run (duration {total:.3g} s)")
    n_steps = max(1, math.ceil(total / dt - 1e-9))
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)  # drawn from the OS: an int (a sequence only when one is given)
        seed = int(entropy % (2**63))
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    if isinstance(system_or_layer, FreeLayer):
        column = "switched"
    else:
        magnet = system_or_layer.free[0] if magnet is None else magnet
        if magnet not in system_or_layer.free:
            raise ValueError(f"magnet must be a free magnet of the system {list(system_or_layer.free)}, got {magnet!r}")
        column = f"{magnet}.switched"

    grid_amplitude = np.repeat(amplitude, len(width))
    grid_width = np.tile(width, len(amplitude))
    n_pulses = grid_amplitude.size
    counts = np.zeros(n_pulses, dtype=np.int64)
    per_call = max(1, CHUNK_TRAJECTORIES // int(n_trajectories))
    for lo in range(0, n_pulses, per_call):
        rows = np.arange(lo, min(n_pulses, lo + per_call))
        amp = np.repeat(grid_amplitude[rows], n_trajectories)
        wid = np.repeat(grid_width[rows], n_trajectories)
        drive = Pulse(amp, wid, rise=pulse.rise, fall=pulse.fall, delay=delay + float(pulse.delay))
        start = _start_states(
            system_or_layer,
            single,
            equilibrate,
            m0,
            temperature,
            amp.size,
            seed + lo * int(n_trajectories),
            field,
            simulate_options,
        )
        pulse_keyword: dict[str, Any] = {drive_name: drive}  # a keyword named at run time
        frame = simulate(
            system_or_layer,
            **pulse_keyword,
            m0=start,
            field=field,
            duration=n_steps * dt,
            dt=dt,
            method="heun",
            temperature=temperature,
            seed=seed + lo * int(n_trajectories),
            backend=backend,
            **simulate_options,
        )
        counts[rows] = frame[column].to_numpy().reshape(len(rows), n_trajectories).sum(axis=1)
    low, high = wilson_interval(counts, n_trajectories, confidence)
    p_switch = counts / n_trajectories
    frame = pd.DataFrame(
        {
            "amplitude": grid_amplitude,
            "width": grid_width,
            "n": int(n_trajectories),
            "switched": counts,
            "p_switch": p_switch,
            "p_low": low,
            "p_high": high,
            "wer": 1.0 - p_switch,
            "equilibrate": str(equilibrate),
            "relax": relax,
        }
    )
    amplitude_unit = "A/m^2" if drive_name == "current_density" else "V"
    return attach_units(frame, {"amplitude": amplitude_unit, "switched": "1"})  # switched: a count of runs


def _start_states(device, single, equilibrate, m0, temperature, n, seed, field, options):
    if not single:
        if m0 is None:
            raise ValueError("m0 must give every magnet of the system its start direction")
        return m0
    start = np.asarray(options.get("polarization", (1.0, 0.0, 0.0)) if m0 is None else m0, dtype=float)
    if equilibrate != "boltzmann":
        return start
    for key in ("ms", "thickness", "anisotropy_field", "area"):
        if getattr(device, key) is None or np.ndim(getattr(device, key)) != 0:
            raise ValueError(
                f"equilibrate='boltzmann' needs scalar layer parameters and an area; {key} is {getattr(device, key)!r}"
            )
    field = np.asarray(field, dtype=float)
    if field.shape != (3,):
        raise ValueError("equilibrate='boltzmann' needs one constant field vector")
    return boltzmann_directions(device, start, temperature, n, seed, field)
