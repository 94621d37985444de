"""simdlr.kernels: the library's vectorized kernels over NumPy vectors, and its ISA dispatch.

float32 and float64 C-contiguous 1-D arrays are read in place (no copy); other inputs are
converted once, to float32 if every argument is float32, else to float64. Results are in that
dtype. ``threads`` (default 0: OpenMP's default) never changes the result.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from . import _simdlr

__all__ = [
    "dot", "sigmoid", "log_loss", "active_isa", "best_isa", "available_isas", "set_isa", "use_isa",
]


def _vectors(*arrays):
    arrays = [np.asarray(a) for a in arrays]
    dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
    out = []
    for a in arrays:
        if a.ndim != 1:
            raise ValueError(f"expected a 1-D array, got shape {a.shape}")
        out.append(np.ascontiguousarray(a, dtype=dtype))
    return out


def dot(x, y, *, threads=0):
    """sum(x * y), vectorized on the active ISA (error bound in <simdlr/kernels.hpp>)."""
    x, y = _vectors(x, y)
    return x.dtype.type(_simdlr.dot(x, y, threads))


def sigmoid(z, *, out=None, threads=0):
    """1 / (1 + exp(-z)), elementwise; `out` may be z itself (then z must be C-contiguous
    float32/float64)."""
    (z,) = _vectors(z)
    if out is None:
        out = np.empty_like(z)
    elif not (isinstance(out, np.ndarray) and out.dtype == z.dtype and out.flags.c_contiguous
              and out.flags.writeable and out.shape == z.shape):
        raise ValueError("out must be a writeable C-contiguous array of z's shape and dtype")
    _simdlr.sigmoid(z, out, threads)
    return out


def log_loss(z, y, *, threads=0):
    """sum(softplus(z) - y * z) from logits z and labels y in [0, 1] (a sum, not a mean);
    finite for every finite z."""
    z, y = _vectors(z, y)
    return z.dtype.type(_simdlr.log_loss(z, y, threads))


def active_isa() -> str:
    """The instruction set the kernels run on now: scalar, sse2, avx2 or avx512."""
    return _simdlr.active_isa()


def best_isa() -> str:
    """The best instruction set this CPU and OS support (ignoring SIMDLR_ISA)."""
    return _simdlr.best_isa()


def available_isas() -> list[str]:
    """Every instruction set this machine can run, from scalar up."""
    return list(_simdlr.available_isas())


def set_isa(name: str) -> None:
    """Switch every kernel, for the whole process, to `name` (also possible before import with
    the environment variable SIMDLR_ISA). UnsupportedIsa (a ValueError) if the machine cannot
    run it. Not to be called while another thread is fitting or predicting."""
    _simdlr.set_active_isa(name)


@contextmanager
def use_isa(name: str):
    """Run a block on ISA `name`, then switch back (same caveat as set_isa)."""
    previous = active_isa()
    set_isa(name)
    try:
        yield
    finally:
        set_isa(previous)
