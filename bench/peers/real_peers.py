"""The PyPI peers on the real group of make_problems.py's manifest (issue 15).

    build/bench-venv/bin/python bench/peers/real_peers.py WORK_DIR --out FILE.json
        [--reps 3] [--threads 1,2] [--time-limit 60] [--rep-budget 10] [--problems A,B]

--problems may name problems of any group, the grid's too (binary and multinomial).

Runs in the virtual environment scripts/bench-report makes (bench/peers/requirements-real.txt),
not with Debian's python: these are the current releases people install. Peers, each at its own
tight tolerance so that it reaches the optimum (objectives.py checks whether it did):
  sklearn    LogisticRegression, solvers lbfgs, newton-cholesky, newton-cg; tol 1e-10
  glum       GeneralizedLinearRegressor(family="binomial"), solvers irls-cd and lbfgs,
             gradient_tol 1e-10 (float32 data: 1e-6); binary only (glum has no multinomial family).
             alpha = 1 / (n C) gives our objective divided by n C (see glum_alpha)
  sklearnex  scikit-learn-intelex's LogisticRegression (oneDAL loss and gradient under scipy's
             L-BFGS-B, its only CPU solver outside preview mode); tol 1e-10
The peers of one problem, type and thread count run in a child process, for two reasons: the
thread count is fixed before any library starts its threads, and a configuration (peer and
solver) that takes longer than --time-limit seconds of fitting is stopped (SIGALRM, with no
handler, ends the child, even inside C code) and reported as such; the slow first-order solvers
on ill-conditioned data would otherwise take most of the run. A new child then runs the
remaining peers. A configuration repeats its fit up to --reps times, but starts no new
repetition once --rep-budget seconds have gone into fitting; the median of what it did is
reported with the count.

Fitted parameters go to WORK_DIR/coef/<problem>__<prefix><peer>__<solver>__<dtype>__t<threads>.npy
(coef rows, then intercepts; --label-prefix, default none), as peer_bench's, for the report's one
evaluator.
"""
import argparse
import json
import logging
import os
import signal
import sys

from child_runs import median_text, run_in_children, save_line, timed_call

TOL = 1e-10
# glum's gradient_tol on float32 data: 1e-10 is below what float32 resolves, and glum then runs
# to max_iter (irls-cd on the raw breast cancer data: minutes, where 1e-6 takes 9 iterations).
GLUM_F32_TOL = 1e-6
MAX_ITER = 100_000
PEERS = [("sklearn", "lbfgs"), ("sklearn", "newton-cholesky"), ("sklearn", "newton-cg"),
         ("glum", "irls-cd"), ("glum", "lbfgs"), ("sklearnex", "lbfgs")]
# Debian's OpenBLAS needs these set on this CPU (scripts/bench-report); the wheels' newer
# OpenBLAS knows the CPU, and the machine's OPENBLAS_L2_SIZE would slow it down.
DROP_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Warnings about the libraries' own future, not about the fit: not reported.
QUIET = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def glum_alpha(problem):
    """glum minimises 1/(2n) deviance + alpha/2 |w|^2, and the binomial deviance is twice the
    summed log loss: that is (1/n) sum loss + alpha/2 |w|^2. Ours, C sum loss + 1/2 |w|^2,
    divided by n C is the same with alpha = 1 / (n C); the intercept is unpenalised in both."""
    return 1.0 / (problem["n"] * problem["C"])


def make_model(system, solver, problem, dtype, threads):
    """The estimator and the parameters it was given (for the report)."""
    if system == "glum":
        from glum import GeneralizedLinearRegressor
        params = dict(family="binomial", alpha=glum_alpha(problem), l1_ratio=0.0, solver=solver,
                      gradient_tol=GLUM_F32_TOL if dtype == "f32" else TOL, max_iter=MAX_ITER)
        return GeneralizedLinearRegressor(**params), params
    params = dict(C=problem["C"], solver=solver, tol=TOL, max_iter=MAX_ITER)
    if system == "sklearnex":
        import daal4py
        from sklearnex.linear_model import LogisticRegression
        daal4py.daalinit(threads)  # oneDAL's own thread count (TBB, not OpenMP)
    else:
        from sklearn.linear_model import LogisticRegression
    return LogisticRegression(**params), params


def iterations_of(model):
    import numpy as np
    return int(np.max(np.atleast_1d(model.n_iter_)))


def params_of(model):
    import numpy as np
    coef = np.atleast_2d(model.coef_).astype(np.float64)
    return np.concatenate([coef.ravel(), np.atleast_1d(model.intercept_).astype(np.float64)])


def version_of(system):
    from importlib.metadata import version
    return version({"sklearn": "scikit-learn", "glum": "glum",
                    "sklearnex": "scikit-learn-intelex"}[system])


def new_record(problem, system, solver, dtype, threads, limit, **extra):
    """A configuration's record before any fit finished."""
    return dict(kind="fit", problem=problem, system=system, solver=solver, dtype=dtype,
                threads=threads, version=version_of(system), times=[], limit=limit, **extra)


def child(args):
    """The peers of one problem, type and thread count, in PEERS order (args.child_peers):
    appends to args.record one JSON line per configuration when it starts and one after each
    repetition (the last line of a configuration is its record), and writes the parameters."""
    import numpy as np
    from threadpoolctl import threadpool_info
    problem, dtype, threads = args.child[0], args.child[1], int(args.child[2])
    with open(os.path.join(args.work, "manifest.json")) as f:
        p = next(q for q in json.load(f)["problems"] if q["name"] == problem)
    X = np.load(p["X_f32" if dtype == "f32" else "X_f64"])
    y = np.load(p["y"])
    peers = [tuple(v.split(":")) for v in args.child_peers.split(",")]
    for system, solver in peers:  # imports (and oneDAL's set-up) before any clock runs
        make_model(system, solver, p, dtype, threads)
    said = Messages()
    logger = logging.getLogger("sklearnex")
    logger.handlers, logger.propagate = [said], False  # to us only, not to stderr
    logger.setLevel(logging.INFO)
    for system, solver in peers:
        name = f"{problem}__{args.label_prefix}{system}__{solver}__{dtype}__t{threads}"
        record = new_record(problem, system, solver, dtype, threads, args.time_limit)
        save_line(args.record, record)
        signal.setitimer(signal.ITIMER_REAL, args.time_limit)  # no handler: SIGALRM ends us
        fitting = other = 0.0
        while len(record["times"]) < args.reps and (not record["times"]
                                                    or fitting < args.rep_budget):
            model, record["params"] = make_model(system, solver, p, dtype, threads)
            # what the library said (e.g. newton-cholesky falling back to lbfgs, or no
            # convergence)
            _, seconds, busy, record["warnings"] = timed_call(lambda: model.fit(X, y), threads,
                                                              QUIET)
            other += busy
            fitting += seconds
            if system == "sklearnex":  # oneDAL, or sklearnex's fallback to stock scikit-learn
                record["accelerated"] = any("running accelerated version" in m
                                            for m in said.messages)
                said.messages.clear()
            record["times"].append(seconds)
            # cores other processes kept busy, on average over the fits (10 ms resolution)
            record["other_load"] = max(0.0, other) / fitting
            record["iterations"] = iterations_of(model)
            record["max_iter_reached"] = record["iterations"] >= MAX_ITER
            record["libraries"] = [{k: v for k, v in lib.items() if k != "filepath"}
                                   for lib in threadpool_info()]
            np.save(os.path.join(args.work, "coef", name + ".npy"), params_of(model))
            save_line(args.record, record)
        signal.setitimer(signal.ITIMER_REAL, 0)


class Messages(logging.Handler):
    """Collects a logger's messages: sklearnex says there whether oneDAL ran the fit."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def run_configurations(args, env, p, dtype, t, peers):
    """Runs the peers in children, a new one after each stopped configuration; the records."""
    record_path = os.path.join(args.work, "results", "real_child.jsonl")

    def command(peers):
        return [sys.executable, os.path.abspath(__file__), args.work, "--child", p["name"], dtype,
                str(t), "--child-peers", ",".join(f"{a}:{b}" for a, b in peers),
                "--record", record_path, "--reps", str(args.reps),
                "--label-prefix", args.label_prefix,
                "--time-limit", str(args.time_limit), "--rep-budget", str(args.rep_budget)]

    records = run_in_children(command, record_path, peers,
                              lambda peer: new_record(p["name"], *peer, dtype, t, args.time_limit),
                              env)
    for rec in records:
        print(f"{p['name']} {dtype} t{t} {rec['system']} {rec['solver']}: {median_text(rec)}",
              flush=True)
    return records


def run_all(args, manifest):
    os.makedirs(os.path.join(args.work, "coef"), exist_ok=True)
    os.makedirs(os.path.join(args.work, "results"), exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    records = []
    only = args.problems.split(",") if args.problems else None
    for p in manifest["problems"]:
        # Named problems of any group (the grid's, for its rows' fastest peer), else the real ones.
        if p["task"] not in ("binary", "multinomial") or (only and p["name"] not in only) or (
                not only and p["group"] != "real"):
            continue
        for dtype in ("f64", "f32"):
            peers = [(a, b) for a, b in PEERS if a != "glum" or p["task"] == "binary"]
            for t in sorted(int(v) for v in args.threads.split(",")):
                # Before any library loads: OpenMP (glum, tabmat) and OpenBLAS read these.
                env.update(OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t))
                done = run_configurations(args, env, p, dtype, t, peers)
                records += done
                # A peer stopped at the limit on fewer threads is not run on more: on two
                # cores it would still need half the limit or more, and it cannot be the
                # fastest peer, which finished well within it (the report says so).
                stopped = [(r["system"], r["solver"]) for r in done if r["timed_out"]]
                for u in (int(v) for v in args.threads.split(",")):
                    records += [new_record(p["name"], *peer, dtype, u, args.time_limit,
                                           median=None, timed_out=False,
                                           skipped=f"stopped at the limit on {t} thread(s)")
                                for peer in stopped if u > t]
                peers = [peer for peer in peers if peer not in stopped]
    import numpy
    context = dict(python=sys.version.split()[0], numpy=numpy.__version__,
                   versions={s: version_of(s) for s in ("sklearn", "glum", "sklearnex")},
                   time_limit=args.time_limit, rep_budget=args.rep_budget, reps=args.reps,
                   tol=TOL, glum_f32_tol=GLUM_F32_TOL, max_iter=MAX_ITER)
    with open(args.out, "w") as f:
        json.dump(dict(context=context, records=records), f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("--out")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="seconds of fitting per configuration before it is stopped")
    parser.add_argument("--rep-budget", type=float, default=10.0,
                        help="no new repetition once this many seconds went into fitting")
    parser.add_argument("--problems",
                        help="comma-separated problem names, of any group (default: all real)")
    parser.add_argument("--label-prefix", default="",
                        help="prefix of the systems' names in the parameter files (the grid's "
                             "problems: 'pypi-', apart from Debian's scikit-learn's files)")
    parser.add_argument("--child", nargs=3, metavar=("PROBLEM", "DTYPE", "T"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--child-peers", help=argparse.SUPPRESS)
    parser.add_argument("--record", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work = os.path.abspath(args.work)
    if args.child:
        return child(args)
    if not args.out:
        parser.error("--out is required")
    with open(os.path.join(args.work, "manifest.json")) as f:
        run_all(args, json.load(f))


if __name__ == "__main__":
    main()
