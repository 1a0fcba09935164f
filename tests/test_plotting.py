"""Every figure of fastspin.plotting, drawn from small synthetic frames with the columns of the real producers.

No simulation runs here: the frames are built in the tests with the columns of ``dynamic_state_map``,
``phi_c_map``, ``critical_currents_linear``, ``torque_vs_angle``, ``switching_probability``, ``write_error_rate``,
``hysteresis_loop`` / ``loop_switching``, ``spectrum``, ``pimm``, ``st_fmr`` and ``fit_lineshape``, and the
tests check what each figure shows: labels with the units of ``display()``, values in display units, one line
or legend entry per curve family, the colours of the states, the marked NaN cells, the Wilson error bars.
"""

import math
import re
import sys
import types

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the figures need matplotlib: pip install 'fastspin[plot]'")
matplotlib.use("Agg")

from matplotlib import pyplot  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from fastspin import plotting  # noqa: E402
from fastspin.columns import attach_units  # noqa: E402
from fastspin.dynamics.outcomes import STATES  # noqa: E402
from fastspin.experiments import lineshape, loop_switching, spectral_line, wilson_interval  # noqa: E402
from fastspin.experiments.stfmr import FIT_COLUMNS  # noqa: E402

MA_CM2 = "MA/cm$^2$"


@pytest.fixture(autouse=True)
def _no_pyplot_figures():
    """The functions build bare Figures: no pyplot figure may be left open (and none is kept if one were)."""
    pyplot.close("all")
    yield
    opened = pyplot.get_fignums()
    pyplot.close("all")
    assert opened == [], "plotting opened pyplot figures"


def _suptitle(figure):
    return figure._suptitle.get_text() if figure._suptitle is not None else ""


def _texts(legend):
    return [t.get_text() for t in legend.get_texts()]


def _floats(values):
    """Line data as floats (error-bar lines keep the pandas values they were given as an object array)."""
    return np.asarray(values, dtype=float)


def _data_axes(figure):
    """The panels (not the colour bars) of a figure."""
    return [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]


# ------------------------------------------------------------------------------------------------------------
# synthetic frames with the producers' columns


def _state_frame(currents=(-2e11, -1e11, 0.0, 1e11), fields=(-0.02, 0.0, 0.02)):
    """Columns of ``dynamic_state_map`` (run_scan of DynamicsModel): P loses its state to in-plane precession
    at J <= -2e11, AP to out-of-plane precession at J >= 1e11 and positive field."""
    rows = []
    for start in ("P", "AP"):
        for field in fields:
            for current in currents:
                if start == "P":
                    state = "in_plane_precession" if current <= -2e11 else "parallel"
                else:
                    state = "out_of_plane_precession" if current >= 1e11 and field > 0 else "antiparallel"
                rows.append((start, field, current, state))
    n = len(rows)
    start, field, current, state = (list(c) for c in zip(*rows))
    sign = np.where(np.array(start) == "P", 1.0, -1.0)
    frame = pd.DataFrame(
        {
            "point": np.arange(n),
            "start": pd.array(start, dtype="string"),
            "field": field,
            "current_density": current,
            "mx": sign,
            "my": np.zeros(n),
            "mz": np.zeros(n),
            "state": pd.Categorical(state, categories=STATES),
            "settled": np.ones(n, dtype=bool),
            "switched": np.zeros(n, dtype=bool),
            "switching_time": np.full(n, np.nan),
            "first_crossing_time": np.full(n, np.nan),
            "frequency": np.where(np.char.endswith(state, "precession"), 5e9, np.nan),
            "amplitude": np.zeros(n),
            "mean_mx": sign,
            "mean_my": np.zeros(n),
            "mean_mz": np.zeros(n),
            "mean_cos_theta": sign,
            "mean_resistance": np.full(n, np.nan),
            "orbit_energy_ratio": np.ones(n),
            "duration": np.full(n, 5e-9),
            "start_stable": np.array([s in ("parallel", "antiparallel") for s in state]),
        }
    )
    return attach_units(frame)


def _phi_c_frame(betas=(0.1, 0.3, 0.5), gammas=(-0.4, -0.2, 0.0, 0.2), missing=((0.5, 0.2), (0.1, -0.4))):
    """Columns of ``phi_c_map`` (run_scan of PhiCModel: ``point``, the axes, then those of ``find_phi_c``)."""
    beta, gamma = (g.ravel() for g in np.meshgrid(betas, gammas, indexing="ij"))
    phi_c = 0.5 + beta + gamma  # rad, inside (0, pi)
    for b, g in missing:
        phi_c[(beta == b) & (gamma == g)] = np.nan
    n = len(beta)
    frame = pd.DataFrame(
        {
            "point": np.arange(n),
            "F1.beta": beta,
            "F1|N.gamma": gamma,
            "phi_c": phi_c,
            "n_zeros": np.where(np.isnan(phi_c), 0, 1),
            "a_0": np.full(n, 0.1),
            "a_pi": np.full(n, 0.2),
            "b_0": np.full(n, 1e-3),
            "b_pi": np.full(n, 5e-4),
        }
    )
    return attach_units(frame)


def _critical_frame():
    """Columns of ``critical_currents_linear``: NaN where the state is no energy minimum."""
    return attach_units(
        pd.DataFrame(
            {"field": [-0.02, 0.0, 0.02], "j_c_p": [-1.5e11, -2e11, -2.5e11], "j_c_ap": [np.nan, 1e11, 1.2e11]}
        )
    )


def _torque_frame(n=7):
    """Columns of ``torque_vs_angle``."""
    phi = np.linspace(0.0, math.pi, n)
    a = 0.1 + 0.05 * np.cos(phi)
    b = 0.01 * np.ones(n)
    columns = {
        "phi": phi,
        "tau_phi": a * np.sin(phi),
        "tau_x": b * np.sin(phi),
        "a": a,
        "b": b,
        "g_amplitude": np.ones(n),
        "phi_g": phi / 2,
        "resistance_change": 1e-15 * (1 - np.cos(phi)),
        "resistance_area": 1e-14 + 1e-15 * (1 - np.cos(phi)),
    }
    for magnet in ("F1", "F2"):
        for axis in "xyz":
            columns[f"torque_{magnet}_{axis}"] = np.zeros(n)
    return attach_units(pd.DataFrame(columns))


ENSEMBLE_COUNTS = {1e11: [20, 70, 100], 2e11: [60, 100, 100]}  # switched of 100 at widths 1, 2, 5 ns
ENSEMBLE_WIDTHS = [1e-9, 2e-9, 5e-9]


def _ensemble_frame(n=100):
    """Columns of ``switching_probability`` (the Wilson interval from the producer's own function)."""
    amplitude = np.repeat(list(ENSEMBLE_COUNTS), len(ENSEMBLE_WIDTHS))
    switched = np.concatenate([ENSEMBLE_COUNTS[a] for a in ENSEMBLE_COUNTS])
    low, high = wilson_interval(switched, n)
    frame = pd.DataFrame(
        {
            "amplitude": amplitude,
            "width": np.tile(ENSEMBLE_WIDTHS, len(ENSEMBLE_COUNTS)),
            "n": n,
            "switched": switched,
            "p_switch": switched / n,
            "p_low": low,
            "p_high": high,
            "wer": 1.0 - switched / n,
            "equilibrate": "boltzmann",
            "relax": 1e-9,
        }
    )
    return attach_units(frame, {"amplitude": "A/m^2", "switched": "1"})


def _fokker_planck_frame(currents=(1e11, 2e11, 3e11), widths=(0.5e-9, 1e-9, 2e-9, 5e-9, 10e-9)):
    """Columns of ``write_error_rate``; the strongest pulse's WER underflows to 0 (drawn at the floor)."""
    j, w = (g.ravel() for g in np.meshgrid(currents, widths, indexing="ij"))
    wer = np.exp(-(j / 1e11) * w / 0.3e-9)
    wer[wer < 1e-30] = 0.0
    frame = pd.DataFrame(
        {
            "current_density": j,
            "width": w,
            "wer": wer,
            "p_switch": 1.0 - wer,
            "relax": 1e-9,
            "delta": 40.0,
            "tau_zero_current": 1e7,
            "critical_current_density": 5e10,
        }
    )
    return attach_units(frame)


def _loop_frame(swept="field", amplitudes=(0.05, 0.01), points=11, coercive=0.02, resistance="resistance"):
    """Columns and attrs of ``hysteresis_loop``: a square loop switching at -coercive (down) and +coercive (up)
    of the swept value; a loop of amplitude below ``coercive`` never switches."""
    levels = np.concatenate([np.linspace(1.0, -1.0, points), np.linspace(-1.0, 1.0, points)])
    columns = {name: [] for name in ("loop", "branch", "step", swept, "m_axis")}
    for loop, amplitude in enumerate(amplitudes):
        m = 1.0
        for k, level in enumerate(levels):
            value = amplitude * level
            branch = "down" if k < points else "up"
            if branch == "down" and value <= -coercive:
                m = -1.0
            if branch == "up" and value >= coercive:
                m = 1.0
            for name, item in zip(columns, (loop, branch, k % points, value, m)):
                columns[name].append(item)
    m_axis = np.array(columns.pop("m_axis"))
    frame = pd.DataFrame(columns)
    frame["branch"] = pd.Categorical(frame["branch"], categories=("down", "up"))
    frame["mx"], frame["my"], frame["mz"], frame["m_axis"] = m_axis, 0.0, np.sqrt(1 - m_axis**2), m_axis
    if resistance == "resistance":
        frame["resistance"] = 100.0 + 50.0 * (1 - m_axis) / 2
    elif resistance == "resistance_area":
        frame["resistance_area"] = 1e-12 + 5e-13 * (1 - m_axis) / 2
    if swept == "field":
        frame["direction_x"], frame["direction_y"], frame["direction_z"] = 1.0, 0.0, 0.0
    frame.attrs.update(swept=swept, points=points, dwell=1e-9)
    return attach_units(frame)


SPECTRUM_FREQUENCY = np.arange(0.0, 20.0001e9, 0.05e9)
SPECTRUM_TEMPERATURES = [100.0, 100.0, 300.0, 300.0]


def _spectrum_frames():
    """``spectrum(..., psd=True)``'s ``(frame, spectra)``: three Lorentzian lines and one spectrum falling from
    f = 0 (no half maximum on its left: NaN linewidth), with the lines from ``spectral_line``."""
    f = SPECTRUM_FREQUENCY
    centres, widths = [5e9, 7e9, 9e9], [0.4e9, 0.6e9, 0.8e9]
    psd = [1e-9 / (1 + ((f - c) / (w / 2)) ** 2) for c, w in zip(centres, widths)]
    psd.append(1e-9 / (1 + f / 1e9))
    psd = np.array(psd)
    n = len(psd)
    frame = pd.DataFrame(
        {
            "trajectory": np.arange(n),
            "current_density": [1e11, 2e11, 1e11, 2e11],
            "temperature": SPECTRUM_TEMPERATURES,
        }
    )
    frame = pd.concat([frame, spectral_line(f, psd)], axis=1)
    frame["resolution"] = f[1] - f[0]
    attach_units(frame, {"peak_psd": "1/Hz", "power": "1"})
    spectra = pd.DataFrame(
        {"trajectory": np.repeat(np.arange(n), f.size), "frequency": np.tile(f, n), "psd": psd.ravel()}
    )
    return frame, attach_units(spectra, {"psd": "1/Hz"})


def _spectral_lines_frame(resolution=True):
    """A per-trajectory ``spectrum`` frame: 2 temperatures x 3 currents x 2 trajectories (the last current has
    one trajectory per temperature: no standard deviation)."""
    rows = []
    for temperature in (100.0, 300.0):
        for current, repeats in ((1e11, 2), (2e11, 2), (3e11, 1)):
            for r in range(repeats):
                peak = 5e9 + current / 1e11 * 1e9 + temperature * 1e6 + r * 0.2e9
                width = 20e6 + temperature * 0.1e6 + r * 4e6
                rows.append((current, temperature, peak, 1e-9, width, 1e-3))
    frame = pd.DataFrame(
        rows, columns=["current_density", "temperature", "peak_frequency", "peak_psd", "linewidth", "power"]
    )
    frame.insert(0, "trajectory", np.arange(len(frame)))
    if resolution:
        frame["resolution"] = 5e6
    return attach_units(frame, {"peak_psd": "1/Hz", "power": "1"})


def _pimm_frame():
    """Columns of ``pimm`` (a field step), the bias fields out of order."""
    field_x = np.array([0.03, 0.01, 0.02])
    n = len(field_x)
    frequency = 28e9 * np.sqrt(field_x * (field_x + 1.0))
    decay_rate = 2 * math.pi * 0.01 * frequency
    frame = pd.DataFrame(
        {
            "trajectory": np.arange(n),
            "field_x": field_x,
            "field_y": 0.0,
            "field_z": 0.0,
            "step_x": 0.0,
            "step_y": 1e-3,
            "step_z": 0.0,
            "frequency": frequency,
            "decay_rate": decay_rate,
            "decay_time": 1 / decay_rate,
            "linewidth": decay_rate / math.pi,
            "frequency_error": 1e6 * np.arange(1, n + 1),
            "decay_rate_error": 1e6 * np.arange(1, n + 1),
            "amplitude": 0.01,
            "offset": 0.0,
            "fit_residual": 1e-3,
            "fft_frequency": frequency * 1.01,
            "fft_linewidth": decay_rate / math.pi * 1.2,
            "relax_residual": 1e-9,
        }
    )
    return attach_units(frame)


ST_FMR_FREQUENCIES = [4e9, 6e9, 8e9, 10e9, 12e9]


def _resonance(frequency):
    return frequency / 28e9  # T


def _st_fmr_frames():
    """Columns of ``st_fmr`` and of ``fit_lineshape``: the 10 GHz fit failed (NaN), 12 GHz was not fitted."""
    fields = np.linspace(0.0, 0.6, 61)
    f, b = (g.ravel() for g in np.meshgrid(ST_FMR_FREQUENCIES, fields, indexing="ij"))
    v_mix = lineshape(b, _resonance(f), 0.01, 2e-6, 1e-6)
    frame = attach_units(pd.DataFrame({"frequency": f, "field": b, "v_mix": v_mix, "resistance": 100.0}))
    rows = []
    for frequency in ST_FMR_FREQUENCIES[:-1]:
        values = dict.fromkeys(FIT_COLUMNS, np.nan)
        if frequency != 10e9:
            values.update(zip(FIT_COLUMNS, (_resonance(frequency), 0.02, 2e-6, 1e-6, 0.0, 2.0)))
            values.update(resonance_field_err=1e-5, linewidth_err=1e-3 * frequency / 1e10)
            values.update(symmetric_err=1e-8, antisymmetric_err=1e-8, offset_err=1e-9, ratio_err=0.01)
            values.update(rms_residual=1e-9)
        rows.append({"frequency": frequency, **values})
    return frame, attach_units(pd.DataFrame(rows))


# ------------------------------------------------------------------------------------------------------------
# display: labels with units and the factor from SI


@pytest.mark.parametrize(
    ("column", "label", "factor"),
    [
        ("current_density", f"current density J ({MA_CM2})", 1e-10),
        ("field", "applied field B (mT)", 1e3),
        ("field_y", "applied field $B_y$ (mT)", 1e3),
        ("phi", r"angle $\varphi$ (deg)", 180.0 / math.pi),
        ("alpha", r"Gilbert damping $\alpha$", 1.0),
        ("voltage", "bias voltage V (mV)", 1e3),
        ("j_c_ap_dynamic", f"critical current density ({MA_CM2})", 1e-10),
        ("switching_time", "switching time (ns)", 1e9),
        ("F1|N.gamma", r"interface spin asymmetry $\gamma$ of F1|N", 1.0),
        ("not_a_known_column", "not_a_known_column", 1.0),
    ],
)
def test_display_gives_the_label_with_unit_and_the_si_factor(column, label, factor):
    assert plotting.display(column) == (label, pytest.approx(factor))


def test_display_of_a_stack_parameter_names_its_layer():
    label, factor = plotting.display("F2.thickness")
    assert "F2" in label and label.endswith("(nm)") and factor == pytest.approx(1e9)


# ------------------------------------------------------------------------------------------------------------
# plot_state_map


def test_state_map_panels_colours_legend_and_units():
    frame = _state_frame()
    figure = plotting.plot_state_map(frame, title="Dynamic states")
    axes = _data_axes(figure)
    assert [ax.get_title() for ax in axes] == ["start from P", "start from AP"]  # P first, whatever the row order
    for ax in axes:
        assert ax.get_xlabel() == f"current density J ({MA_CM2})"
        assert ax.get_ylabel() == "applied field B (mT)"
    assert _suptitle(figure) == "Dynamic states"

    present = ["parallel", "antiparallel", "in_plane_precession", "out_of_plane_precession"]  # STATE_COLORS order
    (legend,) = figure.legends
    assert _texts(legend) == [s.replace("_", " ") for s in present]  # unused categories are left out
    assert legend.get_title().get_text() == "state"
    assert [h.get_facecolor() for h in legend.legend_handles] == [to_rgba(plotting.STATE_COLORS[s]) for s in present]

    for ax, start in zip(axes, ("P", "AP")):
        mesh = ax.collections[0]
        assert [to_rgba(c) for c in mesh.get_cmap().colors] == [to_rgba(plotting.STATE_COLORS[s]) for s in present]
        part = frame[frame["start"] == start].sort_values(["field", "current_density"])
        codes = np.asarray(mesh.get_array()).reshape(3, 4)  # rows: fields, columns: currents
        expected = np.array([present.index(s) for s in part["state"].astype(str)]).reshape(3, 4)
        np.testing.assert_array_equal(codes, expected)
        corners = mesh.get_coordinates()  # cell edges in display units: MA/cm^2 and mT
        np.testing.assert_allclose(corners[0, :, 0], [-25.0, -15.0, -5.0, 5.0, 15.0])
        np.testing.assert_allclose(corners[:, 0, 1], [-30.0, -10.0, 10.0, 30.0])


def test_state_map_draws_the_linear_critical_currents_on_the_p_and_ap_panels():
    figure = plotting.plot_state_map(_state_frame(), critical=_critical_frame())
    p_panel, ap_panel = _data_axes(figure)
    for ax, column in ((p_panel, "j_c_p"), (ap_panel, "j_c_ap")):
        (line,) = ax.lines
        assert line.get_linestyle() == "--"
        np.testing.assert_allclose(line.get_xdata(), _critical_frame()[column] * 1e-10)  # MA/cm^2, NaN kept
        np.testing.assert_allclose(line.get_ydata(), [-20.0, 0.0, 20.0])  # mT
    assert _texts(figure.legends[0])[-1] == "linear stability $J_c$"


def test_state_map_gives_unknown_states_the_extra_colours_then_black_and_one_panel_without_facet():
    states = ["parallel", "zeta", "epsilon", "delta", "gamma", "beta"]  # five states fastspin does not know
    frame = pd.DataFrame({"current_density": np.arange(6) * 1e10, "field": 0.01, "state": states})
    figure = plotting.plot_state_map(frame, facet=None, critical=_critical_frame())
    (ax,) = _data_axes(figure)
    assert ax.get_title() == "" and len(ax.lines) == 0  # no P/AP panel: no critical line
    (legend,) = figure.legends
    assert _texts(legend) == ["parallel", "beta", "delta", "epsilon", "gamma", "zeta", "linear stability $J_c$"]
    colours = [h.get_facecolor() for h in legend.legend_handles[:-1]]
    expected = [plotting.STATE_COLORS["parallel"], *plotting._EXTRA_COLORS, "#000000"]
    assert colours == [to_rgba(c) for c in expected]
    np.testing.assert_allclose(ax.collections[0].get_coordinates()[:, 0, 1], [9.5, 10.5])  # one row: +-0.5 mT


def test_state_map_facet_missing_from_the_frame_is_one_panel():
    frame = _state_frame()
    figure = plotting.plot_state_map(frame[frame["start"] == "AP"].drop(columns="start"))
    (ax,) = _data_axes(figure)
    assert ax.get_title() == ""
    assert _texts(figure.legends[0]) == ["antiparallel", "out of plane precession"]


def test_state_map_of_a_frame_that_is_not_a_product_grid_is_a_value_error():
    with pytest.raises(ValueError, match=r"24 rows, not one per \(current_density, field\) pair \(4 x 3\)"):
        plotting.plot_state_map(_state_frame(), facet=None)  # both starts in one panel
    ragged = _state_frame().drop(index=[3])  # one cell of the P panel missing
    with pytest.raises(ValueError, match="another column varies too"):
        plotting.plot_state_map(ragged)
    repeated = pd.DataFrame(  # one (J, B) pair twice and another missing: the row count alone matches
        {
            "current_density": [0.0, 0.0, 1e10, 1e10],
            "field": [0.0, 0.0, 0.01, 0.0],
            "state": ["parallel", "antiparallel", "parallel", "parallel"],
        }
    )
    with pytest.raises(ValueError, match="not one per"):
        plotting.plot_state_map(repeated, facet=None)


# ------------------------------------------------------------------------------------------------------------
# plot_value_map, plot_phi_c_map, plot_phi_c_curves


def test_phi_c_map_masks_and_labels_the_cells_without_a_zero():
    frame = _phi_c_frame()
    figure = plotting.plot_phi_c_map(frame)
    (ax,) = _data_axes(figure)
    assert ax.get_xlabel() == r"interface spin asymmetry $\gamma$ of F1|N"
    assert ax.get_ylabel() == r"bulk spin asymmetry $\beta$ of F1"
    assert _suptitle(figure) == r"Zero $\varphi_c$ of the in-plane torque"
    mesh = ax.collections[0]
    assert mesh.colorbar.ax.get_ylabel() == r"zero $\varphi_c$ of the torque (deg)"
    values = mesh.get_array().reshape(3, 4)  # rows: beta, columns: gamma
    assert np.ma.getmaskarray(values).sum() == 2
    assert values.mask[2, 3] and values.mask[0, 0]  # (beta 0.5, gamma 0.2) and (beta 0.1, gamma -0.4)
    expected = np.degrees(frame.sort_values(["F1.beta", "F1|N.gamma"])["phi_c"].to_numpy()).reshape(3, 4)
    np.testing.assert_allclose(values.filled(np.nan), expected)
    assert _texts(ax.get_legend()) == [r"no zero in (0, $\pi$)"]
    assert to_rgba(ax.get_legend().legend_handles[0].get_facecolor()) == to_rgba("#dddddd") == ax.get_facecolor()
    finite = expected[np.isfinite(expected)]
    assert (mesh.norm.vmin, mesh.norm.vmax) == pytest.approx((finite.min(), finite.max()))


def test_value_map_facets_share_one_colour_scale_and_name_the_facet():
    thin, thick = _phi_c_frame(missing=()), _phi_c_frame(missing=())
    thin["F2.thickness"], thick["F2.thickness"] = 2e-9, 4e-9
    thick["phi_c"] += 1.0
    frame = pd.concat([thick, thin], ignore_index=True)
    figure = plotting.plot_value_map(
        frame, "F1|N.gamma", "F1.beta", "phi_c", facet="F2.thickness", title="two thicknesses", cmap="magma"
    )
    axes = _data_axes(figure)
    assert [ax.get_title() for ax in axes] == ["F2.thickness = 2e-09", "F2.thickness = 4e-09"]
    meshes = [ax.collections[0] for ax in axes]
    limits = np.degrees([frame["phi_c"].min(), frame["phi_c"].max()])
    for mesh in meshes:
        assert (mesh.norm.vmin, mesh.norm.vmax) == pytest.approx(tuple(limits))
        assert mesh.get_cmap().name == "magma"
    assert all(ax.get_legend() is None for ax in axes)  # no NaN: no legend
    assert _suptitle(figure) == "two thicknesses"
    assert len(figure.axes) == 3  # two panels and one shared colour bar


def test_value_map_of_only_nan_values_still_draws_and_names_them():
    frame = _phi_c_frame().assign(phi_c=np.nan)
    figure = plotting.plot_value_map(frame, "F1|N.gamma", "F1.beta", "phi_c", missing="nothing here")
    (ax,) = _data_axes(figure)
    mesh = ax.collections[0]
    assert np.ma.getmaskarray(mesh.get_array()).all()
    assert (mesh.norm.vmin, mesh.norm.vmax) == (0.0, 1.0)
    assert _texts(ax.get_legend()) == ["nothing here"]
    assert _suptitle(figure) == ""


def test_phi_c_curves_draw_one_line_per_chosen_value_in_degrees():
    frame = _phi_c_frame(betas=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7), missing=((0.4, 0.0),))
    figure = plotting.plot_phi_c_curves(frame.sample(frac=1.0, random_state=0), max_curves=4)
    (ax,) = figure.axes
    assert len(ax.lines) == 4 == len(ax.get_legend().get_texts())
    assert _texts(ax.get_legend()) == ["0.1", "0.3", "0.5", "0.7"]  # evenly chosen, first and last kept
    assert ax.get_legend().get_title().get_text() == r"bulk spin asymmetry $\beta$ of F1"
    assert ax.get_xlabel() == r"interface spin asymmetry $\gamma$ of F1|N"
    assert ax.get_ylabel() == r"zero $\varphi_c$ of the torque (deg)"
    assert ax.get_ylim() == (0.0, 180.0)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [-0.4, -0.2, 0.0, 0.2])  # sorted along x
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.degrees(0.5 + 0.1 + np.array([-0.4, -0.2, 0.0, 0.2])))
    figure = plotting.plot_phi_c_curves(frame)  # 7 values, at most 6 lines
    assert len(figure.axes[0].lines) == 6
    figure = plotting.plot_phi_c_curves(_phi_c_frame(missing=((0.5, 0.0),)), max_curves=10)
    assert len(figure.axes[0].lines) == 3
    assert np.isnan(figure.axes[0].lines[2].get_ydata()[2])  # a gap where there is no zero


# ------------------------------------------------------------------------------------------------------------
# plot_torque_vs_angle


def test_torque_vs_angle_draws_the_in_plane_and_out_of_plane_torques_in_degrees():
    frame = _torque_frame()
    figure = plotting.plot_torque_vs_angle(frame, title="Fig. 5")
    (ax,) = figure.axes
    tau_phi, tau_x, zero = ax.lines
    np.testing.assert_allclose(tau_phi.get_xdata(), np.linspace(0.0, 180.0, 7))
    np.testing.assert_allclose(tau_phi.get_ydata(), frame["tau_phi"])
    np.testing.assert_allclose(tau_x.get_ydata(), frame["tau_x"])
    assert (tau_phi.get_linestyle(), tau_x.get_linestyle()) == ("-", "--")
    assert list(zero.get_ydata()) == [0.0, 0.0]
    assert _texts(ax.get_legend()) == [r"$\tau_\varphi$ (in plane)", r"$\tau_x$ (out of plane)"]
    assert ax.get_xlabel() == r"angle $\varphi$ between the net spins (deg)"
    assert ax.get_ylabel() == r"torque ($\hbar I_0/|e|$)"
    assert ax.get_xlim() == (0.0, 180.0)
    assert ax.get_title() == "Fig. 5"


def test_torque_vs_angle_into_given_axes_in_units_of_pi_with_labels_and_line_options():
    from matplotlib.figure import Figure

    host = Figure()
    left, right = host.subplots(1, 2)
    frame = _torque_frame().iloc[2:]  # phi from pi/3 to pi
    drawn = plotting.plot_torque_vs_angle(
        frame, ax=right, columns=("a",), angle="pi", labels={"a": "slope"}, legend=False, color="red", linestyle=":"
    )
    assert drawn is host and len(left.lines) == 0
    line, _zero = right.lines
    np.testing.assert_allclose(line.get_xdata(), frame["phi"] / math.pi)
    assert right.get_xlim() == pytest.approx((1 / 3, 1.0))
    assert right.get_xlabel() == r"$\varphi/\pi$"
    assert right.get_ylabel() == r"prefactor $a$ ($\hbar I_0/|e|$)"  # one column: its own label
    assert line.get_label() == "slope" and line.get_linestyle() == ":" and to_rgba(line.get_color()) == to_rgba("red")
    assert right.get_legend() is None and right.get_title() == ""
    figure = plotting.plot_torque_vs_angle(frame, columns=("a", "b", "g_amplitude"))
    assert [line.get_linestyle() for line in figure.axes[0].lines[:3]] == ["-", "--", "-"]
    assert _texts(figure.axes[0].get_legend()) == [r"$a$ (in plane)", r"$b$ (out of plane)", "g_amplitude"]


def test_torque_vs_angle_refuses_an_unknown_angle_unit():
    with pytest.raises(ValueError, match="angle must be 'deg' or 'pi', got 'rad'"):
        plotting.plot_torque_vs_angle(_torque_frame(), angle="rad")


# ------------------------------------------------------------------------------------------------------------
# plot_critical_currents


def test_critical_currents_lines_and_dynamic_markers_in_display_units():
    linear = _critical_frame()
    dynamic = linear.assign(j_c_p=linear["j_c_p"] * 1.1, j_c_ap=linear["j_c_ap"] * 0.9)
    figure = plotting.plot_critical_currents(linear, dynamic, title="J_c")
    (ax,) = figure.axes
    assert [line.get_label() for line in ax.lines] == [
        "P: linear stability",
        "P: dynamic map",
        "AP: linear stability",
        "AP: dynamic map",
    ]
    assert _texts(ax.get_legend()) == [line.get_label() for line in ax.lines]
    p_line, p_markers, ap_line, ap_markers = ax.lines
    assert to_rgba(p_line.get_color()) == to_rgba(p_markers.get_color()) == to_rgba(plotting.STATE_COLORS["parallel"])
    assert to_rgba(ap_line.get_color()) == to_rgba(plotting.STATE_COLORS["antiparallel"])
    assert p_markers.get_marker() == "o" and p_markers.get_linestyle() == "None"
    np.testing.assert_allclose(p_line.get_xdata(), [-20.0, 0.0, 20.0])  # mT
    np.testing.assert_allclose(ap_markers.get_ydata(), [np.nan, 9.0, 10.8])  # MA/cm^2
    assert ax.get_xlabel() == "applied field B (mT)"
    assert ax.get_ylabel() == f"critical current density ({MA_CM2})"
    assert ax.get_title() == "J_c"
    figure = plotting.plot_critical_currents(linear)
    assert _texts(figure.axes[0].get_legend()) == ["P: linear stability", "AP: linear stability"]


# ------------------------------------------------------------------------------------------------------------
# plot_write_error_rate


def test_write_error_rate_draws_wilson_intervals_and_fokker_planck_curves_per_amplitude():
    ensemble, fokker_planck = _ensemble_frame(), _fokker_planck_frame()
    figure = plotting.plot_write_error_rate(ensemble, fokker_planck, floor=1e-10, title="WER")
    (ax,) = figure.axes
    assert ax.get_yscale() == "log" and ax.get_ylim() == pytest.approx((1e-10, 1.5))
    assert ax.get_xlabel() == "pulse width (ns)" and ax.get_ylabel() == "write error rate"
    assert ax.get_title() == "WER"
    assert _texts(ax.get_legend()) == [
        f"10 {MA_CM2}, Fokker-Planck",
        f"20 {MA_CM2}, Fokker-Planck",
        f"30 {MA_CM2}, Fokker-Planck",
        f"10 {MA_CM2}, stochastic LLGS",
        f"20 {MA_CM2}, stochastic LLGS",
    ]
    curves = [line for line in ax.lines if line.get_label().endswith("Fokker-Planck")]
    assert len(curves) == 3
    strongest = fokker_planck[fokker_planck["current_density"] == 3e11]
    np.testing.assert_allclose(curves[2].get_xdata(), strongest["width"] * 1e9)
    np.testing.assert_allclose(curves[2].get_ydata(), np.maximum(strongest["wer"], 1e-10))  # 0 drawn at the floor
    assert curves[2].get_ydata().min() == 1e-10

    assert len(ax.containers) == 2  # one error-bar series per ensemble amplitude
    for container, (amplitude, counts), curve in zip(ax.containers, ENSEMBLE_COUNTS.items(), curves):
        part = ensemble[ensemble["amplitude"] == amplitude]
        seen = part["wer"].to_numpy() > 0
        data_line, _caps, (bars,) = container.lines
        assert to_rgba(data_line.get_color()) == to_rgba(curve.get_color())  # one colour per amplitude
        np.testing.assert_allclose(_floats(data_line.get_xdata()), part["width"][seen] * 1e9)
        np.testing.assert_allclose(_floats(data_line.get_ydata()), part["wer"][seen])
        segments = np.array(bars.get_segments())  # (points, 2 ends, (x, y)): the Wilson interval of the WER
        np.testing.assert_allclose(segments[:, 0, 1], np.maximum(1 - part["p_high"][seen], 1e-10))
        np.testing.assert_allclose(segments[:, 1, 1], 1 - part["p_low"][seen])
        assert np.all(segments[:, 0, 1] < _floats(data_line.get_ydata())) and np.all(
            _floats(data_line.get_ydata()) < segments[:, 1, 1]
        )
        zeros = [line for line in ax.lines if line.get_marker() == "v" and line.get_color() == curve.get_color()]
        (triangles,) = zeros  # a WER of 0: a downward triangle at the top of its interval
        np.testing.assert_allclose(triangles.get_xdata(), part["width"][~seen] * 1e9)
        np.testing.assert_allclose(triangles.get_ydata(), 1 - part["p_low"][~seen])
        assert len(triangles.get_xdata()) == counts.count(100)


def test_write_error_rate_of_one_source_alone():
    figure = plotting.plot_write_error_rate(ensemble=_ensemble_frame())
    ax = figure.axes[0]
    assert _texts(ax.get_legend()) == [f"10 {MA_CM2}, stochastic LLGS", f"20 {MA_CM2}, stochastic LLGS"]
    assert ax.get_ylim() == pytest.approx((1e-12, 1.5))
    figure = plotting.plot_write_error_rate(fokker_planck=_fokker_planck_frame(currents=(1.5e11,)))
    ax = figure.axes[0]
    assert len(ax.containers) == 0 and len(ax.lines) == 1
    assert _texts(ax.get_legend()) == [f"15 {MA_CM2}, Fokker-Planck"]


def test_write_error_rate_of_voltage_pulses_is_labelled_in_millivolts():
    """A switching_probability frame of an MTJ driven by voltage pulses: its amplitudes are volts (attrs units)."""
    ensemble = _ensemble_frame()
    ensemble["amplitude"] = ensemble["amplitude"] / 2e11  # 0.5 V and 1.0 V
    ensemble.attrs["units"] = {**{c: "" for c in ensemble.columns}, "amplitude": "V"}
    figure = plotting.plot_write_error_rate(ensemble=ensemble)
    assert _texts(figure.axes[0].get_legend()) == ["500 mV, stochastic LLGS", "1000 mV, stochastic LLGS"]


# ------------------------------------------------------------------------------------------------------------
# plot_hysteresis_loop


def test_hysteresis_loop_draws_both_branches_per_loop_and_the_switching_fields():
    frame = _loop_frame()
    switching = loop_switching(frame)
    figure = plotting.plot_hysteresis_loop(frame, switching=switching, title="R-H")
    (ax,) = figure.axes
    assert ax.get_xlabel() == "applied field B (mT)"
    assert ax.get_ylabel() == "resistance (Ohm)"  # resistance by default when the device has one
    assert ax.get_title() == "R-H"
    branches = [line for line in ax.lines if line.get_linestyle() in ("-", "--")]
    assert [line.get_label() for line in branches] == ["loop 0, down", "loop 0, up", "loop 1, down", "loop 1, up"]
    assert _texts(ax.get_legend()) == [line.get_label() for line in branches]
    assert [line.get_linestyle() for line in branches] == ["-", "--", "-", "--"]
    down = frame[(frame["loop"] == 0) & (frame["branch"] == "down")]
    np.testing.assert_allclose(branches[0].get_xdata(), down["field"] * 1e3)
    np.testing.assert_allclose(branches[0].get_ydata(), down["resistance"])
    assert branches[0].get_color() == branches[1].get_color() != branches[2].get_color()
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dotted) == 2  # loop 0 switches on both branches; loop 1 (10 mT < 20 mT coercive) never: NaN
    assert sorted(line.get_xdata()[0] for line in dotted) == pytest.approx([-15.0, 15.0])  # mid-level
    assert all(line.get_color() == branches[0].get_color() for line in dotted)
    assert np.isnan(switching.loc[switching["loop"] == 1, "switching_field"]).all()


def test_hysteresis_loop_y_defaults_and_many_loops():
    figure = plotting.plot_hysteresis_loop(_loop_frame(resistance="resistance_area"))
    assert figure.axes[0].get_ylabel() == "resistance-area (Ohm m$^2$)"
    figure = plotting.plot_hysteresis_loop(_loop_frame(resistance=None))
    assert figure.axes[0].get_ylabel() == "$m$ along the easy axis"
    figure = plotting.plot_hysteresis_loop(
        _loop_frame(swept="current_density", amplitudes=(3e11,), coercive=1e11), y="mx"
    )
    (ax,) = figure.axes
    assert ax.get_xlabel() == f"current density J ({MA_CM2})" and ax.get_ylabel() == "mx"
    assert ax.get_xlim()[1] >= 30.0  # 3e11 A/m^2 = 30 MA/cm^2

    amplitudes = tuple(0.03 + 0.01 * k for k in range(10))
    figure = plotting.plot_hysteresis_loop(_loop_frame(amplitudes=amplitudes))
    (ax,) = figure.axes
    assert len(ax.lines) == 16 and ax.get_legend() is None  # 8 loops at most, unlabelled beyond 4
    assert all(line.get_label().startswith("_") for line in ax.lines)
    drawn = sorted({round(float(np.max(line.get_xdata()))) for line in ax.lines})
    assert drawn == [30, 40, 50, 60, 80, 90, 100, 120]  # evenly picked, first and last loop kept
    figure = plotting.plot_hysteresis_loop(_loop_frame(amplitudes=amplitudes[:5]), max_loops=3)
    assert len({line.get_color() for line in figure.axes[0].lines}) == 3


def test_hysteresis_loop_needs_the_swept_quantity_in_attrs():
    frame = _loop_frame()
    frame.attrs.pop("swept")
    with pytest.raises(ValueError, match="must come from hysteresis_loop"):
        plotting.plot_hysteresis_loop(frame)


# ------------------------------------------------------------------------------------------------------------
# plot_spectrum


def test_spectrum_psd_one_colour_and_legend_entry_per_hue_value_and_fwhm_bars():
    frame, spectra = _spectrum_frames()
    figure = plotting.plot_spectrum((frame, spectra), hue="temperature", title="PSD")
    (ax,) = figure.axes
    assert ax.get_yscale() == "log" and ax.get_title() == "PSD"
    assert ax.get_xlabel() == "frequency (GHz)" and ax.get_ylabel() == "power spectral density (signal$^2$/Hz)"
    assert _texts(ax.get_legend()) == ["100", "300"]  # two temperatures, four trajectories
    assert ax.get_legend().get_title().get_text() == "temperature (K)"
    psd_lines = [line for line in ax.lines if len(line.get_xdata()) == SPECTRUM_FREQUENCY.size]
    bars = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert len(psd_lines) == 4 and len(bars) == 3  # the spectrum without a half maximum gets no bar
    np.testing.assert_allclose(psd_lines[0].get_xdata(), SPECTRUM_FREQUENCY * 1e-9)
    np.testing.assert_allclose(psd_lines[3].get_ydata(), spectra.loc[spectra["trajectory"] == 3, "psd"])
    assert psd_lines[0].get_color() == psd_lines[1].get_color() != psd_lines[2].get_color() == psd_lines[3].get_color()
    for bar, (_, row) in zip(bars, frame.iloc[:3].iterrows()):
        np.testing.assert_allclose(
            bar.get_xdata(), (row["peak_frequency"] + np.array([-0.5, 0.5]) * row["linewidth"]) * 1e-9
        )
        np.testing.assert_allclose(bar.get_ydata(), [row["peak_psd"] / 2] * 2)
    np.testing.assert_allclose(frame["linewidth"].iloc[:3], [0.4e9, 0.6e9, 0.8e9], rtol=0.02)  # the lines are right


def test_spectrum_psd_without_hue_labels_trajectories():
    frame, spectra = _spectrum_frames()
    figure = plotting.plot_spectrum(spectra, log=False)
    (ax,) = figure.axes
    assert ax.get_yscale() == "linear" and ax.get_title() == ""
    assert len(ax.lines) == 4  # no per-trajectory frame: no FWHM bars
    assert _texts(ax.get_legend()) == ["0", "1", "2", "3"]
    assert ax.get_legend().get_title().get_text() == "trajectory"
    figure = plotting.plot_spectrum((frame, spectra))
    assert len(figure.axes[0].lines) == 7 and _texts(figure.axes[0].get_legend()) == ["0", "1", "2", "3"]


def test_spectral_lines_mean_and_spread_per_x_one_series_per_hue():
    frame = _spectral_lines_frame()
    figure = plotting.plot_spectrum(frame, x="current_density", hue="temperature", title="lines")
    frequency_ax, width_ax = figure.axes
    assert _suptitle(figure) == "lines"
    for ax in (frequency_ax, width_ax):
        assert ax.get_xlabel() == f"current density J ({MA_CM2})"
        assert len(ax.containers) == 2  # one series per temperature
    assert frequency_ax.get_ylabel() == "peak frequency (GHz)" and width_ax.get_ylabel() == "linewidth FWHM (MHz)"
    assert _texts(width_ax.get_legend()) == ["Hann window (1.44 bins)", "100", "300"]  # lines first
    assert width_ax.get_legend().get_title().get_text() == "temperature (K)"
    (resolution,) = [line for line in width_ax.lines if line.get_linestyle() == ":"]
    assert resolution.get_ydata()[0] == pytest.approx(1.44 * 5.0)  # MHz
    part = frame[frame["temperature"] == 100.0]
    stats = part.groupby("current_density")["peak_frequency"].agg(["mean", "std"])
    data_line, _caps, (bars,) = frequency_ax.containers[0].lines
    np.testing.assert_allclose(_floats(data_line.get_xdata()), [10.0, 20.0, 30.0])
    np.testing.assert_allclose(_floats(data_line.get_ydata()), stats["mean"] * 1e-9)
    spread = np.array([s[1, 1] - s[0, 1] for s in bars.get_segments()]) / 2
    np.testing.assert_allclose(spread, stats["std"].fillna(0.0) * 1e-9)  # one trajectory: no spread
    assert spread[-1] == 0.0


def test_spectral_lines_without_hue_or_resolution_and_without_x():
    frame = _spectral_lines_frame(resolution=False)
    figure = plotting.plot_spectrum(frame, x="temperature")
    frequency_ax, width_ax = figure.axes
    assert width_ax.get_legend() is None and _suptitle(figure) == ""
    assert frequency_ax.get_xlabel() == "temperature (K)"
    assert len(frequency_ax.containers) == 1
    figure = plotting.plot_spectrum(_spectral_lines_frame(), x="temperature")
    assert _texts(figure.axes[1].get_legend()) == ["Hann window (1.44 bins)"]
    with pytest.raises(ValueError, match="needs x="):
        plotting.plot_spectrum(frame)


# ------------------------------------------------------------------------------------------------------------
# plot_pimm


def test_pimm_fit_and_fft_against_the_bias_field_with_a_reference():
    frame = _pimm_frame()
    order = np.argsort(frame["field_x"].to_numpy())
    reference = pd.DataFrame({"field_x": np.linspace(0.0, 0.04, 5)})
    reference["frequency"] = 28e9 * np.sqrt(reference["field_x"] * (reference["field_x"] + 1.0))
    reference["linewidth"] = 0.02 * reference["frequency"]
    figure = plotting.plot_pimm(frame, reference=reference)
    frequency_ax, width_ax = figure.axes
    assert _suptitle(figure) == "PIMM ring-down"
    for ax in (frequency_ax, width_ax):
        assert ax.get_xlabel() == "applied field $B_x$ (mT)"
    assert frequency_ax.get_ylabel() == "frequency (GHz)" and width_ax.get_ylabel() == "linewidth FWHM (MHz)"
    assert _texts(frequency_ax.get_legend()) == ["FFT peak", "reference", "damped-sinusoid fit"]
    assert _texts(width_ax.get_legend()) == ["FFT FWHM", "reference", r"fit $1/(\pi\tau)$"]
    fit_line, _caps, (bars,) = frequency_ax.containers[0].lines
    np.testing.assert_allclose(_floats(fit_line.get_xdata()), [10.0, 20.0, 30.0])  # sorted, mT
    np.testing.assert_allclose(_floats(fit_line.get_ydata()), frame["frequency"].to_numpy()[order] * 1e-9)
    half = np.array([s[1, 1] - s[0, 1] for s in bars.get_segments()]) / 2
    np.testing.assert_allclose(half, frame["frequency_error"].to_numpy()[order] * 1e-9)
    width_line, _caps, (width_bars,) = width_ax.containers[0].lines
    np.testing.assert_allclose(_floats(width_line.get_ydata()), frame["linewidth"].to_numpy()[order] * 1e-6)
    half = np.array([s[1, 1] - s[0, 1] for s in width_bars.get_segments()]) / 2
    np.testing.assert_allclose(half, frame["decay_rate_error"].to_numpy()[order] / math.pi * 1e-6)
    (fft_line,) = [line for line in frequency_ax.lines if line.get_label() == "FFT peak"]
    assert fft_line.get_marker() == "s" and fft_line.get_markerfacecolor() == "none"
    np.testing.assert_allclose(fft_line.get_ydata(), frame["fft_frequency"].to_numpy()[order] * 1e-9)
    (reference_line,) = [line for line in width_ax.lines if line.get_label() == "reference"]
    np.testing.assert_allclose(reference_line.get_ydata(), reference["linewidth"] * 1e-6)


def test_pimm_without_reference_or_title():
    figure = plotting.plot_pimm(_pimm_frame(), title=None)
    assert _suptitle(figure) == ""
    assert [len(ax.get_legend().get_texts()) for ax in figure.axes] == [2, 2]


# ------------------------------------------------------------------------------------------------------------
# plot_st_fmr


def test_st_fmr_sweeps_alone_one_colour_per_frequency():
    frame, _fit = _st_fmr_frames()
    figure = plotting.plot_st_fmr(frame, max_curves=3, title=None)
    (ax,) = figure.axes
    assert _suptitle(figure) == ""
    assert _texts(ax.get_legend()) == ["4 GHz", "8 GHz", "12 GHz"]  # evenly chosen of five
    assert ax.get_legend().get_title().get_text() == "frequency"
    assert ax.get_xlabel() == "applied field B (mT)" and ax.get_ylabel() == r"mixing voltage $V_\mathrm{mix}$ ($\mu$V)"
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(markers) == 3 and len({line.get_color() for line in markers}) == 3
    sweep = frame[frame["frequency"] == 8e9]
    np.testing.assert_allclose(markers[1].get_xdata(), sweep["field"] * 1e3)
    np.testing.assert_allclose(markers[1].get_ydata(), sweep["v_mix"] * 1e6)


def test_st_fmr_with_fit_draws_lineshapes_dispersion_and_linewidths_without_failed_fits():
    frame, fit = _st_fmr_frames()
    figure = plotting.plot_st_fmr(frame, fit)
    sweeps, dispersion, linewidth = figure.axes
    assert _suptitle(figure) == "ST-FMR mixing voltage"
    assert len(_texts(sweeps.get_legend())) == 5
    assert sweeps.get_legend().get_title().get_text() == "frequency (fit dashed)"
    dashed = [line for line in sweeps.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 3  # 10 GHz failed (NaN), 12 GHz not fitted
    markers = [line for line in sweeps.lines if line.get_marker() == "o"]
    assert [line.get_color() for line in dashed] == [markers[k].get_color() for k in (0, 1, 2)]
    row = fit.iloc[1]
    fine = np.linspace(0.0, 0.6, 400)
    np.testing.assert_allclose(dashed[1].get_xdata(), fine * 1e3)
    expected = lineshape(fine, row["resonance_field"], 0.5 * row["linewidth"], row["symmetric"], row["antisymmetric"])
    np.testing.assert_allclose(dashed[1].get_ydata(), expected * 1e6)
    (points,) = dispersion.lines
    np.testing.assert_allclose(points.get_xdata(), [_resonance(f) * 1e3 for f in (4e9, 6e9, 8e9)])
    np.testing.assert_allclose(points.get_ydata(), [4.0, 6.0, 8.0])
    assert dispersion.get_xlabel() == "resonance field $B_0$ (mT)" and dispersion.get_ylabel() == "frequency (GHz)"
    assert dispersion.get_title() == "dispersion"
    (container,) = linewidth.containers
    data_line, _caps, (bars,) = container.lines
    np.testing.assert_allclose(_floats(data_line.get_xdata()), [4.0, 6.0, 8.0])
    np.testing.assert_allclose(_floats(data_line.get_ydata()), [20.0, 20.0, 20.0])  # mT
    half = np.array([s[1, 1] - s[0, 1] for s in bars.get_segments()]) / 2
    np.testing.assert_allclose(half, [0.4, 0.6, 0.8])  # linewidth_err in mT
    assert linewidth.get_xlim()[0] == 0.0 and linewidth.get_ylim()[0] == 0.0
    assert linewidth.get_ylabel() == r"linewidth (FWHM) $\Delta B$ (mT)"


# ------------------------------------------------------------------------------------------------------------
# use_publication_style and missing columns


def test_publication_style_sets_the_rc_settings(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)  # no IPython: nothing to switch on
    before = {key: matplotlib.rcParams[key] for key in plotting.PUBLICATION_STYLE}
    with matplotlib.rc_context():  # the style is global: restored when the test ends
        plotting.use_publication_style()
        for key, value in plotting.PUBLICATION_STYLE.items():
            assert matplotlib.rcParams[key] == value, key
    assert {key: matplotlib.rcParams[key] for key in plotting.PUBLICATION_STYLE} == before


def test_publication_style_turns_on_inline_figures_in_a_jupyter_kernel_only(monkeypatch):
    calls = []
    shell = types.SimpleNamespace(kernel=object(), run_line_magic=lambda *args: calls.append(args))
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)
    with matplotlib.rc_context():
        plotting.use_publication_style()
    assert calls == [("matplotlib", "inline")]
    fake.get_ipython = lambda: types.SimpleNamespace(kernel=None, run_line_magic=lambda *args: calls.append(args))
    with matplotlib.rc_context():
        plotting.use_publication_style()  # a terminal IPython: no kernel
    fake.get_ipython = lambda: None
    with matplotlib.rc_context():
        plotting.use_publication_style()  # a plain script
    assert calls == [("matplotlib", "inline")]


MISSING = [
    ("state", lambda: plotting.plot_state_map(_state_frame().drop(columns="state"))),
    ("field", lambda: plotting.plot_state_map(_state_frame().drop(columns="field"))),
    ("phi_c", lambda: plotting.plot_phi_c_map(_phi_c_frame().drop(columns="phi_c"))),
    ("F1.beta", lambda: plotting.plot_phi_c_curves(_phi_c_frame().drop(columns="F1.beta"))),
    ("tau_x", lambda: plotting.plot_torque_vs_angle(_torque_frame().drop(columns="tau_x"))),
    ("j_c_ap", lambda: plotting.plot_critical_currents(_critical_frame().drop(columns="j_c_ap"))),
    ("p_high", lambda: plotting.plot_write_error_rate(_ensemble_frame().drop(columns="p_high"))),
    ("m_axis", lambda: plotting.plot_hysteresis_loop(_loop_frame(resistance=None).drop(columns="m_axis"))),
    ("trajectory", lambda: plotting.plot_spectrum(_spectrum_frames()[1].drop(columns="trajectory"))),
    ("fft_linewidth", lambda: plotting.plot_pimm(_pimm_frame().drop(columns="fft_linewidth"))),
    ("v_mix", lambda: plotting.plot_st_fmr(_st_fmr_frames()[0].drop(columns="v_mix"))),
]


@pytest.mark.parametrize(("column", "draw"), MISSING, ids=[column for column, _ in MISSING])
def test_a_missing_column_is_an_error_naming_it(column, draw):
    with pytest.raises(ValueError, match=rf"no column '{re.escape(column)}'"):
        draw()


def test_spectrum_without_its_line_frame_labels_the_legend_by_trajectory_even_with_a_hue():
    """The hue is a column of the per-trajectory frame: without it the curves are the trajectories, titled so."""
    _, spectra = _spectrum_frames()
    figure = plotting.plot_spectrum(spectra, hue="temperature")
    legend = figure.axes[0].get_legend()
    assert legend.get_title().get_text() == "trajectory"
    assert _texts(legend) == [f"{k:g}" for k in sorted(spectra["trajectory"].unique())]
