"""Shared test settings: hypothesis profiles sized for the 2-core CI machine."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: optional dependencies (pyproject extras) whose absence skips a test instead of failing it
OPTIONAL_MODULES = {
    "pyarrow": "io",
    "xarray": "io",
    "matplotlib": "plot",
    "distributed": "dask",
    "dask": "dask",
    "numba_cuda": "cuda",
    "cmtj": "compare",
    "nbformat": "test",
    "nbclient": "test",
}


def pytest_runtest_makereport(item, call):
    """A test that stops on ``ModuleNotFoundError`` for an optional dependency is reported as skipped, naming the
    extra that installs it; a missing fastspin module or core dependency still fails."""
    import pytest

    if call.excinfo is not None and call.excinfo.errisinstance(ModuleNotFoundError):
        name = (call.excinfo.value.name or "").split(".")[0]
        if name in OPTIONAL_MODULES:
            reason = f"needs {name} (pip install 'fastspin[{OPTIONAL_MODULES[name]}]')"
            call.excinfo = pytest.ExceptionInfo.from_exc_info(
                (pytest.skip.Exception, pytest.skip.Exception(reason), call.excinfo.tb)
            )


def pytest_collection_modifyitems(config, items):
    """Under ``NUMBA_DISABLE_JIT=1`` (the coverage run) the tests marked ``compiled`` are skipped: their kernels
    would run as plain Python for minutes, or they test Numba's compiled objects themselves."""
    import pytest

    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        skip = pytest.mark.skip(reason="needs the compiled kernels (NUMBA_DISABLE_JIT=1)")
        for item in items:
            if "compiled" in item.keywords:
                item.add_marker(skip)
