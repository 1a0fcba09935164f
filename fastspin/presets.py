"""Literature stacks, ready to compute.

:func:`barnas2005` builds the F1(semi-infinite)/N(d0)/F2(d2)/N(semi-infinite) Co/Cu spin valve of
Barnas, Fert, Gmitra, Weymann and Dugaev, Phys. Rev. B 72, 024426 (2005), Sec. V, with the four
situations (i)-(iv) of its Table I and the Fig. 5 stack.  Layer names: ``"F1"`` (thick, reference),
``"N"`` (spacer), ``"F2"`` (thin, free), ``"lead"``; interfaces ``"F1|N"``, ``"N|F2"``, ``"F2|lead"``.
"""

from __future__ import annotations

import math

from .constants import EV
from .materials import CO_CU, COBALT, COPPER, Ferromagnet, Interface, NormalMetal
from .stack import Layer, Stack

#: Signs of (beta, gamma) of the thick (F1) and thin (F2) layers in the situations of Table I.
_CASES = {
    "i": (+1, +1),
    "ii": (+1, -1),
    "iii": (-1, -1),
    "iv": (-1, +1),
}

_OVERRIDES = {
    "d0": "spacer thickness (m), default 10e-9",
    "d2": "thin-layer thickness (m), default 10e-9",
    "beta1": "bulk spin asymmetry of F1",
    "gamma1": "interface spin asymmetry of F1|N",
    "beta2": "bulk spin asymmetry of F2",
    "gamma2": "interface spin asymmetry of N|F2 and F2|lead",
    "rho1": "rho* of F1 (Ohm m)",
    "rho2": "rho* of F2 (Ohm m)",
    "rho0": "rho* of the Cu spacer and lead (Ohm m)",
    "lsf1": "l_sf of F1 (m)",
    "lsf2": "l_sf of F2 (m)",
    "lsf0": "l_sf of the Cu spacer and lead (m), default 1000e-9",
    "r_star1": "R* of F1|N (Ohm m^2)",
    "r_star2": "R* of N|F2 and F2|lead (Ohm m^2)",
    "re_gmix": "Re G_mix of every interface (S/m^2), default 0.542e15",
    "im_gmix": "Im G_mix of every interface (S/m^2), default 0.016e15",
    "phi": "angle between the net spins of F1 and F2 (rad), default 0",
    "fermi_energy": "Fermi energy (J) for the normalisation of g, default 7 eV",
}


def available() -> dict[str, str]:
    """Names of the preset stacks with a one-line description."""
    return {
        "barnas2005:i": "Co/Cu/Co/Cu, (beta, gamma) > 0 in both magnets: normal torque, normal GMR (Table I)",
        "barnas2005:ii": "thin magnet with negative asymmetries: normal torque, inverse GMR",
        "barnas2005:iii": "both magnets negative: inverse torque, normal GMR",
        "barnas2005:iv": "thick magnet negative: inverse torque, inverse GMR",
        "barnas2005:fig5": "beta1 = 0.1, gamma1 = -0.1, beta2 = 0.51, gamma2 = 0.76: wavy torque with a zero phi_c",
    }


def barnas2005(case: str = "i", **overrides: float) -> Stack:
    """The Co/Cu spin valve of Barnas et al. (2005) in situation ``case`` ("i", "ii", "iii", "iv", "fig5").

    Co: rho* = 5.1 uOhm cm, ``|beta|`` = 0.51, l_sf = 60 nm; Cu: rho* = 0.5 uOhm cm, l_sf = 1000 nm (see
    :data:`fastspin.materials.COPPER` for why not 103 nm); Co/Cu: R* = 0.52 fOhm m^2, ``|gamma|`` = 0.76,
    G_mix = (0.542 + 0.016 i) 1e15 S/m^2; d0 = d2 = 10 nm; E_F = 7 eV.  Keyword overrides (SI): see
    ``fastspin.presets._OVERRIDES`` (d0, d2, beta1, gamma1, beta2, gamma2, rho0/1/2, lsf0/1/2, r_star1/2,
    re_gmix, im_gmix, phi, fermi_energy).
    """
    unknown = set(overrides) - set(_OVERRIDES)
    if unknown:
        raise ValueError(f"barnas2005: unknown override(s) {sorted(unknown)}; known: {sorted(_OVERRIDES)}")
    if case == "fig5":
        p = dict(beta1=0.1, gamma1=-0.1, beta2=COBALT.beta, gamma2=CO_CU.gamma)
    elif case in _CASES:
        s1, s2 = _CASES[case]
        p = dict(beta1=s1 * COBALT.beta, gamma1=s1 * CO_CU.gamma, beta2=s2 * COBALT.beta, gamma2=s2 * CO_CU.gamma)
    else:
        raise ValueError(f"barnas2005: case must be one of 'i', 'ii', 'iii', 'iv', 'fig5', got {case!r}")
    p.update(
        d0=10e-9,
        d2=10e-9,
        rho1=COBALT.rho_star,
        rho2=COBALT.rho_star,
        rho0=COPPER.rho_star,
        lsf1=COBALT.l_sf,
        lsf2=COBALT.l_sf,
        lsf0=COPPER.l_sf,
        r_star1=CO_CU.r_star,
        r_star2=CO_CU.r_star,
        re_gmix=CO_CU.g_mix.real,
        im_gmix=CO_CU.g_mix.imag,
        phi=0.0,
        fermi_energy=7.0 * EV,
    )
    p.update(overrides)
    f1 = Ferromagnet("Co(F1)", p["rho1"], p["beta1"], p["lsf1"])
    f2 = Ferromagnet("Co(F2)", p["rho2"], p["beta2"], p["lsf2"])
    cu = NormalMetal("Cu", p["rho0"], p["lsf0"])
    g_mix = complex(p["re_gmix"], p["im_gmix"])
    i1 = Interface(p["r_star1"], p["gamma1"], g_mix, name="F1|N")
    i2 = Interface(p["r_star2"], p["gamma2"], g_mix, name="N|F2, F2|lead")
    phi = float(p["phi"])
    layers = (
        Layer("F1", f1, math.inf, (0.0, 0.0, 1.0)),
        Layer("N", cu, p["d0"]),
        Layer("F2", f2, p["d2"], (0.0, -math.sin(phi), math.cos(phi))),
        Layer("lead", cu, math.inf),
    )
    return Stack(layers, (i1, i2, i2), fermi_energy=p["fermi_energy"])
