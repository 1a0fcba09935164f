"""The Numba node solver against the per-point NumPy solve in the paper's own unknowns (reference.py)."""

import numpy as np
from hypothesis import given, settings

from fastspin.transport import solve
from fastspin.transport.reference import solve_reference

from .stacks import random_stacks

# Relative errors are taken against the largest entry of the reference.  The floors only matter for
# degenerate draws (all asymmetries ~ 0) where every spin quantity vanishes and both solvers return
# round-off: they make the bound an absolute 1e-15 for normalised torques (natural scale 1) and 1e-30
# Ohm m^2 for accumulations (natural scale R* ~ rho l_sf ~ 1e-15 Ohm m^2), i.e. double precision.
TORQUE_FLOOR, G_FLOOR = 1e-5, 1e-20


def _rel(a, b, floor=TORQUE_FLOOR):
    scale = max(np.max(np.abs(b)), floor)
    return np.max(np.abs(a - b)) / scale


def _torque_error(ker_torque, ref):
    """Torque error relative to the spin currents it is made of (a collinear torque is exactly zero while
    its round-off is set by the spin currents that cancel in it)."""
    scale = max(
        np.max(np.abs(ref["torque"])), np.max(np.abs(ref["j_left"])), np.max(np.abs(ref["j_right"])), TORQUE_FLOOR
    )
    return np.max(np.abs(ker_torque - ref["torque"])) / scale


@given(random_stacks())
@settings(max_examples=40)
def test_kernel_equals_numpy_reference(stack):
    ker = solve(stack, nodes=True)
    ref = solve_reference(stack.compile())
    assert _torque_error(ker.torque[0], ref) < 1e-10
    assert abs(ker.resistance_area[0] - ref["resistance_area"]) <= 1e-10 * abs(ref["resistance_area"])
    assert _rel(ker.g_nodes[0], ref["g_nodes"], G_FLOOR) < 1e-10
    # kernel node currents are N-side spin currents; the reference gives both sides of each contact
    n_side = np.where(stack.compile().kind[1:, None] == 1, ref["j_left"], ref["j_right"])
    assert _rel(ker.j_nodes[0], n_side) < 1e-10


@given(random_stacks(topologies=["FNFN", "FNFNF"]))
@settings(max_examples=15)
def test_batch_with_overrides_equals_reference(stack):
    """Per-point overrides (thickness, beta, gamma, G_mix, phi) give the reference's answer at each point."""
    c = stack.compile()
    names = stack.names
    rng = np.random.default_rng(1)
    n = 5
    params = {
        f"{names[1]}.thickness": rng.uniform(1e-9, 40e-9, n),
        f"{names[2]}.beta": rng.uniform(-0.8, 0.8, n),
        f"{names[1]}|{names[2]}.gamma": rng.uniform(-0.8, 0.8, n),
        f"{names[1]}|{names[2]}.g_mix": rng.uniform(0, 1e15, n) + 1j * rng.uniform(-1e14, 1e14, n),
        "phi": rng.uniform(0, 2 * np.pi, n),
    }
    ker = solve(stack, params)
    for i in range(n):
        rho, beta, lsf, thick = (c.rho_star.copy(), c.beta.copy(), c.l_sf.copy(), c.thickness.copy())
        r_star, gamma, gre, gim = (c.r_star.copy(), c.gamma.copy(), c.g_mix_real.copy(), c.g_mix_imag.copy())
        thick[1] = params[f"{names[1]}.thickness"][i]
        beta[2] = params[f"{names[2]}.beta"][i]
        gamma[1] = params[f"{names[1]}|{names[2]}.gamma"][i]
        gre[1] = params[f"{names[1]}|{names[2]}.g_mix"][i].real
        gim[1] = params[f"{names[1]}|{names[2]}.g_mix"][i].imag
        dirs = np.array([ker.direction(k)[i] for k in range(c.n_layers)])
        ref = solve_reference(c, (rho, beta, lsf, thick), (r_star, gamma, gre, gim), dirs)
        assert _torque_error(ker.torque[i], ref) < 1e-10
        assert abs(ker.resistance_area[i] - ref["resistance_area"]) <= 1e-10 * abs(ref["resistance_area"])
