"""Run a scan: chunks of a :class:`ScanSpec` through an executor, into memory or a Parquet store."""
import pandas as pd

from .executors import get_executor
from .store import ScanStore, frame_roundtrip


class ChunkTask:
    """Picklable task ``index -> DataFrame`` for one chunk of ``spec`` (shipped to Dask workers).

    The frame has the column ``point`` (global index), one column per axis (SI) and the model's
    outputs, one row per point in point order, with the dtypes it has when read back from Parquet.
    """

    def __init__(self, spec, backend="cpu"):
        self.spec = spec
        self.backend = backend

    def __call__(self, index):
        points = self.spec.points(index)
        model = self.spec.model
        outputs = model(points, backend=self.backend) if model.uses_backend else model(points)
        n = len(points["point"])
        if not isinstance(outputs, pd.DataFrame) or len(outputs) != n:
            raise RuntimeError(
                f"model {self.spec.model.kind!r} returned {type(outputs).__name__} of length "
                f"{len(outputs) if hasattr(outputs, '__len__') else '?'} for a chunk of {n} points"
            )
        frame = pd.DataFrame({name: points[name] for name in ("point", *self.spec.axis_names)})
        extra = [c for c in outputs.columns if c not in frame.columns]
        frame = pd.concat([frame, outputs[extra].reset_index(drop=True)], axis=1)
        return frame_roundtrip(frame)


def run_scan(spec, out=None, *, executor="local", progress=True, desc=None, backend="cpu", **executor_options):
    """Evaluate every point of ``spec`` and return the tidy DataFrame (one row per point).

    Parameters
    ----------
    spec : ScanSpec
    out : path, optional
        Scan directory (Parquet, one file per chunk, plus ``manifest.json``).  If it already holds
        this spec, finished chunks are skipped (resume); if it holds another spec, ``ScanMismatchError``.
    executor : ``"local"`` (default) or ``"dask"`` (then ``client=`` or ``scheduler=``), or an
        executor function of :mod:`fastspin.scan.executors`.
    progress : bool
        tqdm progress bar with rate and ETA on stderr; ``False`` for scripts.
    backend : ``"cpu"`` (default), ``"cuda"`` or ``"auto"``
        Where the dynamics models integrate (fastspin.dynamics.backends; resolved where each chunk runs,
        so ``"auto"`` uses the GPU of whichever worker has one).  Models without dynamics run on the CPU:
        ``"cuda"`` is refused for them.  The results do not depend on it (to rounding).
    """
    from ..dynamics.backends import BACKENDS

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "cuda" and not spec.model.uses_backend:
        raise ValueError(f"backend='cuda': model {spec.model.kind!r} runs on the CPU only (use 'cpu' or 'auto')")
    run = get_executor(executor)
    store = ScanStore.open(out, spec) if out is not None else None
    done = set(store.finished_chunks()) if store is not None else set()
    todo = [i for i in range(spec.n_chunks) if i not in done]
    sizes = [spec.chunk_slice(i)[1] - spec.chunk_slice(i)[0] for i in todo]
    in_memory = {}

    def on_result(index, frame):
        if store is not None:
            store.write_chunk(index, frame)
        else:
            in_memory[index] = frame

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
        return store.read()
    return pd.concat([in_memory[i] for i in sorted(in_memory)], ignore_index=True)
