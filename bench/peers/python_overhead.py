#!/usr/bin/env python3
"""What the Python entry point costs: (a) simdlr.LogisticRegression().fit against the CLI's
fit alone (`simdlr fit --json`'s fit_seconds, no I/O) on the same .npy data, and (b) single-row
predict_proba latency of simdlr and scikit-learn. Prints medians.

    build/python-venv/bin/python bench/peers/python_overhead.py \
        [--cli build/release/src/cli/simdlr] [--n 200000] [--d 100] [--reps 5]

Targets (issue 16): the Python call adds under 2% to a fit over 10 ms; predict_proba of one
row under 2 us. Both fits use the library's defaults and the same threads (OpenMP's default).
"""
import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

import simdlr

import python_entry  # the one-row latency, as the report measures it


def gaussian_problem(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d) / np.sqrt(d)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w)))).astype(np.float64)
    return X, y


def fit_overhead(cli, n, d, reps):
    X, y = gaussian_problem(n, d)
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "X.npy", X)
        np.save(Path(tmp) / "y.npy", y)
        cli_times, py_times = [], []
        for _ in range(reps):  # interleaved, so both see the same machine load
            out = subprocess.run([cli, "fit", "--x", f"{tmp}/X.npy", "--y", f"{tmp}/y.npy",
                                  "--json"], capture_output=True, text=True, check=True)
            cli_times.append(json.loads(out.stdout)["fit_seconds"])
            start = time.perf_counter()
            simdlr.LogisticRegression().fit(X, y)
            py_times.append(time.perf_counter() - start)
    c, p = statistics.median(cli_times), statistics.median(py_times)
    print(f"fit {n} x {d} float64: CLI fit {c * 1e3:.1f} ms, Python fit {p * 1e3:.1f} ms, "
          f"Python adds {100 * (p / c - 1):+.1f}% (medians of {reps})")


def one_row_latency(reps):
    for record in python_entry.one_row_latency(reps):
        print(f"predict_proba, one row of 30 float64: {record['system']} "
              f"{record['seconds_per_call'] * 1e6:.2f} us (median of {reps} x "
              f"{record['calls']} calls)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    repo = Path(__file__).resolve().parents[2]
    parser.add_argument("--cli", default=str(repo / "build/release/src/cli/simdlr"))
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    print(f"ISA {simdlr.kernels.active_isa()}, simdlr {simdlr.__version__}")
    fit_overhead(args.cli, args.n, args.d, args.reps)
    one_row_latency(args.reps)


if __name__ == "__main__":
    main()
