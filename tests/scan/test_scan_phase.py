"""Phase diagrams: phi_c of the Fig. 5 stack and its inset, critical currents linear vs dynamic, bistability."""

import json
import math
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from fastspin.analysis import collinear_prefactors, critical_currents_dynamic, critical_currents_linear, find_phi_c
from fastspin.constants import GAMMA_E, MU0
from fastspin.conventions import stt_field_tesla
from fastspin.presets import barnas2005
from fastspin.scan import Axis, DynamicsModel, PhiCModel, ScanSpec, run_scan
from fastspin.transport import torque_vs_angle

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "phi_c_fig5.json").read_text())

JIT = not numba.config.DISABLE_JIT


def tau_phi(stack, phi):
    return torque_vs_angle(stack, np.array([phi]))["tau_phi"].iloc[0]


def test_fig5_zero_matches_a_scalar_root_finder_and_the_recorded_value():
    frame = run_scan(ScanSpec(PhiCModel("fig5"), {"F1.beta": [0.1]}), progress=False)
    stack = barnas2005("fig5")
    reference = brentq(lambda phi: tau_phi(stack, phi), 0.05, 3.0, xtol=1e-14)
    assert 0 < frame["phi_c"].iloc[0] < math.pi and frame["n_zeros"].iloc[0] == 1
    assert abs(frame["phi_c"].iloc[0] - reference) < 1e-10
    assert abs(frame["phi_c"].iloc[0] - FIXTURE["fig5_phi_c"]) < 1e-10  # 0.88182841 rad = 50.52 deg
    # the torque changes sign there, from the sign of a(0) to the sign of a(pi)
    a_0, a_pi = frame["a_0"].iloc[0], frame["a_pi"].iloc[0]
    assert np.sign(tau_phi(stack, reference - 0.1)) == np.sign(a_0) == -np.sign(a_pi)
    assert np.sign(tau_phi(stack, reference + 0.1)) == np.sign(a_pi)


def test_inset_dependence_on_gamma1_for_several_beta1():
    inset = FIXTURE["inset"]
    spec = ScanSpec(PhiCModel("fig5"), [Axis("F1.beta", inset["beta1"]), Axis("F1|N.gamma", inset["gamma1"])])
    frame = run_scan(spec, progress=False)
    for beta1, recorded in zip(inset["beta1"], inset["phi_c"]):
        part = frame[frame["F1.beta"] == beta1]
        phi_c = part["phi_c"].to_numpy()
        expected = np.array([np.nan if v is None else v for v in recorded])
        np.testing.assert_allclose(phi_c, expected, rtol=0, atol=1e-9, equal_nan=True)
        # a zero exists exactly where the slopes at 0 and pi have opposite signs
        exists = (part["a_0"] * part["a_pi"] < 0).to_numpy()
        np.testing.assert_array_equal(np.isfinite(phi_c), exists)
        # phi_c falls monotonically as gamma1 grows, towards 0 where a(0) changes sign
        assert np.all(np.diff(phi_c[exists]) < 0)
        assert exists[0] and not exists[-1]
    # larger beta1 moves the zero to smaller angles at fixed gamma1 (the curves of the inset are ordered)
    by_beta = frame.pivot(index="F1|N.gamma", columns="F1.beta", values="phi_c").dropna()
    assert np.all(np.diff(by_beta.to_numpy(), axis=1) < 0)
    # a few points against an independent scalar root finder on torque_vs_angle
    for beta1, gamma1 in ((0.05, -0.8), (0.2, -0.5), (0.1, 0.1)):
        stack = barnas2005("fig5", beta1=beta1, gamma1=gamma1)
        reference = brentq(lambda phi, stack=stack: tau_phi(stack, phi), 1e-3, math.pi - 1e-3, xtol=1e-14)
        value = frame[(frame["F1.beta"] == beta1) & np.isclose(frame["F1|N.gamma"], gamma1)]["phi_c"].iloc[0]
        assert abs(value - reference) < 1e-10


def test_reversing_the_thick_layer_asymmetries_maps_phi_c_to_pi_minus_phi_c():
    """With real G_mix, (beta1, gamma1) -> (-beta1, -gamma1) is F1 reversed: tau(phi) -> -tau(pi - phi)."""
    betas = np.array([0.0, 0.05, 0.1])
    gammas = np.linspace(-0.4, 0.4, 9)
    spec = ScanSpec(
        PhiCModel("fig5", overrides={"im_gmix": 0.0}),
        [Axis("F1.beta", np.concatenate([-betas[::-1], betas[1:]])), Axis("F1|N.gamma", gammas)],
    )
    frame = run_scan(spec, progress=False)
    table = frame.pivot(index="F1.beta", columns="F1|N.gamma", values="phi_c")
    flipped = math.pi - table.to_numpy()[::-1, ::-1]
    np.testing.assert_allclose(table.to_numpy(), flipped, rtol=0, atol=1e-9, equal_nan=True)
    assert abs(table.loc[0.0, 0.0] - math.pi / 2) < 1e-9  # an unpolarised thick layer: zero at 90 degrees


def test_phi_c_over_thicknesses_matches_scalar_root_finder():
    spec = ScanSpec(
        PhiCModel("fig5"),
        [Axis("N.thickness", [2.0, 10.0, 40.0], unit="nm"), Axis("F2.thickness", [3.0, 10.0], unit="nm")],
        chunk_size=4,
    )
    frame = run_scan(spec, progress=False)
    assert frame["n_zeros"].eq(1).all()
    for _, row in frame.iterrows():
        stack = barnas2005("fig5", d0=row["N.thickness"], d2=row["F2.thickness"])
        reference = brentq(lambda phi, stack=stack: tau_phi(stack, phi), 1e-3, math.pi - 1e-3, xtol=1e-14)
        assert abs(row["phi_c"] - reference) < 1e-10


def test_find_phi_c_reports_no_zero_for_the_co_cu_valve_and_checks_arguments():
    frame = find_phi_c(barnas2005("i"))
    assert np.isnan(frame["phi_c"].iloc[0]) and frame["n_zeros"].iloc[0] == 0
    assert frame["a_0"].iloc[0] > 0 and frame["a_pi"].iloc[0] > 0  # Table I (i): normal torque
    with pytest.raises(ValueError, match="'phi' is what is searched"):
        find_phi_c(barnas2005("fig5"), {"phi": [1.0]})
    with pytest.raises(ValueError, match="n_coarse"):
        find_phi_c(barnas2005("fig5"), n_coarse=1)


@pytest.fixture(scope="module")
def fig5_model():
    return DynamicsModel(preset="fig5", duration=5e-9)


def linear_trace(model, start, field, current):
    """Trace of the linearised LLGS about P or AP (rad/s), from the collinear slopes of the torque."""
    p = model.parameters
    pre = collinear_prefactors(model.torque)
    s = 1.0 if start == "P" else -1.0
    a_n, b_n = (pre["a_0"], pre["b_0"]) if s > 0 else (pre["a_pi"], pre["b_pi"])
    a_j = stt_field_tesla(current, p["ms"], p["thickness"], 2 * a_n)
    b_j = stt_field_tesla(current, p["ms"], p["thickness"], 2 * b_n)
    h1 = s * (field + b_j) + p["anisotropy_field"]
    h2 = h1 + MU0 * p["ms"]
    alpha = p["alpha"]
    return GAMMA_E / (1 + alpha**2) * (2 * s * a_j - alpha * (h1 + h2))


def test_orbit_energy_decays_or_grows_at_the_rate_of_the_linearised_equation(fig5_model):
    """The window-averaged orbit energy of the two halves of the analysis window (0.2 of 5 ns: centres
    0.5 ns apart) changes by exp(trace * 0.5 ns), the trace of the linearised LLGS about the start state
    (measured: within 0.0059 of the predicted logarithm, which is 0.92 to 3.3 in magnitude)."""
    currents = np.linspace(-1.5e12, 1.5e12, 5)
    spec = ScanSpec(
        fig5_model, [Axis("start", ["P", "AP"]), Axis("field", [0.0, 0.02]), Axis("current_density", currents)]
    )
    frame = run_scan(spec, progress=False)
    first = frame[frame["duration"] == 5e-9]
    span = 0.5 * fig5_model.parameters["window"] * 5e-9
    predicted = np.array(
        [linear_trace(fig5_model, r.start, r.field, r.current_density) * span for r in first.itertuples()]
    )
    measured = np.log(first["orbit_energy_ratio"].to_numpy())
    assert np.all(np.abs(predicted) > 0.15)  # the runs see a real growth or decay
    np.testing.assert_allclose(measured, predicted, rtol=0, atol=0.02)


@pytest.mark.compiled
def test_critical_currents_linear_and_dynamic_agree_within_the_grid_spacing(fig5_model):
    fields = np.array([-0.03, 0.0, 0.03])
    currents = np.linspace(-1.0e13, 0.0, 21)  # both thresholds lie at J < 0 for this stack
    spec = ScanSpec(fig5_model, [Axis("start", ["P", "AP"]), Axis("field", fields), Axis("current_density", currents)])
    frame = run_scan(spec, progress=False)
    linear = critical_currents_linear(fig5_model.torque, fig5_model.layer(), fields)
    dynamic = critical_currents_dynamic(frame)
    step = currents[1] - currents[0]
    for column in ("j_c_p", "j_c_ap"):
        assert np.all(np.isfinite(linear[column])) and np.all(np.isfinite(dynamic[column]))
        np.testing.assert_array_less(np.abs(linear[column] - dynamic[column]), step / 2 + 1e-6 * step)
    # the wavy torque of Fig. 5: one current direction destabilises both P and AP
    assert np.all(np.sign(linear["j_c_p"]) == np.sign(linear["j_c_ap"]))
    # the table of the transport engine and the spline the dynamics integrates give the same thresholds
    exact = critical_currents_linear(barnas2005("fig5"), fig5_model.layer(), fields)
    np.testing.assert_allclose(exact[["j_c_p", "j_c_ap"]], linear[["j_c_p", "j_c_ap"]], rtol=1e-6)


@pytest.mark.compiled
def test_zero_current_hysteresis_follows_the_anisotropy_field(fig5_model):
    """Stoner-Wohlfarth along the easy axis: P survives B > -B_k, AP survives B < B_k (bistable in between)."""
    fields = np.linspace(-0.1, 0.1, 21)
    spec = ScanSpec(fig5_model, [Axis("start", ["P", "AP"]), Axis("field", fields), Axis("current_density", [0.0])])
    frame = run_scan(spec, progress=False)
    b_k = fig5_model.parameters["anisotropy_field"]
    for start, survives in (("P", fields > -b_k), ("AP", fields < b_k)):
        part = frame[frame["start"] == start]
        clear = np.abs(np.abs(fields) - b_k) > 1e-9  # exactly at B = +-B_k the state is marginal
        np.testing.assert_array_equal(part["start_stable"].to_numpy()[clear], survives[clear])
    start_state = np.where(frame["start"] == "P", "parallel", "antiparallel")
    state = frame["state"].astype(str).to_numpy()
    marginal = np.abs(np.abs(frame["field"].to_numpy()) - b_k) < 1e-9  # no minimum, yet nothing drives it away
    np.testing.assert_array_equal((state == start_state)[~marginal], frame["start_stable"].to_numpy()[~marginal])
    both = frame.pivot(index="field", columns="start", values="start_stable")
    assert both[(both.index > -b_k + 1e-9) & (both.index < b_k - 1e-9)].all(axis=None)


def test_zero_field_states_of_the_wavy_torque():
    """Barnas 2005 Sec. V: one current sign destabilises both P and AP (no collinear state survives at
    zero field), the other stabilises both (bistable)."""
    model = DynamicsModel(preset="fig5", duration=20e-9)
    j_c = critical_currents_linear(model.torque, model.layer(), [0.0]).iloc[0]
    destabilising = 1.5 * max(j_c["j_c_p"], j_c["j_c_ap"], key=abs)
    spec = ScanSpec(model, [Axis("start", ["P", "AP"]), Axis("current_density", [-destabilising, destabilising])])
    frame = run_scan(spec, progress=False).set_index(["start", "current_density"])
    for start in ("P", "AP"):
        assert frame.loc[(start, -destabilising), "state"] == {"P": "parallel", "AP": "antiparallel"}[start]
        assert frame.loc[(start, destabilising), "state"] not in ("parallel", "antiparallel")
        assert not frame.loc[(start, destabilising), "start_stable"]


def test_dynamics_over_transport_parameters_uses_each_points_own_torque():
    """A dynamic scan over thicknesses equals separate scans of the stacks with those thicknesses."""
    currents = np.array([-3e12, -1e12, 1e12])
    axes = [
        Axis("F2.thickness", [5.0, 10.0], unit="nm"),
        Axis("N.thickness", [4.0, 10.0], unit="nm"),
        Axis("current_density", currents),
    ]
    frame = run_scan(ScanSpec(DynamicsModel(preset="fig5", duration=1e-9), axes, chunk_size=5), progress=False)
    outputs = ["mx", "my", "mz", "orbit_energy_ratio", "start_stable"]
    for (d2, d0), part in frame.groupby(["F2.thickness", "N.thickness"]):
        single = DynamicsModel(preset="fig5", duration=1e-9, overrides={"d0": d0, "d2": d2})
        assert single.parameters["thickness"] == d2  # the macrospin is the thin magnet
        alone = run_scan(ScanSpec(single, {"current_density": currents}), progress=False)
        np.testing.assert_array_equal(part[outputs].to_numpy(), alone[outputs].to_numpy())
    assert frame["orbit_energy_ratio"].nunique() == len(frame)  # every point differs


@pytest.mark.parametrize("preset", ["barnas2005:i", "fig5"])
def test_dynamic_threshold_is_the_linear_one_whatever_the_run_length(preset):
    """At 50 ns (and 50.05 ns), runs at 0.9998 J_c keep the start state and runs at 1.0002 J_c lose it, J_c the
    linear-stability threshold of P and of AP at zero field: the window-averaged orbit energy decides growth or
    decay (measured: the label changes between 0.9999 and 1.0001 J_c in all eight cases)."""
    for duration in (50e-9, 50.05e-9) if JIT else (1e-10,):
        model = DynamicsModel(preset=preset, duration=duration)
        linear = critical_currents_linear(model.torque, model.layer(), [0.0]).iloc[0]
        for start, column in (("P", "j_c_p"), ("AP", "j_c_ap")):
            j_c = linear[column]
            spec = ScanSpec(model, [Axis("start", [start]), Axis("current_density", j_c * np.array([0.9998, 1.0002]))])
            frame = run_scan(spec, progress=False)
            if JIT:
                assert frame["start_stable"].tolist() == [True, False], (preset, duration, start)


def test_dynamic_threshold_needs_the_state_stable_at_rest():
    """A start state that is lost at the smallest |J| of the grid has no threshold (NaN), as in the linear
    analysis, even when a finite current of one sign holds it (a field-like torque at |B| = B_k)."""
    currents = np.linspace(-2e11, 2e11, 5)
    rows = [
        {"field": field, "start": start, "current_density": j, "start_stable": stable}
        for field, pattern in ((0.0, [False, True, True, True, True]), (-0.05, [False, False, False, True, True]))
        for start in ("P", "AP")
        for j, stable in zip(currents, pattern)
    ]
    thresholds = critical_currents_dynamic(pd.DataFrame(rows)).set_index("field")
    assert thresholds.loc[0.0, "j_c_p"] == pytest.approx(-1.5e11)  # midway between the last stable and first lost
    assert np.isnan(thresholds.loc[-0.05, "j_c_p"]) and np.isnan(thresholds.loc[-0.05, "j_c_ap"])
