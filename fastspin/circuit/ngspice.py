"""Run the exported netlist in ngspice (batch mode) and return its waveforms as a DataFrame.

``ngspice -b`` runs in a temporary directory; the ``.control`` block of the netlist writes the node
voltages with ``wrdata`` and they are labelled like :func:`fastspin.circuit.circuit_frame`
(time, charge, flux, mx, my, mz and, with fixed layers, source_voltage, v_mtj, i_mtj, r_mtj,
cos_beta_k), so the two models compare column by column.  ``v_mtj`` and ``i_mtj`` are ngspice's own
node voltage and source current.  ngspice does not store the ``uic`` state at ``t = 0``: the first
row is its first time point.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import validation as v
from .integrator import circuit_frame
from .netlist import SpiceSettings, probe_vectors, write_netlist
from .parameters import MTJCircuit
from .variables import MIN_SIN_THETA, PoleError


class NgspiceError(RuntimeError):
    """ngspice failed (non-zero exit, no output, or an aborted transient)."""


def ngspice_executable(executable: str = "ngspice") -> str:
    """Absolute path of the ngspice executable; ``FileNotFoundError`` if it is not installed."""
    path = shutil.which(executable)
    if path is None:
        raise FileNotFoundError(
            f"{executable!r} not found on PATH; install it (Debian/Ubuntu: apt-get install ngspice)"
        )
    return path


def _read_wrdata(path, names):
    with open(path) as handle:
        header = handle.readline().split()
    if len(header) != len(names) + 1:
        raise NgspiceError(f"unexpected wrdata header {header!r}")
    data = np.loadtxt(path, skiprows=1, ndmin=2)
    return data[:, 0], {name: data[:, k + 1] for k, name in enumerate(names)}


def run_ngspice(
    circuit: MTJCircuit,
    *,
    m0: npt.ArrayLike,
    duration: float,
    settings: SpiceSettings | None = None,
    min_sin_theta: float = MIN_SIN_THETA,
    executable: str = "ngspice",
    timeout: float = 600.0,
) -> pd.DataFrame:
    """Simulate ``circuit`` from ``m0`` for ``duration`` (s) in ngspice; returns a DataFrame.

    ``df.attrs`` holds ``wall_time_s`` (the ngspice process only), ``netlist`` and ``settings``.
    Raises :class:`NgspiceError` if ngspice fails and :class:`PoleError` if the trajectory enters
    ``sin(theta) < min_sin_theta`` (where the netlist clamps ``sin^2(theta)``).
    """
    timeout = v.number(timeout, "timeout", low=0.0, low_open=True, unit="s")
    settings = SpiceSettings() if settings is None else settings
    netlist = write_netlist(
        circuit,
        m0=m0,
        duration=duration,
        settings=settings,
        dialect="ngspice",
        output_file="fastspin_out.txt",
        min_sin_theta=min_sin_theta,
    )
    binary = ngspice_executable(executable)
    vectors = probe_vectors(circuit)
    with tempfile.TemporaryDirectory(prefix="fastspin_ngspice_") as tmp:
        Path(tmp, "circuit.cir").write_text(netlist)
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                [binary, "-b", "circuit.cir"], cwd=tmp, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise NgspiceError(
                f"ngspice did not finish within timeout = {timeout:g} s; raise timeout or shorten "
                f"duration ({duration:g} s)"
            ) from None
        wall = time.perf_counter() - start
        log = proc.stdout + proc.stderr
        out = Path(tmp, "fastspin_out.txt")
        if proc.returncode != 0 or not out.exists() or "timestep too small" in log.lower():
            raise NgspiceError(f"ngspice failed (exit {proc.returncode}):\n{log[-2000:]}")
        t, columns = _read_wrdata(out, list(vectors))
    if t.size == 0 or abs(t[-1] - duration) > 1e-9 * duration:
        raise NgspiceError(f"ngspice stopped before the end of the transient:\n{log[-2000:]}")
    free = circuit.free_layer
    q, phi = columns["q"], columns["phi"]
    sin2 = (1.0 - q) * (1.0 + q)
    bad = np.flatnonzero(~(sin2 >= min_sin_theta**2))
    if bad.size:
        raise PoleError(
            f"the ngspice trajectory reached a pole (sin(theta) < {min_sin_theta:g}) at t = {t[bad[0]]:.6g} s; "
            "the charge-flux circuit is singular there (Louis Sec. III)"
        )
    columns_si: dict[str, npt.NDArray[np.float64]] = {}
    if circuit.fixed_layers:
        columns_si = {
            "source_voltage": columns["source_voltage"],
            "v_mtj": columns["v_mtj"],
            "i_mtj": -columns["source_current"],
        }
    df = circuit_frame(circuit, t, q * free.charge_unit, phi * free.flux_unit, **columns_si)
    df.attrs.update(wall_time_s=wall, netlist=netlist, settings=settings)
    return df
