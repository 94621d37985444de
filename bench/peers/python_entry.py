#!/usr/bin/env python3
"""The Python entry point in the benchmark report (issue 16): simdlr.LogisticRegression().fit on
the report's binary and multinomial problems, with the options of peer_bench's simdlr lbfgs row
(C of the problem, tol 1e-6, max_iter 10000, the same thread count), so the report can set it
beside the C++ call and scikit-learn's lbfgs of the same run; and one-row predict_proba of simdlr
and scikit-learn on the standardized breast cancer data.

    build/python-venv/bin/python bench/peers/python_entry.py WORK_DIR --out FILE.json \
        [--reps 3] [--threads 1,2]

Fit times are taken around the fit call alone, the arrays already in memory (as peer_bench
times the C++ fit), alternated with fits by the compiled core alone on the same arrays. The
fitted parameters go to WORK_DIR/coef/<problem>__simdlr-python__lbfgs__<dtype>__t<threads>.npy,
so the report evaluates their objectives like every other fit's.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

import simdlr
from simdlr._inputs import class_index  # the estimator's own label encoding

from python_peers import load, params_of  # the same arrays and parameter layout

TOL = 1e-6  # peer_bench's --simdlr_tol default
MAX_ITER = 10000


def time_fit(problem, dtype, threads, reps):
    """Times of the estimator's fit and of the library's fit alone (the compiled core's, with the
    labels encoded beforehand), alternated in this process, so machine load that comes and goes
    falls on both alike; the Python call's own cost is the difference."""
    X, y = load(problem, dtype)
    times, core_times, model = [], [], None
    for _ in range(reps):
        model = simdlr.LogisticRegression(C=problem["C"], solver="lbfgs", tol=TOL,
                                          max_iter=MAX_ITER, n_jobs=threads)
        start = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - start)
        core = model._make_core()
        classes, index = class_index(y)
        start = time.perf_counter()
        core.fit(X, index, None, classes.size, None, None, False)
        core_times.append(time.perf_counter() - start)
    return times, core_times, int(np.max(model.n_iter_)), params_of(model)


def one_row_latency(reps, calls=20_000):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    row = np.ascontiguousarray(X[:1])
    records = []
    for name, est in (("simdlr", simdlr.LogisticRegression()),
                      ("sklearn", SkLogisticRegression())):
        est.fit(X, y)
        per_call = []
        for _ in range(reps):
            start = time.perf_counter()
            for _ in range(calls):
                est.predict_proba(row)
            per_call.append((time.perf_counter() - start) / calls)
        records.append({"system": name, "seconds_per_call": statistics.median(per_call),
                        "calls": calls, "reps": reps})
    return records


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("--out", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    with open(os.path.join(args.work, "manifest.json")) as f:
        manifest = json.load(f)
    coef_dir = os.path.join(args.work, "coef")
    os.makedirs(coef_dir, exist_ok=True)
    fits = []
    for problem in manifest["problems"]:
        if problem["task"] == "linear" or problem["group"] in ("real", "large"):
            continue
        for dtype in ("f64", "f32"):
            for threads in (int(t) for t in args.threads.split(",")):
                times, core_times, iterations, params = time_fit(problem, dtype, threads,
                                                                 args.reps)
                np.save(os.path.join(coef_dir, f"{problem['name']}__simdlr-python__lbfgs__"
                                               f"{dtype}__t{threads}.npy"), params)
                fits.append({"problem": problem["name"], "dtype": dtype, "threads": threads,
                             "times": times, "core_times": core_times,
                             "iterations": iterations})
    result = {"simdlr_version": simdlr.__version__, "isa": simdlr.kernels.active_isa(),
              "fits": fits, "predict_proba_one_row": one_row_latency(max(args.reps, 3))}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
