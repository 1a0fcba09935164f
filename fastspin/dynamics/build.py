"""Generated kernel modules: written once per structure to a cache folder, imported, compiled with ``cache=True``.

A generated module's file name is a hash of its source and of the fastspin sources its leaves come from,
so Numba's on-disk cache (which checks only the generated file) can never serve code compiled from
older leaves.  The folder is ``$FASTSPIN_KERNEL_CACHE`` or ``~/.cache/fastspin/kernels``; files are
written atomically (several processes may build the same kernel).
"""

import hashlib
import importlib.util
import os
import pathlib
import sys
from types import ModuleType

_PACKAGE = pathlib.Path(__file__).resolve().parents[1]
_FINGERPRINT: list[str] = []


def cache_folder() -> pathlib.Path:
    folder = os.environ.get("FASTSPIN_KERNEL_CACHE")
    path = pathlib.Path(folder) if folder else pathlib.Path.home() / ".cache" / "fastspin" / "kernels"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fingerprint() -> str:
    """Hash of the sources the generated kernels inline (fastspin.dynamics and the transport kernels)."""
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        files = sorted((_PACKAGE / "dynamics").rglob("*.py")) + [
            _PACKAGE / "transport" / "kernels.py",
            _PACKAGE / "stack.py",
            _PACKAGE / "parameters.py",
        ]
        for path in files:
            digest.update(path.read_bytes())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def load(source: str, stem: str) -> ModuleType:
    """Import the module of generated ``source`` (building its file if needed)."""
    key = hashlib.sha256((_fingerprint() + source).encode()).hexdigest()[:20]
    name = f"fastspin_{stem}_{key}"
    if name in sys.modules:
        return sys.modules[name]
    path = cache_folder() / f"{name}.py"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import the generated module {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
