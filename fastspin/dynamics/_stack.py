from .core.stack_buffer import stack_buffer  # noqa: F401
