"""Numba kernels of the spin-valve boundary-value problem (Barnas et al. 2005, Secs. II-IV).

Formulation
-----------
Every quantity is solved for a unit driving term ``u = e^2 j0 = 1`` (``j0`` the particle current density):
the model is linear in the current, so one solve per geometry serves every current (the API rescales).
Accumulations ``g`` are then in Ohm m^2 (times ``u``), conductances in S/m^2, spin currents ``e^2 j`` are
dimensionless (times ``u``).

Bulk (Eqs 10-29).  In a layer of thickness ``d`` with ``g'' = g / l_sf^2`` the spin current at the two
ends (counted along +x) is an affine function of the end values (``c = 1/(rho* l_sf)``, ``t = d/l_sf``)::

    e^2 j_L = c coth(t) g_L - c csch(t) g_R + beta u,   e^2 j_R = c csch(t) g_L - c coth(t) g_R + beta u

(normal metals: ``beta = 0`` and ``g`` a 3-vector; ferromagnets: the scalar along the net spin ``s``,
Eq. 23 reduced with Eq. 22 to ``e^2 j_z = beta e^2 j0 - g'/rho*``).  Semi-infinite leads keep the decaying
exponential only: ``e^2 j = -+ c g``.

Interfaces (Eqs 33-36).  Eliminating the charge drop between Eqs 33 and 34 leaves
``e^2 j_z = gamma u + (g_left - g_right) / R*`` for the longitudinal spin current (``4 G_up G_dn /
(G_up + G_dn) = 1/R*``), and Eqs 35-36 give the transverse spin current on the N side, flowing from F
into N: ``e^2 j_perp = -2 [Re G_mix g_perp + Im G_mix s x g]`` (the complex form ``-2 G_mix (g_x + i g_y)``
in the right-handed frame with z along ``s``).  The transverse spin current vanishes inside F.

Nodes.  The unknowns are the N-side accumulations ``g_k`` (3-vectors) at each contact ``k`` between layers
``k`` and ``k+1`` (every contact has an N side).  A ferromagnet with its two interfaces is one two-port:
its F-side accumulations are eliminated in closed form (a 2x2 solve), leaving a longitudinal admittance
along ``s`` plus the transverse mixing blocks ``T = 2 (Re G (1 - s s^T) + Im G [s x])``.  Spin-current
continuity at every node (Kirchhoff) gives a block-tridiagonal system in 3x3 blocks, solved by block
Gaussian elimination (Thomas); its symmetric part is definite (every element dissipates), so no pivoting
is needed.

Torque (Eq. 37) on a ferromagnet: ``tau = (hbar/2)(j_perp,L - j_perp,R)``; normalised by ``hbar I0/|e| =
-hbar j0`` it is ``-(1/2) sum_sides T g`` (``g`` at its N-side nodes).

Resistance.  The drop of the charge electrochemical potential across the stack minus the bulk drop of the
leads, per ``u``: ``sum rho*(1-beta^2) d + sum R*(1-gamma^2)`` (ohmic) plus the spin terms
``-beta (g_start - g_end)`` per bulk and ``-gamma (g_left - g_right)`` per interface (from Eqs 22-23, 33-34).

Derivative.  With ``rot_layer >= 0`` the kernel also returns ``d tau / d phi`` for a rotation of that
layer's net spin about ``rot_axis`` (``ds/dphi = n x s``), from ``M dg = d(rhs) - dM g`` with the same
factorisation: the exact limit of ``a = tau_phi / sin(phi)`` at ``phi = 0, pi``.
"""
import cmath
import math

import numpy as np
from numba import njit, prange

from ..stack import KIND_BARRIER, KIND_F, KIND_FD, KIND_N, N_LAYER_FIELDS

CHUNK = 256  # points per parallel task (scratch buffers are allocated once per chunk)


@njit(cache=True, error_model="numpy")
def _bulk_coeffs(rho, lsf, d):
    """``(c coth(d/l), c csch(d/l))`` with ``c = 1/(rho l)``, stable for thin and thick layers."""
    c = 1.0 / (rho * lsf)
    t = d / lsf
    em = math.exp(-t)
    den = -math.expm1(-2.0 * t)
    return c * (1.0 + em * em) / den, c * 2.0 * em / den


@njit(cache=True, error_model="numpy")
def _complex_bulk(q, d):
    """``(coth(q d), csch(q d))`` for complex ``q`` with ``Re q > 0``, free of overflow for thick layers and of
    cancellation for thin ones (``1 - e^{-2z}`` from a complex expm1 when ``|z|`` is small)."""
    z = q * d
    mag = math.exp(-z.real)
    e = complex(mag * math.cos(z.imag), -mag * math.sin(z.imag))
    e2 = e * e
    if abs(z) > 0.5:
        den = 1.0 - e2
    else:  # -expm1(-2z) without cancellation
        w = -2.0 * z
        den = -complex(math.expm1(w.real) * math.cos(w.imag) - 2.0 * math.sin(0.5 * w.imag) ** 2,
                       math.exp(w.real) * math.sin(w.imag))
    inv_den = 1.0 / den
    return (1.0 + e2) * inv_den, 2.0 * e * inv_den


@njit(cache=True, error_model="numpy")
def _magnet_two_port(kind_left, kind_right, rho, beta, lsf, d, r_l, g_l, r_r, g_r, coef):
    """Longitudinal two-port of a ferromagnet with its interfaces, F-side values eliminated.

    Writes ``coef = [Y11, Y12, Y21, Y22, sigma_L, sigma_R, q1, q2]`` such that the spin currents on the
    N sides (along +x, per u) are ``j_L = Y11 x_a + Y12 x_b + sigma_L`` and
    ``j_R = Y21 x_a + Y22 x_b + sigma_R`` with ``x = s . g`` at the adjacent nodes.  ``q1, q2`` keep what
    :func:`_magnet_f_values` needs.  A lead (semi-infinite) has only one interface.
    """
    c = 1.0 / (rho * lsf)
    for i in range(8):
        coef[i] = 0.0
    if kind_left < 0:  # semi-infinite on the left, interface on the right
        q = 1.0 + c * r_r
        coef[3] = -c / q
        coef[5] = g_r + (beta - g_r) / q
        coef[6] = q
    elif kind_right < 0:  # semi-infinite on the right, interface on the left
        q = 1.0 + c * r_l
        coef[0] = c / q
        coef[4] = g_l - (g_l - beta) / q
        coef[6] = q
    else:
        cc, cs = _bulk_coeffs(rho, lsf, d)
        det = 1.0 / (r_l * r_r) + cc * (1.0 / r_l + 1.0 / r_r) + c * c
        s_l = g_l - beta
        s_r = beta - g_r
        coef[0] = (cc / r_r + c * c) / (r_l * det)
        coef[1] = -cs / (r_l * r_r * det)
        coef[2] = cs / (r_l * r_r * det)
        coef[3] = -(cc / r_l + c * c) / (r_r * det)
        coef[4] = g_l - ((1.0 / r_r + cc) * s_l + cs * s_r) / (r_l * det)
        coef[5] = g_r + (cs * s_l + (1.0 / r_l + cc) * s_r) / (r_r * det)
        coef[6] = cc
        coef[7] = cs


@njit(cache=True, error_model="numpy")
def _magnet_f_values(kind_left, kind_right, rho, beta, lsf, r_l, g_l, r_r, g_r, aux0, aux1, x_a, x_b):
    """F-side longitudinal accumulations ``(f_L, f_R)`` of a ferromagnet given its node projections
    (``aux0, aux1`` as stored by :func:`_magnet_two_port`: ``q`` of a lead, ``c coth, c csch`` otherwise)."""
    c = 1.0 / (rho * lsf)
    if kind_left < 0:
        f = (x_b + r_r * (beta - g_r)) / aux0
        return f, f
    if kind_right < 0:
        f = (x_a + r_l * (g_l - beta)) / aux0
        return f, f
    cc, cs = aux0, aux1
    det = 1.0 / (r_l * r_r) + cc * (1.0 / r_l + 1.0 / r_r) + c * c
    b_l = x_a / r_l + g_l - beta
    b_r = x_b / r_r + beta - g_r
    f_l = ((1.0 / r_r + cc) * b_l + cs * b_r) / det
    f_r = (cs * b_l + (1.0 / r_l + cc) * b_r) / det
    return f_l, f_r


@njit(cache=True, error_model="numpy")
def _add_block(m, p, a_i, a_x, s):
    """``m += p * s s^T + a_i * 1 + a_x * [s x]`` for a 3x3 block ``m``."""
    for i in range(3):
        for j in range(3):
            m[i, j] += p * s[i] * s[j]
        m[i, i] += a_i
    m[0, 1] -= a_x * s[2]
    m[0, 2] += a_x * s[1]
    m[1, 0] += a_x * s[2]
    m[1, 2] -= a_x * s[0]
    m[2, 0] -= a_x * s[1]
    m[2, 1] += a_x * s[0]


@njit(cache=True, error_model="numpy")
def _inv3(m, out):
    """Inverse of a 3x3 matrix by cofactors."""
    c00 = m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1]
    c01 = m[1, 2] * m[2, 0] - m[1, 0] * m[2, 2]
    c02 = m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]
    inv_det = 1.0 / (m[0, 0] * c00 + m[0, 1] * c01 + m[0, 2] * c02)
    out[0, 0] = c00 * inv_det
    out[1, 0] = c01 * inv_det
    out[2, 0] = c02 * inv_det
    out[0, 1] = (m[0, 2] * m[2, 1] - m[0, 1] * m[2, 2]) * inv_det
    out[1, 1] = (m[0, 0] * m[2, 2] - m[0, 2] * m[2, 0]) * inv_det
    out[2, 1] = (m[0, 1] * m[2, 0] - m[0, 0] * m[2, 1]) * inv_det
    out[0, 2] = (m[0, 1] * m[1, 2] - m[0, 2] * m[1, 1]) * inv_det
    out[1, 2] = (m[0, 2] * m[1, 0] - m[0, 0] * m[1, 2]) * inv_det
    out[2, 2] = (m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]) * inv_det


@njit(cache=True, error_model="numpy")
def _transverse(gr, gi, s, v, out, sign):
    """``out += sign * (Re G (v - (s.v) s) + Im G s x v)``: half the mixing current ``T v / 2``."""
    sv = s[0] * v[0] + s[1] * v[1] + s[2] * v[2]
    out[0] += sign * (gr * (v[0] - sv * s[0]) + gi * (s[1] * v[2] - s[2] * v[1]))
    out[1] += sign * (gr * (v[1] - sv * s[1]) + gi * (s[2] * v[0] - s[0] * v[2]))
    out[2] += sign * (gr * (v[2] - sv * s[2]) + gi * (s[0] * v[1] - s[1] * v[0]))


@njit(cache=True, error_model="numpy")
def _dblock_apply(p, a_x, s, ds, v, out, sign):
    """``out += sign * (p * d(s s^T) v + a_x * ds x v)`` (derivative of an F block along ds)."""
    sv = s[0] * v[0] + s[1] * v[1] + s[2] * v[2]
    dv = ds[0] * v[0] + ds[1] * v[1] + ds[2] * v[2]
    out[0] += sign * (p * (ds[0] * sv + s[0] * dv) + a_x * (ds[1] * v[2] - ds[2] * v[1]))
    out[1] += sign * (p * (ds[1] * sv + s[1] * dv) + a_x * (ds[2] * v[0] - ds[0] * v[2]))
    out[2] += sign * (p * (ds[2] * sv + s[2] * dv) + a_x * (ds[0] * v[1] - ds[1] * v[0]))


@njit(cache=True, error_model="numpy")
def _matvec_sub(m, v, out):
    """``out -= m v`` for a 3x3 block."""
    for i in range(3):
        out[i] -= m[i, 0] * v[0] + m[i, 1] * v[1] + m[i, 2] * v[2]


# Generic element coefficients: each block A = p s s^T + i 1 + x [s x]; sources sigma s; torque factor rho.
LL, LR, RL, RR, SIG_L, SIG_R, RHO_RE, RHO_IM, AUX = 0, 3, 6, 9, 12, 13, 14, 15, 16
N_COEF = 18


@njit(cache=True, error_model="numpy")
def _set_block(coef, at, p, a_i, a_x):
    coef[at] = p
    coef[at + 1] = a_i
    coef[at + 2] = a_x


@njit(cache=True, error_model="numpy")
def _element(kind, lay, ifc, l, tp, coef):
    """Block coefficients of layer ``l`` between its nodes ``a = l-1`` and ``b = l`` (module docstring).

    The spin currents along +x at its two ends are ``j_L = A_LL g_a + A_LR g_b + sigma_L s`` and
    ``j_R = A_RL g_a + A_RR g_b + sigma_R s``; for a magnet the torque is ``-(1/2) rho (j_L - j_R)_perp``
    with the complex factor ``rho`` acting as ``Re rho v_perp + Im rho s x v``.
    """
    nn = kind.shape[0] - 1
    for i in range(N_COEF):
        coef[i] = 0.0
    coef[RHO_RE] = 1.0
    rho = lay[0, l]
    lsf = lay[2, l]
    lead_left = l == 0
    lead_right = l == nn
    if kind[l] == KIND_N:
        c = 1.0 / (rho * lsf)
        if lead_left:
            coef[RR + 1] = -c
        elif lead_right:
            coef[LL + 1] = c
        else:
            cc, cs = _bulk_coeffs(rho, lsf, lay[3, l])
            coef[LL + 1] = cc
            coef[LR + 1] = -cs
            coef[RL + 1] = cs
            coef[RR + 1] = -cc
    elif kind[l] == KIND_F:
        kl = kind[l - 1] if l > 0 else -1
        kr = kind[l + 1] if l < nn else -1
        r_l = ifc[0, l - 1] if l > 0 else 0.0
        g_l = ifc[1, l - 1] if l > 0 else 0.0
        r_r = ifc[0, l] if l < nn else 0.0
        g_r = ifc[1, l] if l < nn else 0.0
        _magnet_two_port(kl, kr, rho, lay[1, l], lsf, lay[3, l], r_l, g_l, r_r, g_r, tp)
        if l > 0:
            _set_block(coef, LL, tp[0] - 2.0 * ifc[2, l - 1], 2.0 * ifc[2, l - 1], 2.0 * ifc[3, l - 1])
        if l < nn:
            _set_block(coef, RR, tp[3] + 2.0 * ifc[2, l], -2.0 * ifc[2, l], -2.0 * ifc[3, l])
        coef[LR] = tp[1]
        coef[RL] = tp[2]
        coef[SIG_L] = tp[4]
        coef[SIG_R] = tp[5]
        coef[AUX] = tp[6]
        coef[AUX + 1] = tp[7]
    elif kind[l] == KIND_FD:
        # longitudinal: Valet-Fert bulk through transparent contacts; transverse: complex 1/L^2 in the
        # frame of s (the net spin, opposite to Manchon's M, hence +i): i/lambda_J^2 + 1/lambda_phi^2 + 1/l_sf^2
        inv_l0 = complex(1.0 / lay[5, l] ** 2, 1.0 / lay[4, l] ** 2)
        inv_l2 = inv_l0 + 1.0 / lsf**2
        q = cmath.sqrt(inv_l2)
        ratio = inv_l0 / inv_l2  # L^2 / L0^2: share of the transverse loss that is torque (Eq. 12)
        coef[RHO_RE] = ratio.real
        coef[RHO_IM] = ratio.imag
        c = 1.0 / (rho * lsf)
        ct = q / rho
        beta = lay[1, l]
        coef[SIG_L] = beta
        coef[SIG_R] = beta
        if lead_left:
            _set_block(coef, RR, -(c - ct.real), -ct.real, -ct.imag)
        elif lead_right:
            _set_block(coef, LL, c - ct.real, ct.real, ct.imag)
        else:
            cc, cs = _bulk_coeffs(rho, lsf, lay[3, l])
            coth, csch = _complex_bulk(q, lay[3, l])
            tcc = ct * coth
            tcs = ct * csch
            _set_block(coef, LL, cc - tcc.real, tcc.real, tcc.imag)
            _set_block(coef, LR, -(cs - tcs.real), -tcs.real, -tcs.imag)
            _set_block(coef, RL, cs - tcs.real, tcs.real, tcs.imag)
            _set_block(coef, RR, -(cc - tcc.real), -tcc.real, -tcc.imag)


@njit(cache=True, error_model="numpy")
def _apply_block(coef, at, s, v, out, sign):
    """``out += sign * A v`` for the block stored at ``coef[at:at+3]``."""
    p = coef[at]
    a_i = coef[at + 1]
    a_x = coef[at + 2]
    sv = s[0] * v[0] + s[1] * v[1] + s[2] * v[2]
    out[0] += sign * (p * sv * s[0] + a_i * v[0] + a_x * (s[1] * v[2] - s[2] * v[1]))
    out[1] += sign * (p * sv * s[1] + a_i * v[1] + a_x * (s[2] * v[0] - s[0] * v[2]))
    out[2] += sign * (p * sv * s[2] + a_i * v[2] + a_x * (s[0] * v[1] - s[1] * v[0]))


@njit(cache=True, error_model="numpy")
def _end_currents(coef, s, nn, l, g, jl, jr):
    """Spin currents along +x at the left and right ends of layer ``l`` (zero beyond a lead)."""
    for i in range(3):
        jl[i] = 0.0
        jr[i] = 0.0
    if l > 0:
        _apply_block(coef, LL, s, g[l - 1], jl, 1.0)
        _apply_block(coef, RL, s, g[l - 1], jr, 1.0)
    if l < nn:
        _apply_block(coef, LR, s, g[l], jl, 1.0)
        _apply_block(coef, RR, s, g[l], jr, 1.0)
    for i in range(3):
        if l > 0:
            jl[i] += coef[SIG_L] * s[i]
        if l < nn:
            jr[i] += coef[SIG_R] * s[i]


@njit(cache=True, error_model="numpy")
def _solve_point(kind, lay, ifc, dirs, rot_layer, rot_axis, want_derivative,
                 lo, di, up, fm, winv, rhs, y, g, rhs2, gd, coef, tp, ds, tmp, jl, jr, djl, djr,
                 torque, dtorque, g_out, f_out, j_out):
    """Assemble and solve one point; write its outputs; return the resistance-area product (Ohm m^2)."""
    n_layers = kind.shape[0]
    nn = n_layers - 1
    for k in range(nn):
        for i in range(3):
            rhs[k, i] = 0.0
            rhs2[k, i] = 0.0
            for j in range(3):
                lo[k, i, j] = 0.0
                di[k, i, j] = 0.0
                up[k, i, j] = 0.0
    # ---- assembly (Kirchhoff at node k: j_R of layer k = j_L of layer k+1)
    for l in range(n_layers):
        a = l - 1
        b = l
        s = dirs[l]
        if kind[l] == KIND_BARRIER:  # a current source: j_R = injected spin current per unit u
            for i in range(3):
                rhs[b, i] -= lay[6 + i, l]
            continue
        _element(kind, lay, ifc, l, tp, coef[l])
        cl = coef[l]
        if l > 0:
            _add_block(di[a], -cl[LL], -cl[LL + 1], -cl[LL + 2], s)
            if l < nn:
                _add_block(up[a], -cl[LR], -cl[LR + 1], -cl[LR + 2], s)
            for i in range(3):
                rhs[a, i] += cl[SIG_L] * s[i]
        if l < nn:
            _add_block(di[b], cl[RR], cl[RR + 1], cl[RR + 2], s)
            if l > 0:
                _add_block(lo[b], cl[RL], cl[RL + 1], cl[RL + 2], s)
            for i in range(3):
                rhs[b, i] -= cl[SIG_R] * s[i]
    # ---- block Thomas elimination
    _inv3(di[0], winv[0])
    for i in range(3):
        y[0, i] = rhs[0, i]
    for k in range(1, nn):
        for i in range(3):  # fm[k] = lo[k] winv[k-1]
            for j in range(3):
                fm[k, i, j] = lo[k, i, 0] * winv[k - 1, 0, j] + lo[k, i, 1] * winv[k - 1, 1, j] + lo[k, i, 2] * winv[k - 1, 2, j]
        for i in range(3):
            for j in range(3):
                tmp[i, j] = di[k, i, j] - (fm[k, i, 0] * up[k - 1, 0, j] + fm[k, i, 1] * up[k - 1, 1, j] + fm[k, i, 2] * up[k - 1, 2, j])
            y[k, i] = rhs[k, i]
        _inv3(tmp, winv[k])
        _matvec_sub(fm[k], y[k - 1], y[k])
    _back_substitute(winv, up, y, g, nn)
    # ---- derivative with respect to the rotation of rot_layer: M dg = d(rhs) - dM g (same factorisation)
    if want_derivative:
        l = rot_layer
        s = dirs[l]
        cl = coef[l]
        ds[0] = rot_axis[1] * s[2] - rot_axis[2] * s[1]
        ds[1] = rot_axis[2] * s[0] - rot_axis[0] * s[2]
        ds[2] = rot_axis[0] * s[1] - rot_axis[1] * s[0]
        if l > 0:  # rhs2[a] = sigma_L ds + dA_LL g_a + dA_LR g_b
            for i in range(3):
                rhs2[l - 1, i] += cl[SIG_L] * ds[i]
            _dblock_apply(cl[LL], cl[LL + 2], s, ds, g[l - 1], rhs2[l - 1], 1.0)
            if l < nn:
                _dblock_apply(cl[LR], cl[LR + 2], s, ds, g[l], rhs2[l - 1], 1.0)
        if l < nn:  # rhs2[b] = -sigma_R ds - dA_RR g_b - dA_RL g_a
            for i in range(3):
                rhs2[l, i] -= cl[SIG_R] * ds[i]
            _dblock_apply(cl[RR], cl[RR + 2], s, ds, g[l], rhs2[l], -1.0)
            if l > 0:
                _dblock_apply(cl[RL], cl[RL + 2], s, ds, g[l - 1], rhs2[l], -1.0)
        for i in range(3):
            y[0, i] = rhs2[0, i]
        for k in range(1, nn):
            for i in range(3):
                y[k, i] = rhs2[k, i]
            _matvec_sub(fm[k], y[k - 1], y[k])
        _back_substitute(winv, up, y, gd, nn)
    # ---- outputs: torques (and their derivative), resistance, node data
    has_barrier = kind[0] == KIND_BARRIER
    ra = 0.0
    im = 0
    for l in range(n_layers):
        kl = kind[l]
        if kl == KIND_BARRIER:
            continue
        cl = coef[l]
        s = dirs[l]
        x_a = s[0] * g[l - 1, 0] + s[1] * g[l - 1, 1] + s[2] * g[l - 1, 2] if l > 0 else 0.0
        x_b = s[0] * g[l, 0] + s[1] * g[l, 1] + s[2] * g[l, 2] if l < nn else 0.0
        beta = lay[1, l]
        if kl == KIND_N:
            if 0 < l < nn:
                ra += lay[0, l] * lay[3, l]
            continue
        # torque on a magnet: -(1/2) rho (j_L - j_R)_perp
        _end_currents(cl, s, nn, l, g, jl, jr)
        for i in range(3):
            jl[i] -= jr[i]
            torque[im, i] = 0.0
        _transverse(cl[RHO_RE], cl[RHO_IM], s, jl, torque[im], -0.5)
        if want_derivative:
            _end_currents(cl, s, nn, l, gd, djl, djr)
            for i in range(3):
                djl[i] -= djr[i]
                dtorque[im, i] = 0.0
            if l == rot_layer:  # block derivatives, sources and the projection itself rotate with s
                if l > 0:
                    _dblock_apply(cl[LL], cl[LL + 2], s, ds, g[l - 1], djl, 1.0)
                    _dblock_apply(cl[RL], cl[RL + 2], s, ds, g[l - 1], djl, -1.0)
                if l < nn:
                    _dblock_apply(cl[LR], cl[LR + 2], s, ds, g[l], djl, 1.0)
                    _dblock_apply(cl[RR], cl[RR + 2], s, ds, g[l], djl, -1.0)
                for i in range(3):
                    if l > 0:
                        djl[i] += cl[SIG_L] * ds[i]
                    if l < nn:
                        djl[i] -= cl[SIG_R] * ds[i]
                _dblock_apply(-cl[RHO_RE], cl[RHO_IM], s, ds, jl, dtorque[im], -0.5)
            _transverse(cl[RHO_RE], cl[RHO_IM], s, djl, dtorque[im], -0.5)
        # resistance: ohmic + spin-accumulation terms (module docstring)
        if kl == KIND_F:
            r_l = ifc[0, l - 1] if l > 0 else 0.0
            g_l = ifc[1, l - 1] if l > 0 else 0.0
            r_r = ifc[0, l] if l < nn else 0.0
            g_r = ifc[1, l] if l < nn else 0.0
            f_l, f_r = _magnet_f_values(kind[l - 1] if l > 0 else -1, kind[l + 1] if l < nn else -1, lay[0, l],
                                        beta, lay[2, l], r_l, g_l, r_r, g_r, cl[AUX], cl[AUX + 1], x_a, x_b)
            if l > 0:
                ra += r_l * (1.0 - g_l * g_l) - g_l * (x_a - f_l)
                if f_out.shape[0] > 0:
                    f_out[l - 1] = f_l
            if l < nn:
                ra += r_r * (1.0 - g_r * g_r) - g_r * (f_r - x_b)
                if f_out.shape[0] > 0:
                    f_out[l] = f_r
        else:  # diffusive ferromagnet: transparent contacts, F-side values equal the node's
            f_l = x_a
            f_r = x_b
            if f_out.shape[0] > 0:
                if l > 0:
                    f_out[l - 1] = f_l
                if l < nn:
                    f_out[l] = f_r
        if l == 0:
            ra += beta * f_r
        elif l == nn:
            ra -= beta * f_l
        else:
            ra += lay[0, l] * (1.0 - beta * beta) * lay[3, l] - beta * (f_l - f_r)
        im += 1
    if g_out.shape[0] > 0:
        for k in range(nn):
            for i in range(3):
                g_out[k, i] = g[k, i]
    if j_out.shape[0] > 0:  # N-side (or shared) spin current at node k, from layer k+1
        for k in range(nn):
            _end_currents(coef[k + 1], dirs[k + 1], nn, k + 1, g, j_out[k], jr)
    return math.nan if has_barrier else ra


@njit(cache=True, error_model="numpy")
def _back_substitute(winv, up, y, out, nn):
    """Back substitution of the block Thomas algorithm: ``out_k = W_k^-1 (y_k - U_k out_{k+1})``."""
    for k in range(nn - 1, -1, -1):
        v0 = y[k, 0]
        v1 = y[k, 1]
        v2 = y[k, 2]
        if k < nn - 1:
            v0 -= up[k, 0, 0] * out[k + 1, 0] + up[k, 0, 1] * out[k + 1, 1] + up[k, 0, 2] * out[k + 1, 2]
            v1 -= up[k, 1, 0] * out[k + 1, 0] + up[k, 1, 1] * out[k + 1, 1] + up[k, 1, 2] * out[k + 1, 2]
            v2 -= up[k, 2, 0] * out[k + 1, 0] + up[k, 2, 1] * out[k + 1, 1] + up[k, 2, 2] * out[k + 1, 2]
        for i in range(3):
            out[k, i] = winv[k, i, 0] * v0 + winv[k, i, 1] * v1 + winv[k, i, 2] * v2


@njit(cache=True, parallel=True, error_model="numpy")
def solve_batch(kind, base_layer, base_iface, base_dir, ovr_field, ovr_index, ovr_values,
                dir_layer, dir_values, rot_layer, rot_axis, n_points,
                torque, ra, dtorque, g_nodes, f_nodes, j_nodes):
    """Solve ``n_points`` configurations of one stack topology in parallel.

    ``base_layer`` (N_LAYER_FIELDS, L): rows of :data:`fastspin.stack.LAYER_FIELDS`; ``base_iface`` (4, L-1):
    R*, gamma, Re G, Im G;
    ``base_dir`` (L, 3) unit net spins.  Per-point overrides: ``ovr_values[q, i]`` replaces field
    ``ovr_field[q]`` (codes of :mod:`fastspin.stack`) of layer/interface ``ovr_index[q]``;
    ``dir_values[q, i]`` replaces the direction of layer ``dir_layer[q]`` (normalised here).
    Outputs (per point ``i``): ``torque[i, m]`` normalised torque on the m-th magnet, ``ra[i]`` resistance
    area (Ohm m^2, leads' bulk excluded; NaN with a tunnel barrier, whose resistance is not modelled); when their first dimension is ``n_points``: ``dtorque`` (needs
    ``rot_layer >= 0``), ``g_nodes`` N-side accumulations per u, ``f_nodes`` F-side longitudinal ones
    (NaN at N/N nodes), ``j_nodes`` spin currents per u.
    """
    n_layers = kind.shape[0]
    nn = n_layers - 1
    n_chunks = (n_points + CHUNK - 1) // CHUNK
    want_derivative = rot_layer >= 0 and dtorque.shape[0] == n_points
    for chunk in prange(n_chunks):
        lay = np.empty((N_LAYER_FIELDS, n_layers))
        ifc = np.empty((4, nn))
        dirs = np.empty((n_layers, 3))
        lo = np.empty((nn, 3, 3))
        di = np.empty((nn, 3, 3))
        up = np.empty((nn, 3, 3))
        fm = np.empty((nn, 3, 3))
        winv = np.empty((nn, 3, 3))
        rhs = np.empty((nn, 3))
        y = np.empty((nn, 3))
        g = np.empty((nn, 3))
        rhs2 = np.empty((nn, 3))
        gd = np.empty((nn, 3))
        coef = np.zeros((n_layers, N_COEF))
        tp = np.zeros(8)
        ds = np.zeros(3)
        jl = np.empty(3)
        jr = np.empty(3)
        djl = np.empty(3)
        djr = np.empty(3)
        tmp = np.empty((3, 3))
        no_vec = np.empty((0, 3))
        no_sca = np.empty(0)
        start = chunk * CHUNK
        stop = min(start + CHUNK, n_points)
        for p in range(start, stop):
            lay[:, :] = base_layer
            ifc[:, :] = base_iface
            dirs[:, :] = base_dir
            for q in range(ovr_field.shape[0]):
                f = ovr_field[q]
                if f < N_LAYER_FIELDS:
                    lay[f, ovr_index[q]] = ovr_values[q, p]
                else:
                    ifc[f - N_LAYER_FIELDS, ovr_index[q]] = ovr_values[q, p]
            for q in range(dir_layer.shape[0]):
                v = dir_values[q, p]
                norm = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
                for i in range(3):
                    dirs[dir_layer[q], i] = v[i] / norm
            dt = dtorque[p] if want_derivative else no_vec
            go = g_nodes[p] if g_nodes.shape[0] == n_points else no_vec
            fo = f_nodes[p] if f_nodes.shape[0] == n_points else no_sca
            jo = j_nodes[p] if j_nodes.shape[0] == n_points else no_vec
            if fo.shape[0] > 0:
                fo[:] = np.nan
            ra[p] = _solve_point(kind, lay, ifc, dirs, rot_layer, rot_axis, want_derivative,
                                 lo, di, up, fm, winv, rhs, y, g, rhs2, gd, coef, tp, ds, tmp, jl, jr, djl, djr,
                                 torque[p], dt, go, fo, jo)
