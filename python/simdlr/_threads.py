"""n_jobs (joblib's convention) to the library's thread count (0: OpenMP's default)."""

from __future__ import annotations

import numbers
import os


def thread_count(n_jobs) -> int:
    """None -> 0 (OpenMP's default, so OMP_NUM_THREADS applies); n > 0 -> n threads;
    -1 -> every CPU, -2 -> all but one, and so on (at least one)."""
    if n_jobs is None:
        return 0
    if not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero integer, got {n_jobs!r}")
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
