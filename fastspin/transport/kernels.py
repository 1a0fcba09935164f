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

Steps.  :func:`_solve_point` composes small kernels, each one job: the elements of every layer kind
(:func:`_normal_element`, :func:`_magnet_element` with :func:`_magnet_two_port`, :func:`_diffusive_element`)
stamped into the block system (:func:`_assemble`); the block elimination (:func:`_factorize`,
:func:`_forward_substitute`, :func:`_back_substitute`); the derivative (:func:`_rotation_derivative`); the
observables (:func:`_observables`: :func:`_magnet_torque`, :func:`_torque_derivative`,
:func:`_magnet_resistance`, :func:`_node_outputs`).  Their work arrays come in one tuple made once per chunk of
points (:func:`make_scratch`); a point's arrays come as ``point = (kind, layer_params, iface, dirs)`` and its
outputs as ``out = (torque, dtorque, g_out, f_out, j_out)``.
"""

import cmath
import math

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from ..stack import KIND_BARRIER, KIND_F, KIND_FD, KIND_N, N_LAYER_FIELDS

CHUNK = 256  # points per parallel task (scratch buffers are allocated once per chunk)
# The steps run once per point (or per layer) are inlined (``inline="always"``) into solve_batch's parallel
# loop, where Numba compiles the loop body without aliasing between its arrays and prunes most of the reference
# counting of the array views and tuples the steps pass around; called as functions they made a point twice as
# slow (1e6 points of barnas2005("i"), one thread: 1.07 s against 0.50 s).  The block elimination (loops over
# 3x3 blocks, no views) and the bulk formulas stay separate functions.

# ---------------------------------------------------------------------------- scratch of one point
# make_scratch(n_layers) -> (blocks, vectors, coef, work), allocated once per chunk and reused for every point:
BLOCK_LOWER, BLOCK_DIAG, BLOCK_UPPER, BLOCK_FACTOR, BLOCK_WINV = 0, 1, 2, 3, 4  # blocks (N_BLOCKS, nn, 3, 3)
N_BLOCKS = 5
VEC_RHS, VEC_Y, VEC_G, VEC_DRHS, VEC_DG = 0, 1, 2, 3, 4  # vectors (N_VECTORS, nn, 3)
N_VECTORS = 5
WORK_DS, WORK_JL, WORK_JR, WORK_DJL, WORK_DJR = 0, 1, 2, 3, 4  # work (N_WORK, 3)
N_WORK = 5

# Generic element coefficients: each block A = p s s^T + i 1 + x [s x]; sources sigma s; torque factor rho.
LL, LR, RL, RR, SIG_L, SIG_R, RHO_RE, RHO_IM, AUX = 0, 3, 6, 9, 12, 13, 14, 15, 16
N_COEF = 18

Array = npt.NDArray  # the kernels' arrays: float64, int64 (kinds, indices) or complex


@njit(cache=True, error_model="numpy")
def make_scratch(n_layers: int) -> tuple:
    """Work arrays of one point of a stack of ``n_layers`` layers (``nn = n_layers - 1`` nodes), reusable from
    point to point: ``(blocks, vectors, coef, work)``.

    * ``blocks`` (N_BLOCKS, nn, 3, 3): the block-tridiagonal matrix of Kirchhoff's law (``BLOCK_LOWER``,
      ``BLOCK_DIAG``, ``BLOCK_UPPER``; the diagonal is overwritten by the pivots ``W_k`` during the
      elimination) and its factorisation (``BLOCK_FACTOR`` ``F_k = L_k W_{k-1}^-1``, ``BLOCK_WINV`` ``W_k^-1``);
    * ``vectors`` (N_VECTORS, nn, 3): right-hand side ``VEC_RHS``, forward-substituted ``VEC_Y``, the N-side
      accumulations ``VEC_G``, and the derivative's right-hand side ``VEC_DRHS`` and solution ``VEC_DG``;
    * ``coef`` (n_layers, N_COEF): block coefficients of every layer (:func:`_element`);
    * ``work`` (N_WORK, 3): ``ds/dphi`` (``WORK_DS``) and the end spin currents ``WORK_JL``, ``WORK_JR``
      and their derivatives ``WORK_DJL``, ``WORK_DJR``.

    Bookkeeping only; no equation of the paper.
    """
    nn = n_layers - 1
    return (
        np.zeros((N_BLOCKS, nn, 3, 3)),
        np.zeros((N_VECTORS, nn, 3)),
        np.zeros((n_layers, N_COEF)),
        np.zeros((N_WORK, 3)),
    )


# ---------------------------------------------------------------------------- bulk and interface formulas
@njit(cache=True, error_model="numpy")
def cexpm1(w: complex) -> complex:
    """``exp(w) - 1`` for complex ``w`` without cancellation near 0, shared by :func:`_complex_bulk` and the
    closed form of :mod:`fastspin.transport.electrode` (Manchon et al. 2012; no equation of Barnas 2005)."""
    return complex(
        math.expm1(w.real) * math.cos(w.imag) - 2.0 * math.sin(0.5 * w.imag) ** 2, math.exp(w.real) * math.sin(w.imag)
    )


@njit(cache=True, error_model="numpy")
def _bulk_coeffs(rho, lsf, d):
    """``(c coth(d/l), c csch(d/l))`` with ``c = 1/(rho l)``, stable for thin and thick layers: the bulk
    two-port of a layer (Eqs 16 and 23 of a ferromagnet, 26 and 29 of a normal metal; module docstring)."""
    c = 1.0 / (rho * lsf)
    t = d / lsf
    em = math.exp(-t)
    den = -math.expm1(-2.0 * t)
    return c * (1.0 + em * em) / den, c * 2.0 * em / den


@njit(cache=True, error_model="numpy")
def _complex_bulk(q, d):
    """``(coth(q d), csch(q d))`` for complex ``q`` with ``Re q > 0``, free of overflow for thick layers and of
    cancellation for thin ones (``1 - e^{-2z}`` from a complex expm1 when ``|z|`` is small): the transverse
    bulk of a diffusive ferromagnet (Manchon et al. 2012, Eqs 7-9; no equation of Barnas 2005)."""
    z = q * d
    mag = math.exp(-z.real)
    e = complex(mag * math.cos(z.imag), -mag * math.sin(z.imag))
    e2 = e * e
    if abs(z) > 0.5:
        den = 1.0 - e2
    else:  # -expm1(-2z) without cancellation
        den = -cexpm1(-2.0 * z)
    inv_den = 1.0 / den
    return (1.0 + e2) * inv_den, 2.0 * e * inv_den


@njit(cache=True, error_model="numpy")
def _magnet_two_port(kind_left, kind_right, rho, beta, lsf, d, r_l, g_l, r_r, g_r):
    """Longitudinal two-port of a ferromagnet with its interfaces, F-side values eliminated (Eqs 16, 22-23 in
    the bulk, Eqs 33-34 at the interfaces with the charge drop eliminated).

    Returns ``(Y11, Y12, Y21, Y22, sigma_L, sigma_R, q1, q2)`` such that the spin currents on the
    N sides (along +x, per u) are ``j_L = Y11 x_a + Y12 x_b + sigma_L`` and
    ``j_R = Y21 x_a + Y22 x_b + sigma_R`` with ``x = s . g`` at the adjacent nodes.  ``q1, q2`` keep what
    :func:`_magnet_f_values` needs.  A lead (semi-infinite, ``kind_left`` or ``kind_right`` < 0) has only one
    interface.
    """
    c = 1.0 / (rho * lsf)
    if kind_left < 0:  # semi-infinite on the left, interface on the right
        q = 1.0 + c * r_r
        return 0.0, 0.0, 0.0, -c / q, 0.0, g_r + (beta - g_r) / q, q, 0.0
    if kind_right < 0:  # semi-infinite on the right, interface on the left
        q = 1.0 + c * r_l
        return c / q, 0.0, 0.0, 0.0, g_l - (g_l - beta) / q, 0.0, q, 0.0
    cc, cs = _bulk_coeffs(rho, lsf, d)
    det = 1.0 / (r_l * r_r) + cc * (1.0 / r_l + 1.0 / r_r) + c * c
    s_l = g_l - beta
    s_r = beta - g_r
    return (
        (cc / r_r + c * c) / (r_l * det),
        -cs / (r_l * r_r * det),
        cs / (r_l * r_r * det),
        -(cc / r_l + c * c) / (r_r * det),
        g_l - ((1.0 / r_r + cc) * s_l + cs * s_r) / (r_l * det),
        g_r + (cs * s_l + (1.0 / r_l + cc) * s_r) / (r_r * det),
        cc,
        cs,
    )


@njit(cache=True, error_model="numpy")
def _magnet_f_values(kind_left, kind_right, rho, beta, lsf, r_l, g_l, r_r, g_r, aux0, aux1, x_a, x_b):
    """F-side longitudinal accumulations ``(f_L, f_R)`` of a ferromagnet given its node projections
    (``aux0, aux1`` as stored by :func:`_magnet_two_port`: ``q`` of a lead, ``c coth, c csch`` otherwise):
    the 2x2 solve of Eqs 16, 23 and 33-34 that :func:`_magnet_two_port` eliminates."""
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
def _interfaces(ifc, layer, nn):
    """``(R*_L, gamma_L, R*_R, gamma_R)`` of the interfaces of layer ``layer`` (zeros beyond a lead): the
    longitudinal parameters of Eqs 33-34."""
    r_l = ifc[0, layer - 1] if layer > 0 else 0.0
    g_l = ifc[1, layer - 1] if layer > 0 else 0.0
    r_r = ifc[0, layer] if layer < nn else 0.0
    g_r = ifc[1, layer] if layer < nn else 0.0
    return r_l, g_l, r_r, g_r


# ---------------------------------------------------------------------------- 3x3 block algebra
@njit(cache=True, error_model="numpy")
def _add_block(m, p, a_i, a_x, s):
    """``m += p * s s^T + a_i * 1 + a_x * [s x]`` for a 3x3 block ``m``: an element's block in the frame-free
    form of Eqs 33-36 (longitudinal along ``s``, mixing transverse to it)."""
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
    """Inverse of a 3x3 matrix by cofactors (linear algebra of the elimination; no equation of the paper)."""
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
    """``out += sign * (Re G (v - (s.v) s) + Im G s x v)``: half the mixing current ``T v / 2`` (Eqs 35-36)."""
    sv = s[0] * v[0] + s[1] * v[1] + s[2] * v[2]
    out[0] += sign * (gr * (v[0] - sv * s[0]) + gi * (s[1] * v[2] - s[2] * v[1]))
    out[1] += sign * (gr * (v[1] - sv * s[1]) + gi * (s[2] * v[0] - s[0] * v[2]))
    out[2] += sign * (gr * (v[2] - sv * s[2]) + gi * (s[0] * v[1] - s[1] * v[0]))


@njit(cache=True, error_model="numpy")
def _dblock_apply(p, a_x, s, ds, v, out, sign):
    """``out += sign * (p * d(s s^T) v + a_x * ds x v)`` (derivative of an F block along ds; the rotation of
    the quantisation axis, Eqs 30-32)."""
    sv = s[0] * v[0] + s[1] * v[1] + s[2] * v[2]
    dv = ds[0] * v[0] + ds[1] * v[1] + ds[2] * v[2]
    out[0] += sign * (p * (ds[0] * sv + s[0] * dv) + a_x * (ds[1] * v[2] - ds[2] * v[1]))
    out[1] += sign * (p * (ds[1] * sv + s[1] * dv) + a_x * (ds[2] * v[0] - ds[0] * v[2]))
    out[2] += sign * (p * (ds[2] * sv + s[2] * dv) + a_x * (ds[0] * v[1] - ds[1] * v[0]))


@njit(cache=True, error_model="numpy")
def _matvec_sub(m, v, out):
    """``out -= m v`` for a 3x3 block (linear algebra of the elimination; no equation of the paper)."""
    for i in range(3):
        out[i] -= m[i, 0] * v[0] + m[i, 1] * v[1] + m[i, 2] * v[2]


@njit(cache=True, error_model="numpy")
def _set_block(coef, at, p, a_i, a_x):
    """Store the block ``A = p s s^T + a_i 1 + a_x [s x]`` (the form of Eqs 33-36) at ``coef[at:at+3]``."""
    coef[at] = p
    coef[at + 1] = a_i
    coef[at + 2] = a_x


@njit(cache=True, error_model="numpy")
def _apply_block(coef, at, s, v, out, sign):
    """``out += sign * A v`` for the block stored at ``coef[at:at+3]``: an element's spin current (Eqs 23, 29,
    33-36) from an accumulation ``v``."""
    p = coef[at]
    a_i = coef[at + 1]
    a_x = coef[at + 2]
    sv = s[0] * v[0] + s[1] * v[1] + s[2] * v[2]
    out[0] += sign * (p * sv * s[0] + a_i * v[0] + a_x * (s[1] * v[2] - s[2] * v[1]))
    out[1] += sign * (p * sv * s[1] + a_i * v[1] + a_x * (s[2] * v[0] - s[0] * v[2]))
    out[2] += sign * (p * sv * s[2] + a_i * v[2] + a_x * (s[0] * v[1] - s[1] * v[0]))


# ---------------------------------------------------------------------------- assembly: one element per layer
@njit(cache=True, error_model="numpy")
def _normal_element(rho, lsf, d, lead_left, lead_right, coef):
    """Blocks of a normal metal (isotropic, ``A = a_i 1``): the bulk two-port of Eqs 26 and 29, or the
    decaying mode ``e^2 j = -+ c g`` of a semi-infinite lead."""
    c = 1.0 / (rho * lsf)
    if lead_left:
        coef[RR + 1] = -c
    elif lead_right:
        coef[LL + 1] = c
    else:
        cc, cs = _bulk_coeffs(rho, lsf, d)
        coef[LL + 1] = cc
        coef[LR + 1] = -cs
        coef[RL + 1] = cs
        coef[RR + 1] = -cc


@njit(cache=True, error_model="numpy")
def _magnet_element(kind, lay, ifc, layer, coef):
    """Blocks of a ferromagnet with its interfaces: the longitudinal two-port of :func:`_magnet_two_port`
    (Eqs 16, 22-23, 33-34) along ``s s^T`` plus the transverse mixing blocks ``T = 2 (Re G (1 - s s^T) +
    Im G [s x])`` of Eqs 35-36 on each N side."""
    nn = kind.shape[0] - 1
    kl = kind[layer - 1] if layer > 0 else -1
    kr = kind[layer + 1] if layer < nn else -1
    r_l, g_l, r_r, g_r = _interfaces(ifc, layer, nn)
    y11, y12, y21, y22, sigma_l, sigma_r, aux0, aux1 = _magnet_two_port(
        kl, kr, lay[0, layer], lay[1, layer], lay[2, layer], lay[3, layer], r_l, g_l, r_r, g_r
    )
    if layer > 0:
        _set_block(coef, LL, y11 - 2.0 * ifc[2, layer - 1], 2.0 * ifc[2, layer - 1], 2.0 * ifc[3, layer - 1])
    if layer < nn:
        _set_block(coef, RR, y22 + 2.0 * ifc[2, layer], -2.0 * ifc[2, layer], -2.0 * ifc[3, layer])
    coef[LR] = y12
    coef[RL] = y21
    coef[SIG_L] = sigma_l
    coef[SIG_R] = sigma_r
    coef[AUX] = aux0
    coef[AUX + 1] = aux1


@njit(cache=True, error_model="numpy")
def _diffusive_element(lay, layer, lead_left, lead_right, coef):
    """Blocks of a diffusive ferromagnet (transparent contacts): longitudinally the Valet-Fert bulk of Eqs 16
    and 22-23, transversally the complex modes of Manchon et al. 2012 (Eqs 7-9), whose share ``L^2/L0^2`` of
    the transverse loss is the torque factor ``rho`` (their Eq. 12; Eq. 37 here)."""
    # longitudinal: Valet-Fert bulk through transparent contacts; transverse: complex 1/L^2 in the
    # frame of s (the net spin, opposite to Manchon's M, hence +i): i/lambda_J^2 + 1/lambda_phi^2 + 1/l_sf^2
    rho = lay[0, layer]
    lsf = lay[2, layer]
    inv_l0 = complex(1.0 / lay[5, layer] ** 2, 1.0 / lay[4, layer] ** 2)
    inv_l2 = inv_l0 + 1.0 / lsf**2
    q = cmath.sqrt(inv_l2)
    ratio = inv_l0 / inv_l2  # L^2 / L0^2: share of the transverse loss that is torque (Eq. 12)
    coef[RHO_RE] = ratio.real
    coef[RHO_IM] = ratio.imag
    c = 1.0 / (rho * lsf)
    ct = q / rho
    beta = lay[1, layer]
    coef[SIG_L] = beta
    coef[SIG_R] = beta
    if lead_left:
        _set_block(coef, RR, -(c - ct.real), -ct.real, -ct.imag)
    elif lead_right:
        _set_block(coef, LL, c - ct.real, ct.real, ct.imag)
    else:
        cc, cs = _bulk_coeffs(rho, lsf, lay[3, layer])
        coth, csch = _complex_bulk(q, lay[3, layer])
        tcc = ct * coth
        tcs = ct * csch
        _set_block(coef, LL, cc - tcc.real, tcc.real, tcc.imag)
        _set_block(coef, LR, -(cs - tcs.real), -tcs.real, -tcs.imag)
        _set_block(coef, RL, cs - tcs.real, tcs.real, tcs.imag)
        _set_block(coef, RR, -(cc - tcc.real), -tcc.real, -tcc.imag)


@njit(cache=True, error_model="numpy", inline="always")
def _element(kind, lay, ifc, layer, coef):
    """Block coefficients of layer ``layer`` between its nodes ``a = layer-1`` and ``b = layer`` (module
    docstring; bulk Eqs 10-29, interfaces Eqs 33-36).

    The spin currents along +x at its two ends are ``j_L = A_LL g_a + A_LR g_b + sigma_L s`` and
    ``j_R = A_RL g_a + A_RR g_b + sigma_R s``; for a magnet the torque is ``-(1/2) rho (j_L - j_R)_perp``
    with the complex factor ``rho`` acting as ``Re rho v_perp + Im rho s x v``.
    """
    nn = kind.shape[0] - 1
    for i in range(N_COEF):
        coef[i] = 0.0
    coef[RHO_RE] = 1.0
    if kind[layer] == KIND_N:
        _normal_element(lay[0, layer], lay[2, layer], lay[3, layer], layer == 0, layer == nn, coef)
    elif kind[layer] == KIND_F:
        _magnet_element(kind, lay, ifc, layer, coef)
    elif kind[layer] == KIND_FD:
        _diffusive_element(lay, layer, layer == 0, layer == nn, coef)


@njit(cache=True, error_model="numpy", inline="always")
def _stamp_element(coef, s, layer, nn, blocks, rhs):
    """Add the element of layer ``layer`` to Kirchhoff's law (continuity of the spin current, boundary
    conditions (i)-(iii) of Sec. III) at its nodes: ``-j_L`` at node ``layer-1``, ``+j_R`` at node ``layer``."""
    if layer > 0:
        a = layer - 1
        _add_block(blocks[BLOCK_DIAG, a], -coef[LL], -coef[LL + 1], -coef[LL + 2], s)
        if layer < nn:
            _add_block(blocks[BLOCK_UPPER, a], -coef[LR], -coef[LR + 1], -coef[LR + 2], s)
        for i in range(3):
            rhs[a, i] += coef[SIG_L] * s[i]
    if layer < nn:
        b = layer
        _add_block(blocks[BLOCK_DIAG, b], coef[RR], coef[RR + 1], coef[RR + 2], s)
        if layer > 0:
            _add_block(blocks[BLOCK_LOWER, b], coef[RL], coef[RL + 1], coef[RL + 2], s)
        for i in range(3):
            rhs[b, i] -= coef[SIG_R] * s[i]


@njit(cache=True, error_model="numpy", inline="always")
def _assemble(point, coef, blocks, rhs):
    """The block-tridiagonal system ``M g = rhs`` of one point (Kirchhoff at node k: ``j_R`` of layer k =
    ``j_L`` of layer k+1; Sec. III, with Eqs 10-36 in the elements): every layer's coefficients into ``coef``,
    the blocks into ``blocks`` (lower, diagonal, upper), the sources into ``rhs``.  A barrier is a current
    source (``j_R`` = its injected spin current per unit u)."""
    kind, lay, ifc, dirs = point
    n_layers = kind.shape[0]
    nn = n_layers - 1
    for k in range(nn):
        for i in range(3):
            rhs[k, i] = 0.0
            for j in range(3):
                blocks[BLOCK_LOWER, k, i, j] = 0.0
                blocks[BLOCK_DIAG, k, i, j] = 0.0
                blocks[BLOCK_UPPER, k, i, j] = 0.0
    for layer in range(n_layers):
        if kind[layer] == KIND_BARRIER:
            for i in range(3):
                rhs[layer, i] -= lay[6 + i, layer]
            continue
        _element(kind, lay, ifc, layer, coef[layer])
        _stamp_element(coef[layer], dirs[layer], layer, nn, blocks, rhs)


# ---------------------------------------------------------------------------- block Thomas elimination
@njit(cache=True, error_model="numpy")
def _factorize(blocks, nn):
    """Forward elimination of the block Thomas algorithm: ``W_0 = D_0``, ``F_k = L_k W_{k-1}^-1``,
    ``W_k = D_k - F_k U_{k-1}`` (into the diagonal blocks); stores ``F_k`` and ``W_k^-1``.  No pivoting: the
    symmetric part of ``M`` is definite (module docstring).  Linear algebra only, no equation of the paper."""
    lower = blocks[BLOCK_LOWER]
    diag = blocks[BLOCK_DIAG]
    upper = blocks[BLOCK_UPPER]
    factor = blocks[BLOCK_FACTOR]
    winv = blocks[BLOCK_WINV]
    _inv3(diag[0], winv[0])
    for k in range(1, nn):
        for i in range(3):  # factor[k] = lower[k] winv[k-1]
            for j in range(3):
                factor[k, i, j] = (
                    lower[k, i, 0] * winv[k - 1, 0, j]
                    + lower[k, i, 1] * winv[k - 1, 1, j]
                    + lower[k, i, 2] * winv[k - 1, 2, j]
                )
        for i in range(3):
            for j in range(3):
                diag[k, i, j] = diag[k, i, j] - (
                    factor[k, i, 0] * upper[k - 1, 0, j]
                    + factor[k, i, 1] * upper[k - 1, 1, j]
                    + factor[k, i, 2] * upper[k - 1, 2, j]
                )
        _inv3(diag[k], winv[k])


@njit(cache=True, error_model="numpy")
def _forward_substitute(factor, rhs, y, nn):
    """Forward substitution with the factors of :func:`_factorize`: ``y_0 = rhs_0``,
    ``y_k = rhs_k - F_k y_{k-1}``."""
    for i in range(3):
        y[0, i] = rhs[0, i]
    for k in range(1, nn):
        for i in range(3):
            y[k, i] = rhs[k, i]
        _matvec_sub(factor[k], y[k - 1], y[k])


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


@njit(cache=True, error_model="numpy")
def _solve_factored(blocks, rhs, y, out, nn):
    """``out = M^-1 rhs`` with the factorisation of :func:`_factorize` (``y`` holds the forward pass)."""
    _forward_substitute(blocks[BLOCK_FACTOR], rhs, y, nn)
    _back_substitute(blocks[BLOCK_WINV], blocks[BLOCK_UPPER], y, out, nn)


# ---------------------------------------------------------------------------- derivative d g / d phi
@njit(cache=True, error_model="numpy")
def _rotation_rhs(coef, s, ds, g, drhs, layer, nn):
    """``drhs += d(rhs) - dM g`` for a rotation ``ds`` of the net spin of layer ``layer`` (the rotated
    quantisation axis of Eqs 30-32 applied to its blocks and sources)."""
    if layer > 0:  # drhs[a] = sigma_L ds + dA_LL g_a + dA_LR g_b
        for i in range(3):
            drhs[layer - 1, i] += coef[SIG_L] * ds[i]
        _dblock_apply(coef[LL], coef[LL + 2], s, ds, g[layer - 1], drhs[layer - 1], 1.0)
        if layer < nn:
            _dblock_apply(coef[LR], coef[LR + 2], s, ds, g[layer], drhs[layer - 1], 1.0)
    if layer < nn:  # drhs[b] = -sigma_R ds - dA_RR g_b - dA_RL g_a
        for i in range(3):
            drhs[layer, i] -= coef[SIG_R] * ds[i]
        _dblock_apply(coef[RR], coef[RR + 2], s, ds, g[layer], drhs[layer], -1.0)
        if layer > 0:
            _dblock_apply(coef[RL], coef[RL + 2], s, ds, g[layer - 1], drhs[layer], -1.0)


@njit(cache=True, error_model="numpy", inline="always")
def _rotation_derivative(point, rot_layer, rot_axis, scratch):
    """``dg/dphi`` into ``vectors[VEC_DG]`` for the rotation of layer ``rot_layer``'s net spin about
    ``rot_axis`` (``ds = n x s`` into ``work[WORK_DS]``): ``M dg = d(rhs) - dM g`` with the factorisation of
    ``M`` already made, for the exact limit of ``a = tau_phi / sin(phi)`` (Eqs 39-41) at ``phi = 0, pi``."""
    blocks, vectors, coef, work = scratch
    nn = point[0].shape[0] - 1
    s = point[3][rot_layer]
    ds = work[WORK_DS]
    ds[0] = rot_axis[1] * s[2] - rot_axis[2] * s[1]
    ds[1] = rot_axis[2] * s[0] - rot_axis[0] * s[2]
    ds[2] = rot_axis[0] * s[1] - rot_axis[1] * s[0]
    drhs = vectors[VEC_DRHS]
    for k in range(nn):
        for i in range(3):
            drhs[k, i] = 0.0
    _rotation_rhs(coef[rot_layer], s, ds, vectors[VEC_G], drhs, rot_layer, nn)
    _solve_factored(blocks, drhs, vectors[VEC_Y], vectors[VEC_DG], nn)


# ---------------------------------------------------------------------------- observables
@njit(cache=True, error_model="numpy", inline="always")
def _end_currents(coef, s, nn, layer, g, jl, jr):
    """Spin currents along +x at the left and right ends of layer ``layer`` (zero beyond a lead), from the
    element's blocks (bulk Eqs 23 and 29, interfaces Eqs 33-36)."""
    for i in range(3):
        jl[i] = 0.0
        jr[i] = 0.0
    if layer > 0:
        _apply_block(coef, LL, s, g[layer - 1], jl, 1.0)
        _apply_block(coef, RL, s, g[layer - 1], jr, 1.0)
    if layer < nn:
        _apply_block(coef, LR, s, g[layer], jl, 1.0)
        _apply_block(coef, RR, s, g[layer], jr, 1.0)
    for i in range(3):
        if layer > 0:
            jl[i] += coef[SIG_L] * s[i]
        if layer < nn:
            jr[i] += coef[SIG_R] * s[i]


@njit(cache=True, error_model="numpy", inline="always")
def _magnet_torque(coef, s, nn, layer, g, jl, jr, torque):
    """Normalised torque on the magnet ``layer``, ``-(1/2) rho (j_L - j_R)_perp`` (Eq. 37 with Eqs 35-36),
    into ``torque``; leaves ``j_L - j_R`` in ``jl``."""
    _end_currents(coef, s, nn, layer, g, jl, jr)
    for i in range(3):
        jl[i] -= jr[i]
        torque[i] = 0.0
    _transverse(coef[RHO_RE], coef[RHO_IM], s, jl, torque, -0.5)


@njit(cache=True, error_model="numpy")
def _rotated_jump(coef, s, ds, nn, layer, g, djl):
    """``djl += d(j_L - j_R)`` from the rotation of the layer's own blocks and sources (Eqs 30-32): the part
    of the derivative of the spin-current jump that ``dg`` does not carry."""
    if layer > 0:
        _dblock_apply(coef[LL], coef[LL + 2], s, ds, g[layer - 1], djl, 1.0)
        _dblock_apply(coef[RL], coef[RL + 2], s, ds, g[layer - 1], djl, -1.0)
    if layer < nn:
        _dblock_apply(coef[LR], coef[LR + 2], s, ds, g[layer], djl, 1.0)
        _dblock_apply(coef[RR], coef[RR + 2], s, ds, g[layer], djl, -1.0)
    for i in range(3):
        if layer > 0:
            djl[i] += coef[SIG_L] * ds[i]
        if layer < nn:
            djl[i] -= coef[SIG_R] * ds[i]


@njit(cache=True, error_model="numpy", inline="always")
def _torque_derivative(coef, s, ds, nn, layer, rotated, g, gd, jump, djl, djr, dtorque):
    """``d tau / d phi`` of the magnet ``layer`` (derivative of Eq. 37; the exact ``a`` of Eqs 39-41 at
    collinear angles) into ``dtorque``, from ``dg`` (``gd``) and, for the rotated magnet itself (``rotated``),
    the rotation of its blocks, sources and transverse projection (``jump`` = ``j_L - j_R``)."""
    _end_currents(coef, s, nn, layer, gd, djl, djr)
    for i in range(3):
        djl[i] -= djr[i]
        dtorque[i] = 0.0
    if rotated:  # block derivatives, sources and the projection itself rotate with s
        _rotated_jump(coef, s, ds, nn, layer, g, djl)
        _dblock_apply(-coef[RHO_RE], coef[RHO_IM], s, ds, jump, dtorque, -0.5)
    _transverse(coef[RHO_RE], coef[RHO_IM], s, djl, dtorque, -0.5)


@njit(cache=True, error_model="numpy", inline="always")
def _magnet_resistance(kind, lay, ifc, layer, coef, x_a, x_b, f_out, ra):
    """``ra`` plus the resistance-area terms of the magnet ``layer`` (module docstring; Eqs 22-23 in the bulk,
    33-34 at the interfaces): ohmic ``rho*(1-beta^2) d + R*(1-gamma^2)`` and the spin terms
    ``-beta (g_start - g_end)``, ``-gamma (g_left - g_right)``.  Writes the F-side longitudinal accumulations
    to ``f_out`` (when it has entries); ``x_a, x_b`` are ``s . g`` at the adjacent nodes."""
    nn = kind.shape[0] - 1
    beta = lay[1, layer]
    if kind[layer] == KIND_F:
        r_l, g_l, r_r, g_r = _interfaces(ifc, layer, nn)
        f_l, f_r = _magnet_f_values(
            kind[layer - 1] if layer > 0 else -1,
            kind[layer + 1] if layer < nn else -1,
            lay[0, layer],
            beta,
            lay[2, layer],
            r_l,
            g_l,
            r_r,
            g_r,
            coef[AUX],
            coef[AUX + 1],
            x_a,
            x_b,
        )
        if layer > 0:
            ra += r_l * (1.0 - g_l * g_l) - g_l * (x_a - f_l)
        if layer < nn:
            ra += r_r * (1.0 - g_r * g_r) - g_r * (f_r - x_b)
    else:  # diffusive ferromagnet: transparent contacts, F-side values equal the node's
        f_l = x_a
        f_r = x_b
    if f_out.shape[0] > 0:
        if layer > 0:
            f_out[layer - 1] = f_l
        if layer < nn:
            f_out[layer] = f_r
    if layer == 0:
        ra += beta * f_r
    elif layer == nn:
        ra -= beta * f_l
    else:
        ra += lay[0, layer] * (1.0 - beta * beta) * lay[3, layer] - beta * (f_l - f_r)
    return ra


@njit(cache=True, error_model="numpy", inline="always")
def _node_outputs(coef, dirs, g, nn, jr, g_out, j_out):
    """Node data (when the output arrays have entries): the N-side accumulations ``g`` and the spin current
    at node ``k`` (N side, or shared at a transparent contact), ``j_L`` of layer ``k+1`` (Eqs 23, 29, 33-36)."""
    if g_out.shape[0] > 0:
        for k in range(nn):
            for i in range(3):
                g_out[k, i] = g[k, i]
    if j_out.shape[0] > 0:
        for k in range(nn):
            _end_currents(coef[k + 1], dirs[k + 1], nn, k + 1, g, j_out[k], jr)


@njit(cache=True, error_model="numpy", inline="always")
def _observables(point, rot_layer, scratch, out):
    """Outputs of a solved point: torques (Eq. 37) and their derivative (Eqs 39-41) on every magnet, the node
    data, and the returned resistance-area product (Ohm m^2; Eqs 22-23, 33-34; NaN with a tunnel barrier)."""
    kind, lay, ifc, dirs = point
    blocks, vectors, coef, work = scratch
    torque, dtorque, g_out, f_out, j_out = out
    n_layers = kind.shape[0]
    nn = n_layers - 1
    want_derivative = rot_layer >= 0 and dtorque.shape[0] > 0
    g = vectors[VEC_G]
    jl = work[WORK_JL]
    jr = work[WORK_JR]
    ra = 0.0
    im = 0
    for layer in range(n_layers):
        if kind[layer] == KIND_BARRIER:
            continue
        if kind[layer] == KIND_N:
            if 0 < layer < nn:
                ra += lay[0, layer] * lay[3, layer]
            continue
        s = dirs[layer]
        _magnet_torque(coef[layer], s, nn, layer, g, jl, jr, torque[im])
        if want_derivative:
            _torque_derivative(
                coef[layer],
                s,
                work[WORK_DS],
                nn,
                layer,
                layer == rot_layer,
                g,
                vectors[VEC_DG],
                jl,
                work[WORK_DJL],
                work[WORK_DJR],
                dtorque[im],
            )
        x_a = s[0] * g[layer - 1, 0] + s[1] * g[layer - 1, 1] + s[2] * g[layer - 1, 2] if layer > 0 else 0.0
        x_b = s[0] * g[layer, 0] + s[1] * g[layer, 1] + s[2] * g[layer, 2] if layer < nn else 0.0
        ra = _magnet_resistance(kind, lay, ifc, layer, coef[layer], x_a, x_b, f_out, ra)
        im += 1
    _node_outputs(coef, dirs, g, nn, jr, g_out, j_out)
    return math.nan if kind[0] == KIND_BARRIER else ra


# ---------------------------------------------------------------------------- one point, a batch
@njit(cache=True, error_model="numpy", inline="always")
def _solve_point(point, rot_layer, rot_axis, scratch, out):
    """Assemble (:func:`_assemble`), factorise (:func:`_factorize`) and solve one point, then its derivative
    (:func:`_rotation_derivative`, when ``rot_layer >= 0`` and ``dtorque`` has entries) and observables
    (:func:`_observables`); return the resistance-area product (Ohm m^2).

    ``point = (kind, layer_params, iface, dirs)`` (rows as in :func:`solve_batch`); ``scratch`` from
    :func:`make_scratch`; ``out = (torque, dtorque, g_out, f_out, j_out)``, the last four of shape 0 when
    not wanted.
    """
    blocks, vectors, coef, work = scratch
    nn = point[0].shape[0] - 1
    _assemble(point, coef, blocks, vectors[VEC_RHS])
    _factorize(blocks, nn)
    _solve_factored(blocks, vectors[VEC_RHS], vectors[VEC_Y], vectors[VEC_G], nn)
    if rot_layer >= 0 and out[1].shape[0] > 0:
        _rotation_derivative(point, rot_layer, rot_axis, scratch)
    return _observables(point, rot_layer, scratch, out)


@njit(cache=True, error_model="numpy", inline="always")
def _set_point(
    p, base_layer, base_iface, base_dir, ovr_field, ovr_index, ovr_values, dir_layer, dir_values, lay, ifc, dirs
):
    """The parameters of point ``p`` into ``lay``, ``ifc``, ``dirs``: the base arrays with the point's overrides
    and (normalised) directions.  Bookkeeping of the batch; no equation of the paper."""
    lay[:, :] = base_layer
    ifc[:, :] = base_iface
    dirs[:, :] = base_dir
    for q in range(ovr_field.shape[0]):
        field = ovr_field[q]
        if field < N_LAYER_FIELDS:
            lay[field, ovr_index[q]] = ovr_values[q, p]
        else:
            ifc[field - N_LAYER_FIELDS, ovr_index[q]] = ovr_values[q, p]
    for q in range(dir_layer.shape[0]):
        v = dir_values[q, p]
        norm = math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])
        for i in range(3):
            dirs[dir_layer[q], i] = v[i] / norm


@njit(cache=True, parallel=True, error_model="numpy")
def solve_batch(
    kind: Array,
    base_layer: Array,
    base_iface: Array,
    base_dir: Array,
    ovr_field: Array,
    ovr_index: Array,
    ovr_values: Array,
    dir_layer: Array,
    dir_values: Array,
    rot_layer: int,
    rot_axis: Array,
    n_points: int,
    torque: Array,
    ra: Array,
    dtorque: Array,
    g_nodes: Array,
    f_nodes: Array,
    j_nodes: Array,
) -> None:
    """Solve ``n_points`` configurations of one stack topology in parallel.

    ``base_layer`` (N_LAYER_FIELDS, L): rows of :data:`fastspin.parameters.LAYER_FIELDS`; ``base_iface`` (4, L-1):
    R*, gamma, Re G, Im G;
    ``base_dir`` (L, 3) unit net spins.  Per-point overrides: ``ovr_values[q, i]`` replaces field
    ``ovr_field[q]`` (codes of :mod:`fastspin.stack`) of layer/interface ``ovr_index[q]``;
    ``dir_values[q, i]`` replaces the direction of layer ``dir_layer[q]`` (normalised here).
    Outputs (per point ``i``): ``torque[i, m]`` normalised torque on the m-th magnet, ``ra[i]`` resistance
    area (Ohm m^2, leads' bulk excluded; NaN with a tunnel barrier, whose resistance is not modelled); when
    their first dimension is ``n_points``: ``dtorque`` (needs ``rot_layer >= 0``), ``g_nodes`` N-side
    accumulations per u, ``f_nodes`` F-side longitudinal ones (NaN at N/N nodes), ``j_nodes`` spin currents
    per u.
    """
    n_layers = kind.shape[0]
    n_chunks = (n_points + CHUNK - 1) // CHUNK
    want_derivative = rot_layer >= 0 and dtorque.shape[0] == n_points
    for chunk in prange(n_chunks):
        lay = np.empty((N_LAYER_FIELDS, n_layers))
        ifc = np.empty((4, n_layers - 1))
        dirs = np.empty((n_layers, 3))
        point = (kind, lay, ifc, dirs)
        scratch = make_scratch(n_layers)
        no_vec = np.empty((0, 3))
        no_sca = np.empty(0)
        start = chunk * CHUNK
        for p in range(start, min(start + CHUNK, n_points)):
            _set_point(
                p,
                base_layer,
                base_iface,
                base_dir,
                ovr_field,
                ovr_index,
                ovr_values,
                dir_layer,
                dir_values,
                lay,
                ifc,
                dirs,
            )
            dt = dtorque[p] if want_derivative else no_vec
            go = g_nodes[p] if g_nodes.shape[0] == n_points else no_vec
            fo = f_nodes[p] if f_nodes.shape[0] == n_points else no_sca
            jo = j_nodes[p] if j_nodes.shape[0] == n_points else no_vec
            if fo.shape[0] > 0:
                fo[:] = np.nan
            ra[p] = _solve_point(point, rot_layer, rot_axis, scratch, (torque[p], dt, go, fo, jo))
