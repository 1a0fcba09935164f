"""Fixtures of the circuit tests."""

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def ngspice():
    """Path of ngspice; the tests fail (not skip) in CI when it is missing."""
    path = shutil.which("ngspice")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ngspice is not installed but CI=true: .ci/run must install it (apt-get install ngspice)")
        pytest.skip("ngspice is not installed (install it with apt-get install ngspice)")
    return path
