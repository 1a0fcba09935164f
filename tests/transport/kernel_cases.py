"""Stacks and grids whose transport-kernel outputs are recorded in ``fixtures/kernel_steps.json``.

The numbers were recorded from the monolithic ``_solve_point`` (before the kernel was split into named steps)
by ``python -m tests.transport.make_kernel_fixture``; ``test_kernel_steps.py`` checks that the kernel still
gives them.  Together the cases reach every branch of the kernel: normal-metal leads and bulk, N/N contacts,
ferromagnets as left and right leads and as finite layers, diffusive ferromagnets as finite layers (thin,
``|q d| < 0.5``, and thick) and as a right lead, a tunnel barrier, and the derivative ``d tau / d phi`` of a
ferromagnet and of a diffusive ferromagnet rotated at collinear and general angles.
"""

import math

import numpy as np

from fastspin import Layer, Stack, presets
from fastspin.materials import (
    CO_CU,
    COBALT,
    COPPER,
    DiffusiveFerromagnet,
    Ferromagnet,
    Interface,
    NormalMetal,
    TunnelBarrier,
)
from fastspin.transport.electrode import electrode_stack

PHI = [0.0, 0.1, math.pi / 3, math.pi / 2, 2.0, math.pi - 1e-3, math.pi]


def _mixed_four():
    """F lead | N | FD (finite) | N | N | F | N | FD lead: four magnets, an N/N contact, both magnet kinds."""
    fd = DiffusiveFerromagnet("FD", 7e-8, 0.3, 20e-9, 1.2e-9, 2.5e-9)
    fd_lead = DiffusiveFerromagnet("FDlead", 4e-8, -0.4, 35e-9, 3e-9, 1.5e-9)
    f0 = Ferromagnet("F0", 6e-8, 0.5, 50e-9)
    f5 = Ferromagnet("F5", 9e-8, -0.2, 15e-9)
    cu2 = NormalMetal("Cu2", 2e-8, 300e-9)
    other = Interface(0.8e-15, -0.3, complex(0.9e15, -0.05e15))
    layers = (
        Layer("F0", f0, math.inf, (0.0, 0.0, 1.0)),
        Layer("N1", COPPER, 4e-9),
        Layer("FD2", fd, 3e-9, (1.0, 0.2, 0.3)),
        Layer("N3", COPPER, 6e-9),
        Layer("N4", cu2, 5e-9),
        Layer("F5", f5, 7e-9, (0.1, 1.0, -0.2)),
        Layer("N6", COPPER, 8e-9),
        Layer("FD7", fd_lead, math.inf, (-0.3, 0.4, 1.0)),
    )
    return Stack(layers, (CO_CU, None, None, None, other, CO_CU, None))


def _four_f():
    """N lead | F | N | F | N | F | N | F lead: four Valet-Fert magnets, non-coplanar, an F right lead."""
    soft = Ferromagnet("Py", 16e-8, 0.7, 5e-9)
    iface = Interface(0.5e-15, 0.6, complex(0.6e15, 0.03e15))
    layers = (
        Layer("L", COPPER, math.inf),
        Layer("Fa", COBALT, 8e-9, (0.0, 0.0, 1.0)),
        Layer("Na", COPPER, 6e-9),
        Layer("Fb", soft, 3e-9, (1.0, 0.0, 0.2)),
        Layer("Nb", COPPER, 9e-9),
        Layer("Fc", COBALT, 12e-9, (0.3, 0.9, 0.1)),
        Layer("Nc", COPPER, 7e-9),
        Layer("Fd", COBALT, math.inf, (-0.2, 0.5, 0.8)),
    )
    return Stack(layers, (CO_CU, iface, iface, CO_CU, CO_CU, CO_CU, CO_CU))


def _barrier_chain():
    """Barrier | FD (finite) | N | F | N lead: an injected spin current, a diffusive and a Valet-Fert magnet."""
    fd = DiffusiveFerromagnet("FD", 1.0e-7, 0.4, 15e-9, 1e-9, 2e-9)
    layers = (
        Layer("B", TunnelBarrier("B", (0.3, -0.2, 0.5)), math.inf),
        Layer("FD", fd, 2.5e-9, (0.0, 0.0, 1.0)),
        Layer("N", COPPER, 5e-9),
        Layer("F", COBALT, 6e-9, (1.0, 0.0, 0.0)),
        Layer("R", COPPER, math.inf),
    )
    return Stack(layers, (None, None, CO_CU, CO_CU))


def cases():
    """name -> (stack, params, solve keywords)."""
    thickness = [0.2e-9, 0.4e-9, 2e-9, 20e-9, 300e-9]
    return {
        "barnas_i": (presets.barnas2005("i"), {"phi": PHI}, {}),
        "barnas_fig5": (presets.barnas2005("fig5"), {"phi": PHI}, {}),
        "barnas_iv_d2": (
            presets.barnas2005("iv"),
            {"phi": PHI[:5], "F2.thickness": [1e-9, 5e-9, 30e-9, 200e-9, 2e-6]},
            {},
        ),
        "electrode": (
            electrode_stack(j0=0.7 + 0.4j),
            {"F.thickness": thickness, "F.lambda_j": [1e-9, 2e-9, 0.5e-9, 1e-9, 4e-9]},
            None,
        ),
        "mixed4_F5": (
            _mixed_four(),
            {"phi": PHI, "FD2.thickness": [0.3e-9, 1e-9, 3e-9, 10e-9, 0.2e-9, 40e-9, 3e-9]},
            {"free": "F5", "reference": "F0"},
        ),
        "mixed4_FD2": (_mixed_four(), {"phi": PHI}, {"free": "FD2", "reference": "FD7"}),
        "four_f": (_four_f(), {"phi": PHI}, {"free": "Fc", "reference": "Fa"}),
        "barrier_chain": (_barrier_chain(), {"phi": PHI}, {"free": "F", "reference": "FD"}),
    }


def compute(stack, params, keywords):
    """The kernel's outputs for one case as plain arrays (``dtorque`` only where ``phi`` is varied)."""
    from fastspin.transport.spinvalve import solve

    derivative = keywords is not None
    res = solve(
        stack, {k: np.asarray(v) for k, v in params.items()}, nodes=True, derivative=derivative, **(keywords or {})
    )
    out = {
        "torque": res.torque,
        "resistance_area": res.resistance_area,
        "g_nodes": res.g_nodes,
        "f_nodes": res.f_nodes,
        "j_nodes": res.j_nodes,
    }
    if derivative:
        out["dtorque"] = res.dtorque
    return out
