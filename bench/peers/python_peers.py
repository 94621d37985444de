#!/usr/bin/python3
"""The Python peers of the benchmark report, on the problems of make_problems.py's manifest.

    /usr/bin/python3 bench/peers/python_peers.py WORK_DIR --out FILE.json [--reps 3] [--threads 1,2]
        [--problems NAME,NAME...]
    /usr/bin/python3 bench/peers/python_peers.py WORK_DIR --one-fit PROBLEM SOLVER DTYPE
    /usr/bin/python3 bench/peers/python_peers.py WORK_DIR --baseline

Systems:
  sklearn   scikit-learn's LogisticRegression (solver lbfgs, its default, and newton-cg; default
            tol, max_iter raised to 10000 so it stops on its own criterion) and LinearRegression,
            on the same arrays; float32 data is passed as float32 (scikit-learn's lbfgs copies it
            to float64, which is part of what it costs).
  numpy-gd  the textbook gradient, X.T @ (sigmoid(X @ w + b) - y) (and the intercept's sum), the
            step every from-scratch gradient-descent tutorial repeats: timed per evaluation, so it
            compares with one function+gradient evaluation of simdlr (peer_bench's eval/...).
Thread counts are set with threadpoolctl (the BLAS numpy and scikit-learn call). The report runs
this with OPENBLAS_CORETYPE set to the machine's best OpenBLAS kernels (see scripts/bench-report).

The fitted parameters (coef rows, then intercepts) go to WORK_DIR/coef/<problem>__sklearn__<solver>
__<dtype>__t<threads>.npy, like peer_bench's, so the report evaluates every objective the same way.
--one-fit runs one fit and exits (peak_memory.py measures such a process); --baseline only
imports what a fit imports.
"""
import argparse
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np


def load(problem, dtype):
    X = np.load(problem["X_f32" if dtype == "f32" else "X_f64"])
    y = np.load(problem["y"])
    return X, y


def make_model(problem, solver):
    from sklearn.linear_model import LinearRegression, LogisticRegression
    if problem["task"] == "linear":
        return LinearRegression()
    return LogisticRegression(C=problem["C"], solver=solver, max_iter=10000)


def solvers_for(problem):
    return ["lstsq"] if problem["task"] == "linear" else ["lbfgs", "newton-cg"]


def params_of(model):
    coef = np.atleast_2d(model.coef_).astype(np.float64)
    intercept = np.atleast_1d(model.intercept_).astype(np.float64)
    return np.concatenate([coef.ravel(), intercept])


def time_fit(problem, solver, dtype, reps):
    X, y = load(problem, dtype)
    times, model = [], None
    for _ in range(reps):
        model = make_model(problem, solver)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            model.fit(X, y)
            times.append(time.perf_counter() - start)
    iterations = int(np.max(getattr(model, "n_iter_", [0])))
    return times, iterations, params_of(model)


def time_numpy_gradient(problem, dtype, reps):
    """One evaluation of the textbook gradient at a fixed nonzero point (as peer_bench's eval)."""
    X, y = load(problem, dtype)
    y = y.astype(X.dtype)
    w = (0.01 * np.sin(np.arange(X.shape[1]))).astype(X.dtype)
    b = X.dtype.type(0.01 * np.sin(X.shape[1]))
    times = []
    for _ in range(max(reps, 5)):
        start = time.perf_counter()
        r = 1 / (1 + np.exp(-(X @ w + b))) - y
        grad_w = X.T @ r
        grad_b = r.sum()
        times.append(time.perf_counter() - start)
    assert np.isfinite(grad_w).all() and np.isfinite(grad_b)
    return times


def run_all(args, manifest):
    from threadpoolctl import threadpool_info, threadpool_limits
    coef_dir = os.path.join(args.work, "coef")
    os.makedirs(coef_dir, exist_ok=True)
    records = []
    threads = [int(t) for t in args.threads.split(",")]
    only = set(args.problems.split(",")) if args.problems else None
    for problem in manifest["problems"]:
        if only is not None and problem["name"] not in only:
            continue
        if problem["group"] == "large":  # simdlr only (see make_problems.py)
            continue
        if problem["group"] == "real":  # the PyPI peers' (real_peers.py)
            continue
        for dtype in ("f64", "f32"):
            for t in threads:
                with threadpool_limits(limits=t):
                    for solver in solvers_for(problem):
                        if solver == "newton-cg" and str(t) not in args.newton_threads.split(","):
                            continue
                        times, iterations, params = time_fit(problem, solver, dtype, args.reps)
                        name = f"{problem['name']}__sklearn__{solver}__{dtype}__t{t}"
                        np.save(os.path.join(coef_dir, name + ".npy"), params)
                        records.append(dict(kind="fit", problem=problem["name"], system="sklearn",
                                            solver=solver, dtype=dtype, threads=t, times=times,
                                            median=statistics.median(times),
                                            iterations=iterations))
                        print(f"{name}: {statistics.median(times) * 1e3:.2f} ms "
                              f"({iterations} iterations)", flush=True)
                    if problem["task"] == "binary" and problem["n"] >= 10000:
                        times = time_numpy_gradient(problem, dtype, args.reps)
                        records.append(dict(kind="eval", problem=problem["name"], system="numpy-gd",
                                            solver="gradient", dtype=dtype, threads=t, times=times,
                                            median=statistics.median(times)))
    import sklearn
    out = dict(context=dict(sklearn=sklearn.__version__, numpy=np.__version__,
                            python=sys.version.split()[0],
                            openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", ""),
                            blas=[{k: v for k, v in lib.items() if k != "filepath"}
                                  for lib in threadpool_info()]),
               records=records)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("--out")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--newton-threads", default="1,2",
                        help="thread counts for newton-cg (the slowest peer; --quick runs it on 1)")
    parser.add_argument("--problems", help="only these problems (comma-separated names)")
    parser.add_argument("--one-fit", nargs=3, metavar=("PROBLEM", "SOLVER", "DTYPE"))
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    args.work = os.path.abspath(args.work)
    with open(os.path.join(args.work, "manifest.json")) as f:
        manifest = json.load(f)
    if args.baseline:
        import sklearn.linear_model  # noqa: F401  (what a fit imports, and nothing else)
        return
    if args.one_fit:
        name, solver, dtype = args.one_fit
        problem = next(p for p in manifest["problems"] if p["name"] == name)
        time_fit(problem, solver, dtype, 1)
        return
    if not args.out:
        parser.error("--out is required")
    run_all(args, manifest)


if __name__ == "__main__":
    main()
