"""The report's Python entry point section (issue 16), from WORK_DIR/results/python_entry.json
(bench/peers/python_entry.py): simdlr.LogisticRegression().fit beside the C++ call (peer_bench's
simdlr lbfgs row, same options and threads) and scikit-learn's lbfgs of the same run, and one-row
predict_proba of both from Python.
"""
import json
import os
import statistics

from real_section import gap_text, ms, table

FIT_FLOOR = 0.010  # the target covers fits over 10 ms
TARGET_OVERHEAD = 0.02


def section(R):
    """R: make_report.Results of the same run."""
    path = os.path.join(R.work, "results", "python_entry.json")
    head = ["## Python entry point", ""]
    if not os.path.exists(path):
        return "\n".join(head + ["Not measured in this run (bench/peers/python_entry.py)."])
    with open(path) as f:
        data = json.load(f)
    rows, overheads = [], []
    for rec in data["fits"]:
        problem, dtype, t = rec["problem"], rec["dtype"], rec["threads"]
        python = statistics.median(rec["times"])
        cpp = R.fit_time(problem, R.simdlr, "lbfgs", dtype, t)
        sklearn = R.fit_time(problem, "sklearn", "lbfgs", dtype, t)
        # The estimator's fit against the core's, each pair taken back to back in one process
        # (python_entry.py); reports without core_times compare with peer_bench's row instead.
        core = statistics.median(rec["core_times"]) if rec.get("core_times") else None
        if core:
            added = statistics.median(p / c - 1 for p, c in zip(rec["times"], rec["core_times"]))
        else:
            added = python / cpp - 1 if cpp else None
        adds = "–" if added is None else f"{100 * added:+.1f}%"
        if added is not None and (core or cpp) > FIT_FLOOR:
            overheads.append((added, problem, dtype, t))
        speed = f"{sklearn / python:.1f}x" if sklearn and python else "–"
        rows.append([problem, dtype, t, ms(cpp), ms(core), ms(python), adds, rec["iterations"],
                     gap_text(R.gap(problem, "simdlr-python", "lbfgs", dtype, t)), ms(sklearn),
                     speed])
    parts = head + [
        f"`simdlr.LogisticRegression(C, solver='lbfgs', tol=1e-6, max_iter=10000, n_jobs=threads)"
        f".fit(X, y)` from the package built from this tree (simdlr {data['simdlr_version']}, ISA "
        f"{data['isa']}), on the same .npy arrays, timed around the call; *C++* is peer_bench's "
        f"simdlr lbfgs row with the same options, *scikit-learn* its lbfgs row above. *core* is "
        f"the same fit by the package's compiled core alone (labels encoded beforehand), "
        f"alternated with the estimator's fits in the same process; *Python adds* = the median "
        f"over those pairs of Python / core − 1, what the Python layer costs (C++ and Python "
        f"are separate runs minutes apart, whose ratio the machine's load can move by tens of "
        f"percent); *gap* as in the tables above.",
        "",
        table(["problem", "type", "threads", "C++ (ms)", "core (ms)", "Python (ms)",
               "Python adds",
               "iterations", "gap", "scikit-learn lbfgs (ms)", "Python vs scikit-learn"], rows),
        "",
    ]
    if overheads:
        worst = max(overheads)
        parts.append(
            f"Over the {len(overheads)} fits above 10 ms the Python call adds at most "
            f"{100 * worst[0]:+.1f}% ({worst[1]}, {worst[2]}, {worst[3]} thread(s)); median "
            f"{100 * statistics.median(o[0] for o in overheads):+.1f}% (target: under "
            f"{100 * TARGET_OVERHEAD:.0f}%).")
        parts.append("")
    latency = {r["system"]: r["seconds_per_call"] for r in data["predict_proba_one_row"]}
    if latency:
        calls = data["predict_proba_one_row"][0]
        parts.append(
            f"One-row `predict_proba` from Python (standardized breast cancer, 30 float64 "
            f"features; median of {calls['reps']} x {calls['calls']:,} calls): simdlr "
            f"{latency.get('simdlr', float('nan')) * 1e6:.2f} µs, scikit-learn "
            f"{latency.get('sklearn', float('nan')) * 1e6:.1f} µs (target for simdlr: under "
            f"2 µs).")
    return "\n".join(parts)
