"""Batched evaluators used by the scan tests (module level, so specs can name them and resume)."""

import time

import numba
import numpy as np
import pandas as pd

#: set ``FAIL["point"]`` to a point index to make :func:`failing` raise in the chunk holding it.
FAIL = {"point": None}
#: first point of every chunk :func:`failing` evaluated (to see which chunks a resumed run computes).
CALLS = []


def polynomial(points):
    a, b = points["a"], points["b"]
    return pd.DataFrame({"y": a**2 + 3.0 * b, "z": np.sin(a) * b})


def failing(points):
    CALLS.append(int(points["point"][0]))
    if FAIL["point"] is not None and FAIL["point"] in points["point"]:
        raise RuntimeError(f"simulated crash in the chunk holding point {FAIL['point']}")
    return polynomial(points)


def slow(points):
    time.sleep(0.25)
    return polynomial(points)


@numba.njit(cache=True, parallel=True)
def _oscillator_kernel(omega, damping, duration, n_steps, out):
    """RK4 of x'' = -omega^2 x - 2 damping x', x(0) = 1, x'(0) = 0, one trajectory per point."""
    dt = duration / n_steps
    for i in numba.prange(omega.size):
        w2, c = omega[i] ** 2, 2.0 * damping[i]
        x, v = 1.0, 0.0
        for _ in range(n_steps):
            k1x, k1v = v, -w2 * x - c * v
            k2x, k2v = v + 0.5 * dt * k1v, -w2 * (x + 0.5 * dt * k1x) - c * (v + 0.5 * dt * k1v)
            k3x, k3v = v + 0.5 * dt * k2v, -w2 * (x + 0.5 * dt * k2x) - c * (v + 0.5 * dt * k2v)
            k4x, k4v = v + dt * k3v, -w2 * (x + dt * k3x) - c * (v + dt * k3v)
            x += dt * (k1x + 2 * k2x + 2 * k3x + k4x) / 6.0
            v += dt * (k1v + 2 * k2v + 2 * k3v + k4v) / 6.0
        out[i] = x


def oscillator(points):
    """Final position of a damped oscillator after 2 s (a Numba batch kernel, like the real models)."""
    omega, damping = points["omega"], points["damping"]
    out = np.empty(omega.size)
    _oscillator_kernel(omega, damping, 2.0, 4000, out)
    return pd.DataFrame({"x_final": out})


def oscillator_exact(omega, damping, t=2.0):
    """Closed form of the underdamped oscillator of :func:`oscillator`."""
    wd = np.sqrt(omega**2 - damping**2)
    return np.exp(-damping * t) * (np.cos(wd * t) + damping / wd * np.sin(wd * t))


def spec_of(func, n_a=7, n_b=5, chunk_size=6):
    from fastspin.scan import Axis, ScanSpec

    return ScanSpec(func, [Axis.linspace("a", -1.0, 1.0, n_a), Axis("b", np.arange(n_b) * 0.5)], chunk_size=chunk_size)
