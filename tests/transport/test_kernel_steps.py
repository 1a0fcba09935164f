"""The transport kernel's steps (fastspin.transport.kernels): the outputs against numbers recorded from the
monolithic kernel before its split (``fixtures/kernel_steps.json``, see ``kernel_cases.py``), and each step
against an independent computation: the elimination against ``numpy.linalg.solve``, the complex expm1 and the
bulk coefficients against series and ``cmath``, the magnet two-port against its interface and bulk equations,
the assembly against Kirchhoff's law, the torque against its projection and the derivative against finite
differences.
"""

import cmath
import json
import math
import pathlib

import numpy as np
import pytest

from fastspin.dynamics.transport_torque import transport_scratch, transport_solve
from fastspin.stack import KIND_BARRIER, KIND_F
from fastspin.transport import kernels as K
from fastspin.transport.electrode import _eq12_point
from fastspin.transport.spinvalve import solve

from .kernel_cases import cases, compute

FIXTURE = json.loads((pathlib.Path(__file__).parent / "fixtures" / "kernel_steps.json").read_text())["cases"]
CASES = cases()
RTOL = 1e-13  # of the largest magnitude of each output array


def _assert_recorded(name, key, value):
    ref = np.array(FIXTURE[name][key], dtype=float)
    assert value.shape == ref.shape, f"{name}.{key}: shape {value.shape} != recorded {ref.shape}"
    np.testing.assert_array_equal(np.isnan(value), np.isnan(ref), err_msg=f"{name}.{key}: NaN pattern")
    finite = np.isfinite(ref)
    if not finite.any():
        return
    scale = np.max(np.abs(ref[finite]))
    diff = np.max(np.abs(value[finite] - ref[finite]))
    assert diff <= RTOL * scale, f"{name}.{key}: max |difference| {diff:.3e} > {RTOL:g} x {scale:.3e}"


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_equal_the_recorded_kernel(name):
    stack, params, keywords = CASES[name]
    out = compute(stack, params, keywords)
    assert set(out) == set(FIXTURE[name])
    for key, value in out.items():
        _assert_recorded(name, key, value)


@pytest.mark.parametrize("name", ["barnas_i", "mixed4_FD2", "four_f", "barrier_chain"])
def test_dynamics_solve_equals_the_recorded_torques(name):
    """The in-integrator path (transport_scratch / transport_solve) at the directions of every recorded point."""
    stack, params, keywords = CASES[name]
    res = solve(stack, {k: np.asarray(v) for k, v in params.items()}, **keywords)
    c = stack.compile()
    base_iface = np.stack([c.r_star, c.gamma, c.g_mix_real, c.g_mix_imag])
    scratch = transport_scratch(
        c.kind.astype(np.int64),
        np.ascontiguousarray(c.layer_params),
        np.ascontiguousarray(base_iface),
        np.ascontiguousarray(c.direction),
        len(c.magnets),
    )
    torques = np.empty_like(res.torque)
    for p in range(res.n_points):
        for layer in c.magnets:
            scratch[0][3][layer] = res.direction(layer)[p]
        transport_solve(scratch)
        torques[p] = scratch[2][0]
    _assert_recorded(name, "torque", torques)


# ---------------------------------------------------------------------------- complex expm1 and bulk coefficients
def _expm1_series(w):
    term, total = complex(1.0), complex(0.0)
    for n in range(1, 40):
        term *= w / n
        total += term
    return total


@pytest.mark.parametrize("w", [1e-12 + 2e-12j, -3e-9 + 1e-9j, 0.01 - 0.3j, -0.4 + 0.2j, 0.3 + 0.35j, -0.1j, 1e-3])
def test_cexpm1_small_against_series(w):
    got = K.cexpm1(w)
    assert abs(got - _expm1_series(w)) <= 4e-16 * abs(w)


@pytest.mark.parametrize("w", [2.0 + 1.0j, -5.0 - 3.0j, 0.8 - 2.5j, -30.0 + 100.0j])
def test_cexpm1_large_against_cmath(w):
    assert abs(K.cexpm1(w) - (cmath.exp(w) - 1.0)) <= 1e-15 * max(1.0, abs(cmath.exp(w)))


def test_mtj_closed_form_uses_the_shared_expm1():
    """Eq. 12 of Manchon et al. through the shared expm1 against the plain hyperbolic form (a moderate d/L)."""
    d, lj, lphi, lsf_f, lsf_n, ratio, j0 = 2e-9, 1e-9, 1.5e-9, 10e-9, 2e-9, 0.7, 1.0 + 0.2j
    inv_l0 = complex(1.0 / lphi**2, -1.0 / lj**2)
    q = cmath.sqrt(inv_l0 + 1.0 / lsf_f**2)
    z, eta = q * d, ratio * lsf_n * q
    plain = (cmath.cosh(z) + eta * cmath.sinh(z) - 1.0) / (cmath.cosh(z) + eta * cmath.sinh(z))
    expected = j0 / d * inv_l0 / (inv_l0 + 1.0 / lsf_f**2) * plain
    got = _eq12_point(d, lj, lphi, lsf_f, lsf_n, ratio, j0)
    assert abs(got - expected) <= 1e-13 * abs(expected)


@pytest.mark.parametrize("z", [0.05 + 0.02j, 0.3 - 0.3j, 0.49j, 0.51 + 0.0j, 1.0 + 2.0j, 3.0 - 1.0j])
def test_complex_bulk_against_hyperbolic_functions(z):
    coth, csch = K._complex_bulk(z, 1.0)
    assert abs(coth - cmath.cosh(z) / cmath.sinh(z)) <= 1e-14 * abs(coth)
    assert abs(csch - 1.0 / cmath.sinh(z)) <= 1e-14 * abs(csch)


def test_complex_bulk_continuous_across_its_branch():
    below = K._complex_bulk(complex(0.5 - 1e-15, 0.0), 1.0)
    above = K._complex_bulk(complex(0.5 + 1e-15, 0.0), 1.0)
    for a, b in zip(below, above):
        assert abs(a - b) <= 1e-14 * abs(a)


@pytest.mark.parametrize("t", [1e-6, 0.1, 1.0, 7.0])
def test_bulk_coeffs_against_hyperbolic_functions(t):
    rho, lsf = 5e-8, 40e-9
    cc, cs = K._bulk_coeffs(rho, lsf, t * lsf)
    c = 1.0 / (rho * lsf)
    assert cc == pytest.approx(c / math.tanh(t), rel=1e-14)
    assert cs == pytest.approx(c / math.sinh(t), rel=1e-14)


# ---------------------------------------------------------------------------- magnet two-port (Eqs 16, 22-23, 33-34)
@pytest.mark.parametrize("lead", ["none", "left", "right"])
def test_magnet_two_port_satisfies_its_interface_and_bulk_equations(lead):
    """With the F-side values of _magnet_f_values, the two-port's N-side currents equal the interface currents
    ``gamma + (g_N - g_F)/R*`` and the bulk currents ``c coth f_L - c csch f_R + beta`` (left end) etc."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        rho, lsf, d = rng.uniform(1e-8, 1e-7), rng.uniform(5e-9, 100e-9), rng.uniform(1e-9, 50e-9)
        beta, g_l, g_r = rng.uniform(-0.9, 0.9, 3)
        r_l, r_r = rng.uniform(0.1e-15, 3e-15, 2)
        x_a, x_b = rng.normal(size=2) * 1e-15
        kind_left = -1 if lead == "left" else 0
        kind_right = -1 if lead == "right" else 0
        y11, y12, y21, y22, sig_l, sig_r, aux0, aux1 = K._magnet_two_port(
            kind_left, kind_right, rho, beta, lsf, d, r_l, g_l, r_r, g_r
        )
        f_l, f_r = K._magnet_f_values(kind_left, kind_right, rho, beta, lsf, r_l, g_l, r_r, g_r, aux0, aux1, x_a, x_b)
        c = 1.0 / (rho * lsf)
        coth, csch = 1.0 / math.tanh(d / lsf), 1.0 / math.sinh(d / lsf)
        scale = abs(beta) + abs(x_a / r_l) + abs(x_b / r_r) + 1.0
        if lead != "left":  # an interface on the left
            j_left = y11 * x_a + y12 * x_b + sig_l
            assert j_left == pytest.approx(g_l + (x_a - f_l) / r_l, abs=1e-12 * scale)
            bulk = c * f_l + beta if lead == "right" else c * (coth * f_l - csch * f_r) + beta
            assert j_left == pytest.approx(bulk, abs=1e-12 * scale)
        if lead != "right":  # an interface on the right
            j_right = y21 * x_a + y22 * x_b + sig_r
            assert j_right == pytest.approx(g_r + (f_r - x_b) / r_r, abs=1e-12 * scale)
            bulk = -c * f_r + beta if lead == "left" else c * (csch * f_l - coth * f_r) + beta
            assert j_right == pytest.approx(bulk, abs=1e-12 * scale)


# ---------------------------------------------------------------------------- elimination
def _dense(lower, diag, upper):
    nn = diag.shape[0]
    m = np.zeros((3 * nn, 3 * nn))
    for k in range(nn):
        m[3 * k : 3 * k + 3, 3 * k : 3 * k + 3] = diag[k]
        if k > 0:
            m[3 * k : 3 * k + 3, 3 * k - 3 : 3 * k] = lower[k]
        if k < nn - 1:
            m[3 * k : 3 * k + 3, 3 * k + 3 : 3 * k + 6] = upper[k]
    return m


@pytest.mark.parametrize("nn", [1, 2, 5, 9])
def test_elimination_against_numpy_solve(nn):
    rng = np.random.default_rng(nn)
    blocks, vectors, _, _ = K.make_scratch(nn + 1)
    blocks[K.BLOCK_LOWER] = rng.normal(size=(nn, 3, 3))
    blocks[K.BLOCK_UPPER] = rng.normal(size=(nn, 3, 3))
    blocks[K.BLOCK_DIAG] = rng.normal(size=(nn, 3, 3)) + 8.0 * np.eye(3)
    rhs = rng.normal(size=(nn, 3))
    m = _dense(blocks[K.BLOCK_LOWER], blocks[K.BLOCK_DIAG], blocks[K.BLOCK_UPPER])
    K._factorize(blocks, nn)
    out = np.empty((nn, 3))
    K._solve_factored(blocks, rhs, vectors[K.VEC_Y], out, nn)
    np.testing.assert_allclose(out.ravel(), np.linalg.solve(m, rhs.ravel()), rtol=1e-13, atol=1e-14)
    # the factorisation serves a second right-hand side (the derivative's)
    rhs2 = rng.normal(size=(nn, 3))
    K._solve_factored(blocks, rhs2, vectors[K.VEC_Y], out, nn)
    np.testing.assert_allclose(out.ravel(), np.linalg.solve(m, rhs2.ravel()), rtol=1e-13, atol=1e-14)


def _point(stack, directions=None):
    c = stack.compile()
    ifc = np.stack([c.r_star, c.gamma, c.g_mix_real, c.g_mix_imag])
    dirs = np.array(c.direction if directions is None else directions, dtype=float)
    return (c.kind.astype(np.int64), np.array(c.layer_params), ifc, dirs)


@pytest.mark.parametrize("name", ["barnas_i", "mixed4_F5", "four_f", "barrier_chain", "electrode"])
def test_assembled_stack_solved_as_numpy_solves_it(name):
    """The assembled system of a real stack, eliminated by the kernel and by numpy.linalg.solve."""
    point = _point(CASES[name][0])
    nn = point[0].shape[0] - 1
    blocks, vectors, coef, _ = scratch = K.make_scratch(nn + 1)
    K._assemble(point, coef, blocks, vectors[K.VEC_RHS])
    m = _dense(blocks[K.BLOCK_LOWER], blocks[K.BLOCK_DIAG], blocks[K.BLOCK_UPPER])
    expected = np.linalg.solve(m, vectors[K.VEC_RHS].ravel())
    K._factorize(blocks, nn)
    K._solve_factored(blocks, vectors[K.VEC_RHS], vectors[K.VEC_Y], vectors[K.VEC_G], nn)
    np.testing.assert_allclose(vectors[K.VEC_G].ravel(), expected, rtol=1e-10, atol=1e-12 * np.abs(expected).max())
    # and the whole point gives the same node accumulations
    torque = np.empty((len(CASES[name][0].compile().magnets), 3))
    g_out = np.empty((nn, 3))
    K._solve_point(point, -1, np.zeros(3), scratch, (torque, np.empty((0, 3)), g_out, np.empty(0), np.empty((0, 3))))
    np.testing.assert_allclose(g_out.ravel(), expected, rtol=1e-10, atol=1e-12 * np.abs(expected).max())


# ---------------------------------------------------------------------------- assembly, torque, derivative
@pytest.mark.parametrize("name", ["barnas_fig5", "mixed4_F5", "four_f", "barrier_chain"])
def test_solution_satisfies_kirchhoff_and_the_torque_is_the_absorbed_current(name):
    """At every node the spin current leaving layer k equals the one entering layer k+1 (a barrier injects its
    spin current); the torque on a Valet-Fert magnet is ``-(1/2)`` the transverse part of ``j_L - j_R``."""
    stack = CASES[name][0]
    point = _point(stack)
    kind, lay, _, dirs = point
    nn = kind.shape[0] - 1
    scratch = K.make_scratch(nn + 1)
    _, vectors, coef, _ = scratch
    torque = np.empty((len(stack.compile().magnets), 3))
    K._solve_point(
        point, -1, np.zeros(3), scratch, (torque, np.empty((0, 3)), np.empty((0, 3)), np.empty(0), np.empty((0, 3)))
    )
    g = vectors[K.VEC_G]
    currents = np.zeros((nn + 1, 2, 3))
    for layer in range(nn + 1):
        if kind[layer] == KIND_BARRIER:
            currents[layer, 1] = lay[6:9, layer]
            continue
        K._end_currents(coef[layer], dirs[layer], nn, layer, g, currents[layer, 0], currents[layer, 1])
    scale = np.abs(currents).max()
    np.testing.assert_allclose(currents[:-1, 1], currents[1:, 0], rtol=0, atol=1e-12 * scale)
    for m, layer in enumerate(stack.compile().magnets):
        if kind[layer] != KIND_F:
            continue
        s = dirs[layer]
        jump = currents[layer, 0] - currents[layer, 1]
        np.testing.assert_allclose(torque[m], -0.5 * (jump - np.dot(s, jump) * s), rtol=0, atol=1e-13 * scale)


@pytest.mark.parametrize("name", ["barnas_i", "mixed4_F5", "mixed4_FD2", "four_f", "barrier_chain"])
def test_derivative_against_finite_differences(name):
    stack, params, keywords = CASES[name]
    phi = np.array([0.0, 0.7, 2.1, math.pi])
    h = 1e-5
    extra = {k: np.full(4, v[2]) for k, v in params.items() if k != "phi"}
    res = solve(stack, {"phi": phi, **extra}, derivative=True, **keywords)
    plus = solve(stack, {"phi": phi + h, **extra}, **keywords).torque
    minus = solve(stack, {"phi": phi - h, **extra}, **keywords).torque
    np.testing.assert_allclose(res.dtorque, (plus - minus) / (2 * h), rtol=0, atol=1e-8 * np.abs(res.dtorque).max())
