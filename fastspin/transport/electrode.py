"""Diffusive MTJ electrode: transverse spin accumulation with precession and dephasing (Manchon et al. 2012).

Geometry of the paper: a tunnel barrier injects the transverse spin current ``J0 = J0_par + i J0_perp``
at ``x = 0`` into a ferromagnet of thickness ``d``, followed by a semi-infinite normal metal.  In F the
transverse accumulation ``m_par + i m_perp`` obeys ``m'' = m / L^2`` with
``1/L^2 = -i/lambda_J^2 + 1/lambda_phi^2 + 1/lambda_sf^F^2`` (Eqs 7-8), in N ``m'' = m / lambda_sf^N^2``;
accumulation and spin current ``J = -D m'`` are continuous at F/N.  The torque per volume is Eq. 12,
``T = (J0/d) (L^2/L0^2) (cosh + eta sinh - 1)/(cosh + eta sinh)`` with ``eta = (D_F/D_N) lambda_sf^N / L``.

Two methods, one answer:

* ``"engine"`` solves the boundary-value problem in the general transport engine
  (:mod:`fastspin.transport.kernels`): a :class:`~fastspin.materials.TunnelBarrier` current source, a
  :class:`~fastspin.materials.DiffusiveFerromagnet` two-port and a normal-metal lead, batched in Numba;
* ``"closed_form"`` evaluates Eq. 12 in a Numba kernel, rewritten with ``e^{-d/L}`` and a complex
  ``expm1`` so that it neither overflows for ``d/|L|`` up to 1e4 and beyond nor loses digits for thin layers.

Units: lengths in m; ``j0`` in any unit of spin current, the torques come out in that unit per metre
(per unit volume).  The engine uses ``rho*_F = 1`` and ``rho*_N = D_F/D_N`` (Einstein relation, ``D ~ 1/rho*``).

Frames: the paper's complex numbers refer to ``(M x (P x M), M x P)`` with ``M`` the magnetization; the
engine works in the frame of the net spin ``s = -M`` where the precession sense is reversed, so the paper's
``z`` is the complex conjugate of the engine's (see :mod:`fastspin.transport.kernels`).
"""

from __future__ import annotations

import cmath
import math

import numpy as np
import numpy.typing as npt
import pandas as pd
from numba import njit, prange
from numpy.polynomial import Polynomial
from numpy.polynomial import polynomial as poly

from .. import validation as v
from ..columns import attach_units
from ..materials import DiffusiveFerromagnet, NormalMetal, TunnelBarrier
from ..stack import Layer, Stack
from .kernels import cexpm1
from .profiles import two_end_solution
from .spinvalve import solve

_METHODS = ("engine", "closed_form")
DIFFUSION_RATIO_RANGE = (1e-10, 1e10, "")  # D_F / D_N
J0_LIMIT = 1e100  # |J0|, units of the injected current
_LENGTHS = ("thickness", "lambda_j", "lambda_phi", "lambda_sf_f", "lambda_sf_n")


@njit(cache=True, error_model="numpy")
def _eq12_point(d, lj, lphi, lsf_f, lsf_n, ratio, j0):
    """Eq. 12 at one point, overflow-free: with ``z = d/L``, ``(cosh z + eta sinh z - 1)/(cosh z + eta sinh z)
    = [expm1(-z)^2 - eta expm1(-2z)] / [(1 + eta) + (1 - eta) e^{-2z}]``."""
    inv_l0 = complex(1.0 / lphi**2, -1.0 / lj**2)
    inv_l2 = inv_l0 + 1.0 / lsf_f**2
    q = cmath.sqrt(inv_l2)  # 1/L with Re > 0
    z = q * d
    eta = ratio * lsf_n * q
    e2 = cmath.exp(-2.0 * z)
    em1 = cexpm1(-z)
    shape = (em1 * em1 - eta * cexpm1(-2.0 * z)) / ((1.0 + eta) + (1.0 - eta) * e2)
    return j0 / d * (inv_l0 / inv_l2) * shape


@njit(cache=True, parallel=True, error_model="numpy")
def _eq12_batch(d, lj, lphi, lsf_f, lsf_n, ratio, j0, out):
    for i in prange(out.shape[0]):
        out[i] = _eq12_point(d[i], lj[i], lphi[i], lsf_f[i], lsf_n[i], ratio[i], j0[i])


def _inputs(**arrays):
    """Broadcast the named inputs to flat arrays; a ValueError names any input outside its supported range
    (lengths as in :data:`fastspin.validation.TRANSPORT_RANGES`, ``diffusion_ratio`` in ``DIFFUSION_RATIO_RANGE``,
    ``|j0| <= 1e100``)."""
    values = {}
    for name, value in arrays.items():
        if name == "j0":
            if isinstance(value, (bool, str, bytes)) or value is None or np.asarray(value).dtype.kind not in "fciu":
                raise ValueError(f"j0 must be a real or complex number, got {value!r}")
            a = np.asarray(value, dtype=complex)
            v.real_array(np.abs(a), "|j0|")
            v.in_range(np.abs(a), "|j0|", 0.0, J0_LIMIT)
        else:
            a = v.real_array(value, name)
            low, high, unit = DIFFUSION_RATIO_RANGE if name == "diffusion_ratio" else v.TRANSPORT_RANGES["l_sf"]
            v.in_range(a, name, low, high, unit)
        if a.size == 0:
            raise ValueError(f"{name} is empty: give at least one value")
        values[name] = a
    try:
        shape = np.broadcast_shapes(*(a.shape for a in values.values()))
    except ValueError:
        raise ValueError(f"arguments do not broadcast together: { {k: a.shape for k, a in values.items()} }") from None
    return {k: np.broadcast_to(a, shape).reshape(-1) for k, a in values.items()}, shape


def electrode_stack(
    thickness: float = 2e-9,
    *,
    lambda_j: float = 1e-9,
    lambda_phi: float = 1e-9,
    lambda_sf_f: float = 15e-9,
    lambda_sf_n: float = 2e-9,
    diffusion_ratio: float = 1.0,
    j0: complex = 1.0,
) -> Stack:
    """The paper's barrier | F(d) | N(semi-infinite) electrode as a :class:`~fastspin.stack.Stack` (layers
    ``"barrier"``, ``"F"``, ``"N"``; F's net spin along +z, the injected spin current in its transverse plane)."""
    j0 = complex(j0)
    barrier = TunnelBarrier("barrier", (j0.real, -j0.imag, 0.0))  # paper frame = conjugate of the s frame
    ferro = DiffusiveFerromagnet("F", 1.0, 0.0, lambda_sf_f, lambda_j, lambda_phi)
    normal = NormalMetal("N", float(diffusion_ratio), lambda_sf_n)
    layers = (
        Layer("barrier", barrier, math.inf),
        Layer("F", ferro, thickness, (0.0, 0.0, 1.0)),
        Layer("N", normal, math.inf),
    )
    return Stack(layers, (None, None))


def _engine_params(v):
    return {
        "F.thickness": v["thickness"],
        "F.lambda_j": v["lambda_j"],
        "F.lambda_phi": v["lambda_phi"],
        "F.l_sf": v["lambda_sf_f"],
        "N.l_sf": v["lambda_sf_n"],
        "N.rho_star": v["diffusion_ratio"],
        "barrier.spin_current_x": v["j0"].real,
        "barrier.spin_current_y": -v["j0"].imag,
    }


def _torque(v, method):
    if method == "closed_form":
        out = np.empty(len(v["thickness"]), complex)
        _eq12_batch(
            v["thickness"],
            v["lambda_j"],
            v["lambda_phi"],
            v["lambda_sf_f"],
            v["lambda_sf_n"],
            v["diffusion_ratio"],
            v["j0"],
            out,
        )
        bad = ~(np.isfinite(out.real) & np.isfinite(out.imag))
        if np.any(bad):
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"point {i} ({ {k: a[i].item() for k, a in v.items()} }): Eq. 12 overflows in double "
                "precision for these lengths; bring them closer to each other"
            )
        return out
    res = solve(electrode_stack(), _engine_params(v))
    tau = res.torque[:, 0]  # normalised torque -(1/2) x absorbed spin current, s frame
    return (-2.0 * tau[:, 0] + 2.0j * tau[:, 1]) / v["thickness"]  # paper frame: complex conjugate


def electrode_torque(
    thickness: npt.ArrayLike,
    *,
    lambda_j: npt.ArrayLike,
    lambda_phi: npt.ArrayLike,
    lambda_sf_f: npt.ArrayLike,
    lambda_sf_n: npt.ArrayLike,
    diffusion_ratio: npt.ArrayLike = 1.0,
    j0: npt.ArrayLike = 1.0,
    method: str = "engine",
) -> pd.DataFrame:
    """Torque ``T_par + i T_perp`` on the electrode (Eq. 12), one row per broadcast point.

    All arguments broadcast like NumPy arrays (lengths in m; ``diffusion_ratio = D_F/D_N``; ``j0`` complex
    ``J0_par + i J0_perp``).  Columns: the inputs (``j0_par``, ``j0_perp``), ``t_par``, ``t_perp`` (units of
    j0 per metre), ``d_t_par``, ``d_t_perp`` (``d T``, Fig. 2) and ``ratio`` (``T_perp/T_par``, Fig. 2 inset).
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    v, _ = _inputs(
        thickness=thickness,
        lambda_j=lambda_j,
        lambda_phi=lambda_phi,
        lambda_sf_f=lambda_sf_f,
        lambda_sf_n=lambda_sf_n,
        diffusion_ratio=diffusion_ratio,
        j0=j0,
    )
    t = _torque(v, method)
    frame = pd.DataFrame({k: v[k] for k in (*_LENGTHS, "diffusion_ratio")})
    frame["j0_par"], frame["j0_perp"] = v["j0"].real, v["j0"].imag
    frame["t_par"], frame["t_perp"] = t.real, t.imag
    frame["d_t_par"], frame["d_t_perp"] = t.real * v["thickness"], t.imag * v["thickness"]
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["ratio"] = t.imag / t.real
    return attach_units(frame)


def closed_form_profile(
    x: npt.ArrayLike,
    thickness: float,
    *,
    lambda_j: float,
    lambda_phi: float,
    lambda_sf_f: float,
    lambda_sf_n: float,
    diffusion_ratio: float = 1.0,
    j0: complex = 1.0,
    diffusion_f: float = 1.0,
) -> npt.NDArray[np.complex128]:
    """``m_par + i m_perp`` at positions ``x`` (m): Eq. 9 for ``x < d``, Eq. 10 for ``x > d`` (``D_F = diffusion_f``),
    written with decaying exponentials only."""
    x = np.asarray(x, dtype=float)
    inv_l0 = 1.0 / lambda_phi**2 - 1j / lambda_j**2
    q = np.sqrt(inv_l0 + 1.0 / lambda_sf_f**2)
    eta = diffusion_ratio * lambda_sf_n * q
    den = (1 + eta) + (1 - eta) * np.exp(-2 * q * thickness)
    pre = j0 / (q * diffusion_f)
    xf = np.minimum(x, thickness)
    inside = pre * np.exp(-q * xf) * ((1 + eta) - (1 - eta) * np.exp(-2 * q * (thickness - xf))) / den
    outside = (
        pre * eta * 2 * np.exp(-q * thickness) * np.exp(-(np.maximum(x, thickness) - thickness) / lambda_sf_n) / den
    )
    return np.where(x <= thickness, inside, outside)


def electrode_profile(
    x: npt.ArrayLike,
    thickness: float,
    *,
    lambda_j: float,
    lambda_phi: float,
    lambda_sf_f: float,
    lambda_sf_n: float,
    diffusion_ratio: float = 1.0,
    j0: complex = 1.0,
) -> pd.DataFrame:
    """Transverse accumulation ``m_par(x)``, ``m_perp(x)`` in F and N (Fig. 1) from the engine's solve
    (``D_F = 1``; node values continued into each layer with its own decaying modes)."""
    v, _ = _inputs(
        thickness=thickness,
        lambda_j=lambda_j,
        lambda_phi=lambda_phi,
        lambda_sf_f=lambda_sf_f,
        lambda_sf_n=lambda_sf_n,
        diffusion_ratio=diffusion_ratio,
        j0=j0,
    )
    if len(v["thickness"]) != 1:
        raise ValueError("electrode_profile takes one electrode (scalar parameters)")
    res = solve(electrode_stack(), _engine_params(v), nodes=True)
    assert res.g_nodes is not None  # nodes=True returns them
    g = res.g_nodes[0]
    m0, m1 = complex(g[0, 0], -g[0, 1]), complex(g[1, 0], -g[1, 1])  # paper frame
    d = float(v["thickness"][0])
    q = np.sqrt(1.0 / v["lambda_phi"][0] ** 2 - 1j / v["lambda_j"][0] ** 2 + 1.0 / v["lambda_sf_f"][0] ** 2)
    x = np.asarray(x, dtype=float)
    inside, _ = two_end_solution(q, d, np.clip(x, 0.0, d), np.array([m0]), np.array([m1]))
    inside = inside[:, 0]
    outside = m1 * np.exp(-(np.maximum(x, d) - d) / v["lambda_sf_n"][0])
    m = np.where(x <= d, inside, outside)
    return attach_units(pd.DataFrame({"x": x, "layer": np.where(x <= d, "F", "N"), "m_par": m.real, "m_perp": m.imag}))


def effective_spin_diffusion_length(
    thickness: npt.ArrayLike,
    *,
    lambda_sf_f: npt.ArrayLike,
    lambda_sf_n: npt.ArrayLike,
    diffusion_ratio: npt.ArrayLike = 1.0,
) -> npt.NDArray[np.float64]:
    """lambda*_sf of the F/N bilayer seen as one semi-infinite F (Eq. 17): ``1/lambda*^2 = 1/lambda_sf^F^2 +
    (D_N/D_F) / (lambda_sf^N d)``; equivalently ``1/tau* = 1/tau_sf^F + (lambda_sf^N/d)/tau_sf^N`` (Eq. 18)."""
    v, shape = _inputs(
        thickness=thickness, lambda_sf_f=lambda_sf_f, lambda_sf_n=lambda_sf_n, diffusion_ratio=diffusion_ratio
    )
    inv = 1.0 / v["lambda_sf_f"] ** 2 + 1.0 / (v["diffusion_ratio"] * v["lambda_sf_n"] * v["thickness"])
    return (1.0 / np.sqrt(inv)).reshape(shape)


def _evaluate_j0(component, voltage, name):
    if isinstance(component, Polynomial):
        return component(voltage)
    values = np.asarray(component, dtype=float)
    if values.shape != voltage.shape:
        raise ValueError(
            f"{name}: give a numpy.polynomial.Polynomial in V or an array sampled at every voltage "
            f"(shape {voltage.shape}), got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite")
    return values


def bias_dependence(
    voltage: npt.ArrayLike,
    thickness: npt.ArrayLike,
    *,
    j0_par: Polynomial | npt.ArrayLike,
    j0_perp: Polynomial | npt.ArrayLike,
    lambda_j: float,
    lambda_phi: float,
    lambda_sf_f: float,
    lambda_sf_n: float,
    diffusion_ratio: float = 1.0,
    method: str = "engine",
) -> pd.DataFrame:
    """``T_par(V)``, ``T_perp(V)`` (Fig. 3) for a bias-dependent injected current, one row per (thickness, V).

    ``j0_par``, ``j0_perp``: a :class:`numpy.polynomial.Polynomial` in V (e.g. ``Polynomial([0, a1, a2])``
    for ``a1 V + a2 V^2``) or an array sampled at ``voltage`` (1-D, volts).  ``thickness``: 1-D (m).
    """
    voltage = np.asarray(voltage, dtype=float)
    if voltage.ndim != 1 or voltage.size < 3 or not np.all(np.isfinite(voltage)):
        raise ValueError("voltage must be a 1-D finite array of at least 3 biases (V)")
    thickness = np.atleast_1d(np.asarray(thickness, dtype=float))
    j0 = _evaluate_j0(j0_par, voltage, "j0_par") + 1j * _evaluate_j0(j0_perp, voltage, "j0_perp")
    frame = electrode_torque(
        thickness[:, None],
        lambda_j=lambda_j,
        lambda_phi=lambda_phi,
        lambda_sf_f=lambda_sf_f,
        lambda_sf_n=lambda_sf_n,
        diffusion_ratio=diffusion_ratio,
        j0=j0[None, :],
        method=method,
    )
    frame.insert(0, "voltage", np.tile(voltage, len(thickness)))
    return attach_units(frame)


def bias_coefficients(frame: pd.DataFrame, degree: int = 2) -> pd.DataFrame:
    """Least-squares polynomial coefficients of ``T_par(V)`` and ``T_perp(V)`` for every thickness of a
    :func:`bias_dependence` frame: columns ``t_par_c0 .. t_par_c<degree>``, ``t_perp_c0 ..``."""
    rows = []
    for d, group in frame.groupby("thickness", sort=True):
        row = {"thickness": d}
        for name in ("t_par", "t_perp"):
            for k, c in enumerate(poly.polyfit(group["voltage"], group[name], degree)):
                row[f"{name}_c{k}"] = c
        rows.append(row)
    return attach_units(pd.DataFrame(rows))


def drive_coefficients(
    thickness: float,
    *,
    j0_par: Polynomial,
    j0_perp: Polynomial,
    lambda_j: float,
    lambda_phi: float,
    lambda_sf_f: float,
    lambda_sf_n: float,
    diffusion_ratio: float = 1.0,
    method: str = "engine",
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Bias polynomials of the torque per unit area for :class:`fastspin.dynamics.MTJ`.

    ``j0_par``, ``j0_perp``: :class:`numpy.polynomial.Polynomial` of the injected spin-angular-momentum current
    density (J/m^2) in V.  Returns ``(damping_like, field_like)`` coefficient arrays ``[c0, c1, ...]`` of
    ``a(V) = d T_par(V)`` and ``b(V) = d T_perp(V)`` in J/m^2 per V^k: with ``T = T_par M x (P x M) +
    T_perp M x P`` absorbed by the layer (spin ``-(Ms/gamma) m`` per volume), ``dm/dt = gamma/(Ms d) [a m x (m x p)
    - b m x p]``, the form :mod:`fastspin.dynamics.junction` integrates.  ``T`` is linear in ``J0`` with the complex
    factor ``K = T/J0`` of Eq. 12, so each coefficient maps as ``c_k = d K (J0_par,k + i J0_perp,k)``.
    """
    if not (isinstance(j0_par, Polynomial) and isinstance(j0_perp, Polynomial)):
        raise ValueError("j0_par and j0_perp must be numpy.polynomial.Polynomial in V (J/m^2 per V^k)")
    kernel = electrode_torque(
        thickness,
        lambda_j=lambda_j,
        lambda_phi=lambda_phi,
        lambda_sf_f=lambda_sf_f,
        lambda_sf_n=lambda_sf_n,
        diffusion_ratio=diffusion_ratio,
        j0=1.0,
        method=method,
    )
    if len(kernel) != 1:
        raise ValueError("drive_coefficients takes one electrode (scalar parameters)")
    k = complex(kernel["t_par"].iloc[0], kernel["t_perp"].iloc[0]) * float(thickness)
    n = max(len(j0_par.coef), len(j0_perp.coef))
    par = np.pad(np.asarray(j0_par.coef, dtype=float), (0, n - len(j0_par.coef)))
    perp = np.pad(np.asarray(j0_perp.coef, dtype=float), (0, n - len(j0_perp.coef)))
    j0 = par + 1j * perp
    torque = k * j0
    return torque.real, torque.imag
