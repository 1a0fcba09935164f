"""Executors: run one task per chunk, locally or on a Dask cluster, behind one signature.

Modelled on the map functions of QuTiP (``qutip/solver/parallel.py``): every executor is a
function ::

    executor(task, items, *, on_result, sizes=None, progress=True, desc="scan", **options)

that calls ``task(item)`` for every item and hands each result to ``on_result(item, result)`` *in
the calling process, as soon as it is ready* (so the store can write it at once and nothing
finished is lost).  ``sizes`` gives the number of points of each item for the progress bar (tqdm,
with rate and ETA, on stderr; ``progress=False`` silences it).  The first failing task stops the
run: pending work is cancelled and its exception is raised, after the results already handed over.

* ``local``: the calling process, one chunk after the other; each chunk is one batched Numba
  kernel call that is itself parallel over its points (Numba threads).  Nothing to start.
* ``dask``: ``dask.distributed``; pass ``client=`` (a ``Client``) or ``scheduler=`` (an address
  such as ``"tcp://10.0.0.1:8786"``).  Chunks run on the workers; results come back to the caller.
  A scheduler that does not answer within :data:`CONNECT_TIMEOUT` is a ``ConnectionError`` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

if TYPE_CHECKING:
    from distributed import Client

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")
#: ``executor(task, items, *, on_result, sizes=None, progress=True, desc="scan", **options)`` (module docstring)
Executor: TypeAlias = Callable[..., None]

#: how long ``dask_map`` waits for the scheduler given by ``scheduler=`` to answer (a Dask time string)
CONNECT_TIMEOUT = "5s"


@contextmanager
def _progress_bar(total, progress, desc):
    from tqdm import tqdm  # the text bar, in a terminal and in a notebook alike (no ipywidgets needed)

    bar = tqdm(total=total, unit="pt", unit_scale=True, desc=desc, disable=not progress, smoothing=0.05)
    try:
        yield bar
    finally:
        bar.close()


def _sizes(items: list[Any], sizes: Iterable[int] | None) -> list[int]:
    sizes = [1] * len(items) if sizes is None else list(sizes)
    if len(sizes) != len(items):
        raise ValueError("sizes: one size per item is needed")
    return sizes


def local_map(
    task: Callable[[_Item], _Result],
    items: Iterable[_Item],
    *,
    on_result: Callable[[_Item, _Result], object],
    sizes: Iterable[int] | None = None,
    progress: bool = True,
    desc: str = "scan",
) -> None:
    """Run ``task`` on every item in this process (each call parallel in Numba threads)."""
    items = list(items)
    sizes = _sizes(items, sizes)
    with _progress_bar(sum(sizes), progress, desc) as bar:
        for item, size in zip(items, sizes):
            on_result(item, task(item))
            bar.update(size)


def dask_map(
    task: Callable[[_Item], _Result],
    items: Iterable[_Item],
    *,
    on_result: Callable[[_Item, _Result], object],
    sizes: Iterable[int] | None = None,
    progress: bool = True,
    desc: str = "scan",
    client: Client | None = None,
    scheduler: str | None = None,
) -> None:
    """Run ``task`` on every item on a ``dask.distributed`` cluster (``client`` or ``scheduler``)."""
    from distributed import Client, as_completed

    if client is None and scheduler is None:
        raise ValueError("executor 'dask' needs client= (a distributed.Client) or scheduler= (an address)")
    if client is not None and scheduler is not None:
        raise ValueError("executor 'dask': give client= or scheduler=, not both")
    items = list(items)
    sizes = _sizes(items, sizes)
    own_client = None
    if client is None:
        try:
            own_client = client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as err:
            detail = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ConnectionError(f"executor 'dask': no scheduler answered at {scheduler} ({detail})") from err
    futures = []
    try:
        futures = client.map(task, items, pure=False)
        position = {future.key: k for k, future in enumerate(futures)}
        with _progress_bar(sum(sizes), progress, desc) as bar:
            for future in as_completed(futures):
                k = position[future.key]
                result = future.result()  # raises the task's exception
                on_result(items[k], result)
                future.release()
                bar.update(sizes[k])
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)
        if own_client is not None:
            own_client.close()


EXECUTORS: dict[str, Executor] = {"local": local_map, "dask": dask_map}


def get_executor(name: str | Executor) -> Executor:
    """The executor function called ``name`` (``"local"`` or ``"dask"``)."""
    if callable(name):
        return name
    if name not in EXECUTORS:
        raise ValueError(f"executor: unknown executor {name!r} (use {', '.join(EXECUTORS)})")
    return EXECUTORS[name]
