"""Which driver integrates a batch: the CPU kernels (fastspin.dynamics.cpu) or the GPU (fastspin.dynamics.gpu).

``backend``: ``"cpu"`` (default), ``"cuda"`` (an NVIDIA GPU through numba-cuda: ``pip install
'fastspin[cuda]'``), or ``"auto"`` (CUDA when a usable GPU is present, else the CPU).  ``precision``:
``"float64"`` (default) or ``"float32"`` (CUDA only).  ``import fastspin`` never imports CUDA: it is
imported here, on first use (fastspin.dynamics.core.targets.import_cuda).
"""

from typing import Literal

from .core.jit import PRECISIONS

BACKENDS = ("cpu", "cuda", "auto")
INSTALL = "pip install 'fastspin[cuda]'"


def cuda_available() -> tuple[bool, str]:
    """``(usable, reason)``: whether numba.cuda imports and finds a GPU (or runs on its simulator)."""
    try:
        from .core.targets import import_cuda

        cuda = import_cuda()
    except Exception as exc:  # numba-cuda missing or broken: the reason is shown to the user
        return False, f"numba.cuda does not import ({type(exc).__name__}: {exc})"
    try:
        if cuda.is_available():
            return True, ""
    except Exception as exc:  # a driver that fails to initialise
        return False, f"the CUDA driver failed ({type(exc).__name__}: {exc})"
    return False, "no CUDA driver or no NVIDIA GPU (numba.cuda.is_available() is False)"


def resolve(backend: str, precision: str = "float64") -> Literal["cpu", "cuda"]:
    """``"cpu"`` or ``"cuda"`` for the user's ``backend`` and ``precision`` (ValueError when not possible)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    chosen: Literal["cpu", "cuda"]
    if backend == "cpu":
        chosen = "cpu"
    else:
        usable, reason = cuda_available()
        if backend == "cuda" and not usable:
            raise ValueError(
                f"backend='cuda' needs an NVIDIA GPU with its driver and numba-cuda ({INSTALL}): "
                f"{reason}; use backend='cpu' or 'auto'"
            )
        chosen = "cuda" if usable else "cpu"
    if precision == "float32" and chosen == "cpu":
        raise ValueError("precision='float32' runs on backend='cuda' only (the CPU kernels integrate in float64)")
    return chosen
