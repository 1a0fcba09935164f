"""Conservation laws and symmetries of the solution (on random stacks, through both solvers)."""

import numpy as np
from hypothesis import given, settings

from fastspin import presets, torque_vs_angle
from fastspin.stack import KIND_F
from fastspin.transport import solve
from fastspin.transport.reference import solve_reference

from .stacks import random_stacks


@given(random_stacks())
@settings(max_examples=25)
def test_currents_are_conserved(stack):
    """Conservation in the paper-formulation solve, where every layer has its own current constant C and the
    continuity rules are separate rows: the assembled system carries the same particle current through every
    layer and a continuous longitudinal spin current across every contact (a check of that assembly; the
    kernel's own currents are checked in test_profiles.py, from its node values and the bulk solutions)."""
    c = stack.compile()
    ref = solve_reference(c)
    # particle current: the same in every layer (each layer's own constant C, Eqs 22 and 28)
    assert np.allclose(ref["particle_current"], 1.0, rtol=1e-10, atol=0)
    ker = solve(stack, nodes=True)
    scale = max(np.max(np.abs(ref["j_left"])), np.max(np.abs(ref["j_right"])), 1e-5)
    for k in range(c.n_layers - 1):
        jl, jr = ref["j_left"][k], ref["j_right"][k]
        if c.kind[k] == KIND_F or c.kind[k + 1] == KIND_F:
            s = c.direction[k] if c.kind[k] == KIND_F else c.direction[k + 1]
            # longitudinal spin current continuous across the N/F interface
            assert abs(s @ jl - s @ jr) <= 1e-10 * scale
        else:
            assert np.max(np.abs(jl - jr)) <= 1e-10 * scale
    # the torque on each magnet is the transverse spin current it absorbs (Eq. 37): from the N-side
    # node currents of the Numba solver
    for m, layer in enumerate(c.magnets):
        s = c.direction[layer]
        absorbed = np.zeros(3)
        if layer > 0:
            absorbed += ker.j_nodes[0, layer - 1]
        if layer < c.n_layers - 1:
            n_side = ref["j_right"][layer]  # N side on the right of the magnet
            absorbed -= n_side
        absorbed -= s * (s @ absorbed)
        assert np.max(np.abs(ker.torque[0, m] - (-0.5) * absorbed)) <= 1e-10 * scale


def test_collinear_torque_vanishes_and_real_gmix_has_no_out_of_plane_torque():
    frame = torque_vs_angle(presets.barnas2005("i"), np.array([0.0, np.pi, 2 * np.pi]))
    assert np.all(np.abs(frame["tau_phi"]) < 1e-15) and np.all(np.abs(frame["tau_x"]) < 1e-15)
    for case in ("i", "ii", "fig5"):
        frame = torque_vs_angle(presets.barnas2005(case, im_gmix=0.0), np.linspace(0, 2 * np.pi, 97))
        assert np.all(frame["tau_x"] == 0.0)  # Eq. 55, exactly: g_x stays 0 in the solve
        frame_im = torque_vs_angle(presets.barnas2005(case), np.linspace(0.1, 3.0, 5))
        assert np.all(np.abs(frame_im["tau_x"]) > 0)


@given(random_stacks(topologies=["FNFN", "NFNFN", "FNFNF"]))
@settings(max_examples=15)
def test_reversing_the_current_reverses_torques_and_accumulations(stack):
    """The reference solver driven with e^2 j0 = -1 against the kernel's unit solution scaled by -1."""
    c = stack.compile()
    ref = solve_reference(c, current=-1.0)
    ker = solve(stack, nodes=True)
    scale = max(np.max(np.abs(ref["torque"])), 1e-5)
    assert np.max(np.abs(ref["torque"] + ker.torque[0])) <= 1e-10 * max(scale, np.max(np.abs(ref["j_left"])))
    g_scale = max(np.max(np.abs(ker.g_nodes[0])), 1e-20)
    assert np.max(np.abs(ref["g_nodes"] + ker.g_nodes[0])) <= 1e-10 * g_scale
    # ... while the resistance (voltage over current) is unchanged
    assert np.isclose(ref["resistance_area"], ker.resistance_area[0], rtol=1e-10, atol=0)
