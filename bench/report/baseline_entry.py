#!/usr/bin/python3
"""Adds (or replaces) one CPU's entry of the report's baseline, bench/results/baseline-2026-11-28.json.

    /usr/bin/python3 bench/report/baseline_entry.py --cpu CPU --source TEXT --solver SOLVER \
        [--baseline FILE] ROUND.json [ROUND.json ...]

Each ROUND.json is the Google Benchmark output of one peer_bench run of the baseline code (commit
bb43c32, whose default solver was lbfgs), restricted to its simdlr fits (e.g.
--benchmark_filter='^fit/[^/]+/simdlr-avx512/lbfgs/'), with repetitions. A fit's time is the median
over the rounds of each round's median; rounds taken alternately with the current code's on the
same machine keep its phases of load out of the comparison. CPU is the machine table's text
("AMD EPYC (family 25 model 17)"), which make_report.py matches to pick the entry: a time measured
on another CPU says nothing about this one's.
"""
import argparse
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gbench import gbench_medians  # noqa: E402

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results",
                       "baseline-2026-11-28.json")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="+", help="peer_bench JSON outputs of the baseline code")
    parser.add_argument("--cpu", required=True, help="the CPU as the report's machine table names it")
    parser.add_argument("--source", required=True, help="how the times were measured")
    parser.add_argument("--solver", default="lbfgs", help="the baseline's default solver")
    parser.add_argument("--baseline", default=DEFAULT)
    args = parser.parse_args()

    times = {}  # (problem, dtype, threads) -> [median seconds of each round]
    for path in args.rounds:
        runs, _ = gbench_medians(path)
        for name, entry in runs.items():
            parts = name.split("/")
            if parts[0] != "fit" or parts[3] != args.solver or not parts[2].startswith("simdlr-"):
                continue
            if parts[2] == "simdlr-scalar":
                continue
            problem, dtype, threads = parts[1], parts[4], int(parts[5][1:])
            times.setdefault((problem, dtype, threads), []).append(entry["time"])
    if not times:
        sys.exit(f"baseline_entry.py: no simdlr {args.solver} fits in {args.rounds}")
    fits = {}
    for (problem, dtype, threads), values in sorted(times.items()):
        value = statistics.median(values) * 1e3
        fits.setdefault(problem, {}).setdefault(dtype, {})[f"t{threads}_ms"] = float(f"{value:.3g}")

    with open(args.baseline) as f:
        baseline = json.load(f)
    machines = [m for m in baseline["machines"] if m["cpu"] != args.cpu]
    machines.append(dict(cpu=args.cpu, source=args.source, fits=fits))
    baseline["machines"] = machines
    with open(args.baseline, "w") as f:
        json.dump(baseline, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{args.baseline}: {len(times)} fits for {args.cpu}")


if __name__ == "__main__":
    main()
