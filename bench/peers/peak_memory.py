#!/usr/bin/python3
"""Peak resident memory of one fit per system, next to the size of X.

    /usr/bin/python3 bench/peers/peak_memory.py WORK_DIR --simdlr PATH/simdlr --out FILE.json
        [--problems NAME,NAME]

Each fit runs in a fresh process; its peak resident set (getrusage's ru_maxrss through wait4)
is compared with the same program doing everything but touching data (the baseline):
  simdlr   `simdlr fit --x X.npy --y y.npy` (X memory-mapped, float32 stays float32, lbfgs,
           one thread); baseline `simdlr info`.
  sklearn  python_peers.py --one-fit (np.load of X, LogisticRegression(solver="lbfgs").fit);
           baseline python_peers.py --baseline (the same imports).
overhead_over_X = (peak - baseline) / bytes of X; the target is below 1.2.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_kib(command):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr.strip()}")
    return usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("--simdlr", required=True, help="the simdlr command-line tool")
    parser.add_argument("--out", required=True)
    parser.add_argument("--problems", default="binary_n200000_d100")
    args = parser.parse_args()
    with open(os.path.join(args.work, "manifest.json")) as f:
        problems = {p["name"]: p for p in json.load(f)["problems"]}
    peers = [sys.executable, os.path.join(HERE, "python_peers.py"), args.work]
    baselines = {"simdlr": peak_kib([args.simdlr, "info"]),
                 "sklearn": peak_kib(peers + ["--baseline"])}
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.problems.split(","):
            p = problems[name]
            for dtype in ("f64", "f32"):
                X = p["X_f32" if dtype == "f32" else "X_f64"]
                x_bytes = p["n"] * p["d"] * (4 if dtype == "f32" else 8)
                runs = {
                    "simdlr": [args.simdlr, "fit", "--x", X, "--y", p["y"], "--threads", "1",
                               "--tol", "1e-6", "--max-iter", "10000",
                               "--model", os.path.join(tmp, "model.json")],
                    "sklearn": peers + ["--one-fit", name, "lbfgs", dtype],
                }
                for system, command in runs.items():
                    peak = peak_kib(command) * 1024
                    base = baselines[system] * 1024
                    records.append(dict(problem=name, dtype=dtype, system=system, x_bytes=x_bytes,
                                        peak_bytes=peak, baseline_bytes=base,
                                        overhead_over_X=(peak - base) / x_bytes))
                    print(f"{name} {dtype} {system}: peak {peak / 2**20:.1f} MiB, baseline "
                          f"{base / 2**20:.1f} MiB, X {x_bytes / 2**20:.1f} MiB, "
                          f"(peak - baseline) / X = {(peak - base) / x_bytes:.3f}", flush=True)
    with open(args.out, "w") as f:
        json.dump(dict(records=records), f, indent=1)


if __name__ == "__main__":
    main()
