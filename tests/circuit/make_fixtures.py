"""Regenerate tests/circuit/fixtures/circuit_measurements.json: ``python -m tests.circuit.make_fixtures``.

The numbers are measurements (deviations, frequencies, switching times, wall times) that the tests
check against the required accuracies and, for fastspin's own numbers, against regressions.
"""

import json
import re
import subprocess
import time
from pathlib import Path

import numpy as np

from fastspin.circuit import SpiceSettings, run_ngspice, trajectories

from . import devices as D


def _frequency(t, m):
    late = t > t[-1] / 2
    return D.crossing_frequency(t[late], m[late, 1])


def main():
    out = {"qphi_vs_cartesian_max_dm": {}, "qphi_frequency_hz": {}, "ngspice": {}}
    for case in D.LLGS_CASES:
        t, m, m_ref = D.qphi_and_cartesian(case)
        out["qphi_vs_cartesian_max_dm"][case] = float(np.abs(m - m_ref).max())
        if case != "damped_relaxation":
            late = t > 10e-9
            out["qphi_frequency_hz"][case] = D.crossing_frequency(t[late], m[late, 1])
    banner = subprocess.run(["ngspice", "--version"], capture_output=True, text=True).stdout
    version = re.search(r"ngspice-\S+", banner).group(0)
    settings = SpiceSettings()
    out["ngspice_settings"] = {
        "version": version,
        "method": settings.method,
        "reltol": settings.reltol,
        "abstol": settings.abstol,
        "vntol": settings.vntol,
        "chgtol": settings.chgtol,
        "max_step_per_t0": settings.max_step_per_t0,
    }
    for case, (circuit, m0, duration) in D.ngspice_cases().items():
        frame = run_ngspice(circuit, m0=m0, duration=duration, settings=settings)
        t = frame.time.to_numpy()
        m_spice = frame[["mx", "my", "mz"]].to_numpy()
        m_fast = D.fastspin_at(circuit, m0, duration, t)
        trajectories(circuit, m0=m0, duration=duration, dt=1e-13)  # compiled
        start = time.perf_counter()
        trajectories(circuit, m0=m0, duration=duration, dt=1e-13)
        fast_wall = time.perf_counter() - start
        record = {
            "duration_s": duration,
            "ngspice_time_points": int(t.size),
            "ngspice_wall_time_s": frame.attrs["wall_time_s"],
            "fastspin_wall_time_s": fast_wall,
            "fastspin_dt_s": 1e-13,
            "max_abs_dm": float(np.abs(m_spice - m_fast).max()),
            "final_m_ngspice": m_spice[-1].tolist(),
            "final_m_fastspin": m_fast[-1].tolist(),
        }
        if case in ("free_precession", "driven_oscillation", "two_layer_oscillator"):
            f_spice, f_fast = _frequency(t, m_spice), _frequency(t, m_fast)
            record.update(
                ngspice_frequency_hz=f_spice,
                fastspin_frequency_hz=f_fast,
                relative_frequency_difference=f_spice / f_fast - 1,
            )
        if case.startswith("switching"):
            sign = -1.0 if case == "switching_p_to_ap" else 1.0
            record.update(
                ngspice_switching_time_s=float(t[np.argmax(np.sign(m_spice[:, 0]) == sign)]),
                fastspin_switching_time_s=float(t[np.argmax(np.sign(m_fast[:, 0]) == sign)]),
            )
        out["ngspice"][case] = record
    path = Path(__file__).parent / "fixtures" / "circuit_measurements.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
