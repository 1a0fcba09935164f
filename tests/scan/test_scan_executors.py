"""Executors: local and Dask (a real distributed scheduler on a tiny LocalCluster) give identical results."""

import numpy as np
import pandas as pd
import pytest
import scan_helpers
from scan_helpers import failing, oscillator, oscillator_exact, polynomial, spec_of

from fastspin.scan import Axis, ScanSpec, run_scan
from fastspin.scan.executors import get_executor


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield cluster, client


def oscillator_spec():
    return ScanSpec(
        oscillator, [Axis.linspace("omega", 2.0, 9.0, 15), Axis.linspace("damping", 0.05, 0.6, 8)], chunk_size=16
    )


def test_numba_batch_model_matches_its_closed_form():
    frame = run_scan(oscillator_spec(), progress=False)
    exact = oscillator_exact(frame["omega"].to_numpy(), frame["damping"].to_numpy())
    np.testing.assert_allclose(frame["x_final"], exact, rtol=0, atol=2e-9)


def test_local_and_dask_give_identical_frames(cluster, tmp_path):
    _, client = cluster
    spec = oscillator_spec()
    local = run_scan(spec, progress=False)
    distributed = run_scan(spec, executor="dask", client=client, progress=False)
    pd.testing.assert_frame_equal(local, distributed, check_exact=True)
    stored = run_scan(spec, out=tmp_path / "dask", executor="dask", client=client, progress=False)
    pd.testing.assert_frame_equal(local, stored, check_exact=True)


def test_dask_by_scheduler_address(cluster):
    scheduler_cluster, _ = cluster
    spec = spec_of(polynomial)
    frame = run_scan(spec, executor="dask", scheduler=scheduler_cluster.scheduler_address, progress=False)
    pd.testing.assert_frame_equal(frame, run_scan(spec, progress=False), check_exact=True)


def test_dask_failure_stops_the_run_keeps_finished_chunks_and_resumes(cluster, tmp_path):
    _, client = cluster
    reference = run_scan(spec_of(failing), progress=False)
    scan_helpers.FAIL["point"] = 0
    try:
        with pytest.raises(RuntimeError, match="simulated crash"):
            run_scan(spec_of(failing), out=tmp_path / "scan", executor="dask", client=client, progress=False)
    finally:
        scan_helpers.FAIL["point"] = None
    assert len(list((tmp_path / "scan").glob("chunk-*.parquet"))) < 6
    resumed = run_scan(spec_of(failing), out=tmp_path / "scan", executor="dask", client=client, progress=False)
    pd.testing.assert_frame_equal(resumed, reference, check_exact=True)


def test_progress_bar_shows_rate_and_eta_and_quiet_silences_it(capsys):
    run_scan(spec_of(polynomial), progress=True)
    err = capsys.readouterr().err
    assert "pt/s" in err and "35.0/35.0" in err and "<00:00" in err
    run_scan(spec_of(polynomial), progress=False)
    assert capsys.readouterr().err == ""


def test_executor_arguments_are_checked():
    with pytest.raises(ValueError, match="unknown executor 'mpi'"):
        get_executor("mpi")
    with pytest.raises(ValueError, match="needs client="):
        run_scan(spec_of(polynomial), executor="dask", progress=False)
    with pytest.raises(TypeError):
        run_scan(spec_of(polynomial), executor="local", scheduler="tcp://nowhere:1", progress=False)


def thermal_spec(seed=1):
    from fastspin.scan import DynamicsModel

    model = DynamicsModel(preset="fig5", duration=0.5e-9, area=(50e-9) ** 2, seed=seed)
    return ScanSpec(
        model,
        [Axis("start", ["P", "AP"]), Axis("temperature", [0.0, 300.0]), Axis("current_density", [-1e12, 1e12])],
        chunk_size=3,
    )


def test_thermal_dynamics_scan_is_reproducible_and_identical_on_dask(cluster):
    _, client = cluster
    local = run_scan(thermal_spec(), progress=False)
    pd.testing.assert_frame_equal(local, run_scan(thermal_spec(), progress=False), check_exact=True)
    pd.testing.assert_frame_equal(
        local, run_scan(thermal_spec(), executor="dask", client=client, progress=False), check_exact=True
    )
    other = run_scan(thermal_spec(seed=2), progress=False)
    hot = local["temperature"] > 0
    assert not np.array_equal(local.loc[hot, "mx"], other.loc[hot, "mx"])  # the noise depends on the seed
    np.testing.assert_array_equal(local.loc[~hot, "mx"], other.loc[~hot, "mx"])  # T = 0: no noise


def test_temperature_axis_needs_the_layer_area():
    from fastspin.scan import DynamicsModel, SpecError

    with pytest.raises(SpecError, match="axes.temperature: a temperature axis needs model.area"):
        ScanSpec(DynamicsModel(preset="fig5"), {"temperature": [300.0]})
