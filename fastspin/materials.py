"""Materials and interfaces of a magnetic multilayer, as validated immutable objects.

Parameters follow Valet-Fert / Barnas et al. (2005), Eqs 49-50:

* bulk: ``rho_up(down) = 2 rho* (1 -+ beta)`` (spin-resolved resistivities, majority = along the net spin),
* interface: ``R_up(down) = 2 R* (1 -+ gamma)``, ``G_up(down) = 1 / R_up(down)``,
* the complex mixing conductance ``G_mix`` (per unit area) enters Eqs 35-36.

All values are SI: resistivity in Ohm m, lengths in m, area resistance in Ohm m^2, conductance per
area in S/m^2 (the paper prints ``Re G_mix = 0.542e-15 Ohm m^2``: the unit is a typo for
``0.542e15 S/m^2``, the only reading consistent with its Sharvin estimate ``e^2 k_F^2 / (4 pi h)``).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from . import validation as v


def check_positive(value: float, what: str, field: str) -> float:
    """``value`` as a float inside the supported range of ``field`` (:data:`fastspin.validation.TRANSPORT_RANGES`),
    else a ValueError naming ``what`` (the owner) and ``field``."""
    return v.transport_value(value, field, what)


def check_asymmetry(value: float, what: str, field: str) -> float:
    """A spin asymmetry coefficient, a real number with ``|value| < 1``, else a ValueError naming ``field``."""
    value = v.number(value, field, what)
    if not abs(value) < 1.0:
        raise ValueError(f"{what}: {field} must be a number with |{field}| < 1, got {value!r}")
    return value


@dataclass(frozen=True)
class NormalMetal:
    """A non-magnetic metal: ``rho_star`` (Ohm m) and spin-diffusion length ``l_sf`` (m)."""

    name: str
    rho_star: float
    l_sf: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "rho_star", check_positive(self.rho_star, f"normal metal {self.name!r}", "rho_star"))
        object.__setattr__(self, "l_sf", check_positive(self.l_sf, f"normal metal {self.name!r}", "l_sf"))


@dataclass(frozen=True)
class Ferromagnet:
    """A ferromagnetic metal: ``rho_star`` (Ohm m), bulk spin asymmetry ``beta`` and ``l_sf`` (m).

    The transverse spin accumulation is absorbed at its interfaces (Barnas 2005, Sec. III).
    """

    name: str
    rho_star: float
    beta: float
    l_sf: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "rho_star", check_positive(self.rho_star, f"ferromagnet {self.name!r}", "rho_star"))
        object.__setattr__(self, "beta", check_asymmetry(self.beta, f"ferromagnet {self.name!r}", "beta"))
        object.__setattr__(self, "l_sf", check_positive(self.l_sf, f"ferromagnet {self.name!r}", "l_sf"))


@dataclass(frozen=True)
class DiffusiveFerromagnet:
    """A ferromagnet whose transverse spin accumulation penetrates (Manchon et al. 2012, Eqs 3-8).

    Longitudinally it is a Valet-Fert ferromagnet (``rho_star``, ``beta``, ``l_sf``); transversally the
    accumulation diffuses with the conductivity ``1/rho_star`` (Einstein relation, ``D ~ 1/rho*``), precesses
    over ``lambda_j`` and dephases over ``lambda_phi`` (all lengths in m): ``1/L^2 = -i/lambda_j^2 +
    1/lambda_phi^2 + 1/l_sf^2`` in the frame of its magnetization.  Its contacts with normal metals are
    transparent (continuous accumulation and spin current), as in the paper.
    """

    name: str
    rho_star: float
    beta: float
    l_sf: float
    lambda_j: float
    lambda_phi: float

    def __post_init__(self) -> None:
        where = f"diffusive ferromagnet {self.name!r}"
        object.__setattr__(self, "rho_star", check_positive(self.rho_star, where, "rho_star"))
        object.__setattr__(self, "beta", check_asymmetry(self.beta, where, "beta"))
        for field in ("l_sf", "lambda_j", "lambda_phi"):
            object.__setattr__(self, field, check_positive(getattr(self, field), where, field))


@dataclass(frozen=True)
class TunnelBarrier:
    """A tunnel barrier that injects a spin current into the layer on its right (Manchon et al. 2012).

    ``spin_current`` is the 3-vector of spin current (along +x) injected at the barrier/electrode contact per
    unit particle current (dimensionless, ``e^2 j_s / (e^2 j0)``): the ballistic tunnelling polarisation,
    ``J0`` of the paper.  Only as the first layer of a stack, followed by a normal metal or a
    :class:`DiffusiveFerromagnet`; the barrier's own resistance is not modelled.
    """

    name: str
    spin_current: tuple[float, float, float]

    def __post_init__(self) -> None:
        where = f"tunnel barrier {self.name!r}"
        current = v.real_array(self.spin_current, "spin_current", where)
        if current.shape != (3,):
            raise ValueError(f"{where}: spin_current must be a 3-vector, got {self.spin_current!r}")
        low, high, _ = v.TRANSPORT_RANGES["spin_current"]
        v.in_range(current, "spin_current", low, high, owner=where)
        object.__setattr__(self, "spin_current", tuple(float(x) for x in current))


@dataclass(frozen=True)
class Interface:
    """An N/F interface: ``r_star`` (Ohm m^2), ``gamma`` and the complex mixing conductance ``g_mix`` (S/m^2).

    ``Re g_mix >= 0`` (a passive interface cannot create transverse spin).  ``name`` (e.g. ``"N|F2"``) labels
    error messages.
    """

    r_star: float
    gamma: float
    g_mix: complex
    name: str = ""

    def __post_init__(self) -> None:
        where = f"interface {self.name!r}" if self.name else "interface"
        object.__setattr__(self, "r_star", check_positive(self.r_star, where, "r_star"))
        object.__setattr__(self, "gamma", check_asymmetry(self.gamma, where, "gamma"))
        g = self.g_mix
        if isinstance(g, (bool, str, bytes)) or g is None or not isinstance(g, numbers.Number):
            raise ValueError(f"{where}: g_mix must be a complex number, got {g!r}")
        g = complex(g)
        _, high, unit = v.TRANSPORT_RANGES["g_mix"]
        if not (0.0 <= g.real <= high and abs(g.imag) <= high):
            raise ValueError(
                f"{where}: g_mix must have 0 <= Re g_mix <= {high:.3g} and |Im g_mix| <= {high:.3g} {unit}, got {g!r}"
            )
        object.__setattr__(self, "g_mix", g)


# Literature values (Barnas et al. 2005, Sec. V, from the CPP-GMR data of Bass and Pratt), converted once here.
_UOHM_CM = 1e-8  # Ohm m
_NM = 1e-9  # m
_FOHM_M2 = 1e-15  # Ohm m^2

COBALT = Ferromagnet("Co", rho_star=5.1 * _UOHM_CM, beta=0.51, l_sf=60 * _NM)
#: Cu with l_sf = 1000 nm, because the paper's "l_sf = 103 nm" is "10^3 nm" with the exponent lost in typesetting
#: (low-temperature CPP-GMR gives l_sf(Cu) of the order of a micrometre); tests/transport/test_paper.py
#: shows that 1000 nm, not 103 nm, reproduces the paper's Fig. 6 numbers.
COPPER = NormalMetal("Cu", rho_star=0.5 * _UOHM_CM, l_sf=1000 * _NM)
CO_CU = Interface(r_star=0.52 * _FOHM_M2, gamma=0.76, g_mix=(0.542 + 0.016j) * 1e15, name="Co/Cu")

MATERIALS: dict[str, NormalMetal | Ferromagnet] = {"Co": COBALT, "Cu": COPPER}
INTERFACES = {"Co/Cu": CO_CU}
