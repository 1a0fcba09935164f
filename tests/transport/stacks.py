"""Hypothesis strategies: random valid stacks of several topologies (shared by the transport tests)."""

import math

import numpy as np
from hypothesis import strategies as st

from fastspin import Ferromagnet, Interface, Layer, NormalMetal, Stack

# Each topology: a string of layer kinds, first and last are leads. N/N contacts are allowed.
TOPOLOGIES = ["FNFN", "FNF", "NFNFN", "FNFNF", "NFNNFN", "FNFNFN"]


def _unit(draw):
    v = draw(st.tuples(*[st.floats(-1, 1) for _ in range(3)]))
    if np.linalg.norm(v) < 0.2:
        v = (0.0, 0.0, 1.0)
    return tuple(v)


@st.composite
def random_stacks(draw, topologies=TOPOLOGIES, collinear=False, max_reduced_thickness=None):
    """``max_reduced_thickness`` caps d / l_sf of the finite layers (for methods that propagate growing modes)."""
    kinds = draw(st.sampled_from(topologies))
    layers, contacts = [], []
    for k, kind in enumerate(kinds):
        lead = k in (0, len(kinds) - 1)
        thickness = math.inf if lead else draw(st.floats(0.5e-9, 80e-9))
        rho = draw(st.floats(0.3e-8, 30e-8))
        lsf = draw(st.floats(3e-9, 1500e-9))
        if max_reduced_thickness is not None and not lead:
            lsf = max(lsf, thickness / max_reduced_thickness)
        if kind == "F":
            beta = draw(st.floats(-0.9, 0.9))
            if collinear:
                direction = (0.0, 0.0, draw(st.sampled_from([1.0, -1.0])))
            else:
                direction = _unit(draw)
            layers.append(Layer(f"L{k}", Ferromagnet(f"F{k}", rho, beta, lsf), thickness, direction))
        else:
            layers.append(Layer(f"L{k}", NormalMetal(f"N{k}", rho, lsf), thickness))
    for k in range(len(kinds) - 1):
        if kinds[k] == "N" and kinds[k + 1] == "N":
            contacts.append(None)
        else:
            contacts.append(
                Interface(
                    r_star=draw(st.floats(0.05e-15, 5e-15)),
                    gamma=draw(st.floats(-0.9, 0.9)),
                    g_mix=complex(draw(st.floats(0.0, 2e15)), draw(st.floats(-0.3e15, 0.3e15))),
                )
            )
    return Stack(tuple(layers), tuple(contacts))
