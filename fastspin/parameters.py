"""The parameters of a stack, declared once.

Every parameter that :func:`fastspin.transport.evaluate` accepts by name (``"<layer>.<field>"``,
``"<left>|<right>.<field>"``) is one :class:`Parameter` of :data:`REGISTRY`: which layers or interfaces have it,
where the compiled arrays keep it (:class:`fastspin.stack.CompiledStack`, the transport kernels' rows), its SI
unit and supported range (:data:`fastspin.validation.TRANSPORT_RANGES`), its dimension for the units of a scan
specification (:mod:`fastspin.scan.units`), and its label and display unit in plots.  ``Stack.compile``, the
kernels' argument packing, the transport profiles, the scan axes and the plots all read it, so a parameter is
added in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from .validation import TRANSPORT_RANGES

#: layer kinds, as the kernels see them (``CompiledStack.kind``)
KIND_N, KIND_F, KIND_FD, KIND_BARRIER = 0, 1, 2, 3  # normal metal, ferromagnet, diffusive ferromagnet, barrier
KIND_NAMES = {
    KIND_N: "normal metal",
    KIND_F: "ferromagnet",
    KIND_FD: "diffusive ferromagnet",
    KIND_BARRIER: "tunnel barrier",
}
MAGNET_KINDS = (KIND_F, KIND_FD)
METALS = (KIND_N, KIND_F, KIND_FD)


@dataclass(frozen=True)
class Parameter:
    """One named parameter of a stack.

    ``owner``: ``"layer"`` or ``"interface"``; ``kinds``: the layer kinds that have it (a layer parameter);
    ``slot``: its row in the kernels' parameter arrays (``None`` for ``direction`` and ``g_mix``, which are
    stored through other rows); ``value``: ``"real"``, ``"complex"`` or ``"vector"``; ``check``: the rule of
    its values (a key of :data:`fastspin.scan.model.CHECKS`); ``dimension``: its kind of unit in scan
    specifications; ``label``: the plot label, ``{0}`` standing for the layer or interface name, shown in
    ``display_unit`` (``display_factor`` times the SI value).
    """

    name: str
    owner: str
    kinds: tuple
    slot: int | None
    unit: str
    dimension: str
    check: str
    description: str
    label: str
    display_unit: str = ""
    display_factor: float = 1.0
    value: str = "real"
    lead_fixed: bool = False  # the first and last layers (semi-infinite leads) do not have it

    @property
    def bounds(self) -> tuple[float, float] | None:
        """Supported range (SI) of the magnitudes, or ``None`` when the check alone bounds it."""
        entry = TRANSPORT_RANGES.get(
            "g_mix"
            if self.name.startswith("g_mix")
            else "spin_current"
            if self.name.startswith("spin_current")
            else self.name
        )
        return None if entry is None else entry[:2]


def _layer(name, kinds, slot, unit, dimension, check, description, label, display_unit="", factor=1.0, **extra):
    return Parameter(
        name, "layer", kinds, slot, unit, dimension, check, description, label, display_unit, factor, **extra
    )


def _interface(name, slot, unit, dimension, check, description, label, display_unit="", factor=1.0, **extra):
    return Parameter(
        name, "interface", (), slot, unit, dimension, check, description, label, display_unit, factor, **extra
    )


#: field name -> its :class:`Parameter`, for every layer and interface parameter of a stack
REGISTRY = {
    p.name: p
    for p in (
        _layer(
            "rho_star",
            METALS,
            0,
            "Ohm m",
            "resistivity",
            "positive",
            "bulk resistivity rho*",
            r"$\rho^*$ of {0}",
            r"$\mu\Omega$ cm",
            1e8,
        ),
        _layer(
            "beta",
            MAGNET_KINDS,
            1,
            "",
            "dimensionless",
            "open_unit",
            "bulk spin asymmetry beta",
            r"bulk spin asymmetry $\beta$ of {0}",
        ),
        _layer(
            "l_sf",
            METALS,
            2,
            "m",
            "length",
            "positive",
            "spin-diffusion length",
            "spin-diffusion length of {0}",
            "nm",
            1e9,
        ),
        _layer(
            "thickness",
            (KIND_N, KIND_F, KIND_FD, KIND_BARRIER),
            3,
            "m",
            "length",
            "positive",
            "layer thickness",
            "thickness of {0}",
            "nm",
            1e9,
            lead_fixed=True,
        ),
        _layer(
            "lambda_j",
            (KIND_FD,),
            4,
            "m",
            "length",
            "positive",
            "precession length lambda_J",
            r"precession length $\lambda_J$ of {0}",
            "nm",
            1e9,
        ),
        _layer(
            "lambda_phi",
            (KIND_FD,),
            5,
            "m",
            "length",
            "positive",
            "dephasing length lambda_phi",
            r"dephasing length $\lambda_\varphi$ of {0}",
            "nm",
            1e9,
        ),
        _layer(
            "spin_current_x",
            (KIND_BARRIER,),
            6,
            "",
            "dimensionless",
            "finite",
            "injected spin current, x",
            "injected spin current $J_{0,x}$ of {0}",
        ),
        _layer(
            "spin_current_y",
            (KIND_BARRIER,),
            7,
            "",
            "dimensionless",
            "finite",
            "injected spin current, y",
            "injected spin current $J_{0,y}$ of {0}",
        ),
        _layer(
            "spin_current_z",
            (KIND_BARRIER,),
            8,
            "",
            "dimensionless",
            "finite",
            "injected spin current, z",
            "injected spin current $J_{0,z}$ of {0}",
        ),
        _layer(
            "direction",
            MAGNET_KINDS,
            None,
            "",
            "dimensionless",
            "nonzero_vector",
            "net-spin direction (3-vector)",
            "direction of {0}",
            value="vector",
        ),
        _interface(
            "r_star",
            9,
            "Ohm m^2",
            "area_resistance",
            "positive",
            "interface resistance R*",
            "$R^*$ of {0}",
            r"f$\Omega$ m$^2$",
            1e15,
        ),
        _interface(
            "gamma",
            10,
            "",
            "dimensionless",
            "open_unit",
            "interface spin asymmetry gamma",
            r"interface spin asymmetry $\gamma$ of {0}",
        ),
        _interface(
            "g_mix_real",
            11,
            "S/m^2",
            "area_conductance",
            "nonnegative",
            "Re G_mix per area",
            r"Re $G_{mix}$ of {0}",
            "1e15 S/m$^2$",
            1e-15,
        ),
        _interface(
            "g_mix_imag",
            12,
            "S/m^2",
            "area_conductance",
            "finite",
            "Im G_mix per area",
            r"Im $G_{mix}$ of {0}",
            "1e15 S/m$^2$",
            1e-15,
        ),
        _interface(
            "g_mix",
            None,
            "S/m^2",
            "area_conductance",
            "real_part_nonnegative",
            "complex mixing conductance per area",
            r"$G_{mix}$ of {0}",
            "1e15 S/m$^2$",
            1e-15,
            value="complex",
        ),
    )
}

#: the rows of the kernels' layer and interface parameter arrays
LAYER_FIELDS = {p.name: p.slot for p in REGISTRY.values() if p.owner == "layer" and p.slot is not None}
INTERFACE_FIELDS = {p.name: p.slot for p in REGISTRY.values() if p.owner == "interface" and p.slot is not None}
N_LAYER_FIELDS = len(LAYER_FIELDS)
LAYER_PARAMETERS = tuple(p.name for p in REGISTRY.values() if p.owner == "layer")
INTERFACE_PARAMETERS = tuple(p.name for p in REGISTRY.values() if p.owner == "interface")


def parameter(owner: str, field: str) -> Parameter:
    """The :class:`Parameter` ``field`` of an ``owner`` (``"layer"`` or ``"interface"``); ValueError naming the
    known ones otherwise."""
    known = LAYER_PARAMETERS if owner == "layer" else INTERFACE_PARAMETERS
    if field not in known:
        raise ValueError(f"unknown {owner} field {field!r}; known: {sorted(known)}")
    return REGISTRY[field]
