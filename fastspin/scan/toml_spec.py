"""Read a scan specification from a TOML file; every error names the key and its line.

Layout (SI unless a ``unit`` is given; see ``fastspin scan --help`` for a full example)::

    [model]                       # what each point computes; 'kind' selects the model
    kind = "transport"
    preset = "barnas2005:fig5"
    overrides = {d2 = 5e-9}       # preset parameters, SI

    [scan]                        # optional
    combine = "product"           # or "zip"
    chunk_size = 65536

    [axes]                        # one entry per axis, in order (last varies fastest)
    "N.thickness" = {start = 2, stop = 20, num = 10, spacing = "log", unit = "nm"}
    "F1|N.gamma" = [-0.5, 0.0, 0.5]
    phi = {start = 0, stop = 180, num = 181, unit = "deg"}

A ``kind = "system"`` model (:mod:`fastspin.scan.system_model`) describes its magnets and terms as
arrays of tables (``[[model.magnets]]``, ``[[model.terms]]``); errors inside them name the table by
its index from 0 (``model.terms[1].target``).

A model parameter may also be written ``{value = 50, unit = "mT"}``.  Complex values (``g_mix``)
are written as ``[real, imag]`` pairs.
"""

from __future__ import annotations

import os
import re
import tomllib

from .errors import SpecError
from .model import model_from_dict
from .spec import SPACINGS, Axis, ScanSpec

_TOP_LEVEL = ("model", "scan", "axes")
_SCAN_KEYS = ("combine", "chunk_size")
_GRID_KEYS = ("start", "stop", "num", "unit", "spacing")
_LIST_KEYS = ("values", "unit")

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_\-]+|"[^"]*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"


def load_spec(path: str | os.PathLike[str]) -> ScanSpec:
    """Read the TOML file ``path`` and return the checked :class:`ScanSpec`.

    Raises :class:`SpecError` with a one-line message ``"<path>:<line>: <key>: <problem>"`` (also for a
    directory and for a file that is not UTF-8 text); ``FileNotFoundError`` if there is no such file.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise SpecError(None, "is a directory, not a TOML spec file", where=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SpecError(
            None,
            f"not UTF-8 text: byte 0x{data[err.start]:02x} at position {err.start} (a TOML file is UTF-8)",
            where=f"{path}:{line}",
        ) from None
    return spec_from_toml(text, source=str(path))


def spec_from_toml(text: str, source: str = "<spec>") -> ScanSpec:
    """Parse TOML ``text`` into a :class:`ScanSpec` (``source`` labels error messages)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err).splitlines()[0]
        found = re.search(r"\(at line (\d+)", message)
        if found:
            line = found.group(1)
        elif "(at end of document)" in message:
            line = max(1, len(text.splitlines()))
        else:
            line = "?"
        raise SpecError(None, f"invalid TOML: {message}", where=f"{source}:{line}") from None
    try:
        return _spec_from_document(document)
    except SpecError as err:
        line = _line_of(err.key, _key_lines(text))
        raise SpecError(err.key, err.reason, where=f"{source}:{line}" if line else source) from None


def _spec_from_document(document):
    for key in document:
        if key not in _TOP_LEVEL:
            raise SpecError(key, f"unknown table (a spec has {', '.join(_TOP_LEVEL)})")
    if "model" not in document:
        raise SpecError("model", "missing [model] table (it says what each point computes)")
    if "axes" not in document or not isinstance(document["axes"], dict):
        raise SpecError("axes", "missing [axes] table")
    model = model_from_dict(document["model"])
    scan = document.get("scan", {})
    if not isinstance(scan, dict):
        raise SpecError("scan", "must be a table")
    for key in scan:
        if key not in _SCAN_KEYS:
            raise SpecError(f"scan.{key}", f"unknown key (use {', '.join(_SCAN_KEYS)})")
    axes = []
    for name, entry in document["axes"].items():
        try:
            info = model.axis_info(name)
        except ValueError as err:
            raise SpecError(f"axes.{name}", str(err)) from None
        axes.append(_axis_from_entry(name, entry, info.kind))
    return ScanSpec(model, axes, combine=scan.get("combine", "product"), chunk_size=scan.get("chunk_size"))


def _axis_from_entry(name, entry, kind):
    key = f"axes.{name}"
    if isinstance(entry, list):
        return Axis(name, _values(key, entry, kind))
    if not isinstance(entry, dict):
        raise SpecError(key, f"expected a list of values or a table, got {type(entry).__name__} {entry!r}")
    if "values" in entry:
        _no_unknown_keys(key, entry, _LIST_KEYS)
        if not isinstance(entry["values"], list):
            raise SpecError(f"{key}.values", "must be a list")
        return Axis(name, _values(f"{key}.values", entry["values"], kind), entry.get("unit"))
    _no_unknown_keys(key, entry, _GRID_KEYS)
    for needed in ("start", "stop", "num"):
        if needed not in entry:
            raise SpecError(key, f"missing '{needed}' (give start, stop, num or a 'values' list)")
    spacing = entry.get("spacing", "linear")
    if spacing not in SPACINGS:
        raise SpecError(f"{key}.spacing", f"must be one of {', '.join(SPACINGS)}, got {spacing!r}")
    start, stop = (_complex_pair(f"{key}.{k}", entry[k]) if kind == "complex" else entry[k] for k in ("start", "stop"))
    make = Axis.linspace if spacing == "linear" else Axis.logspace
    return make(name, start, stop, entry["num"], entry.get("unit"))


def _no_unknown_keys(key, entry, allowed):
    for sub in entry:
        if sub not in allowed:
            raise SpecError(f"{key}.{sub}", f"unknown key (use {', '.join(allowed)})")


def _values(key, values, kind):
    if kind != "complex":
        return values
    return [_complex_pair(key, v) for v in values]


def _complex_pair(key, value):
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        return complex(value[0], value[1])
    raise SpecError(key, f"a complex value is written [real, imag], got {value!r}")


def _key_lines(text):
    """Map each dotted key of ``text`` (tables, keys, keys of inline tables) to its first line.

    The tables of an array of tables (``[[model.magnets]]``) are numbered from 0 as the spec errors
    name them: ``model.magnets[1].ms``; tables inside one (``[model.terms.model]``) get its number.
    """
    lines: dict[str, int] = {}
    table = ""
    arrays: dict[str, int] = {}  # path of an array of tables -> index of its current table
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        header = re.match(rf"^(\[\[?)\s*({_DOTTED})\s*\]\]?", stripped)
        if header:
            parts = _split(header.group(2))
            path = _join(parts)
            if header.group(1) == "[[":
                arrays[path] = arrays.get(path, -1) + 1
                lines.setdefault(path, number)
            table = _join(_numbered(parts, arrays, len(parts) if header.group(1) == "[[" else len(parts) - 1))
            lines.setdefault(table, number)
            continue
        assignment = re.match(rf"^({_DOTTED})\s*=", stripped)
        if not assignment:
            continue
        key = _join([table, *_split(assignment.group(1))] if table else _split(assignment.group(1)))
        lines.setdefault(key, number)
        for inner in re.finditer(rf"[{{,]\s*({_BARE_OR_QUOTED})\s*=", stripped[assignment.end() :]):
            lines.setdefault(_join([key, *_split(inner.group(1))]), number)
    return lines


def _numbered(parts, arrays, upto):
    """``parts`` joined with the current index of every array of tables among its first ``upto`` prefixes."""
    out = []
    for k, part in enumerate(parts):
        out.append(part)
        path = _join(parts[: k + 1])
        if k < upto and path in arrays:
            out[-1] = f"{part}[{arrays[path]}]"
    return out


def _split(dotted):
    parts = re.findall(rf"{_BARE_OR_QUOTED}", dotted)
    return [p[1:-1] if p[0] in "\"'" else p for p in parts]


def _join(parts):
    return ".".join(p for p in parts if p)


def _line_of(key, lines):
    """Line of ``key`` or of its nearest enclosing key/table (``None`` if not in the file)."""
    while key:
        if key in lines:
            return lines[key]
        if key.endswith("]"):
            key = key[: key.rindex("[")]
        else:
            key = key.rpartition(".")[0]
    return None
