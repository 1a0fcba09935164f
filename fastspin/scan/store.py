"""Parquet storage of a scan: one file per chunk, written atomically, and a manifest; resume.

Layout of a scan directory::

    manifest.json           format, fastspin version, the full spec and its SHA-256 fingerprint
    chunk-000000.parquet    the rows of chunk 0 (one row per point, column "point" first)
    chunk-000001.parquet    ...
    checksums.jsonl         the SHA-256 of every chunk file, one JSON line appended (and flushed) per chunk

A chunk file is written to a hidden temporary name, flushed to disk and renamed over its final
name (``os.replace`` is atomic), so a chunk file either is complete or does not exist: killing the
process loses only the chunks in flight.  Reopening a directory with the same spec and fastspin
version resumes (finished chunks are skipped); anything else is refused rather than mixed.  A chunk file
whose SHA-256 is not the recorded one (flipped bytes, truncation, a chunk written but not yet recorded)
is not finished: resuming computes it again with a warning naming it, reading refuses it.  The manifest's
counts are checked against its spec (a hand-edited count is refused, naming it).
Complex columns (Parquet has none) are stored as ``<name>.real`` / ``<name>.imag`` and rebuilt
on reading.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import KeysView
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import pandas as pd

import fastspin

from ..columns import attach_units

if TYPE_CHECKING:
    from .spec import ScanSpec

MANIFEST = "manifest.json"
CHECKSUMS = "checksums.jsonl"
FORMAT = "fastspin-scan/2"
_CHUNK = re.compile(r"^chunk-(\d{6,})\.parquet$")
_COMPLEX_KEY = b"fastspin.complex_columns"


class ScanMismatchError(ValueError):
    """A scan directory holds the results of another spec (or fastspin version)."""


def chunk_name(index: int) -> str:
    return f"chunk-{index:06d}.parquet"


def _fsync_directory(directory):
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_atomically(path, write):
    """Call ``write(temporary_path)``, flush it to disk, then rename it to ``path``."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    _fsync_directory(path.parent)


def _process_alive(pid):
    if pid == os.getpid():
        return False  # our own leftovers (an earlier scan in this process) are stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def code_fingerprint() -> str:
    """Hash of the package's Python sources: results of different code are never mixed on resume."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of the scan directory ``directory`` (a dict, its counts checked against its spec);
    ``FileNotFoundError`` if none, ``ValueError`` naming the field if damaged or edited."""
    path = Path(directory) / MANIFEST
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path}: not a readable manifest ({err})") from err
    if not isinstance(manifest, dict):
        raise ValueError(f"{path}: the manifest must be a JSON object, got {type(manifest).__name__}")
    spec = manifest.get("spec")
    chunk_size = spec.get("chunk_size") if isinstance(spec, dict) else None
    for key, value in (
        ("n_points", manifest.get("n_points")),
        ("n_chunks", manifest.get("n_chunks")),
        ("spec.chunk_size", chunk_size),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{path}: {key} must be a positive integer, got {value!r}")
    if manifest["n_chunks"] != -(-manifest["n_points"] // chunk_size):
        raise ValueError(
            f"{path}: n_chunks = {manifest['n_chunks']} does not match n_points = "
            f"{manifest['n_points']} in chunks of {chunk_size} (an edited manifest?)"
        )
    return manifest


def _recorded_checksums(directory):
    """``{chunk index: sha256}`` from the checksum file (a torn last line, from a kill, is skipped)."""
    recorded = {}
    path = Path(directory) / CHECKSUMS
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                recorded[int(entry["chunk"])] = str(entry["sha256"])
            except (ValueError, KeyError, TypeError):
                continue
    return recorded


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verified_chunks(directory: str | os.PathLike[str], n_chunks: int) -> tuple[dict[int, Path], dict[int, Path]]:
    """``(good, damaged)``: ``{index: path}`` of the chunk files below ``n_chunks`` whose SHA-256 is the recorded
    one, and ``{index: path}`` of the others."""
    recorded = _recorded_checksums(directory)
    good: dict[int, Path] = {}
    damaged: dict[int, Path] = {}
    for index, path in _chunk_files(directory).items():
        if index < n_chunks:
            (good if recorded.get(index) == _sha256(path) else damaged)[index] = path
    return good, damaged


def _first_difference(old, new, path="spec"):
    """Dotted path of the first place where two JSON-like values differ (``None`` if equal)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            if key not in old or key not in new:
                return f"{path}.{key}"
            found = _first_difference(old[key], new[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return f"{path} (length {len(old)} -> {len(new)})"
        for k, (a, b) in enumerate(zip(old, new)):
            name = a.get("name", k) if isinstance(a, dict) else k
            found = _first_difference(a, b, f"{path}[{name}]")
            if found:
                return found
        return None
    if old == new:
        return None
    shown = (repr(old), repr(new))
    return f"{path}: {shown[0]} -> {shown[1]}" if max(map(len, shown)) <= 40 else path


class ScanStore:
    """A scan directory bound to one spec; build it with :meth:`open`."""

    def __init__(self, directory: str | os.PathLike[str], manifest: dict[str, Any]) -> None:
        self.directory = Path(directory)
        self.manifest = manifest

    @classmethod
    def open(cls, directory: str | os.PathLike[str], spec: ScanSpec) -> Self:
        """Create the directory for ``spec`` or reopen it to resume; refuse another spec's results."""
        version = fastspin.__version__
        directory = Path(directory)
        manifest = {
            "format": FORMAT,
            "fastspin_version": version,
            "code_fingerprint": code_fingerprint(),
            "fingerprint": spec.fingerprint(),
            "n_points": spec.n_points,
            "n_chunks": spec.n_chunks,
            "spec": spec.to_dict(),
            "units": spec.axis_units(),  # of the axis columns; load_scan attaches them (fastspin.columns)
        }
        if (directory / MANIFEST).exists():
            old = read_manifest(directory)
            if old.get("format") != FORMAT:
                raise ScanMismatchError(f"{directory}: not a {FORMAT} directory (format {old.get('format')!r})")
            if old.get("fastspin_version") != version:
                raise ScanMismatchError(
                    f"{directory} was written by fastspin {old.get('fastspin_version')}, this is {version}: "
                    "results of two versions are not mixed; use a new output directory"
                )
            if old.get("code_fingerprint") != manifest["code_fingerprint"]:
                raise ScanMismatchError(
                    f"{directory} was written by other fastspin code (sources {old.get('code_fingerprint')}, now "
                    f"{manifest['code_fingerprint']}): results of two codes are not mixed; use a new output directory"
                )
            if old.get("fingerprint") != manifest["fingerprint"]:
                where = _first_difference(old.get("spec"), manifest["spec"]) or "spec"
                raise ScanMismatchError(
                    f"{directory} holds a scan with a different spec (first difference at {where}); "
                    "refusing to mix results; use a new output directory or the original spec"
                )
            if old.get("n_chunks") != manifest["n_chunks"] or old.get("n_points") != manifest["n_points"]:
                raise ScanMismatchError(
                    f"{directory}: the manifest's counts were edited (n_chunks {old.get('n_chunks')!r}, "
                    f"n_points {old.get('n_points')!r}; the spec has {manifest['n_chunks']}, "
                    f"{manifest['n_points']})"
                )
            store = cls(directory, old)
            store._remove_temporaries()
            store._discard_damaged()
            return store
        directory.mkdir(parents=True, exist_ok=True)
        if any(_CHUNK.match(p.name) for p in directory.iterdir()):
            raise ScanMismatchError(f"{directory} holds chunk files but no {MANIFEST}: refusing to mix results")
        _write_atomically(
            directory / MANIFEST,
            lambda path: path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8"),
        )
        return cls(directory, manifest)

    def _remove_temporaries(self):
        """Delete the temporaries of writers that are gone (names carry the writer's PID)."""
        for path in list(self.directory.glob(".chunk-*.tmp")) + list(self.directory.glob(f".{MANIFEST}.*.tmp")):
            pid = path.name.rsplit(".", 2)[-2]
            if not (pid.isdigit() and _process_alive(int(pid))):
                path.unlink(missing_ok=True)

    def _discard_damaged(self):
        """Delete, with a warning naming them, the chunk files whose checksum is not the recorded one."""
        _, damaged = verified_chunks(self.directory, self.manifest["n_chunks"])
        for _, path in sorted(damaged.items()):
            warnings.warn(
                f"{path}: damaged or unrecorded chunk (its SHA-256 is not the one recorded in {CHECKSUMS}): "
                "it is computed again",
                RuntimeWarning,
                stacklevel=3,
            )
            path.unlink()

    def finished_chunks(self) -> KeysView[int]:
        """Indices of the chunks on disk whose checksum is the recorded one."""
        return verified_chunks(self.directory, self.manifest["n_chunks"])[0].keys()

    def write_chunk(self, index: int, frame: pd.DataFrame) -> None:
        """Write chunk ``index`` atomically, then append its SHA-256 to the checksum file (flushed to disk)."""
        import pyarrow.parquet as pq

        table = _to_table(frame)
        path = self.directory / chunk_name(index)
        _write_atomically(path, lambda temporary: pq.write_table(table, temporary))
        with open(self.directory / CHECKSUMS, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"chunk": index, "sha256": _sha256(path)}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def read(self, allow_partial: bool = False) -> pd.DataFrame:
        """All rows written so far, ordered by point (``ValueError`` if incomplete, unless allowed)."""
        return load_scan(self.directory, allow_partial=allow_partial)


def _chunk_files(directory):
    found = {}
    for path in Path(directory).iterdir():
        match = _CHUNK.match(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def _to_table(frame):
    """Arrow table of ``frame``; complex columns split in two, recorded in the schema metadata."""
    import pyarrow as pa

    complex_columns = [c for c in frame.columns if np.iscomplexobj(frame[c].to_numpy())]
    order = list(frame.columns)
    if complex_columns:
        frame = frame.copy()
        for column in complex_columns:
            values = frame.pop(column).to_numpy()
            frame[f"{column}.real"] = values.real
            frame[f"{column}.imag"] = values.imag
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if complex_columns:
        metadata = dict(table.schema.metadata or {})
        metadata[_COMPLEX_KEY] = json.dumps({"complex": complex_columns, "order": order}).encode()
        table = table.replace_schema_metadata(metadata)
    return table


def _from_table(table):
    """Inverse of :func:`_to_table`."""
    frame = table.to_pandas()
    metadata = table.schema.metadata or {}
    if _COMPLEX_KEY in metadata:
        recorded = json.loads(metadata[_COMPLEX_KEY])
        for column in recorded["complex"]:
            frame[column] = frame.pop(f"{column}.real").to_numpy() + 1j * frame.pop(f"{column}.imag").to_numpy()
        frame = frame[recorded["order"]]
    return frame


def frame_roundtrip(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` exactly as it reads back from Parquet (so results in memory match those on disk)."""
    return _from_table(_to_table(frame))


def load_scan(directory: str | os.PathLike[str], allow_partial: bool = False) -> pd.DataFrame:
    """Read a scan directory into one DataFrame, rows ordered by ``point``, with the unit of every column in
    ``attrs["units"]`` (the units of the axes recorded in the manifest, the others by :mod:`fastspin.columns`).

    Raises ``ValueError`` if chunks are missing (an interrupted scan: rerun it to resume), unless
    ``allow_partial`` is true.
    """
    import pyarrow.parquet as pq

    manifest = read_manifest(directory)
    files, damaged = verified_chunks(directory, manifest["n_chunks"])
    if damaged:
        names = ", ".join(path.name for _, path in sorted(damaged.items()))
        if not allow_partial:
            raise ValueError(
                f"{directory}: damaged chunks (SHA-256 not the recorded one): {names}; rerun the same "
                "scan to compute them again"
            )
        warnings.warn(f"{directory}: damaged chunks left out: {names}", RuntimeWarning, stacklevel=2)
    missing = manifest["n_chunks"] - len(files)
    if missing and not allow_partial:
        raise ValueError(
            f"{directory}: scan incomplete, {missing} of {manifest['n_chunks']} chunks missing "
            "(rerun the same scan to resume it)"
        )
    units = manifest.get("units") if isinstance(manifest.get("units"), dict) else None
    if not files:
        return attach_units(pd.DataFrame(), units)
    frames = [_from_table(pq.read_table(files[index])) for index in sorted(files)]
    return attach_units(pd.concat(frames, ignore_index=True), units)
