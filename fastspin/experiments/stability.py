"""Thermal stability factor of a macrospin free layer: Delta = E_b / (k_B T).

The energy of a :class:`~fastspin.dynamics.FreeLayer` of volume ``V = thickness * area`` in a constant
applied field ``B`` is (fastspin.dynamics.layer)

    E(m) = Ms V e(m),   e(m) = -B . m - (1/2) B_k (m . u)^2 + (1/2) mu0 Ms (N_x m_x^2 + N_y m_y^2 + N_z m_z^2)
         = -B . m + (1/2) m . A m,   A = -B_k u u^T + mu0 Ms diag(N),

with ``e`` in tesla.  On the unit sphere its gradient is ``g(m) = P (A m - B)`` with ``P = 1 - m m^T`` (minus the
effective field's transverse part) and its Hessian on the tangent plane is ``H(m) = P (A - lambda 1) P``,
``lambda = m . (A m - B)``.  A stable state is a minimum (``g = 0``, ``H`` positive definite); the thermally
activated escape from it goes over the lowest saddle point (``g = 0``, one negative eigenvalue of ``H``) of
the minimum-energy path to the other minimum, and the barrier of the well is ``E_b = E(saddle) - E(minimum)``.

Two ways to get it (:func:`~fastspin.experiments.thermal_stability`):

* ``method="barrier"``: the two minima by minimisation on the sphere from either side of the easy direction,
  the minimum-energy path between them by a climbing-image geodesic nudged elastic band on the sphere started
  from several great-circle paths, the saddle (climbing image) refined by Newton's method on the sphere, and
  ``E_b`` from the energies.  Deterministic.
* ``method="dwell"``: stochastic Heun trajectories (:func:`fastspin.dynamics.simulate`) at elevated
  temperatures ``T_k`` from the start well, the time to first reach the dividing plane through the saddle,
  the escape rate per temperature by the maximum-likelihood estimate for exponential waiting times with
  censoring, and an Arrhenius fit ``tau(T) = tau_0 (T / T_ref)^nu exp(E_b / (k_B T))`` for ``E_b``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation as v
from ..columns import attach_units
from ..constants import GAMMA_E, K_B, MU0
from ..dynamics import FreeLayer, simulate

METHODS = ("barrier", "dwell")
_BARRIER_OPTIONS = ("images",)
_DWELL_OPTIONS = (
    "temperatures",
    "n_trajectories",
    "duration",
    "dt",
    "seed",
    "prefactor_exponent",
    "settle",
    "escape_fraction",
    "images",
)
_XYZ = ("x", "y", "z")


# ----------------------------------------------------------------------------------------------------------
# the energy landscape on the unit sphere


class Landscape:
    """The energy ``e(m) = -B . m + (1/2) m . A m`` (tesla, per ``Ms V``) of a single-valued free layer.

    ``scale`` (T) bounds the curvatures of ``e`` on the sphere: ``(a_max - a_min) + |B|`` with ``a`` the
    eigenvalues of ``A``; it sets the step sizes and tolerances of the searches.
    """

    def __init__(self, layer: FreeLayer, field: npt.ArrayLike) -> None:
        self.layer = layer
        self.ms = float(layer.ms)
        self.alpha = float(layer.alpha)
        self.volume = float(layer.volume())
        self.moment = self.ms * self.volume  # Ms V, J / T
        self.field = np.asarray(field, dtype=np.float64)
        u = np.asarray(layer.easy_axis, dtype=np.float64)
        demag = np.asarray(layer.demag, dtype=np.float64)
        self.easy_axis = u
        self.A = -float(layer.anisotropy_field) * np.outer(u, u) + MU0 * self.ms * np.diag(demag)
        self.eigenvalues, self.eigenvectors = np.linalg.eigh(self.A)
        self.scale = float(self.eigenvalues[-1] - self.eigenvalues[0] + np.linalg.norm(self.field))

    def energy(self, m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """``e(m)`` in tesla for unit vectors of shape (..., 3)."""
        return -m @ self.field + 0.5 * np.einsum("...i,ij,...j->...", m, self.A, m)

    def joules(self, m: npt.NDArray[np.float64]) -> float:
        """``E(m) = Ms V e(m)`` in joules, from the layer's own energy (fastspin.dynamics.layer)."""
        return self.moment * float(self.layer.energy_per_ms_volume(m, self.field))

    def gradient(self, m: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Tangential gradient ``P (A m - B)`` (T) for unit vectors of shape (..., 3)."""
        g = m @ self.A - self.field
        return g - np.sum(g * m, axis=-1, keepdims=True) * m

    def hessian(self, m: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Eigenvalues (ascending, T) and eigenvectors (columns, 3-vectors) of the Hessian on the tangent plane."""
        basis = _tangent_basis(m)
        lam = m @ (self.A @ m - self.field)
        h = basis.T @ (self.A - lam * np.eye(3)) @ basis
        values, vectors = np.linalg.eigh(h)
        return values, basis @ vectors

    def axial_symmetry(self) -> npt.NDArray[np.float64] | None:
        """The axis about which the energy is rotationally symmetric, or ``None``.

        Symmetric when the two largest eigenvalues of ``A`` coincide (a uniaxial easy direction ``e1``) and the
        field lies along ``e1``: the energy then depends on ``m . e1`` only.
        """
        a = self.eigenvalues
        tol = 1e-9 * max(self.scale, 1e-300)
        e1 = self.eigenvectors[:, 0]
        if abs(a[2] - a[1]) <= tol and np.linalg.norm(np.cross(self.field, e1)) <= tol:
            return e1
        return None


def _tangent_basis(m):
    """Two orthonormal vectors spanning the plane perpendicular to the unit vector ``m`` (columns of a 3x2)."""
    helper = np.eye(3)[int(np.argmin(np.abs(m)))]
    e1 = np.cross(m, helper)
    e1 /= np.linalg.norm(e1)
    return np.stack([e1, np.cross(m, e1)], axis=1)


def _normalize(m):
    return m / np.linalg.norm(m, axis=-1, keepdims=True)


def _newton(land, m, iterations=60):
    """Newton's method for a stationary point ``P (A m - B) = 0`` on the sphere, from ``m``.

    Step ``xi = -H^+ g`` in the tangent plane (pseudo-inverse: a ring of stationary points, as the saddles of an
    axially symmetric energy, has a zero eigenvalue along the ring), then ``m <- (m + xi) / |m + xi|``.
    """
    tol = 1e-15 * max(land.scale, 1e-300)
    for _ in range(iterations):
        g = land.gradient(m)
        if np.linalg.norm(g) <= tol:
            break
        basis = _tangent_basis(m)
        lam = m @ (land.A @ m - land.field)
        h = basis.T @ (land.A - lam * np.eye(3)) @ basis
        step = -np.linalg.lstsq(h, basis.T @ g, rcond=1e-10)[0]
        xi = basis @ step
        norm = np.linalg.norm(xi)
        if norm > 0.3:  # stay in the basin of the point the search has brought us near
            xi *= 0.3 / norm
        m = _normalize(m + xi)
    return m


def _minimum(land, start):
    """The local minimum reached by steepest descent on the sphere from ``start``, refined by Newton.

    Raises ``ValueError`` when the descent ends on a flat valley (no isolated minimum, e.g. an easy plane).
    """
    m = _normalize(np.asarray(start, dtype=np.float64))
    step = 0.5 / land.scale
    for _ in range(200_000):
        g = land.gradient(m)
        if np.linalg.norm(g) < 1e-4 * land.scale:
            break
        m = _normalize(m - step * g)
    for _ in range(5):
        m = _newton(land, m)
        values, vectors = land.hessian(m)
        if values[0] > 1e-7 * land.scale:
            return m
        if values[0] < -1e-7 * land.scale:  # a saddle or maximum: leave it downhill and descend again
            m = _normalize(m + 0.1 * vectors[:, 0])
            for _ in range(200_000):
                g = land.gradient(m)
                if np.linalg.norm(g) < 1e-4 * land.scale:
                    break
                m = _normalize(m - step * g)
        else:
            break
    raise ValueError(
        "layer: the energy has no isolated minimum near the easy direction (an easy plane or a "
        "degenerate valley): the thermal stability factor is not defined"
    )


def minima(land: Landscape) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The start minimum (from the easy direction oriented along the layer's easy axis) and the other minimum.

    The easy direction is the eigenvector of ``A`` of the lowest eigenvalue (the layer's easy axis for a
    uniaxial layer whose anisotropy beats the demagnetizing field).  ``ValueError`` if both descents end in the
    same minimum (the field has removed one well).
    """
    if land.scale <= 0.0:
        raise ValueError("layer: no anisotropy, demagnetizing or applied field: the energy is flat")
    d = land.eigenvectors[:, 0].copy()
    ref = land.easy_axis if abs(d @ land.easy_axis) > 1e-12 else np.eye(3)[int(np.argmax(np.abs(d)))]
    if d @ ref < 0:
        d = -d
    # a small deterministic offset leaves a stationary point that is not a minimum (e.g. a field against the
    # easy axis beyond the switching field)
    nudge = 1e-3 * land.eigenvectors[:, 1] + 1e-4 * land.eigenvectors[:, 2]
    start = _minimum(land, d + nudge)
    other = _minimum(land, -d - nudge)
    if np.linalg.norm(start - other) < 1e-6:
        raise ValueError(
            "field: the applied field leaves a single minimum (it exceeds the switching field): there is no barrier"
        )
    return start, other


# ----------------------------------------------------------------------------------------------------------
# geodesic nudged elastic band with a climbing image


def _slerp(a, b, t):
    """Points of the great-circle arc from ``a`` to ``b`` (not antipodal) at fractions ``t`` (shape (n,))."""
    omega = np.arccos(np.clip(a @ b, -1.0, 1.0))
    if omega < 1e-12:
        return np.broadcast_to(a, (len(t), 3)).copy()
    s = np.sin(omega)
    return (np.sin((1 - t) * omega)[:, None] * a + np.sin(t * omega)[:, None] * b) / s


def _initial_paths(land, ma, mb, images):
    """Great-circle paths ``ma -> c -> mb`` through midpoints ``c`` perpendicular to ``ma - mb``.

    The midpoints are the eigen-directions of ``A`` restricted to that plane, their opposites and the four
    directions in between, so that every way around the sphere (over the hard and the intermediate axis, on
    either side) is tried.  Shape (n_paths, images, 3).
    """
    w = _normalize(ma - mb)
    basis = _tangent_basis(w)
    _, vec = np.linalg.eigh(basis.T @ land.A @ basis)
    c1, c2 = basis @ vec[:, 0], basis @ vec[:, 1]
    angles = np.arange(8) * (np.pi / 4)
    mids = np.cos(angles)[:, None] * c1 + np.sin(angles)[:, None] * c2
    half = images // 2
    t1 = np.linspace(0.0, 1.0, half + 1)
    t2 = np.linspace(0.0, 1.0, images - half)[1:]
    return np.stack([np.concatenate([_slerp(ma, c, t1), _slerp(c, mb, t2)]) for c in mids])


def _tangents(path, energy):
    """Path tangents by the energy-weighted scheme of Henkelman & Jonsson (2000), projected on the sphere."""
    fwd = path[:, 2:] - path[:, 1:-1]
    bwd = path[:, 1:-1] - path[:, :-2]
    e_prev, e_here, e_next = energy[:, :-2], energy[:, 1:-1], energy[:, 2:]
    d_next, d_prev = e_next - e_here, e_here - e_prev
    up = (d_next > 0) & (d_prev > 0)
    down = (d_next < 0) & (d_prev < 0)
    big = np.maximum(np.abs(d_next), np.abs(d_prev))
    small = np.minimum(np.abs(d_next), np.abs(d_prev))
    w_fwd = np.where(e_next > e_prev, big, small)
    w_bwd = np.where(e_next > e_prev, small, big)
    mixed = w_fwd[..., None] * fwd + w_bwd[..., None] * bwd
    tau = np.where(up[..., None], fwd, np.where(down[..., None], bwd, mixed))
    flat = np.linalg.norm(tau, axis=-1) < 1e-300
    tau = np.where(flat[..., None], fwd + bwd, tau)
    m = path[:, 1:-1]
    tau = tau - np.sum(tau * m, axis=-1, keepdims=True) * m
    return _normalize(tau)


def nudged_elastic_band(
    land: Landscape, ma: npt.NDArray[np.float64], mb: npt.NDArray[np.float64], images: int = 33, iterations: int = 5_000
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Minimum-energy paths from ``ma`` to ``mb`` by a climbing-image geodesic nudged elastic band.

    ``images`` points per path (endpoints fixed), several initial great-circle paths relaxed together
    (vectorised over paths and images).  Force on an inner image ``i``: the transverse part of
    ``F = -g(m_i)`` plus a spring ``k (L_{i,i+1} - L_{i-1,i}) tau_i`` on the geodesic distances along the
    tangent ``tau_i``; once a path has relaxed roughly (forces below ``1e-2 scale``, or after 300 steps), its
    highest image feels ``F - 2 (F . tau) tau`` instead (it climbs to the saddle).  Relaxed by
    velocity-projection steps, ``m <- (m + v dt) / |m + v dt|``; a path stops moving when its climbing image's
    force is below ``1e-7 scale``.  Returns ``(paths, energies, converged)`` of shape (n_paths, images, 3),
    (n_paths, images) and (n_paths,).
    """
    path = _initial_paths(land, ma, mb, images)
    n_paths = path.shape[0]
    rows = np.arange(n_paths)
    k = land.scale
    # quick-min moves an image by about F dt^2: the stiffest mode (curvature up to ~2 scale plus 2 k from the
    # springs) stays stable for dt^2 * 4 scale < 4
    dt = 0.4 / math.sqrt(land.scale)
    v_img = np.zeros_like(path[:, 1:-1])
    tol = 1e-7 * land.scale  # Newton's method takes the climbing image the rest of the way (saddle())
    climbing = np.zeros(n_paths, dtype=bool)
    converged = np.zeros(n_paths, dtype=bool)
    for it in range(iterations):
        energy = land.energy(path)
        m = path[:, 1:-1]
        tau = _tangents(path, energy)
        force = -land.gradient(m)
        along = np.sum(force * tau, axis=-1, keepdims=True)
        dist = np.arccos(np.clip(np.sum(path[:, 1:] * path[:, :-1], axis=-1), -1.0, 1.0))
        spring = k * (dist[:, 1:] - dist[:, :-1])[..., None] * tau
        total = force - along * tau + spring
        top = np.argmax(energy[:, 1:-1], axis=1)
        climb = force[rows, top] - 2.0 * along[rows, top] * tau[rows, top]
        total[rows, top] = np.where(climbing[:, None], climb, total[rows, top])
        largest = np.max(np.linalg.norm(total, axis=-1), axis=1)
        climbing |= (largest < 1e-2 * land.scale) | (it >= 300)
        converged |= climbing & (np.linalg.norm(force[rows, top] - along[rows, top] * tau[rows, top], axis=-1) < tol)
        if np.all(converged):
            break
        total[converged] = 0.0
        # velocity projection (quick-min): keep the velocity component along the force, drop it if uphill
        f_hat = total / np.maximum(np.linalg.norm(total, axis=-1, keepdims=True), 1e-300)
        proj = np.sum(v_img * f_hat, axis=-1, keepdims=True)
        v_img = np.where(proj > 0, proj * f_hat, 0.0) + dt * total
        new = _normalize(m + dt * v_img)
        v_img = v_img - np.sum(v_img * new, axis=-1, keepdims=True) * new
        path = path.copy()
        path[:, 1:-1] = new
    return path, land.energy(path), converged


def saddle(
    land: Landscape, ma: npt.NDArray[np.float64], mb: npt.NDArray[np.float64], images: int = 33
) -> npt.NDArray[np.float64]:
    """The lowest first-order saddle on the minimum-energy paths between the minima ``ma`` and ``mb``.

    The climbing image of each relaxed path is refined by Newton's method; points that are not first-order
    saddles (one negative Hessian eigenvalue; a zero one is allowed, the ring of an axially symmetric energy)
    are discarded, and the lowest remaining saddle is returned.
    """
    paths, energies, _ = nudged_elastic_band(land, ma, mb, images)
    best, best_energy = None, np.inf
    tol = 1e-7 * land.scale
    for p in range(paths.shape[0]):
        top = 1 + int(np.argmax(energies[p, 1:-1]))
        m = _newton(land, paths[p, top])
        if np.linalg.norm(land.gradient(m)) > 1e-10 * land.scale:
            continue
        values, _ = land.hessian(m)
        if not (values[0] < -tol and values[1] > -tol):
            continue
        e = float(land.energy(m))
        if e < best_energy - 1e-14 * land.scale:
            best, best_energy = m, e
    if best is None:
        raise ValueError("field: no first-order saddle found between the two minima")
    return best


# ----------------------------------------------------------------------------------------------------------
# input checks


def _check_layer(layer):
    if not isinstance(layer, FreeLayer):
        raise ValueError(f"layer must be a fastspin.dynamics.FreeLayer, got {type(layer)!r}")
    if layer.area is None:
        raise ValueError(f"{layer.owner}: area is needed (the volume thickness * area sets the barrier)")
    for name in ("ms", "thickness", "alpha", "anisotropy_field", "area"):
        if np.size(getattr(layer, name)) != 1:
            raise ValueError(f"{layer.owner}: {name} must be a single value for the thermal stability")
    for name in ("easy_axis", "demag"):
        if np.asarray(getattr(layer, name)).ndim != 1:
            raise ValueError(f"{layer.owner}: {name} must be a single vector for the thermal stability")


def _check_temperature(temperature, name="temperature"):
    arr = v.per_trajectory(temperature, name)
    if arr.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 K, got {temperature!r}")
    return np.atleast_1d(arr)


def _check_options(options, allowed, method):
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"options {unknown} are not options of method={method!r}; it takes {list(allowed)}")


def _images(options):
    images = options.get("images", 33)
    if isinstance(images, bool) or not isinstance(images, (int, np.integer)) or images < 5:
        raise ValueError(f"images must be an integer >= 5, got {images!r}")
    return int(images)


# ----------------------------------------------------------------------------------------------------------
# the landscape result shared by both methods


def _stationary_points(layer, field, images):
    land = Landscape(layer, field)
    start, other = minima(land)
    top = saddle(land, start, other, images)
    e_start, e_other, e_saddle = land.joules(start), land.joules(other), land.joules(top)
    return land, dict(
        start=start,
        other=other,
        saddle=top,
        e_start=e_start,
        e_other=e_other,
        e_saddle=e_saddle,
        barrier_forward=e_saddle - e_start,
        barrier_backward=e_saddle - e_other,
    )


def _vector_columns(points, land):
    cols = {}
    for key, label in (("start", "minimum"), ("other", "other_minimum"), ("saddle", "saddle")):
        for c, axis in enumerate(_XYZ):
            cols[f"{label}_m{axis}"] = points[key][c]
    for c, axis in enumerate(_XYZ):
        cols[f"field_{axis}"] = float(land.field[c])
    cols["volume"] = land.volume
    return cols


def _barrier_frame(temperature, land, points):
    kt = K_B * temperature
    frame = pd.DataFrame(
        {
            "temperature": temperature,
            "method": "barrier",
            "delta": points["barrier_forward"] / kt,
            "delta_backward": points["barrier_backward"] / kt,
            "barrier_forward": points["barrier_forward"],
            "barrier_backward": points["barrier_backward"],
            "energy_minimum": points["e_start"],
            "energy_other_minimum": points["e_other"],
            "energy_saddle": points["e_saddle"],
        }
    )
    for key, value in _vector_columns(points, land).items():
        frame[key] = value
    return frame


# ----------------------------------------------------------------------------------------------------------
# dwell times at elevated temperatures


def _dwell_options(options, layer):
    """The dwell options that need no landscape, checked (``ValueError`` naming the parameter)."""
    n = options.get("n_trajectories", 400)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n_trajectories must be an integer >= 1, got {n!r}")
    if float(layer.alpha) <= 0.0:
        raise ValueError(
            f"{layer.owner}: alpha must be > 0 for thermal escape (the thermal field scales with the damping)"
        )
    temps = options.get("temperatures")
    if temps is not None:
        temps = _check_temperature(temps, "temperatures")
        if np.unique(temps).size < 2:
            raise ValueError("temperatures must hold at least two different values for the Arrhenius fit")
    dt = options.get("dt")
    dt = None if dt is None else v.positive_scalar(dt, "dt")
    settle = options.get("settle")
    if settle is not None:
        settle = float(v.real_array(settle, "settle"))
        if settle < 0:
            raise ValueError(f"settle must be >= 0 s, got {options['settle']!r}")
    duration = options.get("duration")
    duration = np.inf if duration is None else v.positive_scalar(duration, "duration")
    fraction = float(v.real_array(options.get("escape_fraction", 0.9), "escape_fraction"))
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"escape_fraction must lie in (0, 1], got {options['escape_fraction']!r}")
    nu = options.get("prefactor_exponent")
    nu = None if nu is None else float(v.real_array(nu, "prefactor_exponent"))
    seed = options.get("seed")
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)  # drawn from the OS: an int (a sequence only when one is given)
        seed = int(entropy % (2**62))
    elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return dict(
        n=int(n), temperatures=temps, dt=dt, settle=settle, duration=duration, fraction=fraction, nu=nu, seed=int(seed)
    )


def _dwell_settings(checked, land, points):
    """The checked options completed from the landscape: temperatures, time step, settling time, ``nu``."""
    settings = dict(checked)
    if settings["temperatures"] is None:
        settings["temperatures"] = points["barrier_forward"] / (K_B * np.array([5.0, 6.0, 7.0, 8.0]))
    # the fastest motion: precession at gamma * scale, at the rate gamma / sqrt(1 + alpha^2) of the
    # Landau-Lifshitz form
    omega = GAMMA_E * land.scale / math.sqrt(1.0 + land.alpha**2)
    if settings["dt"] is None:
        settings["dt"] = 0.05 / omega
    if settings["duration"] < settings["dt"]:
        raise ValueError(f"duration ({settings['duration']} s) must be at least one time step dt ({settings['dt']} s)")
    # relaxation inside the well: the smallest curvature at the minimum, damped at alpha / (1 + alpha^2)
    curvature = land.hessian(points["start"])[0][0]
    settings["relax"] = (1.0 + land.alpha**2) / (land.alpha * GAMMA_E * curvature)
    if settings["settle"] is None:
        settings["settle"] = 10.0 * settings["relax"]
    if settings["nu"] is None:
        settings["nu"] = 0.5 if land.axial_symmetry() is not None else 0.0
    return settings


def _steps(duration, dt):
    """Whole steps of ``dt`` that fit in ``duration`` (at least one)."""
    return max(1, math.floor(duration / dt + 1e-9))


def dwell_times(
    layer: FreeLayer, field: npt.ArrayLike, points: Mapping[str, Any], settings: Mapping[str, Any]
) -> pd.DataFrame:
    """Escape data per temperature: the first time to reach the dividing plane through the saddle.

    The plane is ``m . p = m_s . p`` with ``p = (m_A - m_B) / |m_A - m_B|`` (start minimum ``m_A``, other
    minimum ``m_B``, saddle ``m_s``); for an axially symmetric energy it holds the whole ring of saddles.
    Trajectories start in the start minimum and first run ``settle`` seconds; those still in the well carry on
    from where they are (the quasi-stationary distribution of the well), the others are set aside.  Then rounds
    of doubling length run the trajectories that have not escaped, from their last states (the motion is
    Markovian, so a round continues a trajectory exactly in distribution), until a fraction ``escape_fraction``
    of a temperature's trajectories has escaped or each has been observed for ``duration``.

    The rate of an exponential waiting time from escape times ``t_i`` (``n`` escaped) and censoring times
    ``c_j`` (not escaped when observation stopped) has the maximum-likelihood estimate
    ``r = n / (sum t_i + sum c_j)``, with ``sigma(ln r) = 1 / sqrt(n)`` (Fisher information).  Returns a
    DataFrame with one row per temperature: ``temperature, n_trajectories, n_escaped, n_set_aside,
    observed_time`` (s, the sum), ``dwell_time = observed_time / n_escaped`` (s) and ``dwell_time_error``.
    """
    temps, n, dt = settings["temperatures"], settings["n"], settings["dt"]
    p = _normalize(points["start"] - points["other"])
    threshold = float(points["saddle"] @ p)
    n_t = temps.size
    temperature = np.repeat(temps, n)
    group = np.repeat(np.arange(n_t), n)
    m = np.broadcast_to(points["start"], (n_t * n, 3)).copy()
    seed = np.random.SeedSequence(settings["seed"])
    seeds = iter(int(s) for s in seed.generate_state(1000, dtype=np.uint64) % (2**62))

    def run(
        m0: npt.NDArray[np.float64], temps_now: npt.NDArray[np.float64], duration: float
    ) -> tuple[float, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        steps = _steps(duration, dt)
        frame = simulate(
            layer,
            field=field,
            m0=m0,
            polarization=p,
            temperature=temps_now,
            method="heun",
            seed=next(seeds),
            duration=steps * dt,
            dt=dt,
            switch_threshold=threshold,
        )
        t_switch = frame["first_crossing_time"].to_numpy(dtype=np.float64, copy=True)  # first crossing of the plane
        m_end = frame[["mx", "my", "mz"]].to_numpy(dtype=np.float64, copy=True)
        return steps * dt, t_switch, m_end

    alive = np.ones(n_t * n, dtype=bool)
    if settings["settle"] > 0:
        _, t_switch, m = run(m, temperature, settings["settle"])
        alive = np.isnan(t_switch)
    set_aside = np.bincount(group[~alive], minlength=n_t)
    observed = np.zeros(n_t * n)
    escaped = np.zeros(n_t * n, dtype=bool)
    done = np.zeros(n_t, dtype=bool)
    counted = np.bincount(group[alive], minlength=n_t)
    done |= counted == 0
    chunk = max(100.0 * settings["relax"], 200 * dt)
    while not np.all(done):
        active = alive & ~escaped & ~done[group]
        remaining = settings["duration"] - observed[active]
        length = min(chunk, float(np.max(remaining)))
        span, t_switch, m_end = run(m[active], temperature[active], length)
        idx = np.flatnonzero(active)
        hit = ~np.isnan(t_switch)
        observed[idx] += np.where(hit, t_switch, span)
        escaped[idx[hit]] = True
        m[idx[~hit]] = m_end[~hit]
        for k in np.flatnonzero(~done):
            mine = (group == k) & alive
            if np.mean(escaped[mine]) >= settings["fraction"] or np.all(
                settings["duration"] - observed[mine & ~escaped] < dt * (1 - 1e-9)
            ):
                done[k] = True
        chunk *= 2.0
    n_escaped = np.bincount(group[escaped], minlength=n_t)
    total = np.bincount(group, weights=observed, minlength=n_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(n_escaped > 0, total / n_escaped, np.nan)
        err = tau / np.sqrt(n_escaped)
    frame = pd.DataFrame(
        {
            "temperature": temps,
            "n_trajectories": counted,
            "n_escaped": n_escaped,
            "n_set_aside": set_aside,
            "observed_time": total,
            "dwell_time": tau,
            "dwell_time_error": err,
        }
    )
    frame.attrs.update(threshold=threshold, axis=p, dt=dt, settle=settings["settle"], seed=settings["seed"])
    return attach_units(frame)


def arrhenius_fit(data: pd.DataFrame, nu: float) -> dict[str, Any]:
    """Weighted least-squares fit of ``ln tau_k - nu ln(T_k / T_ref) = ln tau_0 + E_b / (k_B T_k)``.

    Weights ``n_escaped`` (``sigma(ln tau_k) = 1 / sqrt(n_k)``), ``T_ref`` the geometric mean of the fitted
    temperatures.  ``nu`` is the temperature exponent of the prefactor: 1/2 for an axially symmetric energy
    (Brown 1963: ``tau ~ tau_N Delta^(-3/2) exp(Delta)`` with ``tau_N ~ 1 / T``), 0 for the
    intermediate-to-high damping Kramers-Langer rate of a non-symmetric energy, 1 in the very-low-damping
    limit.  Returns ``E_b`` (J), ``ln tau_0`` at ``T_ref``, their covariance, ``T_ref``, ``chi2`` and ``dof``.
    """
    ok = data.n_escaped.to_numpy() > 0
    if ok.sum() < 2:
        raise ValueError(
            "temperatures: fewer than two temperatures saw an escape; raise the temperatures, "
            "n_trajectories or duration"
        )
    temps = data.temperature.to_numpy()[ok]
    n_k = data.n_escaped.to_numpy()[ok].astype(float)
    t_ref = float(np.exp(np.mean(np.log(temps))))
    y = np.log(data.dwell_time.to_numpy()[ok]) - nu * np.log(temps / t_ref)
    x = 1.0 / (K_B * temps)
    design = np.stack([np.ones_like(x), x], axis=1)
    normal = design.T @ (n_k[:, None] * design)
    cov = np.linalg.inv(normal)
    ln_tau0, barrier = cov @ (design.T @ (n_k * y))
    resid = y - (ln_tau0 + barrier * x)
    return dict(
        barrier=float(barrier),
        ln_tau0=float(ln_tau0),
        cov=cov,
        t_ref=t_ref,
        chi2=float(np.sum(n_k * resid**2)),
        dof=int(ok.sum() - 2),
    )


def _dwell_frame(temperature, layer, field, land, points, checked):
    settings = _dwell_settings(checked, land, points)
    data = dwell_times(layer, field, points, settings)
    fit = arrhenius_fit(data, settings["nu"])
    e_b, cov, nu = fit["barrier"], fit["cov"], settings["nu"]
    sigma_e = math.sqrt(cov[1, 1])
    kt = K_B * temperature
    ln_tau0 = fit["ln_tau0"] + nu * np.log(temperature / fit["t_ref"])
    # ln tau(T) = ln tau_0(T) + E_b / kT, with the covariance of (ln tau_0(T_ref), E_b)
    var_ln_tau = cov[0, 0] + 2.0 * cov[0, 1] / kt + cov[1, 1] / kt**2
    tau_0 = np.exp(ln_tau0)
    dwell = np.exp(ln_tau0 + e_b / kt)
    frame = pd.DataFrame(
        {
            "temperature": temperature,
            "method": "dwell",
            "delta": e_b / kt,
            "delta_error": sigma_e / kt,
            "barrier": e_b,
            "barrier_error": sigma_e,
            "tau_0": tau_0,
            "tau_0_error": tau_0 * math.sqrt(cov[0, 0]),
            "dwell_time": dwell,
            "dwell_time_error": dwell * np.sqrt(var_ln_tau),
            "prefactor_exponent": nu,
            "chi2": fit["chi2"],
            "dof": fit["dof"],
            "n_escaped": int(data.n_escaped.sum()),
            "barrier_saddle": points["barrier_forward"],
            "threshold": data.attrs["threshold"],
        }
    )
    for key, value in _vector_columns(points, land).items():
        frame[key] = value
    frame.attrs["dwell"] = data
    frame.attrs["seed"] = settings["seed"]
    frame.attrs["dt"] = settings["dt"]
    frame.attrs["reference_temperature"] = fit["t_ref"]
    return frame


# ----------------------------------------------------------------------------------------------------------


def thermal_stability(
    layer: FreeLayer,
    temperature: npt.ArrayLike,
    *,
    method: str = "barrier",
    field: npt.ArrayLike = (0.0, 0.0, 0.0),
    **options: Any,
) -> pd.DataFrame:
    """Thermal stability factor ``Delta = E_b / (k_B T)`` of a macrospin free layer; one row per temperature.

    ``layer``: a :class:`~fastspin.dynamics.FreeLayer` with single-valued parameters and an ``area`` (volume
    ``V = thickness * area``); any uniaxial anisotropy axis, diagonal demagnetizing tensor and constant applied
    ``field`` (T).  Energy ``E(m) = Ms V e(m)`` with ``e`` = ``layer.energy_per_ms_volume(m, field)``.
    ``temperature``: K, scalar or 1-D, > 0.  The start well is the minimum on the side of the layer's easy axis
    (the easy direction, the lowest eigenvector of ``A``, oriented along ``easy_axis``).

    ``method="barrier"`` (options: ``images``, points per nudged-elastic-band path, default 33): minima,
    minimum-energy path and saddle (module docstring).  Columns: ``temperature`` (K), ``method``, ``delta``
    (``= barrier_forward / k_B T``, the start well), ``delta_backward``, ``barrier_forward = E(saddle) -
    E(minimum)`` and ``barrier_backward = E(saddle) - E(other minimum)`` (J), ``energy_minimum``,
    ``energy_other_minimum``, ``energy_saddle`` (J), ``minimum_mx/my/mz``, ``other_minimum_mx/my/mz``,
    ``saddle_mx/my/mz``, ``field_x/y/z`` (T), ``volume`` (m^3).

    ``method="dwell"``: stochastic-Heun escapes from the start well at elevated temperatures ``T_k``
    (:func:`~fastspin.experiments.stability.dwell_times`), then the Arrhenius fit
    ``tau(T) = tau_0 (T / T_ref)^nu exp(E_b / k_B T)`` (:func:`~fastspin.experiments.stability.arrhenius_fit`).
    Options: ``temperatures`` (K, >= 2 values; default where the saddle barrier gives ``E_b / k_B T_k`` =
    5, 6, 7, 8), ``n_trajectories`` per temperature (default 400), ``duration``
    (s, longest observation per trajectory; default: until ``escape_fraction``, default 0.9, of a
    temperature's trajectories escaped), ``dt`` (s; default ``0.05 sqrt(1 + alpha^2) / (gamma scale)``),
    ``settle`` (s; default ten relaxation times in the well), ``seed``, ``prefactor_exponent`` ``nu``
    (default 1/2 for an axially symmetric energy, else 0), ``images``.  Columns: ``temperature``, ``method``,
    ``delta = E_b / k_B T`` and ``delta_error``, ``barrier`` (fitted ``E_b``, J) and ``barrier_error``,
    ``tau_0`` (s, the attempt time at this temperature, ``tau(T) = tau_0 exp(delta)``) and ``tau_0_error``,
    ``dwell_time`` (s, ``tau(T)`` extrapolated: the mean time to first reach the dividing plane, which at
    high barriers is about half the mean time between switching events, as a trajectory on the saddle falls
    back about half the time) and ``dwell_time_error``, ``prefactor_exponent``, ``chi2`` and ``dof``
    of the fit, ``n_escaped`` (all temperatures), ``barrier_saddle`` (J, the barrier method's value),
    ``threshold`` (``m . p`` of the dividing plane), and the vector and ``volume`` columns of the barrier
    method.  ``frame.attrs["dwell"]`` holds the per-temperature data, ``attrs["seed"]`` the seed.
    Uncertainties are one standard deviation of the counting statistics.  The Arrhenius form neglects
    prefactor corrections of relative order ``k_B T_k / E_b``: for an axially symmetric energy and
    ``E_b / k_B T_k`` from 5 to 9, fitting Brown's exact escape times this way gives ``E_b`` about 2.3 % low
    (1.5 % at 8 to 12).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    _check_layer(layer)
    temperature = _check_temperature(temperature)
    field = v.vectors(field, "field")
    if field.ndim != 1:
        raise ValueError(f"field must be a single vector of shape (3,), got shape {field.shape}")
    _check_options(options, _BARRIER_OPTIONS if method == "barrier" else _DWELL_OPTIONS, method)
    images = _images(options)
    checked = _dwell_options(options, layer) if method == "dwell" else None
    land, points = _stationary_points(layer, field, images)
    if method == "barrier":
        return attach_units(_barrier_frame(temperature, land, points))
    return attach_units(_dwell_frame(temperature, layer, field, land, points, checked))
