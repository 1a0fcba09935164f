"""The public entry points are reachable from a plain ``import fastspin``."""

import subprocess
import sys


def test_entry_points_after_plain_import():
    code = (
        "import numpy as np, fastspin\n"
        "fastspin.mtj.electrode_torque(2e-9, lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=15e-9, lambda_sf_n=2e-9)\n"
        "layer = fastspin.dynamics.FreeLayer(8e5, 2e-9, 0.01)\n"
        "fastspin.dynamics.simulate(layer, duration=1e-11, dt=1e-12)\n"
        "fastspin.torque_vs_angle(fastspin.presets.barnas2005('i'), np.array([1.0]))\n"
        "assert callable(fastspin.scan.run_scan) and callable(fastspin.circuit.simulate)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
