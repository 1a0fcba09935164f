"""Record ``fixtures/kernel_steps.json``: the transport kernel's outputs for the cases of ``kernel_cases``.

Run from the repository root: ``python -m tests.transport.make_kernel_fixture``.  The recorded file is the
reference of ``test_kernel_steps.py``; it was made with the monolithic kernel before its split into steps, so
rerun this only on purpose (a change of the physics), never to make a failing comparison pass.
"""

import json
import pathlib

import numba
import numpy as np

from .kernel_cases import cases, compute

PATH = pathlib.Path(__file__).parent / "fixtures" / "kernel_steps.json"


def main():
    record = {"numba": numba.__version__, "numpy": np.__version__, "cases": {}}
    for name, (stack, params, keywords) in cases().items():
        out = compute(stack, params, keywords)
        record["cases"][name] = {key: value.tolist() for key, value in out.items()}
    PATH.parent.mkdir(exist_ok=True)
    PATH.write_text(json.dumps(record, indent=None, allow_nan=True) + "\n")  # floats as repr: round-trip exact
    print(f"wrote {PATH} ({PATH.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
