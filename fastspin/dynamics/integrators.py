"""Batched LLGS integrators (Numba): fixed-step RK4, stochastic Heun, adaptive Dormand-Prince RK45.

* RK4 and Heun work on blocks of ``BLOCK`` trajectories held in a small structure-of-arrays buffer on
  the stack (fastspin.dynamics._stack); one fused, branch-free loop over the lanes of a block does a
  whole step (all stages, outcome tracking) with the state in registers, so it vectorizes (SIMD);
  ``prange`` runs the blocks on all cores.
* The torque's angular form (``kind`` of fastspin.dynamics.torques: constant, exact rational in
  ``cos theta``, or a uniform ``cos theta`` table read by gathers) is a constant in each of three
  inlined copies of the step loop, so each copy holds one form and no branch.
* The AC field's ``cos(omega t)`` advances by a per-lane rotation recurrence (two half-step rotations
  per RK4 step, one full step for Heun), reset to the exact value every ``AC_RESYNC`` steps: no
  cosine in the loop (it would not vectorize without SVML).
* ``|m| = 1`` is kept by renormalizing ``m`` after every step (every accepted step for RK45); the
  right-hand side is perpendicular to ``m`` so this projection does not lower the order.
* Heun (Stratonovich) draws one thermal field per step, used in predictor and corrector (Brown's
  field, variance ``2 alpha k_B T / (gamma Ms V dt)`` per component, precomputed per trajectory).
* RK45 (Dormand and Prince 1980, 5th order with embedded 4th-order error estimate, RMS error norm
  as scipy's ``solve_ivp``) adapts the step per trajectory and never steps over a sampling point
  ``k dt``: ``dt`` is the sampling interval (outcomes, records); the steps in between are adaptive.

Nothing is stored per step unless ``record_every > 0`` (then ``m`` every ``record_every`` sampling
points).  Kernels never raise: inputs are validated in Python first (fastspin.dynamics.api).
"""
import math

import numpy as np
from numba import njit, prange

from . import rhs as R
from ._jit import KERNEL, LANE_LOOP, LEAF, STRICT
from ._stack import stack_buffer
from .outcomes import (N_OUT, N_TRACK, O_ACCEPTED, O_FAILED, O_REJECTED, track_finish, track_init,
                       track_point)
from .rng import normal_pair
from .torques import KIND_CONSTANT, KIND_RATIONAL, KIND_TABLE, TABLE_ROW, torque_factors

BLOCK = 64  #: trajectories per block (SIMD lanes x unrolling), small enough for L1
AC_RESYNC = 256  #: steps between exact evaluations of cos, sin(omega t) (rotation recurrence in between)


@njit(**LEAF)
def _deriv(x, y, z, P, j, kind, q0, q1, q2, table, n_intervals, ac, thx, thy, thz):
    """dm/dt with the angular torque factors of ``kind`` (fastspin.dynamics.torques; a compile-time
    constant in the batch kernels) and ``ac = cos(omega t)`` of the AC field."""
    c = x * P[R.PX, j] + y * P[R.PY, j] + z * P[R.PZ, j]
    f_dl, f_fl = torque_factors(kind, q0, q1, q2, table, n_intervals, c)
    return R.rhs_point(x, y, z, P, j, f_dl, f_fl, ac, thx, thy, thz)


@njit(**LEAF)
def _track(S, base, stride, P, j, t, h, in_window, threshold, eta2, x, y, z, kx, ky, kz):
    c = x * P[R.PX, j] + y * P[R.PY, j] + z * P[R.PZ, j]
    d_e = kx * P[R.EX, j] + ky * P[R.EY, j] + kz * P[R.EZ, j]
    e_val = x * P[R.EX, j] + y * P[R.EY, j] + z * P[R.EZ, j]
    track_point(S, base, stride, t, h, in_window, c - threshold, c, d_e, e_val, x, y, z, eta2)


# A block's state is one flat buffer S: m_x, m_y, m_z of lane i at S[i], S[BLOCK + i], S[2 BLOCK + i],
# its tracking row r at S[(3 + r) BLOCK + i], then cos(omega t), sin(omega t) and the cosine and sine
# of the per-step rotation angle of the AC field.  Constant offsets let the vectorizer prove the lanes
# independent (separate arrays would need more runtime alias checks than it allows); on the stack, the
# buffer is known not to overlap any array argument (no checks at all, and table gathers allowed).
_TRACK = 3 * BLOCK
_AC_C = (3 + N_TRACK) * BLOCK
_AC_S = _AC_C + BLOCK
_ROT_C = _AC_C + 2 * BLOCK
_ROT_S = _AC_C + 3 * BLOCK
_STATE_SIZE = (3 + N_TRACK + 4) * BLOCK


@njit(**LANE_LOOP)
def _init_block(lo, nb, P, m0, S, threshold, record_every, record):
    for i in range(nb):
        j = lo + i
        S[i] = m0[j, 0]
        S[BLOCK + i] = m0[j, 1]
        S[2 * BLOCK + i] = m0[j, 2]
        track_init(S, _TRACK + i, BLOCK, m0[j, 0] * P[R.PX, j] + m0[j, 1] * P[R.PY, j] + m0[j, 2] * P[R.PZ, j]
                   - threshold)
        if record_every > 0:
            record[j, 0, 0] = m0[j, 0]
            record[j, 0, 1] = m0[j, 1]
            record[j, 0, 2] = m0[j, 2]


@njit(**LANE_LOOP)
def _ac_sync(lo, nb, P, S, t, rotation_dt):
    """Exact ``cos, sin(omega t)`` of every lane and its rotation by ``omega rotation_dt``."""
    for i in range(nb):
        omega = P[R.OMEGA, lo + i]
        S[_AC_C + i] = math.cos(omega * t)
        S[_AC_S + i] = math.sin(omega * t)
        S[_ROT_C + i] = math.cos(omega * rotation_dt)
        S[_ROT_S + i] = math.sin(omega * rotation_dt)


@njit(**LEAF)
def _ac_rotate(S, i):
    """Advance lane ``i``'s ``(cos, sin)(omega t)`` by its rotation angle; returns the new cosine.

    The recurrence drifts by a few ulp per step; :func:`_ac_sync` resets it every ``AC_RESYNC`` steps.
    """
    c = S[_AC_C + i]
    s = S[_AC_S + i]
    c_new = c * S[_ROT_C + i] - s * S[_ROT_S + i]
    S[_AC_S + i] = s * S[_ROT_C + i] + c * S[_ROT_S + i]
    S[_AC_C + i] = c_new
    return c_new


@njit(**LANE_LOOP)
def _finish_block(lo, nb, P, S, t, h, in_window, threshold, eta2, kind, q0, q1, q2, table, n_intervals, out):
    """Track the last point (time ``t``) and write the outcomes of the block."""
    for i in range(nb):
        j = np.uint64(lo + i)  # unsigned: no negative-index wraparound, contiguous (not gathered) loads
        x = S[i]
        y = S[BLOCK + i]
        z = S[2 * BLOCK + i]
        ac = math.cos(P[R.OMEGA, j] * t) if kind != KIND_CONSTANT else 0.0
        kx, ky, kz = _deriv(x, y, z, P, j, kind, q0, q1, q2, table, n_intervals, ac, 0.0, 0.0, 0.0)
        _track(S, _TRACK + i, BLOCK, P, j, t, h, in_window, threshold, eta2, x, y, z, kx, ky, kz)
        track_finish(S, _TRACK + i, BLOCK, out, j, x, y, z)


@njit(**LANE_LOOP)
def _record_block(lo, nb, S, record, r):
    for i in range(nb):
        record[lo + i, r, 0] = S[i]
        record[lo + i, r, 1] = S[BLOCK + i]
        record[lo + i, r, 2] = S[2 * BLOCK + i]


@njit(**LANE_LOOP)
def _rk4_block_step(lo, nb, P, S, t, dt, h_prev, in_window, threshold, eta2, kind, q0, q1, q2, table,
                    n_intervals):
    """One RK4 step of every lane of a block; tracks the point at ``t`` (the start of the step).

    The AC phase of a lane advances by two half-step rotations (``_ac_sync`` with ``dt / 2``)."""
    half = 0.5 * dt
    sixth = dt / 6.0
    for i in range(nb):
        j = np.uint64(lo + i)  # unsigned: no negative-index wraparound, contiguous (not gathered) loads
        x = S[i]
        y = S[BLOCK + i]
        z = S[2 * BLOCK + i]
        if kind != KIND_CONSTANT:
            ac0 = S[_AC_C + i]
            ac1 = _ac_rotate(S, i)
            ac2 = _ac_rotate(S, i)
        else:
            ac0 = ac1 = ac2 = 0.0
        k1x, k1y, k1z = _deriv(x, y, z, P, j, kind, q0, q1, q2, table, n_intervals, ac0, 0.0, 0.0, 0.0)
        _track(S, _TRACK + i, BLOCK, P, j, t, h_prev, in_window, threshold, eta2, x, y, z, k1x, k1y, k1z)
        k2x, k2y, k2z = _deriv(x + half * k1x, y + half * k1y, z + half * k1z, P, j, kind, q0, q1, q2, table,
                               n_intervals, ac1, 0.0, 0.0, 0.0)
        k3x, k3y, k3z = _deriv(x + half * k2x, y + half * k2y, z + half * k2z, P, j, kind, q0, q1, q2, table,
                               n_intervals, ac1, 0.0, 0.0, 0.0)
        k4x, k4y, k4z = _deriv(x + dt * k3x, y + dt * k3y, z + dt * k3z, P, j, kind, q0, q1, q2, table,
                               n_intervals, ac2, 0.0, 0.0, 0.0)
        x += sixth * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y += sixth * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
        z += sixth * (k1z + 2.0 * k2z + 2.0 * k3z + k4z)
        inv = 1.0 / math.sqrt(x * x + y * y + z * z)
        S[i] = x * inv
        S[BLOCK + i] = y * inv
        S[2 * BLOCK + i] = z * inv


@njit(parallel=True, **KERNEL)
def rk4_batch(P, m0, kind, q, table, dt, n_steps, window_start, threshold, eta2, record_every, record, out):
    """Fixed-step RK4 over ``n_steps`` steps of ``dt`` for every trajectory (rows of ``m0``).

    ``P`` (N_ROWS, n): per-trajectory parameters (fastspin.dynamics.rhs).  ``kind``, ``q`` (3,),
    ``table`` (8 m,): the torque's kernel form (fastspin.dynamics.torques.kernel_inputs);
    ``KIND_CONSTANT`` has no AC field.  Points ``s`` with ``s - 1 >= window_start`` are in the analysis
    window.  ``out`` (n, N_OUT) receives the outcomes; ``record`` (n, n_rec, 3) receives ``m`` every
    ``record_every`` steps when > 0.
    """
    n = m0.shape[0]
    n_blocks = (n + BLOCK - 1) // BLOCK
    q0, q1, q2 = q[0], q[1], q[2]
    n_intervals = table.shape[0] // TABLE_ROW
    for blk in prange(n_blocks):
        lo = blk * BLOCK
        nb = min(BLOCK, n - lo)
        S = stack_buffer(_STATE_SIZE)
        _init_block(lo, nb, P, m0, S, threshold, record_every, record)
        for s in range(n_steps):
            t = s * dt
            in_window = s - 1 >= window_start
            h_prev = dt if s > 0 else 0.0
            if kind != KIND_CONSTANT and s % AC_RESYNC == 0:
                _ac_sync(lo, nb, P, S, t, 0.5 * dt)
            if kind == KIND_TABLE:
                _rk4_block_step(lo, nb, P, S, t, dt, h_prev, in_window, threshold, eta2, KIND_TABLE, q0, q1, q2,
                                table, n_intervals)
            elif kind == KIND_RATIONAL:
                _rk4_block_step(lo, nb, P, S, t, dt, h_prev, in_window, threshold, eta2, KIND_RATIONAL, q0, q1,
                                q2, table, n_intervals)
            else:
                _rk4_block_step(lo, nb, P, S, t, dt, h_prev, in_window, threshold, eta2, KIND_CONSTANT, q0, q1,
                                q2, table, n_intervals)
            if record_every > 0 and (s + 1) % record_every == 0:
                _record_block(lo, nb, S, record, (s + 1) // record_every)
        _finish_block(lo, nb, P, S, n_steps * dt, dt, n_steps - 1 >= window_start, threshold, eta2, kind, q0,
                      q1, q2, table, n_intervals, out)


@njit(**LANE_LOOP)
def _heun_block_step(lo, nb, P, rng, S, t, dt, h_prev, in_window, threshold, eta2, kind, q0, q1, q2, table,
                     n_intervals):
    """One stochastic Heun step of every lane: same thermal field in predictor and corrector.

    The AC phase of a lane advances by one full-step rotation (``_ac_sync`` with ``dt``)."""
    half = 0.5 * dt
    for i in range(nb):
        j = np.uint64(lo + i)  # unsigned: no negative-index wraparound, contiguous (not gathered) loads
        g1, g2 = normal_pair(rng, j)
        g3, _ = normal_pair(rng, j)
        sigma = P[R.SIGMA, j]
        thx = sigma * g1
        thy = sigma * g2
        thz = sigma * g3
        x = S[i]
        y = S[BLOCK + i]
        z = S[2 * BLOCK + i]
        if kind != KIND_CONSTANT:
            ac0 = S[_AC_C + i]
            ac1 = _ac_rotate(S, i)
        else:
            ac0 = ac1 = 0.0
        k1x, k1y, k1z = _deriv(x, y, z, P, j, kind, q0, q1, q2, table, n_intervals, ac0, thx, thy, thz)
        _track(S, _TRACK + i, BLOCK, P, j, t, h_prev, in_window, threshold, eta2, x, y, z, k1x, k1y, k1z)
        k2x, k2y, k2z = _deriv(x + dt * k1x, y + dt * k1y, z + dt * k1z, P, j, kind, q0, q1, q2, table,
                               n_intervals, ac1, thx, thy, thz)
        x += half * (k1x + k2x)
        y += half * (k1y + k2y)
        z += half * (k1z + k2z)
        inv = 1.0 / math.sqrt(x * x + y * y + z * z)
        S[i] = x * inv
        S[BLOCK + i] = y * inv
        S[2 * BLOCK + i] = z * inv


@njit(parallel=True, **KERNEL)
def heun_batch(P, m0, rng, kind, q, table, dt, n_steps, window_start, threshold, eta2, record_every, record,
               out):
    """Stochastic Heun (Stratonovich) with the thermal field of row SIGMA; ``rng`` (n, 2) uint64 states
    (fastspin.dynamics.rng), advanced in place.  Other arguments as :func:`rk4_batch`."""
    n = m0.shape[0]
    n_blocks = (n + BLOCK - 1) // BLOCK
    q0, q1, q2 = q[0], q[1], q[2]
    n_intervals = table.shape[0] // TABLE_ROW
    for blk in prange(n_blocks):
        lo = blk * BLOCK
        nb = min(BLOCK, n - lo)
        S = stack_buffer(_STATE_SIZE)
        _init_block(lo, nb, P, m0, S, threshold, record_every, record)
        for s in range(n_steps):
            t = s * dt
            in_window = s - 1 >= window_start
            h_prev = dt if s > 0 else 0.0
            if kind != KIND_CONSTANT and s % AC_RESYNC == 0:
                _ac_sync(lo, nb, P, S, t, dt)
            if kind == KIND_TABLE:
                _heun_block_step(lo, nb, P, rng, S, t, dt, h_prev, in_window, threshold, eta2, KIND_TABLE, q0, q1,
                                 q2, table, n_intervals)
            elif kind == KIND_RATIONAL:
                _heun_block_step(lo, nb, P, rng, S, t, dt, h_prev, in_window, threshold, eta2, KIND_RATIONAL, q0,
                                 q1, q2, table, n_intervals)
            else:
                _heun_block_step(lo, nb, P, rng, S, t, dt, h_prev, in_window, threshold, eta2, KIND_CONSTANT, q0,
                                 q1, q2, table, n_intervals)
            if record_every > 0 and (s + 1) % record_every == 0:
                _record_block(lo, nb, S, record, (s + 1) // record_every)
        _finish_block(lo, nb, P, S, n_steps * dt, dt, n_steps - 1 >= window_start, threshold, eta2, kind, q0,
                      q1, q2, table, n_intervals, out)


# Dormand-Prince 5(4) tableau
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = 9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
_E1, _E3, _E4, _E5, _E6, _E7 = (71.0 / 57600.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0,
                                22.0 / 525.0, -1.0 / 40.0)


@njit(**LEAF)
def _f(y, P, j, t, kind, q0, q1, q2, table, n_intervals):
    ac = math.cos(P[R.OMEGA, j] * t) if kind != KIND_CONSTANT else 0.0
    return _deriv(y[0], y[1], y[2], P, j, kind, q0, q1, q2, table, n_intervals, ac, 0.0, 0.0, 0.0)


@njit(**LEAF)
def _combine(y, h, k, weights, out):
    for c in range(3):
        acc = 0.0
        for s in range(weights.shape[0]):
            acc += weights[s] * k[s, c]
        out[c] = y[c] + h * acc


@njit(parallel=True, **STRICT)
def rk45_batch(P, m0, kind, q, table, dt, n_samples, window_start, threshold, eta2, rtol,
               atol, max_step, record_every, record, out):
    """Adaptive Dormand-Prince RK45 per trajectory; lands on every sampling point ``k dt``.

    Steps are accepted when the RMS of ``err_i / (atol + rtol max(|y_i|, |y_new_i|))`` is <= 1 and
    never exceed ``max_step``.  ``out[:, O_ACCEPTED / O_REJECTED]`` count the steps;
    ``out[:, O_FAILED]`` is 1 where the step size collapsed (non-finite or below 1e-12 dt).
    """
    n = m0.shape[0]
    q0, q1, q2 = q[0], q[1], q[2]
    n_intervals = table.shape[0] // TABLE_ROW
    a2 = np.array([_A21])
    a3 = np.array([_A31, _A32])
    a4 = np.array([_A41, _A42, _A43])
    a5 = np.array([_A51, _A52, _A53, _A54])
    a6 = np.array([_A61, _A62, _A63, _A64, _A65])
    b5 = np.array([_B1, 0.0, _B3, _B4, _B5, _B6])
    e7 = np.array([_E1, 0.0, _E3, _E4, _E5, _E6, _E7])
    for j in prange(n):
        T = np.empty(N_TRACK)
        k = np.empty((7, 3))
        y = np.empty(3)
        ys = np.empty(3)
        yn = np.empty(3)
        for c in range(3):
            y[c] = m0[j, c]
        track_init(T, 0, 1, y[0] * P[R.PX, j] + y[1] * P[R.PY, j] + y[2] * P[R.PZ, j] - threshold)
        if record_every > 0:
            for c in range(3):
                record[j, 0, c] = y[c]
        t = 0.0
        k[0, 0], k[0, 1], k[0, 2] = _f(y, P, j, t, kind, q0, q1, q2, table, n_intervals)
        _track(T, 0, 1, P, j, t, 0.0, False, threshold, eta2, y[0], y[1], y[2], k[0, 0], k[0, 1], k[0, 2])
        h = min(dt, max_step)
        accepted = 0
        rejected = 0
        failed = False
        for sample in range(n_samples):
            t_end = (sample + 1) * dt
            in_window = sample >= window_start
            while t < t_end and not failed:
                remaining = t_end - t
                landing = h >= remaining
                h_try = remaining if landing else h
                _combine(y, h_try, k[:1], a2, ys)
                k[1, 0], k[1, 1], k[1, 2] = _f(ys, P, j, t + _C2 * h_try, kind, q0, q1, q2, table, n_intervals)
                _combine(y, h_try, k[:2], a3, ys)
                k[2, 0], k[2, 1], k[2, 2] = _f(ys, P, j, t + _C3 * h_try, kind, q0, q1, q2, table, n_intervals)
                _combine(y, h_try, k[:3], a4, ys)
                k[3, 0], k[3, 1], k[3, 2] = _f(ys, P, j, t + _C4 * h_try, kind, q0, q1, q2, table, n_intervals)
                _combine(y, h_try, k[:4], a5, ys)
                k[4, 0], k[4, 1], k[4, 2] = _f(ys, P, j, t + _C5 * h_try, kind, q0, q1, q2, table, n_intervals)
                _combine(y, h_try, k[:5], a6, ys)
                k[5, 0], k[5, 1], k[5, 2] = _f(ys, P, j, t + h_try, kind, q0, q1, q2, table, n_intervals)
                _combine(y, h_try, k[:6], b5, yn)
                k[6, 0], k[6, 1], k[6, 2] = _f(yn, P, j, t + h_try, kind, q0, q1, q2, table, n_intervals)
                err2 = 0.0
                for c in range(3):
                    e = 0.0
                    for s in range(7):
                        e += e7[s] * k[s, c]
                    scale = atol + rtol * max(abs(y[c]), abs(yn[c]))
                    err2 += (h_try * e / scale) ** 2
                err = math.sqrt(err2 / 3.0)
                if err <= 1.0:
                    t = t_end if landing else t + h_try
                    inv = 1.0 / math.sqrt(yn[0] ** 2 + yn[1] ** 2 + yn[2] ** 2)
                    for c in range(3):
                        y[c] = yn[c] * inv
                    k[0, 0], k[0, 1], k[0, 2] = _f(y, P, j, t, kind, q0, q1, q2, table, n_intervals)
                    _track(T, 0, 1, P, j, t, h_try, in_window, threshold, eta2, y[0], y[1], y[2],
                           k[0, 0], k[0, 1], k[0, 2])
                    accepted += 1
                    factor = 10.0 if err == 0.0 else min(10.0, max(0.2, 0.9 * err ** -0.2))
                    h_next = h_try * factor
                    h = min(max_step, max(h, h_next) if landing else h_next)
                else:
                    rejected += 1
                    h = h_try * max(0.2, 0.9 * err ** -0.2) if err == err else 0.0
                    if not h >= 1e-12 * dt:
                        failed = True
            if record_every > 0 and (sample + 1) % record_every == 0:
                for c in range(3):
                    record[j, (sample + 1) // record_every, c] = y[c]
        track_finish(T, 0, 1, out, j, y[0], y[1], y[2])
        out[j, O_ACCEPTED] = accepted
        out[j, O_REJECTED] = rejected
        out[j, O_FAILED] = 1.0 if failed else 0.0


def new_outputs(n):
    """Zeroed outcome array (n, N_OUT) for the kernels."""
    return np.zeros((n, N_OUT), dtype=np.float64)
