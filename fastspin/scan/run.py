"""Run a scan: chunks of a :class:`~fastspin.scan.ScanSpec` through an executor, into memory or a Parquet store.

Before any work ``out`` is checked (a directory, or a path where one can be made, that the scan can write
into) and the size of the result is estimated and compared with the memory available (a result in memory)
or with the free space of the disk of ``out``: a scan that cannot fit is refused with a ``ValueError``
saying how much it needs.  Before the first chunk only the point index and the axes are known (8 bytes a
value); the first chunk computed gives the real size of a row, and the check is made again with it.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any, Literal, cast, overload

import pandas as pd

from ..columns import attach_units
from ..dynamics.backends import BACKENDS
from .executors import Executor, get_executor
from .spec import ScanSpec
from .store import MANIFEST, ScanStore, chunk_name, frame_roundtrip


class ChunkTask:
    """Picklable task ``index -> DataFrame`` for one chunk of ``spec`` (shipped to Dask workers).

    The frame has the column ``point`` (global index), one column per axis (SI; three, ``_x, _y, _z``, for a
    vector axis) and the model's
    outputs, one row per point in point order, with the dtypes it has when read back from Parquet.
    """

    def __init__(self, spec: ScanSpec, backend: str = "cpu") -> None:
        self.spec = spec
        self.backend = backend

    def __call__(self, index: int) -> pd.DataFrame:
        points = self.spec.points(index)
        model = self.spec.model
        # the models that integrate dynamics (uses_backend) take backend= as well
        outputs = cast(Any, model)(points, backend=self.backend) if model.uses_backend else model(points)
        n = len(points["point"])
        if not isinstance(outputs, pd.DataFrame) or len(outputs) != n:
            raise RuntimeError(
                f"model {self.spec.model.kind!r} returned {type(outputs).__name__} of length "
                f"{len(outputs) if hasattr(outputs, '__len__') else '?'} for a chunk of {n} points"
            )
        columns = {}
        for name in ("point", *self.spec.axis_names):
            values = points[name]
            if values.ndim == 2:  # a vector axis: one column per component
                columns.update({f"{name}_{axis}": values[:, c] for c, axis in enumerate("xyz")})
            else:
                columns[name] = values
        frame = pd.DataFrame(columns)
        extra = [c for c in outputs.columns if c not in frame.columns]
        frame = pd.concat([frame, outputs[extra].reset_index(drop=True)], axis=1)
        return frame_roundtrip(frame)


@overload
def run_scan(
    spec: ScanSpec,
    out: str | os.PathLike[str] | None = None,
    *,
    executor: str | Executor = "local",
    progress: bool = True,
    desc: str | None = None,
    backend: str = "cpu",
    load: Literal[True] = True,
    **executor_options: Any,
) -> pd.DataFrame: ...


@overload
def run_scan(
    spec: ScanSpec,
    out: str | os.PathLike[str] | None = None,
    *,
    executor: str | Executor = "local",
    progress: bool = True,
    desc: str | None = None,
    backend: str = "cpu",
    load: bool,
    **executor_options: Any,
) -> pd.DataFrame | None: ...


def run_scan(
    spec: ScanSpec,
    out: str | os.PathLike[str] | None = None,
    *,
    executor: str | Executor = "local",
    progress: bool = True,
    desc: str | None = None,
    backend: str = "cpu",
    load: bool = True,
    **executor_options: Any,
) -> pd.DataFrame | None:
    """Evaluate every point of ``spec`` and return the tidy DataFrame (one row per point; the unit of every
    column in ``attrs["units"]``, :mod:`fastspin.columns`).

    Parameters
    ----------
    spec : ScanSpec
    out : str or Path, optional
        Scan directory (Parquet, one file per chunk, plus ``manifest.json``).  If it already holds
        this spec, finished chunks are skipped (resume); if it holds another spec, ``ScanMismatchError``.
    executor : str or callable
        ``"local"`` (default) or ``"dask"`` (then ``client=`` or ``scheduler=``), or an
        executor function of :mod:`fastspin.scan.executors`.
    progress : bool
        tqdm progress bar with rate and ETA on stderr; ``False`` for scripts.
    backend : str
        ``"cpu"`` (default), ``"cuda"`` or ``"auto"``: where the dynamics models integrate
        (fastspin.dynamics.backends; resolved where each chunk runs, so ``"auto"`` uses the GPU of whichever
        worker has one).  Models without dynamics run on the CPU:
        ``"cuda"`` is refused for them.  The results do not depend on it (to rounding).
    load : bool
        With ``out``: return the whole result read back from the store (default), or ``None`` with
        ``load=False``, for results larger than memory (read them later with :func:`load_scan`, or in parts
        with ``pyarrow.dataset``).

    Notes
    -----
    A result that cannot fit in the memory available (without ``out``) or on the disk of ``out`` (its
    chunks still to compute) is refused with a ``ValueError`` before the run, and again after the first
    chunk (see :mod:`fastspin.scan.run`).  An ``out`` that is not a directory is a ``NotADirectoryError``, one the
    scan cannot write into a ``PermissionError``; a chunk that cannot be written is an ``OSError`` naming its file.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "cuda" and not spec.model.uses_backend:
        raise ValueError(f"backend='cuda': model {spec.model.kind!r} runs on the CPU only (use 'cpu' or 'auto')")
    run = get_executor(executor)
    store = None
    if out is not None:
        out = Path(out)
        if not (out / MANIFEST).exists():  # (a directory with a manifest is a directory)
            check_output_directory(out, "scan")  # a new scan writes its manifest at once
        store = ScanStore.open(out, spec)
    done = set(store.finished_chunks()) if store is not None else set()
    todo = [i for i in range(spec.n_chunks) if i not in done]
    sizes = [spec.chunk_slice(i)[1] - spec.chunk_slice(i)[0] for i in todo]
    if store is not None and todo:
        check_output_directory(store.directory, "scan")  # a resumed scan writes the chunks still to compute
    rows_left = sum(sizes)
    if out is None and not load:
        raise ValueError("load=False keeps the result on disk: it needs out=DIRECTORY")
    _check_room(spec, rows_left, 8 * (1 + len(spec.axes)), out, load)
    in_memory: dict[int, pd.DataFrame] = {}
    checked = False

    def on_result(index: int, frame: pd.DataFrame) -> None:
        nonlocal checked, rows_left
        if store is None:
            in_memory[index] = frame
            size = frame.memory_usage(index=True, deep=True).sum()
        else:
            path = store.directory / chunk_name(index)
            try:
                store.write_chunk(index, frame)
            except OSError as err:
                if err.filename is not None:
                    raise
                raise OSError(err.errno, err.strerror or str(err), str(path)) from err
            size = path.stat().st_size
        rows_left -= len(frame)
        if not checked:
            checked = True
            _check_room(spec, rows_left, size / len(frame), out, load)

    if todo:
        run(
            ChunkTask(spec, backend),
            todo,
            on_result=on_result,
            sizes=sizes,
            progress=progress,
            desc=desc or spec.model.kind or "scan",
            **executor_options,
        )
    if store is not None:
        return store.read() if load else None
    return attach_units(pd.concat([in_memory[i] for i in sorted(in_memory)], ignore_index=True), spec.axis_units())


def available_memory() -> int | None:
    """Bytes of memory available to this process: ``MemAvailable`` of ``/proc/meminfo`` (Linux), else the
    physical memory (``os.sysconf``), else ``None`` (unknown: memory is not checked)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def free_disk(path: str | os.PathLike[str]) -> int:
    """Free bytes on the disk that holds ``path`` (or would hold it: its nearest existing ancestor)."""
    return shutil.disk_usage(_existing_ancestor(path)).free


def _existing_ancestor(path):
    path = Path(path).absolute()
    while not path.exists():
        path = path.parent
    return path


def check_output_directory(out: str | os.PathLike[str], what: str) -> None:
    """``NotADirectoryError`` if ``out`` is a file, ``PermissionError`` naming ``out`` (or its nearest existing
    ancestor) unless ``what`` (a scan, a command) can write there; nothing is created."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"not a directory (the output of a {what} is a directory)", str(out))
    target = _existing_ancestor(out)
    if not os.access(target, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, f"no permission to write the {what} there", str(target))


def _check_room(spec, rows, bytes_per_row, out, load=True):
    """Refuse (``ValueError``) a scan whose ``rows`` still to compute, of ``bytes_per_row`` each, cannot fit: on the
    disk of ``out``; in memory together with their concatenation (the whole result again) when the result is
    returned (no ``out``, or ``load``)."""
    in_memory = bytes_per_row * (rows + spec.n_points) if out is None else 2 * bytes_per_row * spec.n_points
    available = available_memory()
    if (out is None or load) and available is not None and in_memory > available:
        advice = (
            "pass out=... to store it on disk in chunks"
            if out is None
            else "pass load=False to keep it on disk only (fastspin scan does)"
        )
        raise ValueError(
            f"scan of {spec.n_points} points needs about {_size(in_memory)} in memory "
            f"({_size(available)} available): {advice}"
        )
    if out is not None:
        needed, free = bytes_per_row * rows, free_disk(out)
        if needed > free:
            left = f" ({rows} still to compute)" if rows < spec.n_points else ""
            raise ValueError(
                f"scan of {spec.n_points} points{left} needs about {_size(needed)} on disk at {out} "
                f"({_size(free)} free)"
            )


def _size(n_bytes):
    """``n_bytes`` in readable units: "512 B", "3.1 MB", "2.4 TB"."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n_bytes < 1000 or unit == "TB":
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1000
