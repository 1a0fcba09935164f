"""Bad input raises ValueError naming the parameter (and the layer), before any kernel runs."""

import numpy as np
import pandas as pd
import pytest

from fastspin.dynamics import (
    MTJ,
    AsymmetricTorque,
    FreeLayer,
    SlonczewskiTorque,
    TabulatedTorque,
    simulate,
    trajectories,
)

GOOD = dict(ms=8e5, thickness=2e-9, alpha=0.01)


@pytest.mark.parametrize(
    "changes, words",
    [
        (dict(alpha=-0.1), ["'free layer'", "alpha"]),
        (dict(ms=0.0), ["ms"]),
        (dict(ms=-1.0), ["ms"]),
        (dict(thickness=0.0), ["thickness"]),
        (dict(ms=np.nan), ["ms", "finite"]),
        (dict(alpha=np.inf), ["alpha", "finite"]),
        (dict(anisotropy_field=np.nan), ["anisotropy_field"]),
        (dict(easy_axis=(0, 0, 0)), ["easy_axis", "zero-length"]),
        (dict(easy_axis=(1, 0)), ["easy_axis", "shape"]),
        (dict(demag=(0, np.nan, 1)), ["demag"]),
        (dict(area=-1e-16), ["area"]),
        (dict(ms="soft"), ["ms"]),
        (dict(alpha=[[0.1]]), ["alpha", "1-D"]),
    ],
)
def test_free_layer(changes, words):
    with pytest.raises(ValueError) as info:
        FreeLayer(**{**GOOD, **changes})
    assert all(w in str(info.value) for w in words)


def test_layer_name_appears_in_messages():
    with pytest.raises(ValueError, match="'F2'.*alpha"):
        FreeLayer(8e5, 2e-9, -1.0, name="F2")


LAYER = FreeLayer(**GOOD)
RUN = dict(duration=1e-11, dt=1e-12)


@pytest.mark.parametrize(
    "changes, word",
    [
        (dict(dt=0.0), "dt"),
        (dict(dt=-1e-12), "dt"),
        (dict(duration=0.0), "duration"),
        (dict(duration=1.5e-12), "duration"),
        (dict(temperature=-1.0), "temperature"),
        (dict(temperature=300.0), "temperature"),  # needs method='heun'
        (dict(temperature=300.0, method="heun"), "area"),  # the thermal field needs the volume
        (dict(method="euler"), "method"),
        (dict(current_density=np.nan), "current_density"),
        (dict(current_density=[1.0, 2.0], field=np.zeros((3, 3))), "trajectories"),
        (dict(field=(0, 0)), "field"),
        (dict(field=(0, np.inf, 0)), "field"),
        (dict(polarization=(0, 0, 0)), "polarization"),
        (dict(m0=(0, 0, 0)), "m0"),
        (dict(m0=[(1, 0, 0), (0, 0, 0)]), "m0"),
        (dict(ac_field=(np.nan, 0, 0)), "ac_field"),
        (dict(ac_frequency=-1.0), "ac_frequency"),
        (dict(efficiency=np.nan), "efficiency"),
        (dict(torque="wavy"), "torque"),
        (dict(torque=3.0), "torque"),
        (
            dict(torque=TabulatedTorque(np.linspace(0, np.pi, 5), np.ones(5), np.ones(5)), field_like_ratio=0.1),
            "field_like_ratio",
        ),
        (dict(voltage=0.1), "mtj"),
        (dict(voltage=0.1, mtj=MTJ(1e3, 2e3)), "area"),
        (dict(voltage=0.1, mtj=MTJ(1e3, 2e3), current_density=1e10), "current_density"),
        (dict(voltage=0.1, mtj=MTJ(1e3, 2e3), efficiency=0.5), "efficiency"),
        (dict(mtj="junction"), "mtj"),
        (dict(switch_threshold=1.0), "switch_threshold"),
        (dict(window=0.0), "window"),
        (dict(seed=-3, method="heun"), "seed"),
        (dict(seed=1.5, method="heun"), "seed"),
        (dict(rtol=0.0, method="rk45"), "rtol"),
        (dict(atol=-1.0, method="rk45"), "atol"),
        (dict(max_step=0.0, method="rk45"), "max_step"),
        (dict(static_tolerance=0.0), "static_tolerance"),
        (dict(frequency_axis=(0, 0, 0)), "frequency_axis"),
    ],
)
def test_simulate(changes, word):
    with pytest.raises(ValueError, match=word):
        simulate(LAYER, **{**RUN, **changes})


def test_layer_and_record_every():
    with pytest.raises(ValueError, match="FreeLayer"):
        simulate({"ms": 8e5}, **RUN)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="record_every"):
            trajectories(LAYER, record_every=bad, **RUN)


@pytest.mark.parametrize(
    "build, word",
    [
        (lambda: SlonczewskiTorque(0.0), "polarization"),
        (lambda: SlonczewskiTorque(1.2), "polarization"),
        (lambda: AsymmetricTorque(0.5, 0.0), "asymmetry"),
        (lambda: AsymmetricTorque(np.nan, 1.0), "polarization"),
        (lambda: TabulatedTorque([0, 1, 2], [0, 0, 0], [0, 0, 0]), "at least 4"),
        (lambda: TabulatedTorque(np.linspace(0, np.pi, 5)[::-1], np.ones(5), np.ones(5)), "increasing"),
        (lambda: TabulatedTorque(np.linspace(0, 4, 5), np.ones(5), np.ones(5)), r"\[0, pi\]"),
        (lambda: TabulatedTorque(np.linspace(0, 1, 5), np.ones(5), np.ones(5)), "grid spacing"),
        (lambda: TabulatedTorque(np.linspace(0, np.pi, 5), [1, 1, np.nan, 1, 1], np.ones(5)), "a"),
        (lambda: TabulatedTorque(np.linspace(0, np.pi, 5), np.ones(5), np.ones(4)), "b"),
        (lambda: TabulatedTorque.from_frame(pd.DataFrame({"phi": [0.0], "a": [1.0]})), "b"),
        (lambda: MTJ(0.0, 1e3), "r_p"),
        (lambda: MTJ(2e3, 1e3), "r_ap"),
        (lambda: MTJ(1e3, 2e3, damping_like_coefficients=[]), "damping_like_coefficients"),
        (lambda: MTJ(1e3, 2e3, field_like_coefficients=[np.inf]), "field_like_coefficients"),
    ],
)
def test_torque_models_and_mtj(build, word):
    with pytest.raises(ValueError, match=word):
        build()


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(method="rk45", max_step=1e-30, duration=1e-12, dt=1e-12), "max_step"),  # would never end
        (dict(duration=3.0, dt=1e-12), "MAX_STEPS"),
        (dict(duration=1e300, dt=1e-300), "MAX_STEPS"),  # duration / dt overflows
        (dict(method="heun", temperature=300.0, seed=2**70, duration=1e-12, dt=1e-12), "seed"),
    ],
)
def test_work_is_bounded_and_extremes_are_named(kwargs, word):
    layer = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02, area=1e-16)
    with pytest.raises(ValueError, match=word):
        simulate(layer, **kwargs)
    with pytest.raises(ValueError, match="record_every"):
        trajectories(layer, record_every=10**19, duration=1e-12, dt=1e-12)


def test_a_missing_optional_dependency_is_one_line_with_its_extra(monkeypatch, capsys, tmp_path):
    import fastspin.cli as cli

    def missing(args):
        raise ModuleNotFoundError("No module named 'pyarrow'", name="pyarrow")

    monkeypatch.setattr(cli, "_scan", missing)
    assert cli.main(["scan", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'fastspin[io]'" in err


def test_extreme_but_valid_vectors_are_normalised_by_scaling():
    """Norms taken after scaling by the largest component: (1e200, 1e200, 0) neither overflows (a torque silently
    dropped) nor (1e-200, 1e-200, 0) underflows (refused as zero)."""
    import math

    from fastspin import Layer, Stack
    from fastspin.materials import CO_CU, COBALT, COPPER

    layer = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02)
    kw = dict(current_density=2e11, duration=0.2e-9, dt=1e-12)
    reference = simulate(layer, polarization=(1.0, 1.0, 0.0), m0=(1.0, 1.0, 0.0), **kw)
    for scale in (1e200, 1e-200):
        frame = simulate(layer, polarization=(scale, scale, 0.0), m0=(scale, scale, 0.0), **kw)
        np.testing.assert_allclose(frame[["mx", "my", "mz"]], reference[["mx", "my", "mz"]], rtol=0, atol=1e-15)
    assert np.isfinite(simulate(layer, m0=(0.0, 0.0, 1.35e154), **kw)[["mx", "my", "mz"]].to_numpy()).all()
    stack = Stack(
        [
            Layer("L", COPPER, math.inf),
            Layer("F1", COBALT, 8e-9, (1e200, 1e200, 0)),
            Layer("N", COPPER, 10e-9),
            Layer("F2", COBALT, 4e-9, (0, 0, 1)),
            Layer("R", COPPER, math.inf),
        ],
        (CO_CU,) * 4,
    )
    np.testing.assert_allclose(stack.compile().direction[1], [2**-0.5, 2**-0.5, 0.0], rtol=1e-15)
