"""Independent references for the dynamics tests (plain NumPy / SciPy, written from the equations).

The LLGS right-hand side here solves the Gilbert form (Louis et al. 2025 Eq. 24 with the torque of
fastspin/conventions.py) as a linear system, ``(1 - alpha [m]x) dm/dt = T``, instead of using the
Landau-Lifshitz form of the kernels, so it checks that transformation too.
"""

import json
import pathlib

import numba
import numpy as np

from fastspin.constants import GAMMA_E, MU0

JIT = not numba.config.DISABLE_JIT  #: tests shrink their sizes when the JIT is disabled (coverage runs)
FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def cross_matrix(m):
    return np.array([[0.0, -m[2], m[1]], [m[2], 0.0, -m[0]], [-m[1], m[0], 0.0]])


def gilbert_rhs(m, *, alpha, b_eff, a_j=0.0, b_j=0.0, p=(1.0, 0.0, 0.0)):
    """dm/dt from dm/dt = -gamma m x B + alpha m x dm/dt + gamma a_J m x (m x p) - gamma b_J m x p."""
    p = np.asarray(p, dtype=float)
    torque = (
        -GAMMA_E * np.cross(m, b_eff) + GAMMA_E * a_j * np.cross(m, np.cross(m, p)) - GAMMA_E * b_j * np.cross(m, p)
    )
    return np.linalg.solve(np.eye(3) - alpha * cross_matrix(m), torque)


def thin_film_field(m, *, ms, field, bk, easy=(1.0, 0.0, 0.0), demag=(0.0, 0.0, 1.0)):
    """B = field + B_k (m.u) u - mu0 Ms N m."""
    easy = np.asarray(easy, dtype=float)
    return np.asarray(field, dtype=float) + bk * np.dot(m, easy) * easy - MU0 * ms * np.asarray(demag) * m


def tilted(angle, axis="y"):
    """Unit vector in the x-`axis` plane at `angle` from +x."""
    m = np.zeros(3)
    m[0] = np.cos(angle)
    m["xyz".index(axis)] = np.sin(angle)
    return m


def load_fixture(name):
    return json.loads((FIXTURES / name).read_text())
