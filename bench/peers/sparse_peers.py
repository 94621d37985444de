"""The PyPI peers on the sparse group of sparse_problems.py's manifest (issue 18).

    build/bench-venv/bin/python bench/peers/sparse_peers.py WORK_DIR --out FILE.json
        [--reps 3] [--threads 1,2] [--time-limit 60] [--cv-time-limit 120] [--rep-budget 10]
        [--problems A,B]

Runs in the virtual environment of scripts/bench-venv, as real_peers.py (whose machinery, child
processes, time limits and repetition budget, this follows). The objective is scikit-learn's l1
one, C * sum(log loss) + |w|_1 with the intercept unpenalised, at the manifest's C. Peers, each at
its own tight tolerance so that it reaches the optimum (the report checks whether it did):
  sklearn    LogisticRegression(l1_ratio=1, i.e. penalty l1), solvers saga and liblinear, tol
             1e-10. LIBLINEAR penalises the intercept: it gets intercept_scaling = the manifest's
             (a constant column of that value, whose weight's penalty |b| / s is then negligible).
  skglm      SparseLogisticRegression (ProxNewton with working sets), alpha = 1 / (n C): skglm
             minimises the mean log loss + alpha |w|_1, our objective divided by n C; its
             intercept is unpenalised. tol 1e-8 (its stopping rule: the largest distance of the
             mean loss's gradient from the subdifferential). X is given in Fortran order (its
             coordinate descent reads columns), converted inside the timed call.
  celer      LogisticRegression (its default solver celer-pn: prox-Newton with working sets and
             dual extrapolation), same C (celer minimises sum(log loss) + |w|_1 / C), tol 1e-10
             (duality gap below tol · n · log 2 in its units). celer fits no intercept: it gets
             X with a constant column of intercept_scaling appended (inside the timed call), as
             LIBLINEAR's bias; that copy is float64 (celer 0.7.4 fails on float32 data).
and the cross-validation rows (kind "cv"): scikit-learn's LogisticRegressionCV(Cs = the
manifest's 20 values, l1_ratios=(1,), cv=StratifiedKFold(5), scoring="neg_log_loss", refit=True),
solvers saga and liblinear (intercept_scaling: the cv entry's, sized for the grid's smallest C),
tol 1e-10, n_jobs = the thread count (joblib processes over the folds).
skglm and celer are optional: one that does not import is recorded as unavailable, with the error.

Fitted parameters go to WORK_DIR/coef/<problem>__<peer>__<solver>__<dtype>__t<threads>.npy (coef,
then intercept). A cross-validation also writes <problem>__<peer>__<solver>-cv-path__...npy (row
f * |Cs| + c: fold f's fit at Cs[c]) and <problem>__<peer>__<solver>-cv-refit__...npy, and its
record carries the mean test log loss per C, the best C and the folds.
"""
import argparse
import json
import os
import signal
import sys
import warnings

from child_runs import median_text, run_in_children, save_line, timed_call

TOL = 1e-10  # scikit-learn (saga, liblinear) and celer
SKGLM_TOL = 1e-8
MAX_ITER = 100_000
FIT_PEERS = [("sklearn", "saga"), ("sklearn", "liblinear"), ("skglm", "prox-newton"),
             ("celer", "celer-pn")]
CV_PEERS = [("sklearn", "saga"), ("sklearn", "liblinear")]
OPTIONAL = ("skglm", "celer")
# As real_peers.py: the wheels' OpenBLAS knows the CPU.
DROP_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
QUIET = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
PACKAGE = {"sklearn": "scikit-learn", "skglm": "skglm", "celer": "celer"}


def version_of(system):
    from importlib.metadata import version
    return version(PACKAGE[system])


def unavailable(system):
    """None if the peer imports, else why not."""
    try:
        __import__(system)
        return None
    except Exception as e:  # noqa: BLE001 (any failure to import is recorded as it is)
        return f"{type(e).__name__}: {str(e).strip().splitlines()[0][:200]}"


class Peer:
    """One peer configuration: fit(X, y) -> (parameters, iterations, extra record fields)."""

    def __init__(self, system, solver, problem, kind, threads):
        self.system, self.solver, self.p, self.kind, self.threads = (system, solver, problem,
                                                                      kind, threads)
        p = problem
        if kind == "cv":
            s = p["cv"]["intercept_scaling"]
            self.params = dict(Cs=f"{len(p['cv']['Cs'])} values (manifest)", l1_ratios=[1.0],
                               cv=f"StratifiedKFold({p['cv']['folds']})", solver=solver, tol=TOL,
                               max_iter=MAX_ITER, scoring="neg_log_loss", n_jobs=threads)
            if solver == "liblinear":
                self.params["intercept_scaling"] = s
        elif system == "sklearn":
            self.params = dict(C=p["C"], l1_ratio=1.0, solver=solver, tol=TOL, max_iter=MAX_ITER)
            if solver == "liblinear":
                self.params["intercept_scaling"] = p["intercept_scaling"]
        elif system == "skglm":
            self.params = dict(alpha=1.0 / (p["n"] * p["C"]), l1_ratio=1.0, tol=SKGLM_TOL,
                               max_iter=1000, max_epochs=MAX_ITER, fit_intercept=True)
        else:  # celer
            self.params = dict(C=p["C"], tol=TOL, max_iter=1000, max_epochs=MAX_ITER,
                               fit_intercept=False)
            self.scaling = p["intercept_scaling"]

    def fit(self, X, y):
        import numpy as np
        if self.kind == "cv":
            return self.fit_cv(X, y)
        if self.system == "sklearn":
            from sklearn.linear_model import LogisticRegression
            m = LogisticRegression(**self.params).fit(X, y)
            return (np.concatenate([m.coef_.ravel(), m.intercept_]).astype(np.float64),
                    int(np.max(m.n_iter_)), {})
        if self.system == "skglm":
            from skglm import SparseLogisticRegression
            m = SparseLogisticRegression(**self.params).fit(np.asfortranarray(X), y)
            return (np.concatenate([np.ravel(m.coef_), np.atleast_1d(m.intercept_)])
                    .astype(np.float64), int(np.max(np.atleast_1d(m.n_iter_))), {})
        from celer import LogisticRegression
        # float64 whatever X is: celer 0.7.4 fails on float32 data ("Buffer dtype mismatch")
        column = np.full((X.shape[0], 1), self.scaling)
        m = LogisticRegression(**self.params).fit(np.hstack([X, column]), y)
        w = np.ravel(m.coef_).astype(np.float64)
        it = getattr(m, "n_iter_", None)
        return (np.concatenate([w[:-1], [w[-1] * self.scaling]]),
                None if it is None else int(np.max(it)), {})

    def fit_cv(self, X, y):
        import numpy as np
        from sklearn.linear_model import LogisticRegressionCV
        from sklearn.model_selection import StratifiedKFold
        cv = self.p["cv"]
        params = dict(self.params, Cs=cv["Cs"], cv=StratifiedKFold(cv["folds"]))
        m = LogisticRegressionCV(**params, use_legacy_attributes=False).fit(X, y)
        paths = np.asarray(m.coefs_paths_, dtype=np.float64)  # folds, l1_ratios, Cs, 1, d + 1
        paths = paths.reshape(cv["folds"] * len(cv["Cs"]), self.p["d"] + 1)
        scores = -np.asarray(m.scores_, dtype=np.float64).reshape(cv["folds"], len(cv["Cs"]))
        best = int(np.argmin(np.abs(np.asarray(cv["Cs"]) - m.C_)))
        extra = dict(mean_score=scores.mean(axis=0).tolist(), best=best, best_C=float(m.C_),
                     paths=paths)
        refit = np.concatenate([m.coef_.ravel(), m.intercept_]).astype(np.float64)
        return refit, int(np.max(m.n_iter_)), extra


def new_record(problem, kind, system, solver, dtype, threads, limit, **extra):
    return dict(kind=kind, problem=problem, system=system, solver=solver, dtype=dtype,
                threads=threads, version=version_of(system), times=[], limit=limit, **extra)


def coef_name(problem, system, solver, kind, dtype, threads, what=""):
    tag = solver if kind == "fit" else f"{solver}-cv-{what}"
    return f"{problem}__{system}__{tag}__{dtype}__t{threads}.npy"


def child(args):
    """The peers of one problem, kind, type and thread count (args.child_peers), in order:
    appends to args.record a JSON line per configuration when it starts and after each
    repetition (the last line of a configuration is its record), and writes the parameters."""
    import numpy as np
    from threadpoolctl import threadpool_info
    problem, kind, dtype, threads = args.child[0], args.child[1], args.child[2], int(args.child[3])
    with open(os.path.join(args.work, "sparse_manifest.json")) as f:
        p = next(q for q in json.load(f)["problems"] if q["name"] == problem)
    X = np.load(p["X_f32" if dtype == "f32" else "X_f64"])
    y = np.load(p["y"])
    peers = [tuple(v.split(":")) for v in args.child_peers.split(",")]
    # Imports and just-in-time compilation (skglm's numba) before any clock runs: one fit of
    # each peer on the first rows (both classes are among them in every problem here).
    # A few iterations do: the point is the first call, not the fit.
    rows = min(len(y), 1000)
    for system, solver in peers:
        warm = Peer(system, solver, dict(p, n=rows), "fit", threads)
        for key in ("max_iter", "max_epochs"):
            if key in warm.params:
                warm.params[key] = 5
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                warm.fit(X[:rows], y[:rows])
            except Exception:  # noqa: BLE001 (the timed fit below fails too, and says why)
                pass
    for system, solver in peers:
        record = new_record(problem, kind, system, solver, dtype, threads,
                            args.cv_time_limit if kind == "cv" else args.time_limit)
        save_line(args.record, record)
        signal.setitimer(signal.ITIMER_REAL, record["limit"])  # no handler: SIGALRM ends us
        fitting = other = 0.0
        while len(record["times"]) < args.reps and (not record["times"]
                                                    or fitting < args.rep_budget):
            peer = Peer(system, solver, p, kind, threads)
            record["params"] = peer.params
            try:
                (params, iterations, extra), seconds, busy, record["warnings"] = timed_call(
                    lambda: peer.fit(X, y), threads, QUIET)
            except Exception as e:  # noqa: BLE001 (recorded, and the next peer runs)
                record["error"] = f"{type(e).__name__}: {str(e).strip()[:160]}"
                break
            other += busy
            fitting += seconds
            record["times"].append(seconds)
            # with n_jobs > 1 the folds run in worker processes, whose CPU time counts as other
            # load here: only the single-process rows' value is meaningful
            record["other_load"] = max(0.0, other) / fitting
            record["iterations"] = iterations
            record["max_iter_reached"] = iterations is not None and iterations >= MAX_ITER
            record["nonzero"] = int(np.count_nonzero(params[:p["d"]]))
            record["libraries"] = [{k: v for k, v in lib.items() if k != "filepath"}
                                   for lib in threadpool_info()]
            coef = os.path.join(args.work, "coef")
            if kind == "cv":
                np.save(os.path.join(coef, coef_name(problem, system, solver, kind, dtype,
                                                     threads, "path")), extra.pop("paths"))
                np.save(os.path.join(coef, coef_name(problem, system, solver, kind, dtype,
                                                     threads, "refit")), params)
                record.update(extra)
            else:
                np.save(os.path.join(coef, coef_name(problem, system, solver, kind, dtype,
                                                     threads)), params)
            save_line(args.record, record)
        signal.setitimer(signal.ITIMER_REAL, 0)
        if record.get("error"):
            save_line(args.record, record)


def run_configurations(args, env, p, kind, dtype, t, peers):
    """Runs the peers in children (child_runs.run_in_children); the records."""
    record_path = os.path.join(args.work, "results", "sparse_child.jsonl")
    limit = args.cv_time_limit if kind == "cv" else args.time_limit

    def command(peers):
        return [sys.executable, os.path.abspath(__file__), args.work, "--child", p["name"], kind,
                dtype, str(t), "--child-peers", ",".join(f"{a}:{b}" for a, b in peers),
                "--record", record_path, "--reps", str(args.reps),
                "--time-limit", str(args.time_limit), "--cv-time-limit", str(args.cv_time_limit),
                "--rep-budget", str(args.rep_budget)]

    records = run_in_children(command, record_path, peers,
                              lambda peer: new_record(p["name"], kind, *peer, dtype, t, limit),
                              env)
    for rec in records:
        print(f"{p['name']} {kind} {dtype} t{t} {rec['system']} {rec['solver']}: "
              f"{median_text(rec)}", flush=True)
    return records


def run_all(args, manifest):
    os.makedirs(os.path.join(args.work, "coef"), exist_ok=True)
    os.makedirs(os.path.join(args.work, "results"), exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    missing = {s: unavailable(s) for s in OPTIONAL}
    missing = {s: why for s, why in missing.items() if why}
    for s, why in missing.items():
        print(f"sparse_peers.py: {s} is not available ({why}); its rows are left out",
              flush=True)
    records = []
    only = args.problems.split(",") if args.problems else None
    threads = sorted(int(v) for v in args.threads.split(","))
    for p in manifest["problems"]:
        if only and p["name"] not in only:
            continue
        kinds = [("fit", FIT_PEERS)] + ([("cv", CV_PEERS)] if "cv" in p else [])
        for kind, all_peers in kinds:
            for dtype in p["dtypes"] if kind == "fit" else ["f64"]:
                peers = [peer for peer in all_peers if peer[0] not in missing]
                for t in threads:
                    env.update(OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t),
                               NUMBA_NUM_THREADS=str(t))
                    done = run_configurations(args, env, p, kind, dtype, t, peers)
                    records += done
                    # As real_peers.py: a peer stopped at the limit is not run on more threads.
                    stopped = [(r["system"], r["solver"]) for r in done if r["timed_out"]]
                    limit = args.cv_time_limit if kind == "cv" else args.time_limit
                    # lower_bound: its time on u threads is at least limit * t / u (if it
                    # scaled perfectly), which the report uses
                    records += [new_record(p["name"], kind, *peer, dtype, u, limit, median=None,
                                           timed_out=False, lower_bound=limit * t / u,
                                           skipped=f"stopped at the limit on {t} thread(s)")
                                for u in threads if u > t for peer in stopped]
                    peers = [peer for peer in peers if peer not in stopped]
    import numpy
    versions = {s: version_of(s) for s in ("sklearn",) + OPTIONAL if s not in missing}
    context = dict(python=sys.version.split()[0], numpy=numpy.__version__, versions=versions,
                   unavailable=missing, time_limit=args.time_limit,
                   cv_time_limit=args.cv_time_limit, rep_budget=args.rep_budget, reps=args.reps,
                   tol=TOL, skglm_tol=SKGLM_TOL, max_iter=MAX_ITER)
    with open(args.out, "w") as f:
        json.dump(dict(context=context, records=records), f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("--out")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="seconds of fitting per fit configuration before it is stopped")
    parser.add_argument("--cv-time-limit", type=float, default=120.0,
                        help="the same for a cross-validation configuration")
    parser.add_argument("--rep-budget", type=float, default=10.0,
                        help="no new repetition once this many seconds went into fitting")
    parser.add_argument("--problems", help="comma-separated problem names (default: all)")
    parser.add_argument("--child", nargs=4, metavar=("PROBLEM", "KIND", "DTYPE", "T"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--child-peers", help=argparse.SUPPRESS)
    parser.add_argument("--record", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work = os.path.abspath(args.work)
    if args.child:
        return child(args)
    if not args.out:
        parser.error("--out is required")
    with open(os.path.join(args.work, "sparse_manifest.json")) as f:
        run_all(args, json.load(f))


if __name__ == "__main__":
    main()
