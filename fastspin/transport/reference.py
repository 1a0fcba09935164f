"""Second method: a plain per-point NumPy solve in the paper's own unknowns (tests and benchmarks use it).

Independent of :mod:`fastspin.transport.kernels`: instead of eliminating the ferromagnets into two-ports
and solving for node accumulations, every layer keeps the constants of its general solution
(Barnas et al. 2005, Eqs 10-16 and 25-26), in the global spin frame and a local coordinate
``xi`` in ``[0, d]``::

    N:  mu0 = C xi + G,          g(xi) = A e^{(xi-d)/l} + B e^{-xi/l}       (A, B 3-vectors)
    F:  mu0 = -beta g + C xi + G, g(xi) = A e^{(xi-d)/l} + B e^{-xi/l}       (scalar along s, Eq. 15, eta=-beta)

(leads keep the decaying exponential only), and at every N/F contact the raw boundary conditions are
imposed one by one: particle-current continuity on both sides of Eq. 33, Eq. 34 on both sides, and the
transverse Eqs 35-36 on the N side (``e^2 j^{F->N} = ...``, flowing from F into N); an N/N contact
has continuity of ``mu0``, ``g``, ``j0`` and ``j``.  One more row fixes the current in the left lead
(``e^2 j0 = 1``) and one the gauge (``G = 0`` in the left lead).  Rows and columns are equilibrated,
then a dense ``numpy.linalg.solve``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ..parameters import KIND_F
from ..stack import CompiledStack
from .profiles import transverse_basis


def solve_reference(
    c: CompiledStack,
    layer_params: Sequence[npt.NDArray[np.float64]] | None = None,
    iface_params: Sequence[npt.NDArray[np.float64]] | None = None,
    directions: npt.NDArray[np.float64] | None = None,
    current: float = 1.0,
) -> dict[str, npt.NDArray[np.float64] | float]:
    """Solve one configuration driven by ``e^2 j0 = current``.

    Returns a dict with ``torque`` (nF, 3; per hbar I0/|e| when ``current = 1``, scaling with it),
    ``resistance_area`` (Ohm m^2), ``particle_current`` per layer (``e^2 j0 / current``, should all be 1),
    ``g_nodes`` (N-side accumulation at each contact, per e^2 j0), ``j_left``/``j_right`` (spin
    current vectors at both sides of each contact, N side or ``s`` times the F-side longitudinal one)."""
    if np.any(c.kind > KIND_F):
        raise ValueError(
            "the reference solver covers normal metals and ferromagnets with mixing-conductance "
            "interfaces only (no DiffusiveFerromagnet, no TunnelBarrier)"
        )
    rho, beta, lsf, thick = (c.rho_star, c.beta, c.l_sf, c.thickness) if layer_params is None else layer_params
    r_star, gamma, gre, gim = (c.r_star, c.gamma, c.g_mix_real, c.g_mix_imag) if iface_params is None else iface_params
    dirs = c.direction if directions is None else directions
    n = c.n_layers
    # unknown layout per layer: [C, G, A..., B...] with A/B of size 3 (N) or 1 (F); leads drop one of them
    offsets, sizes = [], []
    pos = 0
    for k in range(n):
        dim = 3 if c.kind[k] != KIND_F else 1
        size = 2 + (dim if k in (0, n - 1) else 2 * dim)
        offsets.append(pos)
        sizes.append(size)
        pos += size
    n_unknown = pos

    layers = (c.kind, offsets, n_unknown, rho, beta, lsf, thick)

    rows, rhs = [], []

    def add(row: npt.NDArray[np.float64], value: float = 0.0) -> None:
        rows.append(row)
        rhs.append(value)

    for k in range(n - 1):
        left = _layer_rows(layers, k, "right")
        right = _layer_rows(layers, k + 1, "left")
        if c.kind[k] != KIND_F and c.kind[k + 1] != KIND_F:  # N/N: everything continuous
            add(left[0] - right[0])
            for q in range(3):
                add(left[1][q] - right[1][q])
                add(left[3][q] - right[3][q])
            add(left[2] - right[2])
            continue
        f_on_left = c.kind[k] == KIND_F
        fl, nl = (left, right) if f_on_left else (right, left)
        s = dirs[k] if f_on_left else dirs[k + 1]
        e1, e2 = transverse_basis(s)
        sign = 1.0 if f_on_left else -1.0  # x-directed current = sign * (current from F into N)
        g_up = 1.0 / (2 * r_star[k] * (1 - gamma[k]))
        g_dn = 1.0 / (2 * r_star[k] * (1 + gamma[k]))
        d_mu = fl[0] - nl[0]
        d_gz = fl[1][0] - s @ nl[1]
        eq33 = (g_up + g_dn) * d_mu + (g_up - g_dn) * d_gz
        eq34 = (g_up - g_dn) * d_mu + (g_up + g_dn) * d_gz
        add(fl[2] - sign * eq33)  # particle current on the F side (Eq. 33)
        add(nl[2] - sign * eq33)  # ... and on the N side
        add(fl[3][0] - sign * eq34)  # longitudinal spin current, F side (Eq. 34)
        add(s @ nl[3] - sign * eq34)  # ... N side
        g_n = nl[1]
        g_perp = g_n - np.outer(s, s @ g_n)
        s_cross_g = np.cross(s, g_n, axis=0)
        eq3536 = -2.0 * (gre[k] * g_perp + gim[k] * s_cross_g)  # (3, n_unknown), Eqs 35-36
        for e in (e1, e2):
            add(e @ nl[3] - sign * (e @ eq3536))
    current_row = _layer_rows(layers, 0, "right")[2]
    add(current_row, current)
    gauge = np.zeros(n_unknown)
    gauge[offsets[0] + 1] = 1.0
    add(gauge, 0.0)
    a = np.array(rows)
    # equilibrate rows and columns (unknowns and equations span ~30 decades in SI) before the dense solve
    row_scale = 1.0 / np.max(np.abs(a), axis=1)
    a = a * row_scale[:, None]
    col_scale = 1.0 / np.max(np.abs(a), axis=0)
    x = np.linalg.solve(a * col_scale, np.array(rhs) * row_scale) * col_scale

    torque = []
    g_nodes, j_left, j_right = [], [], []
    for k in range(n - 1):
        left = _layer_rows(layers, k, "right")
        right = _layer_rows(layers, k + 1, "left")
        vals = [tuple(np.atleast_1d(part @ x) for part in side) for side in (left, right)]
        vec = []
        for side, kk in zip(vals, (k, k + 1)):
            if c.kind[kk] == KIND_F:
                vec.append((dirs[kk] * side[1][0], dirs[kk] * side[3][0]))
            else:
                vec.append((side[1], side[3]))
        g_nodes.append(vec[1][0] if c.kind[k] == KIND_F else vec[0][0])
        j_left.append(vec[0][1])
        j_right.append(vec[1][1])
    for k in np.flatnonzero(c.kind == KIND_F).tolist():
        s = dirs[k]
        tau = np.zeros(3)
        if k > 0:  # N-side transverse current arriving from the left (Eq. 37)
            jl = j_left[k - 1]
            tau += jl - s * (s @ jl)
        if k < n - 1:
            jr = j_right[k]
            tau -= jr - s * (s @ jr)
        torque.append(-0.5 * tau)  # in units of hbar/e^2 per unit u; normalised by hbar I0/|e| when current = 1
    particle = [_layer_rows(layers, k, "right" if k < n - 1 else "left")[2] @ x for k in range(n)]
    g_left_lead = x[offsets[0] + 1]
    g_right_lead = x[offsets[n - 1] + 1]
    return {
        "torque": np.array(torque),
        "resistance_area": (g_left_lead - g_right_lead) / current,  # leads' bulk lines extrapolated to xi = 0
        "particle_current": np.array(particle) / current,
        "g_nodes": np.array(g_nodes),
        "j_left": np.array(j_left),
        "j_right": np.array(j_right),
    }


def _layer_rows(layers, k, xi_at):
    """Rows (over all unknowns) giving mu0, g (dim rows), e^2 j0, e^2 j (dim rows) at the end of layer k.

    ``xi_at`` is "left" or "right" end of the layer; ``layers`` holds the kinds, the offsets of the layers'
    unknowns, their count and the layer parameters (rho*, beta, l_sf, thickness)."""
    kind, offsets, n_unknown, rho, beta, lsf, thick = layers
    n = len(kind)
    dim = 3 if kind[k] != KIND_F else 1
    o = offsets[k]
    mu = np.zeros(n_unknown)
    gr = np.zeros((dim, n_unknown))
    dgr = np.zeros((dim, n_unknown))  # dg/dxi
    lead_left, lead_right = k == 0, k == n - 1
    length, d = lsf[k], thick[k]
    if lead_left:  # xi in (-inf, 0], g = A e^{xi/l_sf}; only its right end exists
        ea, eb, xi = 1.0, 0.0, 0.0
    elif lead_right:  # xi in [0, inf), g = B e^{-xi/l_sf}
        ea, eb, xi = 0.0, 1.0, 0.0
    else:
        xi = 0.0 if xi_at == "left" else d
        ea, eb = np.exp((xi - d) / length), np.exp(-xi / length)
    for q in range(dim):
        if lead_left:
            ia, ib = o + 2 + q, None
        elif lead_right:
            ia, ib = None, o + 2 + q
        else:
            ia, ib = o + 2 + q, o + 2 + dim + q
        if ia is not None:
            gr[q, ia] = ea
            dgr[q, ia] = ea / length
        if ib is not None:
            gr[q, ib] = eb
            dgr[q, ib] = -eb / length
    mu[o] = xi
    mu[o + 1] = 1.0
    j0 = np.zeros(n_unknown)
    j = np.zeros((dim, n_unknown))
    if kind[k] == KIND_F:
        b = beta[k]
        mu -= b * gr[0]
        j0[o] = -1.0 / (rho[k] * (1 - b * b))  # e^2 j0 = -[mu0' + beta g']/(rho (1-beta^2)) = -C/(rho(1-b^2))
        j[0] = -dgr[0] / rho[k]
        j[0, o] += -b / (rho[k] * (1 - b * b))  # e^2 jz = -[beta mu0' + g']/(rho(1-b^2)), Eqs 22-23
    else:
        j0[o] = -1.0 / rho[k]
        j[:] = -dgr / rho[k]
    return mu, gr, j0, j
