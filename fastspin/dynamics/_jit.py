from .core.jit import FASTMATH, KERNEL, LANE_LOOP, LEAF, STRICT  # noqa: F401
