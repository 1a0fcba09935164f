"""Plots: lazy matplotlib import, legends of states, labels with units, data drawn where they belong."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fastspin import plotting


def state_frame():
    currents = np.array([-2e11, 0.0, 2e11])
    fields = np.array([-0.01, 0.01])
    rows = []
    for start in ("AP", "P"):
        for b in fields:
            for j in currents:
                state = {"P": "parallel", "AP": "antiparallel"}[start] if j >= 0 else "in_plane_precession"
                rows.append({"start": start, "field": b, "current_density": j, "state": state})
    return pd.DataFrame(rows)


def test_matplotlib_is_imported_only_when_drawing():
    code = "import sys, fastspin.plotting, fastspin.scan, fastspin.cli; print('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_state_map_has_one_panel_per_start_a_legend_of_states_and_units():
    critical = pd.DataFrame({"field": [-0.01, 0.01], "j_c_p": [-1e11, -1.2e11], "j_c_ap": [-0.5e11, -0.6e11]})
    figure = plotting.plot_state_map(state_frame(), critical=critical)
    axes = [ax for ax in figure.axes if ax.get_xlabel()]
    assert [ax.get_title() for ax in axes] == ["start from P", "start from AP"]
    assert axes[0].get_xlabel() == "current density J (MA/cm$^2$)" and axes[0].get_ylabel() == "applied field B (mT)"
    (legend,) = figure.legends
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["parallel", "antiparallel", "in plane precession", "linear stability $J_c$"]
    mesh = axes[0].collections[0]
    codes = np.asarray(mesh.get_array()).reshape(2, 3)  # rows: fields, columns: currents
    assert codes[:, 0].tolist() == [2, 2] and codes[:, 1:].ravel().tolist() == [0, 0, 0, 0]
    line = axes[0].lines[0]  # the P critical current, in display units
    np.testing.assert_allclose(line.get_xdata(), [-10.0, -12.0])
    np.testing.assert_allclose(line.get_ydata(), [-10.0, 10.0])


def test_value_map_marks_missing_values_and_labels_the_colour_bar():
    frame = pd.DataFrame(
        {
            "F1|N.gamma": np.repeat([-0.2, 0.0, 0.2], 2),
            "F1.beta": np.tile([0.1, 0.2], 3),
            "phi_c": [1.0, 0.5, 0.8, np.nan, 0.6, np.nan],
        }
    )
    figure = plotting.plot_phi_c_map(frame)
    ax = figure.axes[0]
    assert ax.get_xlabel() == "interface spin asymmetry $\\gamma$ of F1|N"
    assert ax.get_ylabel() == "bulk spin asymmetry $\\beta$ of F1"
    assert figure.axes[1].get_ylabel() == "zero $\\varphi_c$ of the torque (deg)"
    values = ax.collections[0].get_array()
    assert np.ma.count_masked(values) == 2
    np.testing.assert_allclose(np.ma.compressed(values), np.degrees([1.0, 0.8, 0.6, 0.5]))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no zero in (0, $\\pi$)"]


def test_grid_must_be_one_row_per_pair():
    frame = state_frame()
    with pytest.raises(ValueError, match="another column varies too"):
        plotting.plot_state_map(frame, facet=None)


def test_torque_versus_angle_plot():
    from fastspin.presets import barnas2005
    from fastspin.transport import torque_vs_angle

    frame = torque_vs_angle(barnas2005("fig5"), np.linspace(0, np.pi, 19))
    figure = plotting.plot_torque_vs_angle(frame)
    (ax,) = figure.axes
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.linspace(0, 180, 19))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), frame["tau_phi"])
    assert ax.get_xlabel().endswith("(deg)") and "hbar" in ax.get_ylabel()


def test_critical_current_plot_shows_linear_lines_and_dynamic_markers():
    linear = pd.DataFrame(
        {"field": [-0.01, 0.0, 0.01], "j_c_p": [-7e12, -7.5e12, -8e12], "j_c_ap": [-1.7e12, -1.75e12, -1.8e12]}
    )
    dynamic = linear.assign(j_c_p=linear["j_c_p"] + 1e11)
    figure = plotting.plot_critical_currents(linear, dynamic)
    (ax,) = figure.axes
    assert [line.get_label() for line in ax.lines] == [
        "P: linear stability",
        "P: dynamic map",
        "AP: linear stability",
        "AP: dynamic map",
    ]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [-690.0, -740.0, -790.0])  # MA/cm^2
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [-10.0, 0.0, 10.0])  # mT
    assert ax.get_ylabel() == "critical current density (MA/cm$^2$)"
