"""Collinear limit against the Valet-Fert two-current model, solved a third way: per-spin transfer matrices.

Each spin channel s (global z) has ``mu_s' = -rho_s e^2 j_s`` and ``(e^2 j_s)' = -(mu_s - mu_-s)/(4 rho* l_sf^2)``
(Eqs 2-3 with the Einstein relation, ``1/l_sf^2 = (1/l_up^2 + 1/l_dn^2)/2``); an interface is a resistor
``R_s = 2R*(1 -+ gamma)`` per channel.  Layers are propagated with ``scipy.linalg.expm``; the leads keep
their bounded modes.  No node elimination, no mixing conductance, nothing shared with the kernel.
"""

import math

import numpy as np
from hypothesis import given, settings
from scipy.linalg import expm

from fastspin.stack import KIND_F
from fastspin.transport import solve

from .stacks import random_stacks


def _channels(c, k, sign):
    """Spin-channel resistivities (up, down in the global frame) of layer k; sign = +-1 net spin along +-z."""
    if c.kind[k] == KIND_F:
        maj, mino = 2 * c.rho_star[k] * (1 - c.beta[k]), 2 * c.rho_star[k] * (1 + c.beta[k])
        return (maj, mino) if sign > 0 else (mino, maj)
    return 2 * c.rho_star[k], 2 * c.rho_star[k]


def _generator(c, k, sign):
    r_up, r_dn = _channels(c, k, sign)
    coupling = 1.0 / (4.0 * c.rho_star[k] * c.l_sf[k] ** 2)
    return np.array([[0, 0, -r_up, 0], [0, 0, 0, -r_dn], [-coupling, coupling, 0, 0], [coupling, -coupling, 0, 0]])


def _propagator(c, k, sign, scale):
    """``expm(K d)`` of a finite layer acting on the scaled state ``(mu_s, scale * e^2 j_s)``.

    The exponential itself is taken in the layer's balanced variables ``(mu_s, rho* l_sf e^2 j_s)``: the raw
    generator mixes entries ~1e-8 and ~1e25 and would defeat expm's scaling and squaring."""
    sigma = c.rho_star[k] * c.l_sf[k]
    d = np.diag([1.0, 1.0, sigma, sigma])
    d_inv = np.diag([1.0, 1.0, 1.0 / sigma, 1.0 / sigma])
    to_scaled = np.diag([1.0, 1.0, scale / sigma, scale / sigma])
    return to_scaled @ expm(d @ _generator(c, k, sign) @ d_inv * c.thickness[k]) @ np.linalg.inv(to_scaled)


def _lead_modes(c, k, sign, side):
    """Basis of the lead states at its inner face: constant shift, ohmic current and the decaying mode."""
    r_up, r_dn = _channels(c, k, sign)
    shift = np.array([1.0, 1.0, 0.0, 0.0])
    ohmic = np.array([0.0, 0.0, 1.0 / r_up, 1.0 / r_dn])  # mu_up = mu_dn, j_s ~ 1/rho_s
    w, v = np.linalg.eig(_generator(c, k, sign))
    grow = np.argmax(w.real) if side == "left" else np.argmin(w.real)  # e^{+x/l} decays to the left
    return np.column_stack([shift, ohmic, v[:, grow].real])


def valet_fert(stack, signs):
    """Resistance-area (Ohm m^2) beyond the leads' bulk and the N-side accumulation ``(mu_up - mu_dn)/2``
    at every contact (per unit ``e^2 j0``), for net spins along ``signs[k] * z``."""
    c = stack.compile()
    n = c.n_layers
    # state (mu_up, mu_dn, S e^2 j_up, S e^2 j_dn) with S a typical spin resistance, so entries are O(1)
    scale = float(np.median(c.rho_star * c.l_sf))
    to_scaled = np.diag([1.0, 1.0, scale, scale])
    steps = []  # (contact index or None, matrix) in the order they act, with markers for N sides
    for k in range(n - 1):
        if 0 < k:
            steps.append((None, _propagator(c, k, signs[k], scale)))
        step = np.eye(4)
        if c.kind[k] == KIND_F or c.kind[k + 1] == KIND_F:
            magnet = k if c.kind[k] == KIND_F else k + 1
            r_up = 2 * c.r_star[k] * (1 - c.gamma[k])
            r_dn = 2 * c.r_star[k] * (1 + c.gamma[k])
            if signs[magnet] < 0:
                r_up, r_dn = r_dn, r_up
            step[0, 2], step[1, 3] = -r_up / scale, -r_dn / scale
        steps.append((k, step))
    transfer = np.eye(4)
    for _, m in steps:
        transfer = m @ transfer
    left = to_scaled @ _lead_modes(c, 0, signs[0], "left")
    right = to_scaled @ _lead_modes(c, n - 1, signs[n - 1], "right")
    # unknowns: 3 left-mode + 3 right-mode coefficients; transfer(left) = right; total current 1; gauge
    a = np.zeros((6, 6))
    a[:4, :3] = transfer @ left
    a[:4, 3:] = -right
    a[4, :3] = left[2] + left[3]
    a[5, 0] = 1.0
    rhs = np.array([0, 0, 0, 0, scale, 0])
    rows = 1.0 / np.max(np.abs(a), axis=1)  # equilibrate rows and columns before the solve
    cols = 1.0 / np.max(np.abs(a * rows[:, None]), axis=0)
    x = np.linalg.solve(a * rows[:, None] * cols, rhs * rows) * cols
    state = left @ x[:3]
    g_nodes = np.zeros(n - 1)
    for k, m in steps:
        before = state
        state = m @ state
        if k is not None:  # the N side of contact k: after the step if F is on its left, else before
            side = state if c.kind[k] == KIND_F else before
            g_nodes[k] = 0.5 * (side[0] - side[1])
    return x[0] - x[3], g_nodes  # ohmic lines of both leads extrapolated to their inner faces


# The transfer matrices propagate the growing mode exp(d/l_sf): its round-off grows like exp(2 d/l_sf) eps,
# so the random layers keep d/l_sf <= 3 (the kernel itself has no such limit: see test_second_method.py).
@given(random_stacks(topologies=["FNFN", "NFNFN", "FNF", "FNFNF"], collinear=True, max_reduced_thickness=3.0))
@settings(max_examples=30)
def test_gmr_equals_two_current_model(stack):
    """R(P), R(AP), R(AP) - R(P) and the accumulations of collinear stacks equal the two-current
    transfer-matrix results to 1e-9 relative."""
    c = stack.compile()
    last = c.magnets[-1]
    signs = np.where(c.kind == KIND_F, np.sign(c.direction[:, 2]), 0)
    flipped = signs.copy()
    flipped[last] *= -1
    (ra_p, g_p), (ra_ap, g_ap) = (valet_fert(stack, s) for s in (signs, flipped))
    ker = solve(stack, nodes=True)
    ker_flipped = solve(
        stack, {f"{stack.names[last]}.direction": np.array([0.0, 0.0, float(flipped[last])])}, nodes=True
    )
    assert abs(ker.resistance_area[0] - ra_p) <= 1e-9 * abs(ra_p)
    assert abs(ker_flipped.resistance_area[0] - ra_ap) <= 1e-9 * abs(ra_ap)
    gmr_vf = ra_ap - ra_p
    gmr = ker_flipped.resistance_area[0] - ker.resistance_area[0]
    assert abs(gmr - gmr_vf) <= 1e-9 * max(abs(gmr_vf), 1e-3 * abs(ra_p))  # floor: GMR of 0.1% of R
    g_scale = max(np.max(np.abs(g_p)), 1e-3 * ra_p)  # accumulations vanish with the asymmetries
    assert np.max(np.abs(ker.g_nodes[0, :, 2] - g_p)) <= 1e-9 * g_scale
    assert np.max(np.abs(ker.g_nodes[0, :, :2])) <= 1e-12 * g_scale
    assert np.max(np.abs(ker_flipped.g_nodes[0, :, 2] - g_ap)) <= 1e-9 * max(np.max(np.abs(g_ap)), 1e-3 * ra_p)


def test_paper_valve_matches_two_current_model():
    """All five paper stacks, P and AP: resistance, GMR and the accumulation at every contact."""
    from fastspin.presets import barnas2005

    for case in ("i", "ii", "iii", "iv", "fig5"):
        stack = barnas2005(case)
        ker = solve(stack, {"phi": np.array([0.0, math.pi])}, nodes=True)
        vf = [valet_fert(stack, [1, 0, s, 0]) for s in (1, -1)]
        assert np.allclose(ker.resistance_area, [v[0] for v in vf], rtol=1e-9, atol=0)
        assert abs(np.diff(ker.resistance_area)[0] - (vf[1][0] - vf[0][0])) <= 1e-9 * abs(vf[1][0] - vf[0][0])
        for i in range(2):
            assert np.allclose(ker.g_nodes[i, :, 2], vf[i][1], rtol=1e-9, atol=0)
