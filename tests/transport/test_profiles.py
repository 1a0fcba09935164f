"""Profiles g(x), j(x): diffusion equation inside layers, current continuity across contacts, torque = jump."""

import numpy as np
import pytest
from hypothesis import given, settings

from fastspin import presets
from fastspin.stack import KIND_F, KIND_N
from fastspin.transport import profile, solve

from .stacks import random_stacks


def _sides(frame, names, k):
    """Last row of layer k and first row of layer k+1 (the two sides of contact k)."""
    a = frame[frame["layer"] == names[k]].iloc[-1]
    b = frame[frame["layer"] == names[k + 1]].iloc[0]
    return a, b


def _vec(row, what):
    return np.array([row[f"{what}_{c}"] for c in "xyz"])


@given(random_stacks(topologies=["FNFN", "NFNNFN", "FNFNF"]))
@settings(max_examples=15)
def test_profiles_conserve_and_give_the_torque(stack):
    c = stack.compile()
    frame = profile(stack, points_per_layer=401)
    res = solve(stack)
    j_scale = max(np.max(np.abs(frame[["j_x", "j_y", "j_z"]].to_numpy())), 1e-6)
    for k in range(c.n_layers - 1):
        a, b = _sides(frame, stack.names, k)
        ja, jb = _vec(a, "j"), _vec(b, "j")
        if c.kind[k] == KIND_N and c.kind[k + 1] == KIND_N:
            assert np.allclose(ja, jb, atol=1e-9 * j_scale) and np.allclose(_vec(a, "g"), _vec(b, "g"), rtol=1e-9)
        else:
            s = c.direction[k] if c.kind[k] == KIND_F else c.direction[k + 1]
            assert abs(ja @ s - jb @ s) <= 1e-9 * j_scale  # longitudinal spin current continuous (Eq. 34)
    for m, layer in enumerate(c.magnets):  # torque = (1/2)(j_perp,L - j_perp,R) on the N sides (Eq. 37)
        s = c.direction[layer]
        jump = np.zeros(3)
        if layer > 0:
            jump += _vec(_sides(frame, stack.names, layer - 1)[0], "j")
        if layer < c.n_layers - 1:
            jump -= _vec(_sides(frame, stack.names, layer)[1], "j")
        jump -= s * (s @ jump)
        assert np.allclose(res.torque[0, m], 0.5 * jump, atol=1e-9 * j_scale)


def test_diffusion_equation_inside_the_spacer():
    stack = presets.barnas2005("i", phi=1.2)
    frame = profile(stack, points_per_layer=2001)
    spacer = frame[frame["layer"] == "N"]
    x = spacer["x"].to_numpy()
    h = x[1] - x[0]
    l_sf = stack.compile().l_sf[1]
    for comp in "xyz":
        g = spacer[f"g_{comp}"].to_numpy()
        second = (g[2:] - 2 * g[1:-1] + g[:-2]) / h**2
        assert np.allclose(second, g[1:-1] / l_sf**2, rtol=2e-3, atol=1e-6 * np.max(np.abs(g)) / l_sf**2)
    # the node value next to F2 matches the Fig. 6(a) amplitude of torque_vs_angle
    from fastspin import torque_vs_angle

    amp = torque_vs_angle(presets.barnas2005("i"), np.array([1.2]))["g_amplitude"].iloc[0]
    assert np.linalg.norm(_vec(spacer.iloc[-1], "g")) == pytest.approx(amp, rel=1e-12)
    # particle current flows along -x for I0 > 0: the longitudinal spin current in the right lead points along
    # the majority spin of F2 carried backwards, i.e. the spin current is finite and decays into the lead
    lead = frame[frame["layer"] == "lead"]
    assert np.linalg.norm(_vec(lead.iloc[-1], "j")) < np.linalg.norm(_vec(lead.iloc[0], "j"))
