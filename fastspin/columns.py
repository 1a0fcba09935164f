"""Units of the columns of fastspin's frames, and an xarray view of gridded frames.

Every DataFrame a public fastspin function returns carries the unit of each of its columns in
``frame.attrs["units"]`` (a dict column -> unit string), read off the column names by the ordered rules of
:data:`RULES` (:func:`column_units`), or given by the function where a name alone does not say it (the
``resistance`` of a resistance-area product, the amplitude of a current or voltage pulse, the fitted columns
of :func:`fastspin.experiments.fit_lineshape`).  :func:`to_xarray` turns a gridded frame into an
``xarray.Dataset`` on its axes with these units in the ``attrs`` of every variable.

Unit strings:

* SI symbols, products with a space and powers with ``^`` (``"Ohm m^2"``, ``"A/m^2"``, ``"J/m^2"``): the
  spelling of :mod:`fastspin.scan.units` and of the parameter registry (:data:`fastspin.parameters.REGISTRY`);
* ``"1"``: dimensionless (magnetization components, ratios, probabilities, counts);
* ``""``: no unit, a label or a flag (``state``, ``branch``, ``settled``, ``switched`` of a run, the indices
  ``point``, ``trajectory``, ``loop``, ``step``);
* a normalisation: the transport torques are normalised by ``hbar I0/|e|`` (Barnas et al. 2005, Eqs 38-44),
  so their unit is ``"hbar*I0/|e|"`` (the value times the unit is the torque per area); the spin
  accumulation ``g`` in the normalisation of Fig. 6(a) has the unit ``"|I0/e|/(v_F*rho(E_F))"``; spin
  currents per particle current ``"|I0/e|"``;
* the unit of an input: the MTJ electrode of Manchon et al. takes ``j0`` in any unit of spin current, and
  its columns are in ``"j0"``, ``"j0/m"``, ...; :func:`fastspin.experiments.spectral_line` takes a power
  spectral density in any unit, ``"psd"``;
* ``"?"``: no rule knows the column (a column of a user's scan model, say).  No frame of fastspin has one.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .parameters import REGISTRY

if TYPE_CHECKING:
    import xarray

#: unit of a column that no rule knows
UNKNOWN = "?"

_NORMALISED_TORQUE = "hbar*I0/|e|"
_DRIVE_UNITS = {"current_density": "A/m^2", "sot_current_density": "A/m^2", "voltage": "V", "field": "T"}
_WAVES = r"(?:pulse|sine|staircase|piecewise_linear)\d*"


def _registry_rules() -> list[tuple[str, str]]:
    """``"<layer>.<field>"`` and ``"<left>|<right>.<field>"`` of every stack parameter, in its registry unit."""
    rules = []
    for parameter in REGISTRY.values():
        owner = r"[^.|]+" if parameter.owner == "layer" else r"[^.|]+\|[^.|]+"
        name = re.escape(parameter.name)
        if parameter.value == "vector":
            name += "_[xyz]"
        elif parameter.value == "complex":
            name += "(?:_real|_imag)?"
        rules.append((rf"{owner}\.{name}", parameter.unit or "1"))
    return rules


def _drive_rules() -> list[tuple[str, str]]:
    """The drives of :func:`fastspin.dynamics.simulate` and the parameters of their waveforms."""
    rules = []
    for drive, unit in _DRIVE_UNITS.items():
        vector = "(?:_[xyz])?" if drive == "field" else ""
        # the drive (a constant), its offset, the amplitude of its waveforms and the values of a ramp
        rules.append((rf"(?:ac_)?{drive}(?:\.offset|\.{_WAVES}\.(?:amplitude|values_\d+))?{vector}", unit))
    return rules + [
        (rf"(?:\w+\.)?{_WAVES}\.(?:width|rise|fall|delay|dwell|times_\d+)", "s"),
        (rf"(?:\w+\.)?{_WAVES}\.frequency", "Hz"),
        (rf"(?:\w+\.)?{_WAVES}\.phase", "rad"),
        # "pulse.amplitude" names the pulse of whichever drive holds one (a scan of a System): the scan says it
        (rf"{_WAVES}\.(?:amplitude|values_\d+)(?:_[xyz])?", UNKNOWN),
    ]


#: ``(pattern, unit)``, in order: a column takes the unit of the first pattern that matches its whole name
#: (``re.fullmatch``).  A name ``"<prefix>.<rest>"`` that no pattern matches takes the unit of ``<rest>``
#: (``"free.mx"`` is an ``"mx"``: the columns of the magnets of a System, the parameters of its magnets and
#: terms in a scan).  The stack parameters come from :data:`fastspin.parameters.REGISTRY`.
RULES: tuple[tuple[str, str], ...] = (
    *_registry_rules(),
    *_drive_rules(),
    # ---- transport (fastspin.transport.evaluate, torque_vs_angle, profile; fastspin.analysis.find_phi_c)
    (r"phi|phi_c|phi_g", "rad"),
    (r"tau_phi|tau_x|a|b|a_0|a_pi|b_0|b_pi|torque_.+_[xyz]", _NORMALISED_TORQUE),
    (r"tau_phi_per_area|tau_x_per_area", "N/m"),
    (r"g_amplitude|g_[xyz]", "|I0/e|/(v_F*rho(E_F))"),
    (r"j_[xyz]", "|I0/e|"),
    (r"resistance_area|resistance_change", "Ohm m^2"),
    (r"x|thickness|lambda_j|lambda_phi|lambda_sf_f|lambda_sf_n", "m"),
    (r"n_zeros", "1"),
    # ---- MTJ electrode (fastspin.mtj): j0 in any unit of spin current, the torque per volume in j0/m
    (r"diffusion_ratio|ratio", "1"),
    (r"j0_par|j0_perp|d_t_par|d_t_perp", "j0"),
    (r"t_par|t_perp|t_par_c0|t_perp_c0", "j0/m"),
    (r"t_par_c1|t_perp_c1", "j0/(m V)"),
    (r"t_(?:par|perp)_c(?P<power>\d+)", "j0/(m V^{power})"),
    (r"m_par|m_perp", "j0*m"),
    # ---- macrospin outcomes (fastspin.dynamics.simulate; "<magnet>.<column>" for a System)
    (r"m[xyz]|mean_m[xyz]|mean_cos_theta|amplitude|orbit_energy_ratio|m_axis|direction_[xyz]", "1"),
    (r"state|settled|switched|integration_failed|start_stable", ""),
    (r"switching_time|first_crossing_time|duration", "s"),
    (r"frequency|ac_frequency", "Hz"),
    (r"mean_resistance|resistance|r_mtj", "Ohm"),
    (r"accepted_steps|rejected_steps|n|n_switched|n_trajectories|n_escaped|n_set_aside|dof", "1"),
    # ---- layers, terms and inputs
    (r"ms", "A/m"),
    (r"alpha|efficiency|field_like_ratio|spin_hall_angle|demag_[xyz]|tensor_[xyz][xyz]", "1"),
    (r"anisotropy_field|hard_axis_field|easy_axis_field", "T"),
    (r"area", "m^2"),
    (r"volume", "m^3"),
    (r"bilinear|biquadratic", "J/m^2"),
    (r"coefficient", "T/V"),
    (r"temperature", "K"),
    # ---- labels and indices
    (r"point|trajectory|loop|branch|step|layer|start|method|equilibrate", ""),
    # ---- experiments (fastspin.experiments)
    (r"switching_field|resonance_field|step_[xyz]|pulse_[xyz]", "T"),
    (r"switching_current_density|critical_current_density|j_c_p|j_c_ap", "A/m^2"),
    (r"switching_voltage|v_mix|source_voltage|v_mtj", "V"),
    (r"width|relax|pulse_width|pulse_rise|pulse_fall|pulse_delay|decay_time|tau_zero_current", "s"),
    (r"tau_0|tau_0_error|dwell_time|dwell_time_error|observed_time", "s"),
    (r"peak_frequency|linewidth|resolution|frequency_error|fft_frequency|fft_linewidth", "Hz"),
    (r"decay_rate|decay_rate_error", "1/s"),
    (r"peak_psd|psd", "psd"),
    (r"power", "psd Hz"),
    (r"offset|fit_residual|relax_residual|p_switch|p_low|p_high|wer|delta|delta_backward|delta_error", "1"),
    (r"prefactor_exponent|chi2|threshold|(?:minimum|other_minimum|saddle)_m[xyz]", "1"),
    (r"barrier|barrier_error|barrier_saddle|barrier_forward|barrier_backward", "J"),
    (r"energy_minimum|energy_other_minimum|energy_saddle", "J"),
    # ---- equivalent circuit (fastspin.circuit)
    (r"time", "s"),
    (r"charge", "C"),
    (r"flux", "Wb"),
    (r"i_mtj", "A"),
    (r"cos_beta_\d+", "1"),
)

_COMPILED = tuple((re.compile(pattern), unit) for pattern, unit in RULES)


def _rule(name: str) -> str | None:
    for pattern, unit in _COMPILED:
        match = pattern.fullmatch(name)
        if match:
            return unit.format(**match.groupdict()) if match.groupdict() else unit
    return None


@functools.lru_cache(maxsize=8192)
def _unit(name: str) -> str:
    unit = _rule(name)
    if unit is None and "." in name:
        unit = _rule(name.split(".", 1)[1])
    return UNKNOWN if unit is None else unit


def column_units(columns: Iterable[Hashable]) -> dict[Hashable, str]:
    """The unit of every column name in ``columns`` by the rules of :data:`RULES` (``"?"`` where none
    matches), as a dict column -> unit in the order given."""
    return {column: _unit(str(column)) for column in columns}


def attach_units(frame: pd.DataFrame, units: Mapping[Any, str] | None = None) -> pd.DataFrame:
    """Set ``frame.attrs["units"]`` to the unit of every column of ``frame`` and return ``frame`` itself.

    ``units``: the units of columns whose names do not say them (they take precedence over :data:`RULES`;
    entries for columns the frame does not have are ignored).  Other entries of ``frame.attrs`` are kept.
    """
    given = dict(units or {})
    frame.attrs["units"] = {
        column: given[column] if column in given else unit for column, unit in column_units(frame.columns).items()
    }
    return frame


def frame_units(frame: pd.DataFrame) -> dict[Hashable, str]:
    """The units of the columns of ``frame``: its ``attrs["units"]`` where they name the column, else the rules
    (:func:`column_units`); for a frame made from a fastspin frame by a pandas operation that dropped or did not
    carry the attrs."""
    known = frame.attrs.get("units")
    known = known if isinstance(known, Mapping) else {}
    return {column: known.get(column, unit) for column, unit in column_units(frame.columns).items()}


def _running_index(values: pd.Series) -> bool:
    """Whether ``values`` number the rows ``0, 1, ..., n - 1`` in order (a scan's ``point``, a ``trajectory``)."""
    return values.dtype.kind in "iu" and bool(np.array_equal(values.to_numpy(), np.arange(len(values))))


def grid_dims(frame: pd.DataFrame) -> tuple[Hashable, ...]:
    """The axes of a gridded frame, the default ``dims`` of :func:`to_xarray`.

    fastspin puts the inputs of a frame left of its outputs, so the axes are looked for left of the first column
    with one distinct value per row (an output, or the only axis of a 1-D frame); the scan index ``point`` is
    never an axis.  From left to right, each column with more than one distinct value is taken when its count of
    distinct values divides the number of rows still to account for, until the product of the counts is the
    number of rows: those columns are the axes.  A running index ``0, 1, ..., n - 1`` (``trajectory``) is passed
    over there.  When no column left of that first one varies, the frame is 1-D and its axis is the first column
    with one distinct value per row (a running index included).  A frame of one row has no axes.  ``ValueError``
    naming the columns when the varying columns do not fill the rows as a product.
    """
    n = len(frame)
    if n <= 1:
        return ()
    varying: dict[Hashable, int] = {}
    dims: list[Hashable] = []
    single = None
    left = n
    for column in frame.columns:
        if column == "point":
            continue
        count = int(frame[column].nunique(dropna=False))
        if count == n:
            single = column if single is None else single
            if _running_index(frame[column]):
                continue
            break
        if count > 1:
            varying[column] = count
            if left % count == 0:
                dims.append(column)
                left //= count
                if left == 1:
                    return tuple(dims)
    if not varying and single is not None:
        return (single,)
    detail = ", ".join(f"{column!s} ({count} values)" for column, count in varying.items()) or "no column varies"
    raise ValueError(f"the {n} rows are not a product grid of the input columns: {detail}; give the axes as dims=[...]")


def to_xarray(frame: pd.DataFrame, dims: Sequence[Hashable] | None = None) -> xarray.Dataset:
    """The gridded ``frame`` as an ``xarray.Dataset`` on the axes ``dims``, with units.

    ``dims``: the columns that span the grid (the coordinates); default: the frame's axes as
    :func:`grid_dims` finds them (the inputs of a grid: ``phi`` and ``N.thickness`` of
    ``fastspin.evaluate(stack, {"phi": ..., "N.thickness": ...}, grid=True)``, the axes of a product scan of
    :func:`fastspin.scan.run_scan`, the amplitude and width of a pulse grid).  Every other column is a data
    variable on ``dims``; coordinates come sorted.  Every coordinate and variable has ``attrs["units"]``: the
    frame's ``attrs["units"]``, else the rules of :func:`column_units`.  The rows must be the full product
    grid of ``dims``, each combination once: a ``ValueError`` names the columns when a combination is repeated
    or missing.  Needs xarray (``pip install 'fastspin[io]'``).
    """
    try:
        import xarray
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            "fastspin.to_xarray needs xarray: pip install 'fastspin[io]'", name=err.name or "xarray"
        ) from err
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"to_xarray takes a pandas DataFrame, got {type(frame).__name__}")
    dims = grid_dims(frame) if dims is None else tuple(dims)
    missing = [column for column in dims if column not in frame.columns]
    if missing or len(set(dims)) != len(dims):
        raise ValueError(
            f"dims must be distinct columns of the frame, got {list(dims)} (columns: {list(frame.columns)})"
        )
    units = frame_units(frame)
    if dims:
        counts = [int(frame[column].nunique(dropna=False)) for column in dims]
        cells = math.prod(counts)
        repeated = int(frame.duplicated(subset=list(dims)).sum())
        if repeated or cells != len(frame):
            shape = " x ".join(str(count) for count in counts)
            problem = f"{repeated} repeated combinations" if repeated else f"{cells - len(frame)} missing cells"
            raise ValueError(
                f"the rows are not a product grid of the columns {list(dims)}: {len(frame)} rows for {shape} = "
                f"{cells} combinations ({problem}); give the axes of the grid as dims=[...]"
            )
        dataset = xarray.Dataset.from_dataframe(frame.set_index(list(dims)))
    else:
        dataset = xarray.Dataset({str(column): ((), frame[column].iloc[0]) for column in frame.columns})
    for name in dataset.variables:
        key: Any = name
        if key not in units:
            key = next((column for column in units if str(column) == str(name)), None)
        if key is not None:
            dataset[name].attrs["units"] = units[key]
    dataset.attrs.update({k: v for k, v in frame.attrs.items() if k != "units" and _plain(v)})
    return dataset


def _plain(value: object) -> bool:
    """Whether ``value`` is a plain attribute for a dataset (a number, a string or a tuple of them)."""
    if isinstance(value, (str, int, float, np.number)):
        return True
    return isinstance(value, (tuple, list)) and all(isinstance(v, (str, int, float, np.number)) for v in value)
