"""Plain NumPy / SciPy reference for a system of coupled macrospins (written from the equations).

Energy per unit area of ``n`` magnets with unit vectors ``m_k`` (J/m^2):

    E/A = sum_k S_k [ -B.m_k - (B_k + c_k V)/2 (m_k.u_k)^2 + mu0 Ms_k/2 sum_i N_ki m_ki^2 ]
          + sum_exchange [ -J1 m_a.m_b - J2 (m_a.m_b)^2 ]
          + sum_dipolar mu0 Ms_a Ms_b d_a m_a.N_ab m_b,

with ``S_k = Ms_k d_k`` (A), the applied field ``B`` (T), the uniaxial anisotropy field ``B_k`` along
``u_k`` changed by the voltage ``V`` through the coefficient ``c_k`` (T/V), the diagonal demagnetizing
factors ``N_k``, the interlayer exchange ``J1`` (bilinear) and ``J2`` (biquadratic) in J/m^2 and the
dipolar tensors ``N_ab``.  The effective field of magnet ``k`` is ``B_k = -(1/S_k) dE/dm_k`` (T), the
derivatives written out by hand below (and checked against finite differences of the energy by
:meth:`Reference.gradient_error`).

Each free magnet obeys the Gilbert form of the LLGS equation, solved here as a 3x3 linear system
``(1 - alpha_k [m_k]x) dm_k/dt = T_k`` (not the Landau-Lifshitz form of the kernels):

    T_k = -gamma m_k x B_k + sum_stt gamma a (m_k x (m_k x p) - r m_k x p)
                            + sum_sot gamma a' (m_k x (m_k x sigma) - r' m_k x sigma),
    a  = hbar eta J / (2 |e| Ms_k d_k),   a' = hbar theta_SH J_HM / (2 |e| Ms_k d_k)   (tesla),

``p`` a fixed unit vector or the present direction of another magnet.  Fixed magnets do not move.
Drives (``field``, ``current_density``, ``sot_current_density``, ``voltage``) are constants or
functions of time; :func:`pulse`, :func:`piecewise_linear` and :func:`sine` give the waveforms.

Tools: :func:`integrate` (solve_ivp, DOP853, restarted at the kinks of the waveforms),
:meth:`Reference.equilibrium` (static states), :meth:`Reference.tangent_jacobian` (linearisation in the
tangent planes: mode frequencies and stability), :func:`rotate` (Rodrigues).
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import fsolve

from fastspin.constants import E_CHARGE, GAMMA_E, HBAR, MU0


def _unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


@dataclass
class Magnet:
    """One macrospin: ``ms`` (A/m), ``d`` thickness (m), ``alpha``, ``bk`` (T) along ``u``, ``demag``."""

    ms: float
    d: float
    alpha: float = 0.0
    bk: float = 0.0
    u: tuple = (1.0, 0.0, 0.0)
    demag: tuple = (0.0, 0.0, 1.0)

    def __post_init__(self):
        self.u = _unit(self.u)
        self.demag = np.asarray(self.demag, dtype=float)

    @property
    def s(self):
        """``Ms d`` (A): the weight of the magnet in E/A (its moment per area)."""
        return self.ms * self.d


class Reference:
    """A system of magnets (list of :class:`Magnet`) and terms addressed by magnet index.

    ``exchange``: ``(a, b, bilinear, biquadratic)``; ``dipolar``: ``(a, b, tensor)``;
    ``stt``: ``(target, polarizer, efficiency, field_like_ratio)`` with ``polarizer`` a vector or the
    index of a magnet; ``sot``: ``(target, spin_hall_angle, sigma, field_like_ratio)``;
    ``vcma``: ``(target, coefficient)``; ``fixed``: indices of the magnets held still.
    """

    def __init__(self, magnets, *, exchange=(), dipolar=(), stt=(), sot=(), vcma=(), fixed=()):
        self.magnets = list(magnets)
        self.exchange = [(a, b, float(j1), float(j2)) for a, b, j1, j2 in exchange]
        self.dipolar = [(a, b, np.asarray(t, dtype=float)) for a, b, t in dipolar]
        self.stt = [
            (k, p if isinstance(p, (int, np.integer)) else _unit(p), float(eta), float(r)) for k, p, eta, r in stt
        ]
        self.sot = [(k, float(theta), _unit(sigma), float(r)) for k, theta, sigma, r in sot]
        self.vcma = [(k, float(c)) for k, c in vcma]
        self.fixed = set(fixed)
        self.n = len(self.magnets)

    # -- energy and fields -------------------------------------------------------------------------
    def _bk(self, voltage):
        bk = np.array([mag.bk for mag in self.magnets])
        for k, c in self.vcma:
            bk[k] += c * voltage
        return bk

    def energy_terms(self, m, *, field=(0.0, 0.0, 0.0), voltage=0.0):
        """The parts of E/A (J/m^2) for ``m`` of shape (..., n, 3): a dict of arrays of shape (...)."""
        m = np.asarray(m, dtype=float)
        field = np.asarray(field, dtype=float)
        bk = self._bk(voltage)
        zeeman = anis = demag = 0.0
        for k, mag in enumerate(self.magnets):
            mk = m[..., k, :]
            zeeman = zeeman - mag.s * (mk @ field)
            anis = anis - mag.s * 0.5 * bk[k] * (mk @ mag.u) ** 2
            demag = demag + mag.s * 0.5 * MU0 * mag.ms * np.sum(mag.demag * mk * mk, axis=-1)
        exchange = 0.0
        for a, b, j1, j2 in self.exchange:
            c = np.sum(m[..., a, :] * m[..., b, :], axis=-1)
            exchange = exchange - j1 * c - j2 * c**2
        dipolar = 0.0
        for a, b, t in self.dipolar:
            ma, mb = self.magnets[a], self.magnets[b]
            dipolar = dipolar + MU0 * ma.ms * mb.ms * ma.d * np.einsum(
                "...i,ij,...j->...", m[..., a, :], t, m[..., b, :]
            )
        return dict(zeeman=zeeman, anisotropy=anis, demag=demag, exchange=exchange, dipolar=dipolar)

    def energy(self, m, *, field=(0.0, 0.0, 0.0), voltage=0.0):
        """E/A in J/m^2 for ``m`` of shape (..., n, 3)."""
        return sum(self.energy_terms(m, field=field, voltage=voltage).values())

    def fields(self, m, *, field=(0.0, 0.0, 0.0), voltage=0.0):
        """Effective fields ``-(1/S_k) dE/dm_k`` (T), shape (n, 3), for ``m`` of shape (n, 3)."""
        m = np.asarray(m, dtype=float)
        bk = self._bk(voltage)
        b = np.empty((self.n, 3))
        for k, mag in enumerate(self.magnets):
            b[k] = field + bk[k] * (m[k] @ mag.u) * mag.u - MU0 * mag.ms * mag.demag * m[k]
        for a, c_, j1, j2 in self.exchange:
            w = j1 + 2.0 * j2 * (m[a] @ m[c_])
            b[a] += w * m[c_] / self.magnets[a].s
            b[c_] += w * m[a] / self.magnets[c_].s
        for a, c_, t in self.dipolar:
            ma, mb = self.magnets[a], self.magnets[c_]
            b[a] -= MU0 * mb.ms * (t @ m[c_])
            b[c_] -= MU0 * ma.ms * (ma.d / mb.d) * (t.T @ m[a])
        return b

    def gradient_error(self, m, *, field=(0.0, 0.0, 0.0), voltage=0.0, h=1e-6):
        """max |S_k B_k + dE/dm_k| / max |S_k B_k| with dE/dm from central differences of the energy."""
        m = np.asarray(m, dtype=float)
        s = np.array([mag.s for mag in self.magnets])[:, None]
        analytic = s * self.fields(m, field=field, voltage=voltage)
        numeric = np.empty_like(m)
        for k in range(self.n):
            for i in range(3):
                dm = np.zeros_like(m)
                dm[k, i] = h
                numeric[k, i] = (
                    self.energy(m + dm, field=field, voltage=voltage)
                    - self.energy(m - dm, field=field, voltage=voltage)
                ) / (2 * h)
        return np.max(np.abs(analytic + numeric)) / np.max(np.abs(analytic))

    # -- dynamics ----------------------------------------------------------------------------------
    def dmdt(self, m, *, field=(0.0, 0.0, 0.0), current_density=0.0, sot_current_density=0.0, voltage=0.0):
        """dm/dt (rad/s per unit m), shape (n, 3), at fixed values of the drives."""
        m = np.asarray(m, dtype=float)
        b = self.fields(m, field=field, voltage=voltage)
        torque = -GAMMA_E * np.cross(m, b)
        for k, p, eta, r in self.stt:
            mag = self.magnets[k]
            p = m[p] if isinstance(p, (int, np.integer)) else p
            a = HBAR * eta * current_density / (2.0 * E_CHARGE * mag.ms * mag.d)
            mxp = np.cross(m[k], p)
            torque[k] += GAMMA_E * a * (np.cross(m[k], mxp) - r * mxp)
        for k, theta, sigma, r in self.sot:
            mag = self.magnets[k]
            a = HBAR * theta * sot_current_density / (2.0 * E_CHARGE * mag.ms * mag.d)
            mxs = np.cross(m[k], sigma)
            torque[k] += GAMMA_E * a * (np.cross(m[k], mxs) - r * mxs)
        out = np.zeros_like(m)
        for k, mag in enumerate(self.magnets):
            if k not in self.fixed:
                out[k] = np.linalg.solve(np.eye(3) - mag.alpha * cross_matrix(m[k]), torque[k])
        return out

    def rhs(self, drives):
        """``f(t, y)`` for solve_ivp, ``y`` the flattened (n, 3) state; ``drives`` from :func:`drives`."""

        def f(t, y):
            return self.dmdt(y.reshape(self.n, 3), **{k: fn(t) for k, fn in drives.items()}).ravel()

        return f

    # -- linearisation -----------------------------------------------------------------------------
    def _tangent_coordinates(self, m_ref):
        """``(free, bases, state)``: the free magnets, an orthonormal tangent basis at each, and
        ``state(x)``, the directions ``m_k = normalise(m_ref_k + x1 e1 + x2 e2)``."""
        free = [k for k in range(self.n) if k not in self.fixed]
        bases = {k: tangent_basis(m_ref[k]) for k in free}

        def state(x):
            m = m_ref.copy()
            for j, k in enumerate(free):
                e1, e2 = bases[k]
                m[k] = _unit(m_ref[k] + x[2 * j] * e1 + x[2 * j + 1] * e2)
            return m

        return free, bases, state

    def tangent_jacobian(self, m_eq, h=1e-7, **drive_values):
        """Jacobian (2 n_free x 2 n_free) of the dynamics in tangent coordinates at ``m_eq``.

        ``m_k = normalise(m_k0 + x1 e1 + x2 e2)`` with ``(e1, e2)`` orthonormal and perpendicular to
        ``m_k0``; the rates are ``dx_i/dt = e_i . dm_k/dt``.  Central differences of step ``h``.
        Eigenvalues of a conservative system at a stable equilibrium are ``+-i omega``.
        """
        m_eq = np.asarray(m_eq, dtype=float)
        free, bases, state = self._tangent_coordinates(m_eq)

        def rates(x):
            dm = self.dmdt(state(x), **drive_values)
            return np.concatenate([[bases[k][0] @ dm[k], bases[k][1] @ dm[k]] for k in free])

        size = 2 * len(free)
        jac = np.empty((size, size))
        for i in range(size):
            dx = np.zeros(size)
            dx[i] = h
            jac[:, i] = (rates(dx) - rates(-dx)) / (2 * h)
        return jac

    def equilibrium(self, m_guess, **drive_values):
        """A static state near ``m_guess`` (dm/dt = 0 for every free magnet), by fsolve in tangent
        coordinates; returns ``(m, converged)``, converged when |dm/dt| / gamma < 1e-12 T."""
        m_guess = np.array(m_guess, dtype=float)
        free, bases, state = self._tangent_coordinates(m_guess)

        def residual(x):
            dm = self.dmdt(state(x), **drive_values) / GAMMA_E
            return np.concatenate([[bases[k][0] @ dm[k], bases[k][1] @ dm[k]] for k in free])

        with warnings.catch_warnings():  # fsolve reports slow progress beyond a fold: judged below
            warnings.simplefilter("ignore", RuntimeWarning)
            x = fsolve(residual, np.zeros(2 * len(free)), xtol=1e-13)
        return state(x), bool(np.max(np.abs(residual(x))) < 1e-12)


def cross_matrix(m):
    return np.array([[0.0, -m[2], m[1]], [m[2], 0.0, -m[0]], [-m[1], m[0], 0.0]])


def tangent_basis(m):
    """Two unit vectors perpendicular to ``m`` and to each other."""
    m = _unit(m)
    helper = np.eye(3)[np.argmin(np.abs(m))]
    e1 = _unit(np.cross(m, helper))
    return e1, np.cross(m, e1)


def rotate(v, axis, angle):
    """Rodrigues: ``v`` rotated by ``angle`` (right-handed) about the unit vector ``axis``."""
    v = np.asarray(v, dtype=float)
    n = _unit(axis)
    angle = np.asarray(angle, dtype=float)[..., None]
    return v * np.cos(angle) + np.cross(n, v) * np.sin(angle) + n * (n @ v) * (1.0 - np.cos(angle))


# -- drives and waveforms --------------------------------------------------------------------------
def _as_function(value):
    if callable(value):
        return value
    arr = np.asarray(value, dtype=float)
    return lambda t: arr


def drives(*, field=(0.0, 0.0, 0.0), current_density=0.0, sot_current_density=0.0, voltage=0.0):
    """The drives as functions of time (constants become constant functions)."""
    return dict(
        field=_as_function(field),
        current_density=_as_function(current_density),
        sot_current_density=_as_function(sot_current_density),
        voltage=_as_function(voltage),
    )


def pulse(amplitude, width, rise=0.0, fall=None, delay=0.0):
    """Trapezoid: 0 before ``delay``, ramps to ``amplitude`` over ``rise``, holds it for ``width``,
    back to 0 over ``fall`` (default ``rise``).  Returns ``f(t)``."""
    fall = rise if fall is None else fall
    amplitude = np.asarray(amplitude, dtype=float)
    knots = np.array([delay, delay + rise, delay + rise + width, delay + rise + width + fall])

    def f(t):
        if t <= knots[0] or t >= knots[3]:
            shape = 0.0
        elif t < knots[1]:
            shape = (t - knots[0]) / rise
        elif t <= knots[2]:
            shape = 1.0
        else:
            shape = (knots[3] - t) / fall
        return amplitude * shape

    f.breakpoints = tuple(knots)
    return f


def piecewise_linear(times, values):
    """Linear interpolation through ``(times, values)``, held constant outside; values (k,) or (k, 3)."""
    times = np.asarray(times, dtype=float)
    values = np.asarray(values, dtype=float)

    def f(t):
        if values.ndim == 1:
            return np.interp(t, times, values)
        return np.array([np.interp(t, times, values[:, i]) for i in range(values.shape[1])])

    f.breakpoints = tuple(times)
    return f


def sine(amplitude, frequency, phase=0.0):
    amplitude = np.asarray(amplitude, dtype=float)

    def f(t):
        return amplitude * np.sin(2.0 * np.pi * frequency * t + phase)

    f.breakpoints = ()
    return f


def add(*functions):
    """The sum of waveforms / constants, with the union of their breakpoints."""
    fns = [_as_function(g) for g in functions]

    def f(t):
        return sum(g(t) for g in fns)

    f.breakpoints = tuple(sorted({b for g in fns for b in getattr(g, "breakpoints", ())}))
    return f


# -- integration -----------------------------------------------------------------------------------
def _segment_rhs(reference, d, lo, hi):
    """The right-hand side on one segment between breakpoints: the drives are read just inside it at its
    ends, so a step of a waveform at a breakpoint takes the value of the segment being integrated."""
    inset = 1e-12 * (hi - lo)
    f = reference.rhs(d)
    return lambda t, y: f(min(max(t, lo + inset), hi - inset), y)


def integrate(reference, m0, t_eval, *, rtol=1e-12, atol=1e-13, **drive_kw):
    """m at the times ``t_eval`` (shape (len(t_eval), n, 3)) from solve_ivp (DOP853), restarted at
    every breakpoint of the drive waveforms so that their kinks are resolved exactly."""
    d = drives(**drive_kw)
    t_eval = np.asarray(t_eval, dtype=float)
    t0, t1 = t_eval[0], t_eval[-1]
    cuts = sorted({b for g in d.values() for b in getattr(g, "breakpoints", ()) if t0 < b < t1})
    edges = [t0, *cuts, t1]
    y = np.asarray(m0, dtype=float).ravel()
    out = np.empty((len(t_eval), y.size))
    out[0] = y
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (t_eval > lo) & (t_eval <= hi)
        times = t_eval[inside]
        if times.size == 0 or times[-1] != hi:
            times = np.append(times, hi)
        f = _segment_rhs(reference, d, lo, hi)
        first = min(hi - lo, 1e-14)  # s; the error control then grows the steps
        sol = solve_ivp(f, (lo, hi), y, method="DOP853", rtol=rtol, atol=atol, t_eval=times, first_step=first)
        if not sol.success:
            raise RuntimeError(sol.message)
        out[inside] = sol.y.T[: inside.sum()]
        y = sol.y[:, -1]
    return out.reshape(len(t_eval), reference.n, 3)


def sot_field_tesla(current_density, ms, d, spin_hall_angle):
    """``a = hbar theta_SH J / (2 |e| Ms d)`` (T)."""
    return HBAR * spin_hall_angle * current_density / (2.0 * E_CHARGE * ms * d)


def current_for_field(a, ms, d, efficiency):
    """The current density (A/m^2) whose torque prefactor ``hbar eta J/(2|e| Ms d)`` is ``a`` (T)."""
    return a * 2.0 * E_CHARGE * ms * d / (HBAR * efficiency)
