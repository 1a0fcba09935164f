"""Parameter scans: specs, chunks, executors (local, Dask), Parquet storage with resume, phase maps.

>>> from fastspin.scan import Axis, ScanSpec, run_scan
>>> spec = ScanSpec(model, [Axis.linspace("current_density", -2e12, 2e12, 101)])   # doctest: +SKIP
>>> frame = run_scan(spec, out="scan_dir")                                         # doctest: +SKIP

Importing this package imports every model module, and each model kind registers itself there
(:data:`fastspin.scan.model.MODEL_KINDS`): a new kind is one new module, imported here.
"""

from .dynamics_model import DynamicsModel
from .errors import SpecError
from .executors import EXECUTORS, dask_map, local_map
from .model import AxisInfo, FunctionModel, Model, model_from_dict
from .run import run_scan
from .spec import Axis, ScanSpec
from .store import ScanMismatchError, load_scan, read_manifest
from .system_model import SystemModel
from .toml_spec import load_spec, spec_from_toml
from .transport_model import PhiCModel, TransportModel

__all__ = [
    "EXECUTORS",
    "Axis",
    "AxisInfo",
    "DynamicsModel",
    "FunctionModel",
    "Model",
    "PhiCModel",
    "ScanMismatchError",
    "ScanSpec",
    "SpecError",
    "SystemModel",
    "TransportModel",
    "dask_map",
    "load_scan",
    "load_spec",
    "local_map",
    "model_from_dict",
    "read_manifest",
    "run_scan",
    "spec_from_toml",
]
