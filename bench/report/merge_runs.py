#!/usr/bin/python3
"""Joins the per-problem outputs of the report's fit phase into the files make_report.py reads.

    /usr/bin/python3 bench/report/merge_runs.py gbench OUT.json PART.json [PART.json ...]
    /usr/bin/python3 bench/report/merge_runs.py records OUT.json PART.json [PART.json ...]

scripts/bench-report runs each problem's simdlr fits (peer_bench) and its scikit-learn fits
(python_peers.py) back to back, so that the two sides of a ratio see the same minutes of a
shared machine, and within a problem alternates them over rounds of one fit each. `gbench`
joins Google Benchmark outputs (the first part's context, every part's benchmarks: a name that
several rounds ran once each appears once per round, and gbench.py takes the median of those
runs); `records` joins python_peers.py outputs (the first part's context; the records of one
fit or evaluation from several rounds become one, with every round's times and their median).
Parts that do not exist (a problem with no fit of that kind) are skipped.
"""
import json
import os
import statistics
import sys

# What names one python_peers.py measurement across rounds.
RECORD_KEY = ("kind", "problem", "system", "solver", "dtype", "threads")


def join_records(records):
    """Records of the same measurement (RECORD_KEY) as one: times concatenated, their median."""
    joined = {}
    for rec in records:
        key = tuple(rec.get(k) for k in RECORD_KEY)
        if key not in joined:
            joined[key] = dict(rec, times=list(rec["times"]))
        else:
            joined[key]["times"].extend(rec["times"])
            joined[key]["median"] = statistics.median(joined[key]["times"])
    return list(joined.values())


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("gbench", "records"):
        sys.exit(__doc__)
    kind, out, parts = sys.argv[1], sys.argv[2], [p for p in sys.argv[3:] if os.path.exists(p)]
    key = "benchmarks" if kind == "gbench" else "records"
    if not parts:
        sys.exit(f"merge_runs.py: none of the parts exists ({sys.argv[3]} ...)")
    merged = None
    for path in parts:
        with open(path) as f:
            data = json.load(f)
        if merged is None:
            merged = data
        else:
            merged[key].extend(data[key])
    if kind == "records":
        merged[key] = join_records(merged[key])
    with open(out, "w") as f:
        json.dump(merged, f, indent=1)


if __name__ == "__main__":
    main()
