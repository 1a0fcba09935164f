"""Spin accumulation and spin current profiles g(x), j(x) through a stack, from one solve.

Inside each layer the general solutions (Barnas et al. 2005, Eqs 16, 23, 26, 29; Manchon et al. 2012, Eq. 7)
are fixed by their end values: the node accumulations of :func:`fastspin.transport.solve` (N side), the F-side
longitudinal values of a ferromagnet, and decaying exponentials in the leads.  Values are for a positive
charge current (``I0 > 0``) and normalised like the paper's Fig. 6(a): ``g v_F rho(E_F) / |I0/e|``; spin
currents (along +x) per particle current ``|j0|``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation as v
from ..columns import attach_units
from ..parameters import KIND_BARRIER, KIND_F, KIND_FD, LAYER_FIELDS
from ..stack import Stack
from .spinvalve import sharvin_conductance, solve


def two_end_solution(
    q: complex,
    d: float,
    xi: npt.NDArray[np.float64],
    left: npt.NDArray[np.inexact[Any]],
    right: npt.NDArray[np.inexact[Any]],
) -> tuple[npt.NDArray[np.inexact[Any]], npt.NDArray[np.inexact[Any]]]:
    """Solution of ``g'' = q^2 g`` on [0, d] with g(0) = left, g(d) = right (q may be complex), and its slope;
    decaying exponentials only."""
    e_d = np.exp(-q * d)
    den = 1.0 - e_d**2
    a = np.exp(-q * xi)
    b = np.exp(-q * (d - xi))
    c = np.exp(-q * (2 * d - xi))
    e = np.exp(-q * (d + xi))
    g = (left * (a - c)[:, None] + right * (b - e)[:, None]) / den
    dg = q * (left * (-a - c)[:, None] + right * (b + e)[:, None]) / den
    return g, dg


def transverse_basis(s: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Two unit vectors completing the unit vector ``s`` to a right-handed frame ``(e1, e2, s)``."""
    t = np.array([1.0, 0.0, 0.0]) if abs(s[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = t - (t @ s) * s
    e1 /= np.linalg.norm(e1)
    return e1, np.cross(s, e1)


MAX_POINTS_PER_LAYER = 10**7


def profile(
    stack: Stack, params: dict | None = None, *, points_per_layer: int = 101, lead_length: float | None = None
) -> pd.DataFrame:
    """Profiles of one configuration (``params`` of :func:`~fastspin.transport.solve`, one point).

    Columns: ``x`` (m, origin at the first contact), ``layer``, ``g_x, g_y, g_z`` (accumulation, Fig. 6(a)
    normalisation) and ``j_x, j_y, j_z`` (spin current along +x per ``|j0|``), for ``I0 > 0``.  Each
    finite layer gets ``points_per_layer`` points including both ends (so contacts appear twice: both sides);
    the leads extend ``lead_length`` (default: three spin-diffusion lengths of the lead).
    """
    points_per_layer = v.integer(points_per_layer, "points_per_layer", 2, MAX_POINTS_PER_LAYER)
    if lead_length is not None:
        lead_length = v.number(lead_length, "lead_length", None, *v.TRANSPORT_RANGES["thickness"])
    res = solve(stack, params, nodes=True)
    c = stack.compile()
    if res.n_points != 1:
        raise ValueError(f"profile takes one configuration, got {res.n_points} points")
    lay = c.layer_params.copy()
    for key, value in res.inputs.items():  # per-point layer parameters actually used
        if key.count(".") == 1 and "|" not in key and not key.endswith("direction"):
            name, field = key.split(".")
            lay[LAYER_FIELDS[field], stack.layer_index(name)] = float(np.ravel(value)[0])
    assert res.g_nodes is not None and res.f_nodes is not None  # solve(..., nodes=True) returns them
    g_nodes = -res.g_nodes[0]  # I0 > 0: g = -|e| J g_nodes
    f_nodes = -res.f_nodes[0]
    norm = 4.0 * sharvin_conductance(stack.fermi_energy)
    n = c.n_layers
    edges = np.concatenate([[0.0], np.cumsum(lay[3, 1:-1])])
    rows = []
    for k in range(n):
        kind = c.kind[k]
        if kind == KIND_BARRIER:
            continue
        rho, beta, lsf, d = lay[0, k], lay[1, k], lay[2, k], lay[3, k]
        s = res.direction(k)[0]
        lead = k in (0, n - 1)
        length = d if not lead else (3 * lsf if lead_length is None else lead_length)
        xi = np.linspace(0.0, length, points_per_layer)
        if k == 0:
            x = -xi[::-1]
        else:
            x = edges[k - 1] + xi
        left = g_nodes[k - 1] if k > 0 else None
        right = g_nodes[k] if k < n - 1 else None
        if kind == KIND_F:  # longitudinal only, along s, from its F-side end values
            f_left = f_nodes[k - 1] if k > 0 else None
            f_right = f_nodes[k] if k < n - 1 else None
            left, right = (None if f_left is None else f_left * s), (None if f_right is None else f_right * s)
        if lead:
            end = right if k == 0 else left
            assert end is not None  # a lead has one contact, on its inner side
            decay = np.exp(-xi / lsf)[:, None]
            g = end * decay
            slope = (1.0 if k == 0 else -1.0) * g / lsf
            if k == 0:
                g, slope = g[::-1], slope[::-1]
        else:
            assert left is not None and right is not None  # an inner layer has contacts on both sides
            g, slope = two_end_solution(1.0 / lsf, d, xi, left, right)
        if kind == KIND_FD and not lead:  # transverse part with the complex length of the s frame
            e1, e2 = transverse_basis(s)
            assert left is not None and right is not None
            q = np.sqrt(complex(1.0 / lay[5, k] ** 2, 1.0 / lay[4, k] ** 2) + 1.0 / lsf**2)
            cl = complex(left @ e1, left @ e2)
            cr = complex(right @ e1, right @ e2)
            gt, dgt = two_end_solution(q, d, xi, np.array([cl]), np.array([cr]))
            g = np.outer(g @ s, s) + np.outer(gt[:, 0].real, e1) + np.outer(gt[:, 0].imag, e2)
            slope = np.outer(slope @ s, s) + np.outer(dgt[:, 0].real, e1) + np.outer(dgt[:, 0].imag, e2)
        j = -slope / rho
        if kind in (KIND_F, KIND_FD):
            j = j - beta * s  # e^2 j_z = beta u - g'/rho*; per |u| with u = e^2 j0 < 0 the source is -beta s
        layer_rows = pd.DataFrame({"x": x, "layer": c.names[k]})
        for q_, comp in enumerate("xyz"):
            layer_rows[f"g_{comp}"] = norm * g[:, q_]
        for q_, comp in enumerate("xyz"):
            layer_rows[f"j_{comp}"] = j[:, q_]
        rows.append(layer_rows)
    return attach_units(pd.concat(rows, ignore_index=True))
