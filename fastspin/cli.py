"""The ``fastspin`` command: scans from spec files, phase diagrams of preset stacks, plots, presets.

    fastspin scan spec.toml --out DIR [--executor dask --scheduler ADDRESS] [--quiet]
    fastspin phase-diagram [dynamic|phi-c] --preset fig5 --out DIR [-o map.png] [grid options]
    fastspin plot DIR --x current_density --y field --color state -o map.png
    fastspin switching --out DIR [--amplitude MIN MAX NUM] [--width MIN MAX NUM] [--temperature K] [device options]
    fastspin presets

Options of ``phase-diagram`` are in the units of the field (MA/cm^2, mT, ns, ps), as their help says
(plain decimals: argparse reads "-1e3" as an option); spec files are SI unless a unit is given.  Numbers
must be finite (nan and inf are refused).
Errors are one line on stderr, ``fastspin: error: ...``, with exit status 2 for bad input (options, spec
files, missing files) and 1 for any other failure; an interrupted command exits with 130.  ``fastspin --debug
COMMAND ...`` (or ``--debug`` after the command) shows the traceback instead.  A finished command exits with 0.
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TypedDict

import numpy as np

SPEC_EXAMPLE = """example spec.toml (SI unless a unit is given):

  [model]
  kind = "dynamics"          # or "transport", "phi_c", "system"
  preset = "barnas2005:fig5" # `fastspin presets` lists them
  duration = 10e-9           # s
  dt = 1e-12                 # s

  [scan]
  combine = "product"        # or "zip"
  chunk_size = 4096          # points per batched kernel call (and per Parquet file)

  [axes]                     # last axis varies fastest
  start = ["P", "AP"]
  field = {start = -100, stop = 100, num = 41, unit = "mT"}
  current_density = {start = -1.2e13, stop = 1.2e13, num = 41, unit = "A/m^2"}

a "system" model is any fastspin.dynamics.System: [[model.magnets]], [[model.terms]], [model.drives] (a number,
a vector for field, or {pulse = {...}}, {sine = {...}}, {piecewise_linear = {...}}), [model.m0], trajectories;
its axes are "<magnet>.<param>" (free.ms), "<term>.<param>" (exchange.bilinear), "<drive>.<waveform>.<param>"
(current_density.pulse.width, or pulse.width) and temperature."""


def _parameter_help() -> str:
    """The axes of the transport models and the units, read from the parameter registry and the unit table."""
    from .parameters import REGISTRY
    from .scan.units import UNITS

    def listed(owner: str, form: str) -> str:
        entries = []
        for p in REGISTRY.values():
            if p.owner == owner:
                unit = f" ({p.unit})" if p.unit else ""
                shape = {"complex": " as [re, im]", "vector": " as [x, y, z]"}.get(p.value, "")
                entries.append(f"{form}.{p.name}{unit}{shape}")
        return ", ".join(entries)

    units = "; ".join(", ".join(u for u in spellings if u not in ("", "1")) for spellings in list(UNITS.values())[1:])
    return textwrap.fill(
        f'axes of "transport": phi (rad), the layer parameters {listed("layer", "<layer>")} and the interface '
        f'parameters {listed("interface", "<left>|<right>")} (e.g. "N.thickness", "F1|N.gamma"); of "phi_c": '
        'the same without phi; of "dynamics": start (P, AP), current_density (A/m^2), field, field_y, field_z (T), '
        "alpha, anisotropy_field (T), ms (A/m), temperature (K, needs area) and the transport parameters of the "
        f"stack (each point gets its own torque table).  Units: {units}.",
        width=110,
        break_on_hyphens=False,
    )


class _Parser(argparse.ArgumentParser):
    """Argument parser whose usage errors are one line on stderr, like every error of the command (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"fastspin: error: {message} (see {self.prog} --help)\n")


def _number(text):
    """A finite number: the type of every numeric option (``nan`` and ``inf`` are refused, naming the option)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


MAX_GRID_POINTS = 10**7  #: values of one MIN MAX NUM option at most (a scan spec allows more, in chunks)


def _disc_area(diameter_nm):
    """Area (m^2) of a pillar of diameter ``diameter_nm`` (nm); inf, not an OverflowError, when out of range (the
    layer refuses it by name)."""
    radius = 0.5e-9 * diameter_nm
    return np.pi * radius * radius


def _executor_options(parser):
    group = parser.add_argument_group("execution")
    group.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="local: this process, Numba threads on all cores (default); "
        "dask: a dask.distributed cluster given by --scheduler",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)",
    )
    group.add_argument("--quiet", action="store_true", help="no progress bar (for scripts and logs)")
    _backend_option(group)


def _backend_option(parser):
    parser.add_argument(
        "--backend",
        choices=("cpu", "cuda", "auto"),
        default="cpu",
        help="where the dynamics integrate: cpu (default), cuda (an NVIDIA GPU; "
        "pip install 'fastspin[cuda]') or auto (cuda when a GPU is usable)",
    )


def _build_parser():
    parser = _Parser(
        prog="fastspin",
        description="Spin-transfer torques in magnetic multilayers and the macrospin dynamics they drive: "
        "parameter scans, phase diagrams, plots.",
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error (for bug reports)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    scan = commands.add_parser(
        "scan",
        help="run the scan of a TOML spec file into a Parquet directory (resumable)",
        description="Run every point of a scan spec; results go to DIR as one Parquet file per chunk plus "
        "manifest.json.  Rerunning the same command resumes an interrupted scan; a different "
        "spec on an existing DIR is refused.",
        epilog=f"{SPEC_EXAMPLE}\n{_parameter_help()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument("spec", type=Path, help="scan specification (TOML)")
    scan.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory (Parquet dataset)")
    _executor_options(scan)

    phase = commands.add_parser(
        "phase-diagram",
        help="compute and draw a phase diagram of a preset stack (Parquet + PNG)",
        description="dynamic: macrospin states over current density x applied field, started from P and from "
        "AP (bistability), with the critical currents of linear stability; phi-c: the zero of the "
        "in-plane torque over (beta1, gamma1) of the thick layer (Barnas et al. 2005, Fig. 5 inset).",
    )
    phase.add_argument(
        "kind", nargs="?", choices=("dynamic", "phi-c"), default="dynamic", help="which diagram (default: dynamic)"
    )
    phase.add_argument(
        "--preset",
        default="barnas2005:fig5",
        help="stack, as listed by `fastspin presets` (default barnas2005:fig5; 'fig5' also works)",
    )
    phase.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="output directory: Parquet dataset, manifest.json and the PNG",
    )
    phase.add_argument("-o", "--png", type=Path, metavar="FILE", help="figure file (default DIR/phase_diagram.png)")
    phase.add_argument("--chunk-size", type=int, metavar="N", help="points per batched kernel call")
    dynamic = phase.add_argument_group("dynamic diagram (free layer = the stack's thin magnet F2)")
    dynamic.add_argument(
        "--current",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        help="current densities in MA/cm^2 (1 MA/cm^2 = 1e10 A/m^2; default: 61 values over "
        "+-1.5 x the larger linear critical current at zero field)",
    )
    dynamic.add_argument(
        "--field",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        help="applied fields along the easy axis and p, in mT (default: 61 values over +-2 x the anisotropy field)",
    )
    dynamic.add_argument(
        "--duration", type=_number, default=10.0, metavar="NS", help="integration time per run, ns (10)"
    )
    dynamic.add_argument("--dt", type=_number, default=1.0, metavar="PS", help="RK4 time step, ps (1)")
    dynamic.add_argument("--alpha", type=_number, default=0.01, help="Gilbert damping (0.01)")
    dynamic.add_argument(
        "--ms", type=_number, default=1.44e6, metavar="A_PER_M", help="saturation magnetization, A/m (1.44e6, Co)"
    )
    dynamic.add_argument(
        "--anisotropy-field",
        type=_number,
        default=50.0,
        metavar="MT",
        help="uniaxial in-plane anisotropy field B_k, mT (50)",
    )
    phic = phase.add_argument_group("phi-c diagram")
    phic.add_argument(
        "--beta1",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[0.0, 0.5, 26],
        help="bulk spin asymmetry of the thick layer F1 (default 0 0.5 26)",
    )
    phic.add_argument(
        "--gamma1",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[-0.8, 0.8, 81],
        help="interface spin asymmetry of F1|N (default -0.8 0.8 81)",
    )
    _executor_options(phase)

    plot = commands.add_parser(
        "plot",
        help="draw a map from a scan directory",
        description="Draw column COLOR of a finished scan over (X, Y): a categorical map with a legend for "
        "'state', a colour map with a colour bar otherwise.  Values are shown in readable units "
        "(MA/cm^2, mT, nm, degrees).",
    )
    plot.add_argument("directory", type=Path, metavar="DIR", help="scan directory")
    plot.add_argument("--x", required=True, help="column for the horizontal axis, e.g. current_density")
    plot.add_argument("--y", required=True, help="column for the vertical axis, e.g. field")
    plot.add_argument("--color", default="state", help="column for the colour (default: state)")
    plot.add_argument(
        "--facet", default="start", help="column with one panel per value (default: start, if the scan has it)"
    )
    plot.add_argument("-o", "--output", required=True, type=Path, metavar="FILE", help="figure file (.png, .pdf, .svg)")
    plot.add_argument("--partial", action="store_true", help="plot an unfinished scan")

    switching = commands.add_parser(
        "switching",
        help="switching probability and write error rate of current pulses (CSV + PNG)",
        description="A perpendicular free layer (easy axis z, fixed layer along +z, start parallel): for every "
        "pulse of the amplitude x width grid, the write error rate from the Fokker-Planck equation "
        "and, with --trajectories > 0, from stochastic-LLGS ensembles with 95 %% Wilson intervals "
        "(Boltzmann start states).  Writes DIR/switching.csv and DIR/write_error_rate.png.",
    )
    switching.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    switching.add_argument(
        "--amplitude",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[6, 10, 3],
        help="pulse current densities, MA/cm^2 (default 6 10 3)",
    )
    switching.add_argument(
        "--width",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[0.5, 5, 10],
        help="pulse widths, ns (default 0.5 5 10)",
    )
    switching.add_argument("--temperature", type=_number, default=300.0, metavar="K", help="temperature, K (300)")
    switching.add_argument(
        "--trajectories",
        type=int,
        default=1000,
        metavar="N",
        help="stochastic-LLGS trajectories per pulse; 0: Fokker-Planck only (1000)",
    )
    switching.add_argument("--ms", type=_number, default=1e6, metavar="A_PER_M", help="saturation magnetization (1e6)")
    switching.add_argument("--thickness", type=_number, default=1.0, metavar="NM", help="free-layer thickness, nm (1)")
    switching.add_argument("--diameter", type=_number, default=40.0, metavar="NM", help="pillar diameter, nm (40)")
    switching.add_argument(
        "--anisotropy-field",
        type=_number,
        default=300.0,
        metavar="MT",
        help="effective perpendicular anisotropy field, mT (300)",
    )
    switching.add_argument("--alpha", type=_number, default=0.05, help="Gilbert damping (0.05)")
    switching.add_argument("--efficiency", type=_number, default=1.0, help="spin-transfer efficiency eta (1)")
    switching.add_argument("--seed", type=int, default=1, help="seed of the ensembles (1)")
    _backend_option(switching)

    loops = commands.add_parser(
        "hysteresis",
        help="quasi-static R-H loops of an MTJ free layer at several field angles (CSV + PNG)",
        description="A uniaxial free layer (easy axis x, Stoner-Wohlfarth without shape anisotropy unless --demag) "
        "read through an MTJ (fixed layer along +x): for every in-plane field angle, the field is swept "
        "+B -> -B -> +B in equal steps held for --dwell each.  Writes DIR/loops.csv (m and R at every "
        "level), DIR/switching.csv (switching fields per branch, with the Stoner-Wohlfarth astroid) "
        "and DIR/hysteresis.png.",
    )
    loops.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    loops.add_argument(
        "--angles",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[10, 80, 8],
        help="in-plane angles between field and easy axis, degrees (default 10 80 8)",
    )
    loops.add_argument("--field", type=_number, default=60.0, metavar="MT", help="sweep amplitude, mT (60)")
    loops.add_argument("--points", type=int, default=200, help="field levels per branch (200)")
    loops.add_argument("--dwell", type=_number, default=5.0, metavar="NS", help="time at each level, ns (5)")
    loops.add_argument("--anisotropy-field", type=_number, default=50.0, metavar="MT", help="B_k, mT (50)")
    loops.add_argument(
        "--demag",
        nargs=3,
        type=_number,
        default=[0.0, 0.0, 0.0],
        metavar=("NX", "NY", "NZ"),
        help="demagnetizing factors (default 0 0 0)",
    )
    loops.add_argument("--alpha", type=_number, default=1.0, help="Gilbert damping (1: the fastest relaxation)")
    loops.add_argument("--ms", type=_number, default=8e5, metavar="A_PER_M", help="saturation magnetization (8e5)")
    loops.add_argument("--thickness", type=_number, default=2.0, metavar="NM", help="free-layer thickness, nm (2)")
    loops.add_argument("--r-p", type=_number, default=1000.0, metavar="OHM", help="MTJ R_P, Ohm (1000)")
    loops.add_argument("--r-ap", type=_number, default=2000.0, metavar="OHM", help="MTJ R_AP, Ohm (2000)")
    loops.add_argument(
        "--diameter",
        type=_number,
        default=50.0,
        metavar="NM",
        help="pillar diameter, nm: the volume of the thermal field (50)",
    )
    loops.add_argument("--temperature", type=_number, default=0.0, metavar="K", help="temperature, K (0)")
    _backend_option(loops)

    sto = commands.add_parser(
        "spectrum",
        help="spin-torque oscillator spectra versus current and temperature (CSV + PNG)",
        description="An in-plane free layer (easy axis x, film normal z, polarizer and field along +x) driven "
        "above its threshold precesses; for every current density x temperature, the power spectral "
        "density of m_y (Welch, Hann) after a transient gives the peak frequency, the FWHM linewidth "
        "and the power.  Writes DIR/spectrum.csv, DIR/psd.csv, DIR/spectrum.png (the densities) and "
        "DIR/linewidth.png (frequency and linewidth versus current).",
    )
    sto.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    sto.add_argument(
        "--current",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[3.2, 4.4, 4],
        help="current densities, MA/cm^2 (default 3.2 4.4 4)",
    )
    sto.add_argument(
        "--temperature",
        nargs="+",
        type=_number,
        default=[0.0, 300.0],
        metavar="K",
        help="temperatures, K (default 0 300)",
    )
    sto.add_argument("--field", type=_number, default=50.0, metavar="MT", help="field along the easy axis, mT (50)")
    sto.add_argument("--duration", type=_number, default=400.0, metavar="NS", help="recorded time, ns (400)")
    sto.add_argument("--segments", type=int, default=16, help="Welch segments (16)")
    sto.add_argument("--alpha", type=_number, default=0.01, help="Gilbert damping (0.01)")
    sto.add_argument("--seed", type=int, default=1, help="seed of the thermal field (1)")
    _backend_option(sto)

    ring = commands.add_parser(
        "pimm",
        help="pulsed-inductive microwave magnetometry of an in-plane film (CSV + PNG)",
        description="An in-plane film (easy axis x, normal z) in a bias field along x receives a small transverse "
        "field step; the ring-down of m_y is fitted to a damped sinusoid at every bias field.  Writes "
        "DIR/pimm.csv (frequency, decay rate, linewidth, with Kittel and the Gilbert rate) and "
        "DIR/pimm.png.",
    )
    ring.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    ring.add_argument(
        "--field",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[10, 100, 10],
        help="bias fields along the easy axis, mT (default 10 100 10)",
    )
    ring.add_argument("--step", type=_number, default=0.5, metavar="MT", help="transverse field step, mT (0.5)")
    ring.add_argument("--alpha", type=_number, default=0.01, help="Gilbert damping (0.01)")
    ring.add_argument("--duration", type=_number, default=5.0, metavar="NS", help="recorded ring-down, ns (5)")
    _backend_option(ring)

    diode = commands.add_parser(
        "st-fmr",
        help="spin-torque FMR of an MTJ: mixing voltage over field x frequency and its fit (CSV + PNG)",
        description="An in-plane MTJ free layer (easy axis and reference along x) driven by an RF voltage: the "
        "rectified mixing voltage over bias field (45 degrees in the plane) x frequency, fitted per "
        "frequency to symmetric + antisymmetric Lorentzians (resonance field, FWHM linewidth, S/A).  "
        "Writes DIR/v_mix.csv, DIR/fit.csv and DIR/st_fmr.png.",
    )
    diode.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    diode.add_argument(
        "--frequency",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[5, 20, 4],
        help="frequencies, GHz (default 5 20 4)",
    )
    diode.add_argument(
        "--field",
        nargs=3,
        type=_number,
        metavar=("MIN", "MAX", "NUM"),
        default=[10, 400, 100],
        help="bias fields, mT (default 10 400 100)",
    )
    diode.add_argument("--rf-voltage", type=_number, default=1.0, metavar="MV", help="RF amplitude, mV (1)")
    diode.add_argument("--field-like-ratio", type=_number, default=0.3, help="b_J / a_J (0.3)")
    diode.add_argument("--alpha", type=_number, default=0.015, help="Gilbert damping (0.015)")
    diode.add_argument("--r-p", type=_number, default=500.0, metavar="OHM", help="MTJ R_P, Ohm (500)")
    diode.add_argument("--r-ap", type=_number, default=1000.0, metavar="OHM", help="MTJ R_AP, Ohm (1000)")
    _backend_option(diode)

    commands.add_parser(
        "presets",
        help="list the preset stacks and materials",
        description="List the preset stacks (for --preset and [model] preset) and materials.",
    )
    for command in commands.choices.values():  # --debug after the command too (not set there: keeps the global one)
        command.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show the traceback of an error (for bug reports)",
        )
    return parser


def _grid_step(values):
    """Spacing of a grid axis as text ('single value' for a one-point axis)."""
    steps = np.diff(np.unique(values))
    return f"{steps[0]:.3g}" if len(steps) else "n/a (single value)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fastspin`` command; returns the exit status.

    An error is one line on stderr (see the module docstring); with ``--debug`` it is raised instead.
    """
    args = _build_parser().parse_args(argv)
    if args.command in ("scan", "phase-diagram") and args.scheduler and args.executor != "dask":
        print("fastspin: error: --scheduler needs --executor dask", file=sys.stderr)
        return 2
    try:
        if args.command in _WRITES_OUT:
            _check_out(args.out)
        return {
            "scan": _scan,
            "phase-diagram": _phase_diagram,
            "plot": _plot,
            "switching": _switching,
            "hysteresis": _hysteresis,
            "spectrum": _spectrum,
            "pimm": _pimm,
            "st-fmr": _st_fmr,
            "presets": _presets,
        }[args.command](args)
    except (Exception, KeyboardInterrupt) as err:
        if args.debug:
            raise
        status, message = _failure(err, args)
        print(f"fastspin: {_one_line(message)}", file=sys.stderr)
        return status


#: commands that compute, then write into ``--out DIR`` (a scan directory has its own checks, with resume)
_WRITES_OUT = ("switching", "hysteresis", "spectrum", "pimm", "st-fmr")


def _check_out(out):
    """Make the output directory ``out`` before any work: an error naming it if it is a file or cannot be made."""
    from .scan.run import check_output_directory

    check_output_directory(out, "command")
    out.mkdir(parents=True, exist_ok=True)


def _one_line(text):
    """``text`` with its lines joined by spaces (an error message is one line)."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _failure(err, args):
    """Exit status and message of the exception ``err`` that stopped the command of ``args``."""
    if isinstance(err, KeyboardInterrupt):
        if args.command in ("scan", "phase-diagram"):
            return 130, f"interrupted; finished chunks are kept in {args.out}, run the same command to resume"
        return 130, "interrupted"
    if isinstance(err, ModuleNotFoundError):  # an optional dependency of this command
        extra = _EXTRAS.get((err.name or "").split(".")[0], "all")
        return 2, f"error: this command needs {err.name}, which is not installed: pip install 'fastspin[{extra}]'"
    if isinstance(err, OSError) and err.filename is not None:
        return 2 if isinstance(err, FileNotFoundError) else 1, f"error: {err.filename}: {err.strerror or err}"
    if isinstance(err, (ValueError, FileNotFoundError)):  # bad input: SpecError, ScanMismatchError, ...
        return 2, f"error: {err}"
    if isinstance(err, OSError):
        return 1, f"error: {err}"
    return 1, f"error: {type(err).__name__}: {err} (run with --debug for the traceback)"


#: the extra of pyproject.toml that provides each optional module
_EXTRAS = {"pyarrow": "io", "matplotlib": "plot", "distributed": "dask", "dask": "dask", "numba_cuda": "cuda"}


def _execution(args):
    options = {"executor": args.executor, "progress": not args.quiet, "backend": args.backend}
    if args.executor == "dask":
        if not args.scheduler:
            raise ValueError("--executor dask needs --scheduler ADDRESS")
        options["scheduler"] = args.scheduler
    return options


def _scan(args):
    from .scan import load_spec, run_scan

    spec = load_spec(args.spec)
    run_scan(spec, out=args.out, load=False, **_execution(args))  # the result stays on disk: it may exceed memory
    print(f"{spec.n_points} points in {args.out} ({spec!r})")
    return 0


def _phase_diagram(args):
    if args.kind == "phi-c":
        return _phi_c_diagram(args)
    from .analysis import critical_currents_dynamic, critical_currents_linear
    from .plotting import plot_state_map
    from .scan import DynamicsModel
    from .scan.phase import dynamic_state_map

    parameters = dict(
        duration=args.duration * 1e-9,
        dt=args.dt * 1e-12,
        alpha=args.alpha,
        ms=args.ms,
        anisotropy_field=args.anisotropy_field * 1e-3,
    )
    model = DynamicsModel(preset=args.preset, **parameters)
    torque = model.torque
    assert not isinstance(torque, str)  # torque = "transport" (the default): the stack's torque table
    layer = model.layer()
    if args.current is None:
        at_zero = critical_currents_linear(torque, layer, [0.0]).iloc[0]
        reach = 1.5 * np.nanmax(np.abs([at_zero["j_c_p"], at_zero["j_c_ap"]])) / 1e10
        args.current = [-reach, reach, 61]
    if args.field is None:
        args.field = [-2 * args.anisotropy_field, 2 * args.anisotropy_field, 61]
    execution = _execution(args)
    frame = dynamic_state_map(
        _grid(args.current, "--current") * 1e10,
        _grid(args.field, "--field") * 1e-3,
        preset=args.preset,
        out=args.out,
        executor=execution.pop("executor"),
        progress=execution.pop("progress"),
        backend=execution.pop("backend"),
        chunk_size=args.chunk_size,
        executor_options=execution,
        **parameters,
    )
    fields = np.unique(frame["field"].to_numpy())
    linear = critical_currents_linear(torque, layer, fields)
    dynamic = critical_currents_dynamic(frame)
    table = linear.merge(dynamic, on="field", suffixes=("_linear", "_dynamic"))
    table.to_csv(args.out / "critical_currents.csv", index=False)
    png = args.png or args.out / "phase_diagram.png"
    figure = plot_state_map(
        frame,
        color="state",
        critical=linear,
        title=f"{model.parameters['preset']}: macrospin states after {args.duration:g} ns",
    )
    figure.savefig(png, dpi=150)
    at_zero = table.iloc[int(np.argmin(np.abs(table["field"].to_numpy())))]
    print(f"{len(frame)} runs in {args.out}; figure {png}; critical currents {args.out / 'critical_currents.csv'}")
    print(
        f"at B = {at_zero['field']:.4g} T: J_c(P) = {at_zero['j_c_p_linear']:.4g} A/m^2 (linear), "
        f"{at_zero['j_c_p_dynamic']:.4g} (dynamic); J_c(AP) = {at_zero['j_c_ap_linear']:.4g} (linear), "
        f"{at_zero['j_c_ap_dynamic']:.4g} (dynamic); grid step {_grid_step(frame['current_density'])}"
    )
    return 0


def _switching(args):
    from .dynamics import FreeLayer, Pulse
    from .experiments import switching_probability, write_error_rate
    from .plotting import plot_write_error_rate

    layer = FreeLayer(
        args.ms,
        args.thickness * 1e-9,
        args.alpha,
        anisotropy_field=args.anisotropy_field * 1e-3,
        easy_axis=(0, 0, 1),
        demag=(0, 0, 0),
        area=_disc_area(args.diameter),
    )
    amplitude = _grid(args.amplitude, "--amplitude") * 1e10
    width = _grid(args.width, "--width") * 1e-9
    if args.trajectories < 0:
        raise ValueError(f"--trajectories must be >= 0, got {args.trajectories}")
    fokker_planck = write_error_rate(
        layer,
        current_density=amplitude,
        width=width,
        temperature=args.temperature,
        efficiency=args.efficiency,
        relax=2e-9,
    )
    table = fokker_planck.rename(
        columns={"current_density": "amplitude", "wer": "wer_fokker_planck", "p_switch": "p_switch_fokker_planck"}
    )
    ensemble = None
    if args.trajectories > 0:
        ensemble = switching_probability(
            layer,
            current_density=Pulse(amplitude, width),
            polarization=(0, 0, 1),
            efficiency=args.efficiency,
            temperature=args.temperature,
            n_trajectories=args.trajectories,
            seed=args.seed,
            backend=args.backend,
        )
        table = table.merge(
            ensemble.drop(columns=["equilibrate"]), on=["amplitude", "width"], suffixes=("_fokker_planck", "")
        )
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "switching.csv", index=False)
    figure = plot_write_error_rate(
        ensemble, fokker_planck, title=f"WER at {args.temperature:g} K, Delta = {table['delta'].iloc[0]:.1f}"
    )
    figure.savefig(args.out / "write_error_rate.png", dpi=150)
    print(
        f"{len(table)} pulses in {args.out / 'switching.csv'}; figure {args.out / 'write_error_rate.png'}; "
        f"Delta = {table['delta'].iloc[0]:.1f}, J_c0 = {table['critical_current_density'].iloc[0]:.4g} A/m^2"
    )
    return 0


def _hysteresis(args):
    from .dynamics import MTJ, FreeLayer
    from .experiments import hysteresis_loop, loop_switching
    from .plotting import plot_hysteresis_loop

    psi = np.radians(_grid(args.angles, "--angles"))
    direction = np.column_stack([np.cos(psi), np.sin(psi), np.zeros_like(psi)])
    area = _disc_area(args.diameter)  # the volume of the thermal field; R(theta) comes from R_P, R_AP
    layer = FreeLayer(
        args.ms,
        args.thickness * 1e-9,
        args.alpha,
        anisotropy_field=args.anisotropy_field * 1e-3,
        demag=args.demag,
        area=area,
    )
    frame = hysteresis_loop(
        layer,
        field=args.field * 1e-3,
        direction=direction,
        points=args.points,
        dwell=args.dwell * 1e-9,
        dt=2e-12,
        temperature=args.temperature,
        seed=1,
        mtj=MTJ(args.r_p, args.r_ap),
        backend=args.backend,
    )
    frame.insert(1, "angle_deg", np.degrees(psi)[frame["loop"].to_numpy()])
    switching = loop_switching(frame)
    switching.insert(1, "angle_deg", np.degrees(psi)[switching["loop"].to_numpy()])
    switching["astroid_field"] = (
        args.anisotropy_field
        * 1e-3
        * (
            np.cos(np.radians(switching["angle_deg"])) ** (2 / 3)
            + np.sin(np.radians(switching["angle_deg"])) ** (2 / 3)
        )
        ** -1.5
        * np.where(switching["branch"] == "down", -1.0, 1.0)
    )
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "loops.csv", index=False)
    switching.to_csv(args.out / "switching.csv", index=False)
    figure = plot_hysteresis_loop(
        frame,
        switching=switching,
        title=f"R-H loops, field at {args.angles[0]:g}-{args.angles[1]:g} deg to the easy axis",
    )
    figure.savefig(args.out / "hysteresis.png", dpi=150)
    up = switching[switching["branch"] == "up"]
    print(
        f"{frame['loop'].nunique()} loops of {2 * args.points} levels in {args.out / 'loops.csv'}; switching fields "
        f"{args.out / 'switching.csv'}; figure {args.out / 'hysteresis.png'}; at {up['angle_deg'].iloc[0]:.3g} deg: "
        f"B_sw = {up['switching_field'].iloc[0] * 1e3:.4g} mT (astroid, no shape anisotropy: "
        f"{up['astroid_field'].iloc[0] * 1e3:.4g} mT)"
    )
    return 0


def _st_fmr(args):
    from .dynamics import MTJ, FreeLayer
    from .experiments import fit_lineshape, st_fmr
    from .plotting import plot_st_fmr

    layer = FreeLayer(1.0e6, 1.5e-9, args.alpha, anisotropy_field=0.005, area=np.pi * (50e-9) ** 2)
    frame = st_fmr(
        layer,
        frequency=_grid(args.frequency, "--frequency") * 1e9,
        field=_grid(args.field, "--field") * 1e-3,
        rf_voltage=args.rf_voltage * 1e-3,
        field_like_ratio=args.field_like_ratio,
        mtj=MTJ(args.r_p, args.r_ap),
        backend=args.backend,
    )
    fit = fit_lineshape(frame)
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "v_mix.csv", index=False)
    fit.to_csv(args.out / "fit.csv", index=False)
    plot_st_fmr(frame, fit).savefig(args.out / "st_fmr.png", dpi=150)
    row = fit.iloc[len(fit) // 2]
    print(
        f"{len(frame)} points in {args.out / 'v_mix.csv'}; fits {args.out / 'fit.csv'}; figure "
        f"{args.out / 'st_fmr.png'}; at {row['frequency'] * 1e-9:.4g} GHz: B_0 = {row['resonance_field'] * 1e3:.4g} "
        f"mT, FWHM {row['linewidth'] * 1e3:.3g} mT, S/A = {row['ratio']:.3g}"
    )
    return 0


#: the in-plane film of the spectrum and pimm commands (easy axis x, demag (0, 0, 1), mu0 Ms = 1.005 T)
class _Film(TypedDict):
    ms: float
    thickness: float
    anisotropy_field: float
    area: float


_FILM: _Film = dict(ms=8e5, thickness=2e-9, anisotropy_field=5e-3, area=1e-14)


def _spectrum(args):
    from .dynamics import FreeLayer
    from .experiments import spectrum
    from .plotting import plot_spectrum

    layer = FreeLayer(alpha=args.alpha, **_FILM)
    current = np.repeat(_grid(args.current, "--current") * 1e10, len(args.temperature))
    temperature = np.tile(np.asarray(args.temperature, dtype=float), len(current) // len(args.temperature))
    frame, spectra = spectrum(
        layer,
        current_density=current,
        temperature=temperature,
        field=(args.field * 1e-3, 0, 0),
        m0=(np.cos(0.5), np.sin(0.5), 0.0),
        method="heun",
        seed=args.seed,
        duration=args.duration * 1e-9,
        transient=30e-9,
        dt=1e-12,
        record_every=5,
        component="y",
        segments=args.segments,
        psd=True,
        backend=args.backend,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "spectrum.csv", index=False)
    spectra.to_csv(args.out / "psd.csv", index=False)
    plot_spectrum((frame, spectra), hue="current_density", title="Spin-torque oscillator: PSD of $m_y$").savefig(
        args.out / "spectrum.png", dpi=150
    )
    plot_spectrum(frame, x="current_density", hue="temperature", title="Peak frequency and linewidth").savefig(
        args.out / "linewidth.png", dpi=150
    )
    print(
        f"{len(frame)} spectra in {args.out / 'spectrum.csv'} (densities {args.out / 'psd.csv'}); figures "
        f"{args.out / 'spectrum.png'}, {args.out / 'linewidth.png'}; resolution "
        f"{frame['resolution'].iloc[0] * 1e-6:.3g} MHz"
    )
    return 0


def _pimm(args):
    from .constants import GAMMA_E, MU0
    from .dynamics import FreeLayer
    from .experiments import pimm
    from .plotting import plot_pimm

    bias = _grid(args.field, "--field") * 1e-3
    layer = FreeLayer(alpha=args.alpha, **_FILM)
    frame = pimm(
        layer,
        field=np.column_stack([bias, 0 * bias, 0 * bias]),
        field_step=(0.0, args.step * 1e-3, 0.0),
        duration=args.duration * 1e-9,
        dt=1e-12,
        backend=args.backend,
    )
    h1 = bias + _FILM["anisotropy_field"]
    h2 = h1 + MU0 * _FILM["ms"]
    frame["kittel_frequency"] = GAMMA_E / (2 * np.pi) * np.sqrt(h1 * h2)
    frame["gilbert_linewidth"] = args.alpha * GAMMA_E * (h1 + h2) / (2 * np.pi)  # 1/(pi tau), tau from (G)
    reference = frame[["field_x", "kittel_frequency", "gilbert_linewidth"]].rename(
        columns={"kittel_frequency": "frequency", "gilbert_linewidth": "linewidth"}
    )
    args.out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out / "pimm.csv", index=False)
    plot_pimm(frame, reference=reference).savefig(args.out / "pimm.png", dpi=150)
    worst = np.max(np.abs(frame["frequency"] / frame["kittel_frequency"] - 1))
    print(
        f"{len(frame)} ring-downs in {args.out / 'pimm.csv'}; figure {args.out / 'pimm.png'}; frequencies within "
        f"{worst:.2%} of Kittel"
    )
    return 0


def _grid(triple, option):
    low, high, num = triple
    if num != int(num) or not 1 <= num <= MAX_GRID_POINTS:
        raise ValueError(f"{option}: NUM must be an integer in [1, {MAX_GRID_POINTS:.0e}], got {num:g}")
    return np.linspace(low, high, int(num))


def _phi_c_diagram(args):
    from .plotting import plot_phi_c_curves, plot_phi_c_map
    from .scan.phase import phi_c_map

    execution = _execution(args)
    axes = {"F1.beta": _grid(args.beta1, "--beta1"), "F1|N.gamma": _grid(args.gamma1, "--gamma1")}
    if execution.pop("backend") == "cuda":
        raise ValueError("--backend cuda: a phi_c map is transport only and runs on the CPU")
    frame = phi_c_map(
        axes,
        preset=args.preset,
        out=args.out,
        executor=execution.pop("executor"),
        progress=execution.pop("progress"),
        chunk_size=args.chunk_size,
        executor_options=execution,
    )
    png = args.png or args.out / "phase_diagram.png"
    plot_phi_c_map(frame).savefig(png, dpi=150)
    curves = args.out / "phi_c_curves.png"
    plot_phi_c_curves(frame).savefig(curves, dpi=150)
    found = np.isfinite(frame["phi_c"]).sum()
    print(f"{len(frame)} points in {args.out} ({found} with a zero phi_c in (0, pi)); figures {png}, {curves}")
    return 0


def _plot(args):
    from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype

    from .plotting import plot_state_map, plot_value_map
    from .scan import load_scan

    frame = load_scan(args.directory, allow_partial=args.partial)
    for column in (args.x, args.y, args.color):
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} in {args.directory} (columns: {', '.join(frame.columns)})")
    real = [
        name
        for name, values in frame.items()
        if is_numeric_dtype(values) and not (is_bool_dtype(values) or is_complex_dtype(values))
    ]
    for option, column in (("--x", args.x), ("--y", args.y)):
        if column not in real:
            values = frame[column]
            kind = "booleans" if is_bool_dtype(values) else "complex numbers" if is_complex_dtype(values) else "labels"
            raise ValueError(
                f"{option} {column!r}: the axes of a map need real numbers, this column holds {kind} "
                f"(columns of real numbers in {args.directory}: {', '.join(real)})"
            )
    facet = args.facet if args.facet in frame.columns else None
    column = frame[args.color]
    categorical = is_bool_dtype(column) or not is_numeric_dtype(column)
    if categorical:
        figure = plot_state_map(frame, args.x, args.y, color=args.color, facet=facet)
    else:
        figure = plot_value_map(frame, args.x, args.y, args.color, facet=facet)
    figure.savefig(args.output, dpi=150)
    print(f"figure {args.output}")
    return 0


def _presets(args):
    from . import presets
    from .materials import INTERFACES, MATERIALS

    print("stacks (--preset, [model] preset):")
    for name, description in presets.available().items():
        print(f"  {name:18s} {description}")
    print("materials:")
    for name, material in MATERIALS.items():
        beta = f", beta = {material.beta:g}" if hasattr(material, "beta") else ""
        print(f"  {name:18s} rho* = {material.rho_star * 1e8:g} uOhm cm{beta}, l_sf = {material.l_sf * 1e9:g} nm")
    print("interfaces:")
    for name, interface in INTERFACES.items():
        print(
            f"  {name:18s} R* = {interface.r_star * 1e15:g} fOhm m^2, gamma = {interface.gamma:g}, "
            f"G_mix = ({interface.g_mix.real * 1e-15:g} + {interface.g_mix.imag * 1e-15:g}i) 1e15 S/m^2"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
