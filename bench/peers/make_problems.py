#!/usr/bin/python3
"""Writes the benchmark problems as .npy files and a manifest every peer reads.

    /usr/bin/python3 bench/peers/make_problems.py WORK_DIR [--quick | --real]

Every system (simdlr, LIBLINEAR, scikit-learn, numpy) loads the same arrays from WORK_DIR/data:
X in float64 and float32 (the float32 file is the float64 one rounded), and one label vector per
task. Synthetic data are standard normal features with labels drawn from a known model, seeded,
so a rerun writes the same bytes. The breast cancer data (data/breast_cancer.csv) comes raw and
standardized (column mean 0, standard deviation 1, computed in float64).

Both modes also write the "real" group (real_problems.py: correlated, unevenly scaled columns
and the raw breast cancer data); --real writes that group alone.

The manifest (WORK_DIR/manifest.json) lists one entry per problem: name, task (binary,
multinomial, linear), n, d, classes, C (logistic) or alpha (linear), group, and the file paths.
"""
import argparse
import csv
import json
import os

import numpy as np
from real_problems import real_problems

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# (n, d) grid; full mode keeps n * d <= 1e8 (X is then 800 MB in float64, and scikit-learn's fits
# on it take tens of seconds each). The target problem of issue 5 is 200,000 x 100.
FULL_GRID = [(n, d) for n in (10_000, 100_000, 1_000_000) for d in (10, 100, 1000) if n * d <= 10**8]
QUICK_GRID = [(10_000, 10), (10_000, 100), (100_000, 10), (100_000, 100)]
TARGET = (200_000, 100)
# Full mode also fits simdlr alone on 10^7 x 100 (8 GB of float64, 4 GB of float32): as far as
# the n axis goes on this 24 GiB machine with the float64 and float32 copies both mapped. The
# peers would need hours (scikit-learn) or a 16 GB sparse copy (LIBLINEAR), so they skip it.
LARGE = (10_000_000, 100)
BLOCK = 500_000  # rows generated per step, to bound the generator's memory


def synthetic(work, n, d, quick):
    folder = os.path.join(work, "data", f"n{n}_d{d}")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(20261127 + 7919 * n + d)
    paths = {k: os.path.join(folder, f) for k, f in
             [("X_f64", "X_f64.npy"), ("X_f32", "X_f32.npy"), ("y_binary", "y_binary.npy"),
              ("y_multinomial", "y_multinomial.npy"), ("y_linear", "y_linear.npy")]}
    if not all(os.path.exists(p) for p in paths.values()):
        scale = 2.0 / np.sqrt(d)  # margins have standard deviation ~2: informative, not separable
        w = rng.standard_normal(d) * scale
        W = rng.standard_normal((10, d)) * scale
        X64 = np.lib.format.open_memmap(paths["X_f64"], mode="w+", dtype=np.float64, shape=(n, d))
        X32 = np.lib.format.open_memmap(paths["X_f32"], mode="w+", dtype=np.float32, shape=(n, d))
        y_binary, y_multi, y_linear = np.empty(n), np.empty(n), np.empty(n)
        for start in range(0, n, BLOCK):
            rows = slice(start, min(n, start + BLOCK))
            X = rng.standard_normal((rows.stop - rows.start, d))
            X64[rows], X32[rows] = X, X
            z = X @ w + 0.5
            y_binary[rows] = rng.random(len(z)) < 1 / (1 + np.exp(-z))
            Z = X @ W.T
            P = np.exp(Z - Z.max(axis=1, keepdims=True))
            cumulative = (P / P.sum(axis=1, keepdims=True)).cumsum(axis=1)
            y_multi[rows] = (rng.random(len(z))[:, None] > cumulative).sum(axis=1).clip(0, 9)
            y_linear[rows] = X @ w + 1.0 + rng.standard_normal(len(z))
        X64.flush(), X32.flush()
        del X64, X32
        np.save(paths["y_binary"], y_binary)
        np.save(paths["y_multinomial"], y_multi)
        np.save(paths["y_linear"], y_linear)
    entries = []
    base = f"n{n}_d{d}"
    files = {"X_f64": paths["X_f64"], "X_f32": paths["X_f32"]}
    entries.append(dict(name=f"binary_{base}", task="binary", n=n, d=d, classes=2, C=1.0,
                        y=paths["y_binary"], group="grid", **files))
    # Multinomial and least squares on the smaller part of the grid: scikit-learn's 10-class
    # fits on 10^6 rows alone would take most of the run.
    if n <= 100_000 and d <= 100 and (not quick or n <= 10_000):
        entries.append(dict(name=f"multinomial_{base}", task="multinomial", n=n, d=d, classes=10,
                            C=1.0, y=paths["y_multinomial"], group="grid", **files))
    if d <= 100:
        entries.append(dict(name=f"linear_{base}", task="linear", n=n, d=d, classes=0, alpha=0.0,
                            y=paths["y_linear"], group="grid", **files))
    return entries


def breast_cancer(work):
    folder = os.path.join(work, "data", "breast_cancer")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(REPO, "data", "breast_cancer.csv")) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    target = header.index("diagnosis")
    X = np.array([[float(v) for i, v in enumerate(r) if i != target] for r in body])
    y = np.array([1.0 if r[target] == "M" else 0.0 for r in body])
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    entries = []
    for name, data in (("breast_cancer_raw", X), ("breast_cancer_std", Xs)):
        p64 = os.path.join(folder, f"{name}_X_f64.npy")
        p32 = os.path.join(folder, f"{name}_X_f32.npy")
        np.save(p64, data)
        np.save(p32, data.astype(np.float32))
        entries.append(dict(name=name, task="binary", n=X.shape[0], d=X.shape[1], classes=2,
                            C=1.0, y=os.path.join(folder, "y.npy"), group="breast_cancer",
                            X_f64=p64, X_f32=p32))
    np.save(os.path.join(folder, "y.npy"), y)
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", help="work folder (data/ and manifest.json are written there)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the small grid only")
    mode.add_argument("--real", action="store_true", help="the real group only")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    entries = breast_cancer(work)
    if args.real:
        write_manifest(work, dict(quick=False, real=True,
                                  problems=real_problems(work, entries)))
        return
    for n, d in (QUICK_GRID if args.quick else FULL_GRID):
        entries += synthetic(work, n, d, args.quick)
    target = [e for e in synthetic(work, *TARGET, args.quick) if e["task"] == "binary"]
    target[0]["group"] = "target"
    entries += target
    if not args.quick:
        large = [e for e in synthetic(work, *LARGE, args.quick) if e["task"] == "binary"]
        large[0]["group"] = "large"
        entries += large
    entries += real_problems(work, entries)
    write_manifest(work, dict(quick=args.quick, real=False, problems=entries))


def write_manifest(work, manifest):
    with open(os.path.join(work, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"{len(manifest['problems'])} problems in {os.path.join(work, 'manifest.json')}")


if __name__ == "__main__":
    main()
