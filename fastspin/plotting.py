"""Matplotlib figures of fastspin results: state maps, value maps (phi_c), torque versus angle.

Matplotlib is imported only when a figure is drawn (it is an optional dependency: ``fastspin[plot]``).
Figures are built with :class:`matplotlib.figure.Figure` (no pyplot state, no GUI backend needed),
so they can be saved from scripts and servers; in a notebook they display as the last expression.
Axes are labelled with quantity and unit; values are shown in readable units (nm, mT, MA/cm^2,
degrees) while the data stay in SI.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from .parameters import REGISTRY

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

#: column-name rules -> (label template, display unit, factor from SI to the display unit); the
#: template's ``{0}`` is the pattern's first group (a layer or interface name).
_DISPLAY = [
    (r"^current_density$", "current density J", "MA/cm$^2$", 1e-10),
    (r"^field$", "applied field B", "mT", 1e3),
    (r"^field_([xyz])$", "applied field $B_{0}$", "mT", 1e3),
    (r"^anisotropy_field$", "anisotropy field $B_k$", "mT", 1e3),
    (r"^phi$", r"angle $\varphi$", "deg", 180.0 / math.pi),
    (r"^phi_c$", r"zero $\varphi_c$ of the torque", "deg", 180.0 / math.pi),
    (r"^phi_g$", r"angle $\varphi_g$ of the accumulation", "deg", 180.0 / math.pi),
    (r"^alpha$", r"Gilbert damping $\alpha$", "", 1.0),
    (r"^voltage$", "bias voltage V", "mV", 1e3),
    (r"^temperature$", "temperature", "K", 1.0),
    (r"^ms$", "saturation magnetization $M_s$", "kA/m", 1e-3),
    (r"^j_c_(?:p|ap)(?:_linear|_dynamic)?$", "critical current density", "MA/cm$^2$", 1e-10),
    (r"^switching_time$", "switching time", "ns", 1e9),
    (r"^frequency$", "precession frequency", "GHz", 1e-9),
    (r"^tau_phi$", r"in-plane torque $\tau_\varphi$", r"$\hbar I_0/|e|$", 1.0),
    (r"^tau_x$", r"out-of-plane torque $\tau_x$", r"$\hbar I_0/|e|$", 1.0),
    (r"^a$", r"prefactor $a$", r"$\hbar I_0/|e|$", 1.0),
    (r"^b$", r"prefactor $b$", r"$\hbar I_0/|e|$", 1.0),
] + [  # the stack's parameters, "<layer>.<field>" and "<left>|<right>.<field>", as the registry labels them
    (rf"^(.+)\.{p.name}{'(?:_[xyz])?' if p.value == 'vector' else ''}$", p.label, p.display_unit, p.display_factor)
    for p in REGISTRY.values()
]

#: fixed colours of the dynamic states (others get the next colours of the tab10 cycle).
STATE_COLORS = {
    "parallel": "#1f77b4",
    "antiparallel": "#d62728",
    "canted": "#ff7f0e",
    "static_out_of_plane": "#8c564b",
    "in_plane_precession": "#2ca02c",
    "out_of_plane_precession": "#9467bd",
}
_EXTRA_COLORS = ["#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


#: the rc settings of the published figures in the notebooks and the documentation; 150 dpi on screen, 300 dpi
#: saved, serif mathtext so that symbols (phi/pi, tau_phi) read as in the papers, light grid, inward ticks.
PUBLICATION_STYLE = {
    "figure.dpi": 150,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.labelsize": 10,
    "axes.titlesize": 10,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "mathtext.fontset": "dejavuserif",
    "axes.grid": True,
    "grid.alpha": 0.25,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "lines.linewidth": 1.4,
}


def use_publication_style() -> None:
    """Apply :data:`PUBLICATION_STYLE` to matplotlib's global rc settings (for notebooks and scripts).

    In a Jupyter kernel it also turns on inline figures (``%matplotlib inline``), so that the
    :class:`~matplotlib.figure.Figure` objects the functions of this module return display as images.
    """
    import matplotlib.style

    _inline_figures()
    matplotlib.style.use(PUBLICATION_STYLE)


def _inline_figures():
    """``%matplotlib inline`` when running in a Jupyter kernel (nothing in a script or a terminal IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        shell.run_line_magic("matplotlib", "inline")


def display(column: str) -> tuple[str, float]:
    """``(label, factor)``: axis label with unit for ``column`` and the factor from SI to it."""
    for pattern, quantity, unit, factor in _DISPLAY:
        match = re.search(pattern, column)
        if match:
            label = quantity.replace("{0}", match.group(1)) if match.groups() else quantity
            return (f"{label} ({unit})" if unit else label), factor
    return column, 1.0


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _names_missing_columns(draw: Callable[_P, _R]) -> Callable[_P, _R]:
    """A column the figure needs and none of the given frames has is a ``ValueError`` naming it and the columns
    there are (instead of pandas' ``KeyError`` from deep inside the drawing)."""

    @functools.wraps(draw)
    def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return draw(*args, **kwargs)
        except KeyError as err:
            key = err.args[0] if err.args else None
            frames = [a for a in (*args, *kwargs.values()) if isinstance(a, pd.DataFrame)]
            if not isinstance(key, str) or not frames or any(key in frame.columns for frame in frames):
                raise
            have = ", ".join(dict.fromkeys(str(c) for frame in frames for c in frame.columns))
            raise ValueError(f"{draw.__name__}: the frame has no column {key!r} (it has {have})") from None

    return checked


def _grid(frame, x, y, values):
    """``values`` (one per row) on the (x, y) grid of a product scan: xs, ys, Z[len(ys), len(xs)]."""
    xs, ys = np.unique(frame[x].to_numpy()), np.unique(frame[y].to_numpy())
    if len(xs) * len(ys) != len(frame) or frame.duplicated([x, y]).any():
        raise ValueError(
            f"the frame has {len(frame)} rows, not one per ({x}, {y}) pair ({len(xs)} x {len(ys)}): "
            "another column varies too; select rows first (or use a facet)"
        )
    z = np.full((len(ys), len(xs)), np.nan)
    z[np.searchsorted(ys, frame[y].to_numpy()), np.searchsorted(xs, frame[x].to_numpy())] = values
    return xs, ys, z


def _edges(centres):
    """Cell edges for pcolormesh around (possibly uneven) cell centres."""
    centres = np.asarray(centres, dtype=float)
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    middle = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate([[2 * centres[0] - middle[0]], middle, [2 * centres[-1] - middle[-1]]])


def _figure(n_panels, width=5.0, height=4.2):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * n_panels, height), layout="constrained")
    return figure, [figure.add_subplot(1, n_panels, k + 1) for k in range(n_panels)]


def _facets(frame, facet):
    if facet is None or facet not in frame.columns:
        return [(None, frame)]
    order = {"P": 0, "AP": 1}
    values = sorted(frame[facet].unique(), key=lambda v: (order.get(v, 2), str(v)))
    return [(value, frame[frame[facet] == value]) for value in values]


def _panel_title(facet, value):
    return f"start from {value}" if facet == "start" else f"{facet} = {value}"


@_names_missing_columns
def plot_state_map(
    frame: pd.DataFrame,
    x: str = "current_density",
    y: str = "field",
    color: str = "state",
    facet: str | None = "start",
    title: str | None = None,
    critical: pd.DataFrame | None = None,
) -> Figure:
    """Categorical map of ``color`` (the dynamic state) over (``x``, ``y``), one panel per ``facet``.

    With the default ``facet="start"`` the panels show the runs started from P and from AP side
    by side, so bistable (hysteretic) regions are those whose colours differ between the panels.
    ``critical``: a frame of :func:`fastspin.analysis.critical_currents_linear` (columns
    ``field``, ``j_c_p``, ``j_c_ap``), drawn as dashed lines on the P and AP panels (needs
    ``x="current_density"``, ``y="field"``).  Returns the matplotlib ``Figure``.
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    states = sorted(frame[color].astype(str).unique(), key=_state_order)
    extra = iter(_EXTRA_COLORS)
    colors = {s: STATE_COLORS.get(s) or next(extra, "#000000") for s in states}
    code = {s: k for k, s in enumerate(states)}

    cmap = ListedColormap([colors[s] for s in states])
    norm = BoundaryNorm(np.arange(len(states) + 1) - 0.5, len(states))
    panels = _facets(frame, facet)
    figure, axes = _figure(len(panels))
    xlabel, xf = display(x)
    ylabel, yf = display(y)
    for ax, (value, part) in zip(axes, panels):
        xs, ys, codes = _grid(part, x, y, [code[s] for s in part[color].astype(str)])
        ax.pcolormesh(_edges(xs * xf), _edges(ys * yf), codes, cmap=cmap, norm=norm, shading="flat")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if value is not None:
            ax.set_title(_panel_title(facet, value))
        if critical is not None and value in ("P", "AP"):
            ax.plot(critical[f"j_c_{value.lower()}"] * xf, critical["field"] * yf, "k--", linewidth=1.2)
    handles: list[Artist] = [Patch(facecolor=colors[s], label=s.replace("_", " ")) for s in states]
    if critical is not None:
        handles.append(Line2D([], [], color="black", linestyle="--", label="linear stability $J_c$"))
    figure.legend(handles=handles, loc="outside right center", title=color, frameon=False)
    if title:
        figure.suptitle(title)
    return figure


def _state_order(state):
    known = list(STATE_COLORS)
    return (known.index(state) if state in known else len(known), state)


@_names_missing_columns
def plot_value_map(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    facet: str | None = None,
    title: str | None = None,
    cmap: str = "viridis",
    missing: str = "no value",
) -> Figure:
    """Continuous map of column ``color`` over (``x``, ``y``) with a colour bar (e.g. ``phi_c``).

    NaN cells (e.g. no zero of the torque inside (0, pi)) are drawn light grey and named
    ``missing`` in the legend.  Returns the ``Figure``.
    """
    from matplotlib.patches import Patch

    panels = _facets(frame, facet)
    figure, axes = _figure(len(panels))
    xlabel, xf = display(x)
    ylabel, yf = display(y)
    clabel, cf = display(color)
    values = frame[color].to_numpy(dtype=float) * cf
    finite = values[np.isfinite(values)]
    vmin, vmax = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    mesh = None
    for ax, (value, part) in zip(axes, panels):
        xs, ys, z = _grid(part, x, y, part[color].to_numpy(dtype=float) * cf)
        ax.set_facecolor("#dddddd")
        mesh = ax.pcolormesh(
            _edges(xs * xf), _edges(ys * yf), np.ma.masked_invalid(z), cmap=cmap, vmin=vmin, vmax=vmax, shading="flat"
        )
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if value is not None:
            ax.set_title(_panel_title(facet, value))
    figure.colorbar(mesh, ax=axes, label=clabel)
    if not np.all(np.isfinite(values)):
        axes[-1].legend(handles=[Patch(facecolor="#dddddd", label=missing)], loc="best", fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


@_names_missing_columns
def plot_phi_c_map(
    frame: pd.DataFrame,
    x: str = "F1|N.gamma",
    y: str = "F1.beta",
    title: str | None = "Zero $\\varphi_c$ of the in-plane torque",
) -> Figure:
    """The phi_c map (Barnas et al. 2005, Fig. 5 inset), NaN cells labelled "no zero in (0, pi)"."""
    return plot_value_map(frame, x, y, "phi_c", title=title, missing="no zero in (0, $\\pi$)")


@_names_missing_columns
def plot_phi_c_curves(
    frame: pd.DataFrame,
    x: str = "F1|N.gamma",
    curves: str = "F1.beta",
    max_curves: int = 6,
    title: str = "Zero $\\varphi_c$ of the in-plane torque (Barnas et al. 2005, Fig. 5 inset)",
) -> Figure:
    """phi_c versus ``x`` with one line per value of ``curves`` (the layout of the paper's inset).

    At most ``max_curves`` evenly chosen values of ``curves`` are drawn; gaps are where the torque
    has no zero inside (0, pi).
    """
    figure, (ax,) = _figure(1, width=6.0)
    xlabel, xf = display(x)
    clabel, _ = display(curves)
    values = np.unique(frame[curves].to_numpy())
    chosen = values[np.unique(np.linspace(0, len(values) - 1, min(max_curves, len(values))).round().astype(int))]
    for value in chosen:
        part = frame[frame[curves] == value].sort_values(x)
        ax.plot(part[x] * xf, np.degrees(part["phi_c"]), label=f"{value:g}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(display("phi_c")[0])
    ax.set_ylim(0.0, 180.0)
    ax.legend(title=clabel, fontsize="small")
    ax.set_title(title, fontsize="medium")
    return figure


#: line label and style of the columns :func:`plot_torque_vs_angle` draws by default.
_TORQUE_LINES = {
    "tau_phi": (r"$\tau_\varphi$ (in plane)", "-"),
    "tau_x": (r"$\tau_x$ (out of plane)", "--"),
    "a": (r"$a$ (in plane)", "-"),
    "b": (r"$b$ (out of plane)", "--"),
}


def _target(ax: Axes | None, width: float = 6.0, height: float = 4.2) -> tuple[Figure | SubFigure, Axes]:
    """``(figure, ax)``: the given axes and their figure, or a new one-panel figure."""
    if ax is None:
        figure, (new,) = _figure(1, width=width, height=height)
        return figure, new
    return ax.figure, ax


def _angle_axis(phi: npt.ArrayLike, angle: str) -> tuple[npt.NDArray[np.float64], str, tuple[float, float]]:
    """x values, label and limits of an angle axis: ``"deg"`` (0-180 deg) or ``"pi"`` (phi/pi, data range)."""
    phi = np.asarray(phi, dtype=float)
    if angle == "deg":
        return np.degrees(phi), r"angle $\varphi$ between the net spins (deg)", (0.0, 180.0)
    if angle == "pi":
        x = phi / math.pi
        return x, r"$\varphi/\pi$", (float(x.min()), float(x.max()))
    raise ValueError(f"angle must be 'deg' or 'pi', got {angle!r}")


@_names_missing_columns
def plot_torque_vs_angle(
    frame: pd.DataFrame,
    title: str | None = None,
    *,
    ax: Axes | None = None,
    columns: Sequence[str] = ("tau_phi", "tau_x"),
    angle: str = "deg",
    labels: Mapping[str, str] | None = None,
    legend: bool = True,
    **line_kwargs: Any,
) -> Figure | SubFigure:
    """tau_phi and tau_x versus phi (Barnas et al. 2005, Figs 2-5) from ``torque_vs_angle``.

    Parameters
    ----------
    frame : DataFrame
        A frame of :func:`fastspin.transport.torque_vs_angle`: column ``phi`` and the drawn columns.
    title : str, optional
        Axes title.
    ax : Axes, optional
        Matplotlib axes to draw into (one panel of a figure, an inset); by default a new one-panel figure.
    columns : Sequence
        The columns drawn against ``phi``: ``tau_phi`` (solid), ``tau_x`` (dashed), ``a``, ``b`` or any other
        column of ``frame``.
    angle : str
        ``"deg"`` (0-180 degrees, the default) or ``"pi"`` (``phi/pi`` over the range of the data, the axis
        of the papers).
    labels : Mapping, optional
        Legend labels by column, in place of the defaults (``tau_phi``: "in plane", ``tau_x``: "out of plane").
    legend : bool
        Draw the legend.
    **line_kwargs
        Passed to every ``Axes.plot`` call (``color``, ``linestyle``, ``linewidth``, ...), over the defaults.

    Returns
    -------
    Figure
        The figure drawn into (the figure of ``ax`` when ``ax`` is given).  The y axis reads "torque" in
        units of ``hbar I0/|e|`` for several columns, and :func:`display` of the column for one.
    """
    figure, ax = _target(ax, width=6.0)
    x, xlabel, xlim = _angle_axis(frame["phi"], angle)
    for column in columns:
        default_label, style = _TORQUE_LINES.get(column, (display(column)[0], "-"))
        kwargs = {"label": (labels or {}).get(column, default_label), "linestyle": style, **line_kwargs}
        ax.plot(x, frame[column], **kwargs)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_xlim(*xlim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(r"torque ($\hbar I_0/|e|$)" if len(columns) != 1 else display(columns[0])[0])
    if legend:
        ax.legend()
    if title:
        ax.set_title(title)
    return figure


@_names_missing_columns
def plot_critical_currents(
    linear: pd.DataFrame, dynamic: pd.DataFrame | None = None, title: str = "Critical currents"
) -> Figure:
    """Critical currents of P and AP versus field: linear stability (lines), dynamic map (markers)."""
    figure, (ax,) = _figure(1, width=6.0)
    bf = display("field")[1]
    jlabel, jf = display("j_c_p")
    for state, colour in (("p", STATE_COLORS["parallel"]), ("ap", STATE_COLORS["antiparallel"])):
        ax.plot(
            linear["field"] * bf, linear[f"j_c_{state}"] * jf, color=colour, label=f"{state.upper()}: linear stability"
        )
        if dynamic is not None:
            ax.plot(
                dynamic["field"] * bf,
                dynamic[f"j_c_{state}"] * jf,
                "o",
                color=colour,
                markersize=3,
                label=f"{state.upper()}: dynamic map",
            )
    ax.set_xlabel(display("field")[0])
    ax.set_ylabel(jlabel)
    ax.legend()
    ax.set_title(title)
    return figure


@_names_missing_columns
def plot_write_error_rate(
    ensemble: pd.DataFrame | None = None,
    fokker_planck: pd.DataFrame | None = None,
    floor: float = 1e-12,
    title: str = "Write error rate",
) -> Figure:
    """WER versus pulse width, one colour per amplitude: stochastic-LLGS ensembles (markers with their Wilson
    intervals; a WER of 0 is drawn at the upper end of its interval, as a downward triangle) and Fokker-Planck
    curves (lines), on a logarithmic axis down to ``floor``.

    ``ensemble``: a frame of :func:`fastspin.experiments.switching_probability` (``amplitude, width, wer, p_low,
    p_high``); ``fokker_planck``: a frame of :func:`fastspin.experiments.write_error_rate` (``current_density,
    width, wer``).  Either may be None.
    """
    figure, (ax,) = _figure(1, width=6.5, height=4.6)
    jlabel, jf = display("current_density")
    amplitudes = sorted(
        set(() if ensemble is None else ensemble["amplitude"])
        | set(() if fokker_planck is None else fokker_planck["current_density"])
    )
    colours = dict(zip(amplitudes, _color_cycle(len(amplitudes))))
    unit = jlabel[jlabel.index("(") + 1 : -1] if "(" in jlabel else ""
    voltage = ensemble is not None and ensemble.attrs.get("units", {}).get("amplitude") == "V"
    e_unit, ef = ("mV", 1e3) if voltage else (unit, jf)  # a voltage pulse (an MTJ) or a current-density pulse
    if fokker_planck is not None:
        for amplitude, part in fokker_planck.groupby("current_density"):
            part = part.sort_values("width")
            ax.plot(
                part["width"] * 1e9,
                np.maximum(part["wer"], floor),
                color=colours[amplitude],
                label=f"{amplitude * jf:.4g} {unit}, Fokker-Planck",
            )
    if ensemble is not None:
        for amplitude, part in ensemble.groupby("amplitude"):
            part = part.sort_values("width")
            wer, low, high = part["wer"].to_numpy(), 1.0 - part["p_high"].to_numpy(), 1.0 - part["p_low"].to_numpy()
            seen = wer > 0
            ax.errorbar(
                part["width"][seen] * 1e9,
                wer[seen],
                yerr=[wer[seen] - np.maximum(low[seen], floor), high[seen] - wer[seen]],
                fmt="o",
                color=colours[amplitude],
                markersize=4,
                capsize=2,
                label=f"{amplitude * ef:.4g} {e_unit}, stochastic LLGS",
            )
            ax.plot(part["width"][~seen] * 1e9, high[~seen], "v", color=colours[amplitude], markersize=5)
    ax.set_yscale("log")
    ax.set_ylim(floor, 1.5)
    ax.set_xlabel("pulse width (ns)")
    ax.set_ylabel("write error rate")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(title)
    return figure


@_names_missing_columns
def plot_hysteresis_loop(
    frame: pd.DataFrame,
    y: str | None = None,
    max_loops: int = 8,
    switching: pd.DataFrame | None = None,
    title: str = "Hysteresis loop",
) -> Figure:
    """Loops of :func:`fastspin.experiments.hysteresis_loop`: ``y`` (default ``resistance`` when present, else
    ``m_axis``) against the swept value, the down branch solid and the up branch dashed, one colour per loop
    (at most ``max_loops``, evenly picked); ``switching`` (a :func:`~fastspin.experiments.loop_switching`
    frame) marks the switching values with dotted lines."""
    swept = frame.attrs.get("swept")
    if swept is None:
        raise ValueError("frame must come from hysteresis_loop (its attrs name the swept quantity)")
    if y is None:
        y = next((c for c in ("resistance", "resistance_area") if c in frame.columns), "m_axis")
    loops = np.unique(frame["loop"])
    loops = loops[np.unique(np.linspace(0, len(loops) - 1, min(max_loops, len(loops))).astype(int))]
    figure, (ax,) = _figure(1, width=6.0, height=4.4)
    xlabel, xf = display(swept)
    colours = dict(zip(loops, _color_cycle(len(loops))))
    for loop in loops:
        part = frame[frame["loop"] == loop]
        for branch, style in (("down", "-"), ("up", "--")):
            sub = part[part["branch"] == branch]
            ax.plot(
                sub[swept] * xf,
                sub[y],
                style,
                color=colours[loop],
                label=f"loop {loop}, {branch}" if len(loops) <= 4 else None,
            )
    if switching is not None:  # a dotted vertical line at each switching value, in the loop's colour
        for loop, value in switching[switching["loop"].isin(loops)][["loop", f"switching_{swept}"]].to_numpy():
            if np.isfinite(value):
                ax.axvline(value * xf, color=colours[loop], linestyle=":", linewidth=1.0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(
        {
            "resistance": "resistance (Ohm)",
            "resistance_area": "resistance-area (Ohm m$^2$)",
            "m_axis": "$m$ along the easy axis",
        }.get(y, y)
    )
    ax.grid(True, alpha=0.3)
    if len(loops) <= 4:
        ax.legend(fontsize="small")
    ax.set_title(title)
    return figure


@_names_missing_columns
def plot_spectrum(
    frame_or_psd: pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame],
    x: str | None = None,
    hue: str | None = None,
    log: bool = True,
    title: str | None = None,
) -> Figure:
    """Spectra of :func:`fastspin.experiments.spectrum`, in one of two forms.

    * ``spectrum(..., psd=True)``'s ``(frame, spectra)`` (or the long ``spectra`` frame alone): the power
      spectral density against frequency, one curve per trajectory (labelled and coloured by the ``hue``
      column of ``frame``, e.g. ``"temperature"``), each line's FWHM drawn as a bar at half its peak.
    * the per-trajectory ``frame``: peak frequency and linewidth against ``x`` (e.g. ``"current_density"``,
      ``"temperature"``), one series per value of ``hue``; several trajectories at one ``x`` give their mean
      and standard deviation.

    ``log``: logarithmic PSD axis.  Returns the ``Figure``.
    """
    lines, spectra = frame_or_psd if isinstance(frame_or_psd, tuple) else (None, frame_or_psd)
    if "psd" not in spectra.columns:
        return _plot_spectral_lines(spectra, x, hue, title)
    figure, (ax,) = _figure(1, width=6.5, height=4.6)
    ids = np.unique(spectra["trajectory"])
    keys = lines.set_index("trajectory") if lines is not None else None
    values = sorted(keys[hue].unique()) if keys is not None and hue is not None else list(ids)
    colours = dict(zip(values, _color_cycle(len(values))))
    # the hue is a column of the per-trajectory frame only
    hue_label, hue_factor = display(hue) if keys is not None and hue is not None else ("trajectory", 1.0)
    seen = set()
    for k in ids:
        part = spectra[spectra["trajectory"] == k]
        value = keys.loc[k, hue] if keys is not None and hue is not None else k
        label = None if value in seen else f"{value * hue_factor:g}"
        seen.add(value)
        ax.plot(part["frequency"] * 1e-9, part["psd"], color=colours[value], linewidth=1.0, label=label)
        if keys is not None and np.isfinite(keys.loc[k, "linewidth"]):
            centre, width = keys.loc[k, "peak_frequency"], keys.loc[k, "linewidth"]
            ax.plot(
                np.array([centre - width / 2, centre + width / 2]) * 1e-9,
                [keys.loc[k, "peak_psd"] / 2] * 2,
                color=colours[value],
                linewidth=2.5,
                solid_capstyle="butt",
            )
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("frequency (GHz)")
    ax.set_ylabel("power spectral density (signal$^2$/Hz)")
    ax.legend(title=hue_label, fontsize="small")
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    return figure


def _plot_spectral_lines(frame, x, hue, title):
    if x is None:
        raise ValueError("plot_spectrum of a per-trajectory frame needs x= (the column to plot against)")
    figure, axes = _figure(2, width=5.0, height=4.2)
    xlabel, xf = display(x)
    groups = [(None, frame)] if hue is None else list(frame.groupby(hue))
    colours = _color_cycle(len(groups))
    hue_label, hue_factor = display(hue) if hue is not None else ("", 1.0)
    for colour, (value, part) in zip(colours, groups):
        stats = part.groupby(x)[["peak_frequency", "linewidth"]].agg(["mean", "std"]).fillna(0.0)
        label = None if value is None else f"{value * hue_factor:g}"
        for ax, column, factor in ((axes[0], "peak_frequency", 1e-9), (axes[1], "linewidth", 1e-6)):
            ax.errorbar(
                stats.index * xf,
                stats[(column, "mean")] * factor,
                yerr=stats[(column, "std")] * factor,
                fmt="o-",
                color=colour,
                markersize=4,
                capsize=2,
                label=label,
            )
    axes[0].set_ylabel("peak frequency (GHz)")
    axes[1].set_ylabel("linewidth FWHM (MHz)")
    if "resolution" in frame.columns:
        axes[1].axhline(
            1.44 * frame["resolution"].min() * 1e-6,
            color="grey",
            linestyle=":",
            linewidth=1,
            label="Hann window (1.44 bins)",
        )
    for ax in axes:
        ax.set_xlabel(xlabel)
        ax.grid(True, alpha=0.3)
    if hue is not None or "resolution" in frame.columns:
        axes[1].legend(title=hue_label or None, fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


@_names_missing_columns
def plot_pimm(
    frame: pd.DataFrame, x: str = "field_x", reference: pd.DataFrame | None = None, title: str | None = "PIMM ring-down"
) -> Figure:
    """Frequency and linewidth of :func:`fastspin.experiments.pimm` against ``x`` (default the bias
    ``field_x``): the damped-sinusoid fit (markers with their standard errors) and the FFT peak and FWHM
    (open markers).  ``reference``: optional frame with columns ``x``, ``frequency`` and ``linewidth`` (Hz),
    e.g. Kittel's ``f`` and ``alpha gamma (H1 + H2) / (2 pi)``, drawn as lines.  Returns the ``Figure``."""
    figure, axes = _figure(2, width=5.0, height=4.2)
    xlabel, xf = display(x)
    part = frame.sort_values(x)
    xs = part[x] * xf
    axes[0].errorbar(
        xs,
        part["frequency"] * 1e-9,
        yerr=part["frequency_error"] * 1e-9,
        fmt="o",
        markersize=4,
        capsize=2,
        label="damped-sinusoid fit",
    )
    axes[0].plot(xs, part["fft_frequency"] * 1e-9, "s", markerfacecolor="none", label="FFT peak")
    axes[1].errorbar(
        xs,
        part["linewidth"] * 1e-6,
        yerr=part["decay_rate_error"] / np.pi * 1e-6,
        fmt="o",
        markersize=4,
        capsize=2,
        label=r"fit $1/(\pi\tau)$",
    )
    axes[1].plot(xs, part["fft_linewidth"] * 1e-6, "s", markerfacecolor="none", label="FFT FWHM")
    if reference is not None:
        ref = reference.sort_values(x)
        axes[0].plot(ref[x] * xf, ref["frequency"] * 1e-9, "k-", linewidth=1, label="reference")
        axes[1].plot(ref[x] * xf, ref["linewidth"] * 1e-6, "k-", linewidth=1, label="reference")
    axes[0].set_ylabel("frequency (GHz)")
    axes[1].set_ylabel("linewidth FWHM (MHz)")
    for ax in axes:
        ax.set_xlabel(xlabel)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    return figure


@_names_missing_columns
def plot_st_fmr(
    frame: pd.DataFrame,
    fit: pd.DataFrame | None = None,
    max_curves: int = 8,
    title: str | None = "ST-FMR mixing voltage",
) -> Figure:
    """ST-FMR field sweeps from :func:`fastspin.experiments.st_fmr`: ``V_mix`` versus the bias field, one
    colour per frequency (at most ``max_curves`` evenly chosen ones, markers).  With ``fit`` (the frame of
    :func:`fastspin.experiments.fit_lineshape`): the fitted symmetric + antisymmetric Lorentzians (Eq. L,
    dashed) and two more panels, the frequency versus the resonance field (the Kittel dispersion) and the
    linewidth (FWHM, with its standard error) versus frequency (for Gilbert damping ``2 alpha omega / gamma``
    lies on a line through the origin).  Sweeps whose fit failed (NaN) are left out of the fit panels.  Returns the
    ``Figure``.
    """
    from .experiments.stfmr import lineshape

    figure, axes = _figure(1 if fit is None else 3, width=5.0)
    field_label, bf = display("field")
    frequencies = np.unique(frame["frequency"].to_numpy())
    picks = np.unique(np.linspace(0, len(frequencies) - 1, min(max_curves, len(frequencies))).round().astype(int))
    chosen = frequencies[picks]
    fits = None if fit is None else fit.set_index("frequency")
    ax = axes[0]
    for frequency, colour in zip(chosen, _color_cycle(len(chosen))):
        part = frame[frame["frequency"] == frequency].sort_values("field")
        b = part["field"].to_numpy()
        ax.plot(b * bf, part["v_mix"] * 1e6, "o", markersize=2.5, color=colour, label=f"{frequency * 1e-9:.4g} GHz")
        if fits is not None and frequency in fits.index and np.isfinite(fits.loc[frequency, "resonance_field"]):
            row = fits.loc[frequency]
            fine = np.linspace(b.min(), b.max(), 400)
            curve = lineshape(
                fine,
                row["resonance_field"],
                0.5 * row["linewidth"],
                row["symmetric"],
                row["antisymmetric"],
                row["offset"],
            )
            ax.plot(fine * bf, curve * 1e6, "--", color=colour, linewidth=1.0)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_xlabel(field_label)
    ax.set_ylabel(r"mixing voltage $V_\mathrm{mix}$ ($\mu$V)")
    ax.legend(loc="lower right", fontsize="small", title="frequency" + (" (fit dashed)" if fit is not None else ""))
    if fit is not None:
        ok = fit[np.isfinite(fit["resonance_field"])]
        axes[1].plot(ok["resonance_field"] * bf, ok["frequency"] * 1e-9, "o-", markersize=3)
        axes[1].set_xlabel(f"resonance field $B_0$ ({field_label[field_label.index('(') + 1 : -1]})")
        axes[1].set_ylabel("frequency (GHz)")
        axes[1].set_title("dispersion", fontsize="medium")
        axes[2].errorbar(
            ok["frequency"] * 1e-9,
            ok["linewidth"] * bf,
            yerr=ok["linewidth_err"] * bf,
            fmt="o",
            markersize=3,
            capsize=2,
        )
        axes[2].set_xlabel("frequency (GHz)")
        axes[2].set_ylabel(r"linewidth (FWHM) $\Delta B$ (mT)")
        axes[2].set_xlim(left=0.0)
        axes[2].set_ylim(bottom=0.0)
        axes[2].set_title("linewidth", fontsize="medium")
    if title:
        figure.suptitle(title)
    return figure


def _color_cycle(n):
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.0, 0.85, max(n, 1))]
