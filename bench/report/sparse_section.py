"""The report's section on sparse models (issue 18): l1 fits and cross-validation.

    build/bench-venv/bin/python bench/report/sparse_section.py WORK_DIR OUT_DIR

writes OUT_DIR/REPORT.md with this section alone (scripts/bench-report --sparse); make_report.py
puts section(work) into the full report. Reads WORK_DIR/sparse_manifest.json
(bench/peers/sparse_problems.py), results/sparse.json (sparse_bench: simdlr),
results/sparse_peers.json (sparse_peers.py), results/sparse_cv/ (simdlr's CvResult per run),
results/machine.json and coef/.

As real_section.py: every fit's parameters are evaluated on the problem's float64 data with
objectives.py (here the l1 objective, C * sum(log loss) + |w|_1), float32 fits included; the
lowest objective any fit reached is the reference, and a fit is at equal objective when its
relative gap is at most 1e-8 (float64 rows) or 1e-6 (float32 rows). Targets: simdlr at least 5x
as fast as scikit-learn's fastest solver at equal objective (saga, liblinear) and at least as fast
as the faster of skglm and celer at equal objective, on every l1 row.

Cross-validation: each system's 100 fold fits (5 folds x 20 values of C) are evaluated on their
fold's training rows; the reference of a (fold, C) is the lowest objective any system reached
there, and a system's fold gap is its largest relative gap over the 100. simdlr's fold fits are
those of logistic_path on each fold's training rows with the cross-validation's options (what
cross_validate fits, recomputed untimed by sparse_bench). A LogisticRegressionCV run is at equal
objective when its fold gap is at most 1e-8. Target: simdlr at least 5x as fast as the faster of
LogisticRegressionCV saga and liblinear at equal objective.
"""
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gbench import gbench_medians  # noqa: E402
from objectives import objective, relative_gaps  # noqa: E402
from real_section import (DISTURBED, THRESHOLD, disturbed, gap_text, load_json,  # noqa: E402
                          ms, standalone_report, table)

COLUMNS = [("f64", 1), ("f64", 2), ("f32", 1), ("f32", 2)]
SKLEARN = "sklearn"
FAST_L1 = ("skglm", "celer")  # the fastest known l1 solvers
TARGET_SKLEARN, TARGET_FAST, TARGET_CV = 5.0, 1.0, 5.0
SYSTEMS = ["simdlr", "sklearn", "skglm", "celer"]


class SparseResults:
    def __init__(self, work):
        self.work = work
        manifest = load_json(os.path.join(work, "sparse_manifest.json"), dict(problems=[]))
        self.problems = manifest["problems"]
        by_name = {p["name"]: p for p in self.problems}
        results = os.path.join(work, "results")
        self.machine = load_json(os.path.join(results, "machine.json"), {})
        runs, self.simdlr_context = gbench_medians(os.path.join(results, "sparse.json"))
        peers = load_json(os.path.join(results, "sparse_peers.json"), dict(context={}, records=[]))
        self.context = peers["context"]
        # (problem, kind, system, solver, dtype, threads) -> dict
        self.fits = {}
        for name, e in runs.items():
            parts = name.split("/")
            if parts[0] not in ("fit", "cv") or parts[1] not in by_name:
                continue
            kind, problem, system, solver, dtype, t = parts[:6]
            self.fits[(problem, kind, system, solver, dtype, int(t[1:]))] = dict(
                e, time=e["time"], iterations=e.get("iterations"), label=e.get("label", ""),
                gap_bound=e.get("relative_gap_bound"), reps=e.get("runs"),
                nonzero=e.get("refit_nonzero" if kind == "cv" else "nonzero"))
            if kind == "cv":
                path = os.path.join(results, "sparse_cv",
                                    f"{problem}__{system}__{dtype}__t{t[1:]}.json")
                self.fits[(problem, kind, system, solver, dtype, int(t[1:]))]["cv"] = \
                    load_json(path)
        for rec in peers["records"]:
            key = (rec["problem"], rec["kind"], rec["system"], rec["solver"], rec["dtype"],
                   rec["threads"])
            self.fits[key] = dict(rec, time=rec["median"], reps=len(rec["times"]))
        self.gaps, self.reference = {}, {}
        self.cv_gaps, self.folds_agree = {}, {}
        for p in self.problems:
            self.evaluate_fits(p)
            if "cv" in p:
                self.evaluate_cv(p)

    def has_time(self, key):
        return self.fits.get(key, {}).get("time") is not None

    def evaluate_fits(self, p):
        params = {}
        for path in glob.glob(os.path.join(self.work, "coef", p["name"] + "__*.npy")):
            _, system, solver, dtype, t = os.path.basename(path)[:-4].split("__")
            if solver.startswith("cv-") or "-cv-" in solver:
                continue
            key = (p["name"], "fit", system, solver, dtype, int(t[1:]))
            if self.has_time(key):  # no stale files
                params[key] = np.load(path)
        if params:
            X = np.load(p["X_f64"], mmap_mode="r")
            y = np.load(p["y"])
            values = {k: objective(p, X, y, v) for k, v in params.items()}
            gaps, self.reference[p["name"]] = relative_gaps(values)
            self.gaps.update(gaps)

    def folds(self, p):
        """Each row's test fold: scikit-learn's StratifiedKFold (what LogisticRegressionCV
        used), and whether simdlr's CvResult.fold is the same."""
        y = np.load(p["y"])
        try:
            from sklearn.model_selection import StratifiedKFold
            fold = np.empty(len(y), dtype=np.int64)
            for f, (_, test) in enumerate(StratifiedKFold(p["cv"]["folds"]).split(y, y)):
                fold[test] = f
        except ImportError:
            fold = None
        for key, f in self.fits.items():
            if key[0] == p["name"] and key[1] == "cv" and f.get("cv"):
                mine = np.asarray(f["cv"]["fold"])
                if fold is None:
                    fold = mine
                self.folds_agree[key] = bool(np.array_equal(mine, fold))
        return fold

    def evaluate_cv(self, p):
        paths = {}  # (problem, "cv", system, solver, dtype, t) -> (folds * Cs) x (d + 1)
        for path in glob.glob(os.path.join(self.work, "coef", p["name"] + "__*.npy")):
            _, system, tag, dtype, t = os.path.basename(path)[:-4].split("__")
            if tag == "cv-path":  # simdlr's: one file, for every thread count
                for key in self.fits:
                    if key[:3] == (p["name"], "cv", system) and key[4] == dtype \
                            and self.has_time(key):
                        paths[key] = path
            elif tag.endswith("-cv-path"):
                key = (p["name"], "cv", system, tag[:-len("-cv-path")], dtype, int(t[1:]))
                if self.has_time(key):
                    paths[key] = path
        if not paths:
            return
        fold = self.folds(p)
        Cs = p["cv"]["Cs"]
        X = np.load(p["X_f64"], mmap_mode="r")
        y = np.load(p["y"])
        loaded = {k: np.load(v) for k, v in paths.items()}
        values = {k: np.empty((p["cv"]["folds"], len(Cs))) for k in loaded}
        for f in range(p["cv"]["folds"]):
            train = fold != f
            Xf, yf = np.asarray(X[train]), y[train]
            for c, C in enumerate(Cs):
                q = dict(p, C=C)
                for k, rows in loaded.items():
                    values[k][f, c] = objective(q, Xf, yf, rows[f * len(Cs) + c])
            del Xf
        best = np.min(np.stack(list(values.values())), axis=0)
        for k, v in values.items():
            self.cv_gaps[k] = float(np.max((v - best) / np.abs(best)))

    def reached(self, key):
        g = self.gaps.get(key)
        return g is not None and g <= THRESHOLD[key[4]]

    def cv_reached(self, key):
        g = self.cv_gaps.get(key)
        return g is not None and g <= THRESHOLD[key[4]]


# --- formatting --------------------------------------------------------------------------------

def ratio_text(r):
    return f"{r:.2f}x" if r < 10 else f"{r:,.0f}x"


def versus(R, mine, peers, reached, target):
    """(peer name, its time, ratio, verdict) against the fastest of `peers` (keys) that reached
    equal objective. With none there, a lower bound: every peer either stopped at the limit
    (on more threads than it was stopped on: the limit scaled down as if it scaled perfectly) or
    ended above the threshold, after at least its time."""
    if mine is None or mine.get("time") is None:
        return "–", "–", "–", "no simdlr time"
    at_equal = [(R.fits[k]["time"], k) for k in peers
                if R.fits[k].get("time") is not None and reached(k)]
    if at_equal:
        t, k = min(at_equal)
        r = t / mine["time"]
        return (f"{k[2]} {k[3]}", ms(t) + disturbed(R.fits[k]), ratio_text(r),
                "met" if r >= target else "**not met**")
    bounds = []
    for k in peers:
        f = R.fits[k]
        if f.get("time") is not None:
            bounds.append(f["time"])
        elif f.get("timed_out") or f.get("skipped"):
            bounds.append(f.get("lower_bound", f["limit"]))
    if not bounds:
        return "none ran", "–", "–", "–"
    r = min(bounds) / mine["time"]
    return ("none at equal objective", f"> {ms(min(bounds))}", f"> {ratio_text(r)}",
            "met (lower bound)" if r >= target else "not shown (lower bound below the target)")


def peer_keys(R, p, kind, dtype, t, systems):
    return [k for k in R.fits if k[0] == p["name"] and k[1] == kind and k[2] in systems
            and k[4] == dtype and k[5] == t]


def fit_summary(R):
    rows = []
    for p in R.problems:
        for dtype, t in COLUMNS:
            for key in [k for k in R.fits if k[:2] == (p["name"], "fit")
                        and k[2].startswith("simdlr") and k[4] == dtype and k[5] == t]:
                mine = R.fits[key]
                row = [p["name"], dtype, t, ms(mine["time"]) + disturbed(mine),
                       f"{mine['iterations']:,.0f}" if mine.get("iterations") else "–",
                       f"{mine['nonzero']:,.0f} / {p['d']:,}" if mine.get("nonzero") is not None
                       else "–",
                       "none" if mine.get("gap_bound") is None else f"{mine['gap_bound']:.0e}",
                       gap_text(R.gaps.get(key)) + ("" if R.reached(key) else " ✗")]
                for systems, target in (((SKLEARN,), TARGET_SKLEARN), (FAST_L1, TARGET_FAST)):
                    peers = peer_keys(R, p, "fit", dtype, t, systems)
                    if not peers:
                        row += ["not run", "–", "–", "–"]
                        continue
                    row += list(versus(R, mine, peers, R.reached, target))
                rows.append(row)
    return table(["problem", "type", "threads", "simdlr (ms)", "iterations", "non-zero",
                  "certified gap bound", "gap",
                  "fastest scikit-learn at equal objective", "its time (ms)", "ratio",
                  f"≥ {TARGET_SKLEARN:g}x", "faster of skglm / celer at equal objective",
                  "its time (ms)", "ratio", f"≥ {TARGET_FAST:g}x"], rows)


def unfinished_cell(f):
    """The cell of a configuration that has no time (failed, not run, stopped), else None."""
    if f.get("error"):
        return f"failed ({f['error']})"
    if f.get("skipped"):
        return f"not run ({f['skipped']})"
    if f.get("time") is None:
        return f"> {f['limit']:g} s (stopped)" if f.get("timed_out") else "–"
    return None


def fit_cell(R, key):
    f = R.fits.get(key)
    if f is None:
        return "–"
    if unfinished_cell(f) is not None:
        return unfinished_cell(f)
    it = "–" if f.get("iterations") is None else f"{f['iterations']:,.0f} it"
    nz = "" if f.get("nonzero") is None else f", {f['nonzero']:,.0f} nz"
    text = f"{ms(f['time'])} ms{disturbed(f)}, {it}{nz}, gap {gap_text(R.gaps.get(key))}"
    if not R.reached(key):
        text += " ✗"
    if f.get("reps") == 1:
        text += " (1 run)"
    if f.get("timed_out"):
        text += " (a later run stopped)"
    if f.get("max_iter_reached"):
        text += " (max_iter)"
    if f.get("warnings"):
        text += " †"
    return text


def system_order(pair):
    system = pair[0].split("-")[0]
    return (SYSTEMS.index(system) if system in SYSTEMS else len(SYSTEMS), pair)


def notes_of(R, keys):
    notes = {}
    for key in keys:
        for w in R.fits[key].get("warnings") or []:
            notes.setdefault(w, []).append(f"{key[2]} {key[3]} {key[4]} t{key[5]}")
    return "".join(f"\n\n† {', '.join(where)}: {w}" for w, where in notes.items())


def fit_detail(R, p):
    keys = [k for k in R.fits if k[:2] == (p["name"], "fit")]
    pairs = sorted({(k[2], k[3]) for k in keys}, key=system_order)
    columns = [(d, t) for d, t in COLUMNS if d in p["dtypes"]]
    rows = []
    for system, solver in pairs:
        ran = sorted({R.fits[k]["label"].split(",")[0] for k in keys
                      if k[2:4] == (system, solver) and R.fits[k].get("label")})
        name = solver + (f" (ran {' / '.join(ran)})" if ran else "")
        rows.append([system, name] + [fit_cell(R, (p["name"], "fit", system, solver, d, t))
                                      for d, t in columns])
    return table(["system", "solver"] + [f"{d} t{t}" for d, t in columns], rows) + \
        notes_of(R, sorted(keys))


def cv_summary(R):
    rows = []
    for p in R.problems:
        if "cv" not in p:
            continue
        for t in (1, 2):
            for key in [k for k in R.fits if k[:2] == (p["name"], "cv")
                        and k[2].startswith("simdlr") and k[5] == t]:
                mine = R.fits[key]
                cv = mine.get("cv") or {}
                peers = peer_keys(R, p, "cv", key[4], t, (SKLEARN,))
                best = cv.get("best")
                cells = []
                for solver in ("saga", "liblinear"):
                    k = next((k for k in peers if k[3] == solver), None)
                    cells.append(cv_cell(R, k, mine) if k else "not run")
                folds = R.folds_agree.get(key)
                row = [p["name"], key[4], t, ms(mine["time"]) + disturbed(mine),
                       "yes" if mine.get("all_converged") == 1 else "**no**",
                       gap_text(R.cv_gaps.get(key)) + ("" if R.cv_reached(key) else " ✗"),
                       "–" if best is None else f"{best} ({p['cv']['Cs'][best]:.3g})",
                       "–" if folds is None else ("yes" if folds else "**no**")] + cells
                name, _, ratio, verdict = versus(R, mine, peers, R.cv_reached, TARGET_CV)
                row += [name, ratio, verdict]
                rows.append(row)
    return table(["problem", "type", "threads", "simdlr (ms)", "all fits certified",
                  "fold gap", "best C (index, value)", "folds = StratifiedKFold",
                  "LogisticRegressionCV saga", "LogisticRegressionCV liblinear",
                  "fastest at equal objective", "ratio", f"≥ {TARGET_CV:g}x"], rows)


def cv_cell(R, key, mine):
    f = R.fits[key]
    if unfinished_cell(f) is not None:
        return unfinished_cell(f)
    text = f"{ms(f['time'])} ms, fold gap {gap_text(R.cv_gaps.get(key))}"
    if not R.cv_reached(key):
        text += " ✗"
    if f.get("best") is not None:
        text += f", best {f['best']}"
    scores = (mine.get("cv") or {}).get("mean_score")
    if scores and f.get("mean_score"):
        diff = max(abs(a - b) for a, b in zip(scores, f["mean_score"]))
        text += f", score Δ {diff:.0e}"
    if f.get("reps") == 1:
        text += " (1 run)"
    if f.get("warnings"):
        text += " †"
    return text


def section(work, level="##"):
    R = SparseResults(work)
    title = f"{level} Sparse models: l1 and cross-validation (issue 18)"
    if not R.problems or not R.fits:
        return f"{title}\n\n(not in this run)\n"
    c = R.context
    v = c.get("versions", {})
    isa = R.machine.get("simdlr_isa", "best ISA")
    missing = c.get("unavailable") or {}
    problems = []
    for p in R.problems:
        text = (f"**{p['name']}** ({p['n']:,} x {p['d']:,}; {p['data']}): C = "
                f"{p['c_factor']:g} l1_min_c = {p['C']:.6g} (l1_min_c {p['l1_min_c']:.6g}); "
                f"constant column for LIBLINEAR and celer: {p['intercept_scaling']:g}")
        if "cv" in p:
            text += (f"; cross-validation: {len(p['cv']['Cs'])} values of C from l1_min_c to "
                     f"{p['cv']['ratio']:g} l1_min_c, {p['cv']['folds']} stratified folds "
                     f"(LIBLINEAR's constant column {p['cv']['intercept_scaling']:g})")
        problems.append("- " + text)
    parts = [
        title,
        "",
        "l1-penalised logistic regression, scikit-learn's objective C · Σ log loss + ‖w‖₁ with "
        "the intercept unpenalised, at a C that makes the optimum sparse (a fixed multiple of "
        "l1_min_c, the smallest C with a non-zero coefficient; bench/peers/sparse_problems.py):",
        "",
        *problems,
        "",
        f"**simdlr** (simdlr-{isa}): `LogisticRegression` with penalty l1 and the default solver "
        f"(auto, which runs prox-newton), tol {float(R.simdlr_context.get('simdlr_tol', 1e-6)):g}"
        " (converged = a certified relative gap of at most tol/100), through sparse_bench; the "
        "cross-validation rows run `cross_validate` (the refit included). Peers from PyPI in "
        f"the virtual environment (Python {c.get('python', '?')}, numpy {c.get('numpy', '?')}): "
        f"**sklearn** {v.get('sklearn', '?')} LogisticRegression(l1_ratio=1), solvers saga and "
        f"liblinear, tol {c.get('tol', 0):g} (LIBLINEAR penalises its bias weight: it gets "
        "intercept_scaling = the constant column above, which makes that penalty |b|/s "
        "negligible); "
        f"**skglm** {v.get('skglm', 'not available')} SparseLogisticRegression (prox-Newton "
        "with working sets), alpha = 1/(n·C) (skglm minimises the mean log loss + alpha‖w‖₁), "
        f"tol {c.get('skglm_tol', 0):g}, X in Fortran order (converted inside the timed call); "
        f"**celer** {v.get('celer', 'not available')} LogisticRegression (celer-pn), same C, "
        f"tol {c.get('tol', 0):g}; it fits no intercept, so it gets X with the constant column "
        "appended (inside the timed call). The cross-validation peers: LogisticRegressionCV("
        "Cs = the same 20 values, l1_ratios=(1,), cv=StratifiedKFold(5), "
        "scoring='neg_log_loss', n_jobs = threads), saga and liblinear, tol "
        f"{c.get('tol', 0):g}; max_iter {c.get('max_iter', 0):,}."
        + ("".join(f" **{s} is not available**: {why}." for s, why in missing.items())),
        "",
        "Every fit's parameters were evaluated on the float64 data (bench/report/objectives.py); "
        "*gap* is the relative distance to the lowest objective any fit reached on that problem "
        "(float32 fits included). ✗: gap above 1e-8 (float64) or 1e-6 (float32). Times are "
        f"medians of up to {c.get('reps', '?')} runs (none started after "
        f"{c.get('rep_budget', '?'):g} s of fitting: '(1 run)'); a peer configuration is stopped "
        f"after {c.get('time_limit', '?'):g} s of fitting (cross-validation: "
        f"{c.get('cv_time_limit', '?'):g} s) and then not run on more threads. *ratio* = time of "
        "the fastest peer of the group at equal objective (same type and threads) / simdlr's "
        "time. When no peer of the group reached it, the ratio is a lower bound ('> ...'): "
        "each peer was stopped at the limit (on 2 threads after being stopped on 1: half the "
        "limit, as if it scaled perfectly) or ended above the threshold after its time, so it "
        "would need at least that long to reach equal objective. "
        "Targets: ≥ 5x scikit-learn's fastest solver and ≥ 1x the faster of skglm and celer on "
        "every row; ≥ 5x LogisticRegressionCV for the cross-validation. ⚠x: other processes "
        f"kept x cores busy on average during that fit (marked above {DISTURBED:g}): its time, "
        "a 2-thread one above all, is not usable.",
        "",
        fit_summary(R),
        "",
    ]
    for p in R.problems:
        ref = R.reference.get(p["name"])
        if ref is None:
            continue
        parts += [f"**{p['name']}** (reference objective {ref:.10g}; nz: non-zero "
                  "coefficients):", "", fit_detail(R, p), ""]
    parts += [
        f"{level}# Cross-validation: 20 values of C, 5 stratified folds",
        "",
        "simdlr: `cross_validate` (a warm-started path over the 20 values per fold, the test "
        "rows' weights 0, then the refit at the best C); time of the whole call. *fold gap*: "
        "the largest relative gap of a system's 100 fold fits to the best any system reached "
        "on that fold and C (simdlr's: its fold paths recomputed untimed with logistic_path, the "
        "same options). *best*: the index of the C with the lowest mean test log loss; *score "
        "Δ*: the largest difference from simdlr's mean test log loss over the 20 values. "
        "*folds = StratifiedKFold*: simdlr's fold of every row equals scikit-learn's.",
        "",
        cv_summary(R),
        "",
    ]
    cv_keys = sorted(k for k in R.fits if k[1] == "cv" and not k[2].startswith("simdlr"))
    notes = notes_of(R, cv_keys).strip()
    if notes:
        parts += [notes, ""]
    return "\n".join(parts)


def main():
    standalone_report(__doc__.splitlines()[0], "sparse models", "sparse", section)


if __name__ == "__main__":
    main()
