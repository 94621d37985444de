"""Google Benchmark JSON output as medians by benchmark name (make_report.py, real_section.py)."""
import json
import os
import re

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def gbench_medians(path):
    """name (run_name without Google Benchmark's suffixes) -> median entry (seconds in 'time')."""
    if not os.path.exists(path):
        return {}, {}
    with open(path) as f:
        data = json.load(f)
    runs, singles = {}, {}
    for b in data["benchmarks"]:
        name = re.sub(r"/(min_time|iterations|repeats|real_time|manual_time)[^/]*", "",
                      b.get("run_name", b["name"]))
        entry = dict(b)
        entry["time"] = b["real_time"] * UNIT[b["time_unit"]]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                runs[name] = entry
        else:
            singles.setdefault(name, []).append(entry)
    for name, entries in singles.items():  # no aggregates (one repetition): median by hand
        if name not in runs:
            entries.sort(key=lambda e: e["time"])
            runs[name] = entries[len(entries) // 2]
    return runs, data.get("context", {})
