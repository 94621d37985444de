#!/usr/bin/python3
"""Writes the benchmark report (REPORT.md and PNG plots) from one run's results.

    /usr/bin/python3 bench/report/make_report.py WORK_DIR OUT_DIR [--mode quick|full]

Reads WORK_DIR/manifest.json and WORK_DIR/results/: kernels.json, peers.json, predict.json
(Google Benchmark output), python.json (python_peers.py), python_entry.json (python_entry.py,
optional), memory.json (peak_memory.py) and
machine.json (scripts/bench-report); the real group's and the sparse group's files are read by
real_section.py and sparse_section.py. Every fitted parameter vector in WORK_DIR/coef is evaluated
with one evaluator (objectives.py); each problem's reference objective is the lowest any system
reached, and every fit's relative gap to it is reported next to its time.
"""
import argparse
import glob
import json
import os
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gbench import gbench_medians  # noqa: E402
from objectives import objective  # noqa: E402
import python_section  # noqa: E402
import real_section  # noqa: E402
import sparse_section  # noqa: E402
from real_section import gap_text, table  # noqa: E402  (one Markdown table writer)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TARGET = "binary_n200000_d100"


# --- reading -----------------------------------------------------------------------------------

def load_json(path):
    with open(path) as f:
        return json.load(f)


PYPI = "pypi-"  # the PyPI peers' systems on the grid (scikit-learn 1.9, glum, sklearnex)


class Results:
    def __init__(self, work):
        self.work = work
        self.manifest = load_json(os.path.join(work, "manifest.json"))
        self.problems = {p["name"]: p for p in self.manifest["problems"]}
        r = os.path.join(work, "results")
        self.kernels, self.kernel_context = gbench_medians(os.path.join(r, "kernels.json"))
        self.peers, self.peer_context = gbench_medians(os.path.join(r, "peers.json"))
        self.predict, _ = gbench_medians(os.path.join(r, "predict.json"))
        self.python = load_json(os.path.join(r, "python.json"))
        self.memory = load_json(os.path.join(r, "memory.json"))["records"]
        self.machine = load_json(os.path.join(r, "machine.json"))
        self.fits = {}  # (problem, system, solver, dtype, threads) -> dict(time, ...)
        for name, e in self.peers.items():
            parts = name.split("/")
            if parts[0] == "fit":
                _, problem, system, solver, dtype, t = parts[:6]
                self.fits[(problem, system, solver, dtype, int(t[1:]))] = e
        self.evals = {}  # (problem, system, dtype, threads) -> seconds
        self.read_x = {}  # (problem, dtype, threads) -> seconds
        for name, e in self.peers.items():
            parts = name.split("/")
            if parts[0] == "eval":
                _, problem, system, dtype, t = parts[:5]
                self.evals[(problem, system, dtype, int(t[1:]))] = e["time"]
                self.read_x[(problem, dtype, int(t[1:]))] = e["read_X_seconds"]
        for rec in self.python["records"]:
            key_t = rec["threads"]
            if rec["kind"] == "fit":
                self.fits[(rec["problem"], rec["system"], rec["solver"], rec["dtype"], key_t)] = \
                    dict(time=rec["median"], iterations=rec["iterations"])
            else:
                self.evals[(rec["problem"], rec["system"], rec["dtype"], key_t)] = rec["median"]
        # The PyPI peers on the grid's problems (real_peers.py --label-prefix pypi-), if run.
        grid_pypi = os.path.join(r, "grid_pypi.json")
        pypi = load_json(grid_pypi) if os.path.exists(grid_pypi) else dict(context={}, records=[])
        self.pypi, self.pypi_reps = pypi["records"], pypi["context"].get("reps")
        for rec in self.pypi:
            if rec.get("median") is not None:
                self.fits[(rec["problem"], PYPI + rec["system"], rec["solver"], rec["dtype"],
                           rec["threads"])] = dict(time=rec["median"],
                                                   iterations=rec.get("iterations"))
        self.best = self.machine["simdlr_isa"]
        self.simdlr = f"simdlr-{self.best}"
        self.gaps = self.objective_gaps()

    def objective_gaps(self):
        values = {}
        for path in sorted(glob.glob(os.path.join(self.work, "coef", "*.npy"))):
            problem, system, solver, dtype, t = os.path.basename(path)[:-4].split("__")
            # the real group is evaluated by real_section.py, on float64 data
            if problem not in self.problems or self.problems[problem]["group"] == "real":
                continue
            values[(problem, system, solver, dtype, int(t[1:]))] = (path, problem, dtype)
        cache, objectives = {}, {}
        for key, (path, problem, dtype) in values.items():
            p = self.problems[problem]
            if (problem, dtype) not in cache:
                cache.clear()
                cache[(problem, dtype)] = (np.load(p["X_f32" if dtype == "f32" else "X_f64"],
                                                   mmap_mode="r"), np.load(p["y"]))
            X, y = cache[(problem, dtype)]
            objectives[key] = objective(p, X, y, np.load(path))
        best = {}
        for (problem, _, _, dtype, _), f in objectives.items():
            best[(problem, dtype)] = min(best.get((problem, dtype), np.inf), f)
        self.reference = best
        return {k: (f - best[(k[0], k[3])]) / abs(best[(k[0], k[3])]) for k, f in objectives.items()}

    def fit_time(self, problem, system, solver, dtype, threads):
        e = self.fits.get((problem, system, solver, dtype, threads))
        return None if e is None else e["time"]

    def gap(self, problem, system, solver, dtype, threads):
        return self.gaps.get((problem, system, solver, dtype, threads))


# --- formatting --------------------------------------------------------------------------------

def ms(seconds):
    if seconds is None:
        return "–"
    v = seconds * 1e3
    return f"{v:.3g}" if v < 100 else f"{v:,.0f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.1f}x"


def verdict(ok):
    return "**PASS**" if ok else "**MISS**"


# --- sections ----------------------------------------------------------------------------------

def machine_section(R):
    m = R.machine
    read = read_bandwidth(R)
    rows = [["CPU", m["cpu"]], ["cores (OpenMP threads)", m["cores"]],
            ["L3", m["l3"]], ["simdlr ISA in use", R.best],
            ["ISAs available", m["isas"]],
            ["streaming read (measured)", read],
            ["OpenBLAS kernels (peers)", m.get("openblas_coretype", "")],
            ["compiler / build", m.get("compiler", "")],
            ["scikit-learn / numpy / Python", "{sklearn} / {numpy} / {python}".format(
                **R.python["context"])],
            ["LIBLINEAR", R.peer_context.get("liblinear_version", "")],
            ["other load during the run", m.get("load", "")]]
    return table(["", ""], rows)


def read_bandwidth(R):
    """The streaming read of the largest kernel input (per thread count), and of the target X."""
    data = kernel_rows(R)
    largest = max((b for (_, _, v, b, _) in data if v == "read"), default=None)
    parts = []
    if largest is not None:
        for (k, d, v, b, t), bps in sorted(data.items()):
            if v == "read" and b == largest and k == "dot" and d == "f64":
                parts.append(f"{bps / 1e9:.1f} GB/s ({human_bytes(b)}, threads {t})")
    p = R.problems.get(TARGET)
    for (problem, dtype, t), sec in sorted(R.read_x.items()):
        if problem == TARGET and p:
            nbytes = p["n"] * p["d"] * (4 if dtype == "f32" else 8)
            parts.append(f"X of the target, {dtype}, {t} thread(s): {nbytes / sec / 1e9:.1f} GB/s")
    return "; ".join(parts) if parts else "–"


def target_section(R):
    rows = []
    s = R.simdlr
    for dtype, want in (("f64", 4), ("f32", 8)):
        for t in (1, 2):
            mine = R.fit_time(TARGET, s, "lbfgs", dtype, t)
            theirs = R.fit_time(TARGET, "sklearn", "lbfgs", dtype, t)
            g_mine, g_theirs = R.gap(TARGET, s, "lbfgs", dtype, t), R.gap(TARGET, "sklearn", "lbfgs", dtype, t)
            ok = mine is not None and theirs is not None and theirs / mine >= want
            rows.append([f"{dtype} fit vs scikit-learn lbfgs (default solver), {t} thread(s)",
                         f">= {want}x", f"{ratio(theirs, mine)} ({ms(mine)} vs {ms(theirs)} ms; "
                         f"gaps {gap_text(g_mine)} / {gap_text(g_theirs)})", verdict(ok)])
    liblinear = R.fit_time(TARGET, "liblinear", "trust-region", "f64", 1)
    for dtype in ("f64", "f32"):
        for t in (1, 2):
            mine = R.fit_time(TARGET, s, "lbfgs", dtype, t)
            ok = mine is not None and liblinear is not None and liblinear / mine >= 10
            rows.append([f"{dtype} fit vs LIBLINEAR (-s 0, 1 thread), simdlr on {t} thread(s)",
                         ">= 10x", f"{ratio(liblinear, mine)} ({ms(mine)} vs {ms(liblinear)} ms; "
                         f"LIBLINEAR gap {gap_text(R.gap(TARGET, 'liblinear', 'trust-region', 'f64', 1))})",
                         verdict(ok)])
    for dtype in ("f64", "f32"):
        for t in (1, 2):
            ev, rd = R.evals.get((TARGET, s, dtype, t)), R.read_x.get((TARGET, dtype, t))
            if ev and rd:
                rows.append([f"one function+gradient evaluation, {dtype}, {t} thread(s)",
                             "<= 1.25x a read of X",
                             f"{ev / rd:.2f}x ({ms(ev)} ms vs read {ms(rd)} ms)",
                             verdict(ev / rd <= 1.25)])
    for dtype in ("f32", "f64"):
        for call in ("decision_function", "predict_proba"):
            e = R.predict.get(f"predict_row/binary/{call}/{dtype}/d30")
            if e:
                ns = e["time"] * 1e9
                rows.append([f"single-row {call}, d = 30, {dtype}", "< 50 ns",
                             f"{ns:.0f} ns, {e.get('allocations_per_call', 0):g} allocations",
                             verdict(ns < 50)])
    for rec in R.memory:
        if rec["system"] == "simdlr" and rec["problem"] == TARGET:
            rows.append([f"peak memory of a fit, {rec['dtype']}", "< 1.2 x X + baseline",
                         f"{rec['overhead_over_X']:.2f} x X above a {rec['baseline_bytes'] / 2**20:.0f}"
                         f" MiB baseline", verdict(rec["overhead_over_X"] < 1.2)])
    return table(["target (200,000 x 100 unless stated)", "wanted", "measured (medians)", ""], rows)


# One entry per CPU; main() puts first the entry the run measured itself (scripts/bench-report
# runs the baseline's fits in its rounds and writes WORK/results/baseline.json), when there is one.
BASELINE_FILE = "bench/results/baseline-2026-11-28.json"
BASELINES = load_json(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results",
                                   "baseline-2026-11-28.json"))["machines"]


def baseline_entry(R):
    """The baseline measured on the report's CPU (cpu, source, fits: problem -> dtype ->
    t<k>_ms), or None: a time from another CPU says nothing about this one's."""
    return next((m for m in BASELINES if m["cpu"] == R.machine["cpu"]), None)


def baseline_ms(R, problem, dtype, threads):
    """The 2026-11-28 default solver's (lbfgs) time on this CPU in ms, or None."""
    entry = baseline_entry(R)
    fits = entry["fits"] if entry else {}
    return fits.get(problem, {}).get(dtype, {}).get(f"t{threads}_ms")


def equal_objective(R, problem, system, solver, dtype, threads):
    """Whether a fit reached the optimum (gap within real_section's threshold for its type)."""
    gap = R.gap(problem, system, solver, "f64" if system == "liblinear" else dtype, threads)
    return gap is not None and gap <= real_section.THRESHOLD[dtype]


def pypi_text(R):
    """Which PyPI peers the grid's 'fastest peer' includes."""
    if not R.pypi:
        return ("no PyPI peer (this run did not measure scikit-learn 1.9, glum or "
                "scikit-learn-intelex on these problems)")
    return ("the PyPI peers of the real-looking problems' section, at the settings described "
            "there (scikit-learn 1.9 lbfgs, newton-cholesky, newton-cg; glum irls-cd and lbfgs, "
            "binary only; scikit-learn-intelex; bench/peers/real_peers.py, one run of up to "
            f"{R.pypi_reps} fits each after the grid's rounds)")


def baseline_text(R):
    """What the 'auto / 11-28' columns compare, and where the baseline comes from."""
    entry = baseline_entry(R)
    if entry is None:
        return (f"*auto / 11-28*: no time of the 2026-11-28 default solver was measured on this CPU "
                f"({R.machine['cpu']}; {BASELINE_FILE}), so these columns "
                "are empty.")
    return ("*auto / 11-28 t1, t2*: the default solver now over the default solver of commit "
            "bb43c32 (2026-11-28: lbfgs, which stopped by a gradient rule without proof) on the "
            f"same thread count, measured on this CPU ({BASELINE_FILE}: "
            f"{entry['source']}); above 1x is slower.")


def relative(seconds, baseline_ms):
    """seconds over a baseline given in ms, two decimals (0.02x for a fit 50 times faster)."""
    if seconds is None or not baseline_ms:
        return "–"
    return f"{seconds * 1e3 / baseline_ms:.2f}x"


def fastest(peers):
    """(time, name) of the fastest among (time, at_optimum, name) that reached the optimum, or
    (None, None)."""
    done = [(t, name) for t, ok, name in peers if t is not None and ok]
    return min(done) if done else (None, None)


def pypi_peers(R, problem, dtype, threads):
    """(time, at_optimum, name) of every PyPI peer measured on a grid problem."""
    out = []
    for (p, system, solver, d, t), e in R.fits.items():
        if p == problem and d == dtype and t == threads and system.startswith(PYPI):
            at = equal_objective(R, problem, system, solver, dtype, threads)
            out.append((e["time"], at, f"{system[len(PYPI):]} {solver}"))
    return out


def fits_section(R, task):
    s = R.simdlr
    problems = [p for p in R.manifest["problems"] if p["task"] == task and p["group"] != "real"]
    if task == "linear":
        header = ["problem", "type", f"{s} t1", "t2", "scalar t1", "sklearn t1", "sklearn t2",
                  "speedup t1", "speedup t2", "gap simdlr / sklearn"]
    else:
        header = ["problem", "type", f"{s} auto t1", "auto t2", "lbfgs t1", "lbfgs t2", "newton t1",
                  "scalar lbfgs t1", "sklearn lbfgs t1", "sklearn lbfgs t2", "sklearn newton-cg t1"]
        if task == "binary":
            header += ["LIBLINEAR"]
        header += ["fastest peer t1 (ms)", "auto vs fastest peer t1", "t2", "auto / 11-28 t1",
                   "t2"]
        header += ["gap simdlr auto", "gap sklearn lbfgs"]
        if task == "binary":
            header += ["gap LIBLINEAR"]
    rows = []
    for p in problems:
        for dtype in ("f64", "f32"):
            name = p["name"]
            if task == "linear":
                a1 = R.fit_time(name, s, "cholesky", dtype, 1)
                a2 = R.fit_time(name, s, "cholesky", dtype, 2)
                b1 = R.fit_time(name, "sklearn", "lstsq", dtype, 1)
                b2 = R.fit_time(name, "sklearn", "lstsq", dtype, 2)
                rows.append([name, dtype, ms(a1), ms(a2),
                             ms(R.fit_time(name, "simdlr-scalar", "cholesky", dtype, 1)),
                             ms(b1), ms(b2), ratio(b1, a1), ratio(b2, a2),
                             f"{gap_text(R.gap(name, s, 'cholesky', dtype, 1))} / "
                             f"{gap_text(R.gap(name, 'sklearn', 'lstsq', dtype, 1))}"])
                continue
            a1 = R.fit_time(name, s, "auto", dtype, 1)
            a2 = R.fit_time(name, s, "auto", dtype, 2)
            b1 = R.fit_time(name, "sklearn", "lbfgs", dtype, 1)
            b2 = R.fit_time(name, "sklearn", "lbfgs", dtype, 2)
            cg = R.fit_time(name, "sklearn", "newton-cg", dtype, 1)
            lib = R.fit_time(name, "liblinear", "trust-region", "f64", 1) if dtype == "f64" else None
            row = [name, dtype, ms(a1), ms(a2), ms(R.fit_time(name, s, "lbfgs", dtype, 1)),
                   ms(R.fit_time(name, s, "lbfgs", dtype, 2)),
                   ms(R.fit_time(name, s, "newton", dtype, 1)),
                   ms(R.fit_time(name, "simdlr-scalar", "lbfgs", dtype, 1)), ms(b1), ms(b2), ms(cg)]
            if task == "binary":
                row += [ms(lib)]
            # The fastest peer at the same objective (real_section's threshold); at 2 threads the
            # peers measured there, and LIBLINEAR, which has one thread.
            at_optimum = lambda system, solver, t: equal_objective(R, name, system, solver, dtype, t)
            peers1 = [(b1, at_optimum("sklearn", "lbfgs", 1), "sklearn 1.2 lbfgs"),
                      (cg, at_optimum("sklearn", "newton-cg", 1), "sklearn 1.2 newton-cg"),
                      (lib, at_optimum("liblinear", "trust-region", 1), "LIBLINEAR")]
            peers2 = [(b2, at_optimum("sklearn", "lbfgs", 2), "sklearn 1.2 lbfgs"),
                      (lib, at_optimum("liblinear", "trust-region", 1), "LIBLINEAR")]
            peers1 += pypi_peers(R, name, dtype, 1)
            peers2 += pypi_peers(R, name, dtype, 2)
            f1, who1 = fastest(peers1)
            f2, _ = fastest(peers2)
            row += [f"{who1} {ms(f1)}" if who1 else "–", ratio(f1, a1), ratio(f2, a2),
                    relative(a1, baseline_ms(R, name, dtype, 1)),
                    relative(a2, baseline_ms(R, name, dtype, 2))]
            row += [gap_text(R.gap(name, s, "auto", dtype, 1)),
                    gap_text(R.gap(name, "sklearn", "lbfgs", dtype, 1))]
            if task == "binary":
                row += [gap_text(R.gap(name, "liblinear", "trust-region", "f64", 1))
                        if dtype == "f64" else "–"]
            rows.append(row)
    return table(header, rows)


def eval_section(R):
    s = R.simdlr
    rows = []
    for (problem, dtype, t), rd in sorted(R.read_x.items(), key=lambda kv: (
            R.problems[kv[0][0]]["n"] * R.problems[kv[0][0]]["d"], kv[0])):
        mine = R.evals.get((problem, s, dtype, t))
        scalar = R.evals.get((problem, "simdlr-scalar", dtype, t))
        numpy_gd = R.evals.get((problem, "numpy-gd", dtype, t))
        rows.append([problem, dtype, t, ms(rd), ms(mine), f"{mine / rd:.2f}" if mine else "–",
                     ms(scalar), ms(numpy_gd), ratio(numpy_gd, mine)])
    return table(["problem", "type", "threads", "read X (ms)", f"{s} loss+gradient (ms)",
                  "x read", "scalar (ms)", "numpy X.T @ (sigmoid(X @ w) - y) (ms)",
                  "speedup vs numpy"], rows)


def predict_section(R):
    rows = []
    for name, e in sorted(R.predict.items()):
        _, model, call, dtype, d = name.split("/")
        rows.append([model, call, dtype, d[1:], f"{e['time'] * 1e9:.0f}",
                     f"{e.get('allocations_per_call', 0):g}"])
    return table(["model", "call", "type", "d", "ns per row (median)", "allocations per call"],
                 rows)


def memory_section(R):
    rows = []
    for rec in R.memory:
        rows.append([rec["problem"], rec["dtype"], rec["system"],
                     f"{rec['x_bytes'] / 2**20:.0f}", f"{rec['peak_bytes'] / 2**20:.0f}",
                     f"{rec['baseline_bytes'] / 2**20:.0f}", f"{rec['overhead_over_X']:.2f}"])
    return table(["problem", "type", "system", "X (MiB)", "peak RSS (MiB)",
                  "baseline (MiB)", "(peak - baseline) / X"], rows)


def kernel_rows(R):
    """(kernel, dtype, variant, bytes, threads) -> bytes per second."""
    out = {}
    for name, e in R.kernels.items():
        parts = name.split("/")
        if len(parts) < 4 or "bytes_per_second" not in e:
            continue
        kernel, dtype, variant, size = parts[:4]
        threads = parts[4] if len(parts) > 4 and parts[4].startswith("t") else "default"
        if "x" in size:
            rows, cols = map(int, size.split("x"))
            elements = rows * cols
        else:
            elements = int(size) * (2 if kernel in ("dot", "log_loss") else 1)  # inputs read
        nbytes = elements * (4 if dtype == "f32" else 8)
        out[(kernel, dtype, variant, nbytes, threads)] = e["bytes_per_second"]
    return out


def kernel_section(R):
    data = kernel_rows(R)
    rows = []
    variants = ["scalar", R.best, "openblas", "read"]
    for kernel in ("dot", "sigmoid", "log_loss", "logistic_loss_grad"):
        for dtype in ("f32", "f64"):
            sizes = sorted({(b, t) for (k, d, v, b, t) in data if k == kernel and d == dtype})
            for nbytes, t in sizes:
                vals = [data.get((kernel, dtype, v, nbytes, t)) for v in variants]
                read = vals[-1]
                rows.append([kernel, dtype, human_bytes(nbytes), t] +
                            [f"{v / 1e9:.1f}" if v else "–" for v in vals] +
                            [f"{vals[1] / read:.0%}" if vals[1] and read else "–"])
    return table(["kernel", "type", "input", "threads", "scalar twin (GB/s)", f"{R.best} (GB/s)",
                  "OpenBLAS (GB/s)", "streaming read (GB/s)", f"{R.best} / read"], rows)


def matrix_pass_section(R):
    """The >= 4x L3 matrix passes as paired fractions of a streaming read (kernel_bench's
    fraction_of_read): the fused pass next to single-operation passes, ours and OpenBLAS's."""
    passes = [("logistic_loss_grad", R.best, "simdlr fused loss + gradient (reads X once)"),
              ("margins", R.best, "simdlr margins Xw + b"),
              ("margins", "openblas", "OpenBLAS gemv (Xw)"),
              ("transpose_product", R.best, "simdlr Xᵀr"),
              ("transpose_product", "openblas", "OpenBLAS gemv (Xᵀr)")]
    rows = []
    for dtype in ("f32", "f64"):
        for t in ("t1", "t2"):
            for kernel, variant, label in passes:
                e = next((e for name, e in R.kernels.items()
                          if name.split("/")[:3] == [kernel, dtype, variant]
                          and name.split("/")[4:5] == [t]), None)
                if not e or "fraction_of_read" not in e:
                    continue
                rows.append([label, dtype, t, f"{e['bytes_per_second'] / 1e9:.1f}",
                             f"{e['read_bytes_per_second'] / 1e9:.1f}",
                             f"{e['fraction_of_read']:.0%}"])
    if not rows:
        return "(no >= 4x L3 matrix cases in this run)"
    return table(["pass", "type", "threads", "GB/s", "paired read (GB/s)", "fraction of read"], rows)


def kernel_targets_section(R):
    path = os.path.join(R.work, "results", "kernel_targets.txt")
    if not os.path.exists(path):
        return "(no kernel target summary in this run)"
    with open(path) as f:
        return "```\n" + f.read().rstrip("\n") + "\n```"


def human_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


# --- plots -------------------------------------------------------------------------------------

def plot_roofline(R, out):
    data = kernel_rows(R)
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    for ax, (kernel, dtype) in zip(axes.flat, [("dot", "f32"), ("dot", "f64"),
                                               ("logistic_loss_grad", "f32"),
                                               ("logistic_loss_grad", "f64")]):
        for variant, style in (("scalar", "o:"), (R.best, "o-"), ("openblas", "s--"),
                               ("read", "k-")):
            pts = sorted((b, v) for (k, d, var, b, t), v in data.items()
                         if k == kernel and d == dtype and var == variant and t == "default")
            if pts:
                ax.plot([p[0] for p in pts], [p[1] / 1e9 for p in pts], style,
                        label="streaming read (bandwidth)" if variant == "read" else variant)
            for t, marker in (("t1", "^"), ("t2", "v")):
                big = [(b, v) for (k, d, var, b, tt), v in data.items()
                       if k == kernel and d == dtype and var == variant and tt == t]
                if big:
                    ax.plot([p[0] for p in big], [p[1] / 1e9 for p in big], marker,
                            color=ax.lines[-1].get_color() if pts else None)
        for name, size in (("L1", 48 << 10), ("L2", 2 << 20), ("L3", 300 << 20)):
            ax.axvline(size, color="grey", lw=0.5)
            ax.text(size, ax.get_ylim()[1] if ax.lines else 1, name, fontsize=7, va="top")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{kernel} {dtype}")
        ax.set_ylabel("GB/s of input read")
        ax.grid(True, which="both", lw=0.3)
    axes[1][0].set_xlabel("bytes of input")
    axes[1][1].set_xlabel("bytes of input")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Kernel throughput vs input size, with the streaming-read line "
                 "(triangles: >= 4x L3 on 1 / 2 threads)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "kernel_roofline.png"), dpi=110)
    plt.close(fig)


def plot_fit_vs_n(R, out):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, dtype in zip(axes, ("f64", "f32")):
        for d in sorted({p["d"] for p in R.manifest["problems"] if p["task"] == "binary"
                         and p["name"].startswith("binary_")}):
            probs = sorted((p["n"], p["name"]) for p in R.manifest["problems"]
                           if p["task"] == "binary" and p["d"] == d and p["name"].startswith("binary_"))
            if len(probs) < 2:
                continue
            systems = [(R.simdlr, "lbfgs", "o-"), ("sklearn", "lbfgs", "s--")]
            if d == 100:  # the full set for one width, to keep the plot readable
                systems += [("simdlr-scalar", "lbfgs", "o:"), ("liblinear", "trust-region", "^-.")]
            for system, solver, style in systems:
                pts = [(n, R.fit_time(name, system, solver, "f64" if system == "liblinear" else dtype, 1))
                       for n, name in probs]
                pts = [(n, t) for n, t in pts if t is not None]
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style,
                            label=f"{system} {solver}, d={d}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n (rows)")
        ax.set_ylabel("fit time (s), 1 thread")
        ax.set_title(f"binary logistic regression, {dtype} data")
        ax.grid(True, which="both", lw=0.3)
        ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "fit_time_vs_n.png"), dpi=110)
    plt.close(fig)


def plot_threads(R, out):
    labels, simdlr_speedup, sklearn_speedup = [], [], []
    for p in R.manifest["problems"]:
        if p["task"] != "binary" or p["n"] < 100_000 or p["group"] == "real":
            continue
        for dtype in ("f64", "f32"):
            a1, a2 = (R.fit_time(p["name"], R.simdlr, "lbfgs", dtype, t) for t in (1, 2))
            b1, b2 = (R.fit_time(p["name"], "sklearn", "lbfgs", dtype, t) for t in (1, 2))
            if None in (a1, a2, b1, b2):
                continue
            labels.append(f"{p['name'].replace('binary_', '')}\n{dtype}")
            simdlr_speedup.append(a1 / a2)
            sklearn_speedup.append(b1 / b2)
    if not labels:
        return
    fig, ax = plt.subplots(figsize=(max(6, len(labels) * 0.9), 4))
    x = np.arange(len(labels))
    ax.bar(x - 0.2, simdlr_speedup, 0.4, label=f"{R.simdlr} lbfgs")
    ax.bar(x + 0.2, sklearn_speedup, 0.4, label="scikit-learn lbfgs")
    ax.axhline(2, color="grey", ls="--", lw=0.8)
    ax.axhline(1, color="black", lw=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("fit time 1 thread / 2 threads")
    ax.set_title("Thread scaling (2 cores: 2.0 is perfect)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "thread_scaling.png"), dpi=110)
    plt.close(fig)


# --- the report --------------------------------------------------------------------------------

def summary_table(R):
    """The short table the README quotes: the target problem, one thread and two."""
    s = R.simdlr
    rows = []
    for dtype in ("f64", "f32"):
        for t in (1, 2):
            mine = R.fit_time(TARGET, s, "lbfgs", dtype, t)
            sk = R.fit_time(TARGET, "sklearn", "lbfgs", dtype, t)
            lib = R.fit_time(TARGET, "liblinear", "trust-region", "f64", 1)
            ev, rd = R.evals.get((TARGET, s, dtype, t)), R.read_x.get((TARGET, dtype, t))
            gaps = " / ".join(gap_text(g) for g in (
                R.gap(TARGET, s, "lbfgs", dtype, t), R.gap(TARGET, "sklearn", "lbfgs", dtype, t),
                R.gap(TARGET, "liblinear", "trust-region", "f64", 1)))
            rows.append([dtype, t, ms(mine), ms(sk), ratio(sk, mine), ms(lib), ratio(lib, mine),
                         f"{ev / rd:.2f}x" if ev and rd else "–", gaps])
    return table(["data", "threads", "simdlr lbfgs (ms)", "scikit-learn lbfgs (ms)", "speedup",
                  "LIBLINEAR, 1 thread (ms)", "speedup", "one evaluation / one read of X",
                  "objective gap simdlr / sklearn / LIBLINEAR"], rows)


def write_report(R, out, mode):
    plot_roofline(R, out)
    plot_fit_vs_n(R, out)
    plot_threads(R, out)
    s = R.simdlr
    parts = [
        "# simdlr benchmark report",
        "",
        f"Written by `scripts/bench-report{' --quick' if mode == 'quick' else ''}` on "
        f"{R.machine['date']} ({mode} mode). Every system ran on the same machine, in one run, on "
        "the same .npy arrays (bench/peers/make_problems.py). Times are medians of "
        f"{R.machine['reps']} runs (the grid's fits: one per round, simdlr's and scikit-learn's "
        "alternated round by round; kernel benchmarks: 5, randomly interleaved); fits are timed "
        "end to end (the call that fits, after the data are in memory). Each fitted parameter "
        "vector was evaluated with one float64 evaluator (bench/report/objectives.py); the *gap* "
        "is its relative distance to the lowest objective any system reached on that problem "
        "(0 = that system set the reference).",
        "",
        "Systems: "
        f"**{s}** (simdlr on this CPU's best ISA; the default solver `auto` and the solvers lbfgs and newton (Newton-CG) by name, tol 1e-6, i.e. a certified relative gap of 1e-8), "
        "**simdlr-scalar** (the same code on the scalar twins, `SIMDLR_ISA=scalar`), "
        "**sklearn** (scikit-learn LogisticRegression, default tol, max_iter 10000, and "
        "LinearRegression), **LIBLINEAR** (2.3, `-s 0` primal trust-region Newton, in process, "
        f"eps {R.peer_context.get('liblinear_eps', '?')}, bias 1; float64 only, one thread; it "
        "also penalises its bias weight, so its gap includes that), **numpy** (the textbook "
        "gradient `X.T @ (sigmoid(X @ w + b) - y)`, per evaluation). scikit-learn and numpy "
        "call OpenBLAS with the kernels named below (Debian's OpenBLAS 0.3.21 would otherwise "
        "fall back to its SSE3 kernels on this CPU, which would flatter simdlr).",
        "",
        "## Summary: binary logistic regression on 200,000 x 100, C = 1",
        "",
        summary_table(R),
        "",
        "## Machine",
        "",
        machine_section(R),
        "",
        "## Targets (issue 5)",
        "",
        target_section(R),
        "",
        "## Binary logistic regression: fit time (ms)",
        "",
        "*fastest peer*, *auto vs fastest peer*: the fastest of Debian's scikit-learn 1.2 "
        "(lbfgs, newton-cg), LIBLINEAR and " + pypi_text(R) + " among those that reached "
        "the optimum (gap at most 1e-8 for float64, 1e-6 for float32), over simdlr's default solver "
        "(`auto`) on the same thread count (at 2 threads: the peers measured on 2 threads, and "
        "LIBLINEAR, which has one). " + baseline_text(R) +
        " breast_cancer_raw is the unscaled data (condition number "
        "~1e10): first-order solvers without preconditioning need thousands of iterations there.",
        "",
        fits_section(R, "binary"),
        "",
        "## Multinomial (10 classes): fit time (ms)",
        "",
        "LIBLINEAR has no multinomial logistic regression (its `-s 0` is one-vs-rest), so it is "
        "not in this table, nor glum (no multinomial family); *fastest peer* as in the binary "
        "table.",
        "",
        fits_section(R, "multinomial"),
        "",
        "## Least squares: fit time (ms)",
        "",
        "simdlr: Cholesky on the normal equations (one pass over X for XᵀX); scikit-learn: "
        "LinearRegression (LAPACK least squares).",
        "",
        fits_section(R, "linear"),
        "",
        "## One function+gradient evaluation vs one read of X",
        "",
        "What an iteration of any first-order solver costs. simdlr's fused pass computes loss "
        "and gradient in one read of X; the numpy textbook step reads X twice and computes no "
        "loss.",
        "",
        eval_section(R),
        "",
        real_section.section(R.work),
        "",
        sparse_section.section(R.work),
        "",
        python_section.section(R),
        "",
        "## Single-row prediction (embedding latency)",
        "",
        "One row through a fitted model on the calling thread (no thread start); allocations "
        "counted by a replaced operator new during the timed loop.",
        "",
        predict_section(R),
        "",
        "## Peak memory of a fit",
        "",
        "Peak resident set of a fresh process doing one lbfgs fit, minus the same program with "
        "no data (simdlr: `simdlr info`; scikit-learn: the Python imports). simdlr memory-maps "
        "the .npy file (float32 stays float32); scikit-learn's lbfgs copies float32 input to "
        "float64.",
        "",
        memory_section(R),
        "",
        "## Kernels: throughput vs size",
        "",
        "From kernel_bench (bench/README.md): bytes of input per second; `default` threads is "
        "OpenMP's default (inputs under 32K elements run on the calling thread), t1/t2 are the "
        ">= 4x L3 cases.",
        "",
        kernel_section(R),
        "",
        "Passes over a matrix 4x the L3 size (100 columns), each timed next to a streaming read "
        "of the same bytes (the median of the pairs' ratios): the fused logistic pass beside "
        "passes that do one product and nothing else.",
        "",
        matrix_pass_section(R),
        "",
        "The kernel targets (issue 2), as `bench/summarize_kernels.py` prints them for this run's "
        "kernels.json:",
        "",
        kernel_targets_section(R),
        "",
        "![kernel roofline](kernel_roofline.png)",
        "",
        "![fit time vs n](fit_time_vs_n.png)",
        "",
        "![thread scaling](thread_scaling.png)",
        "",
    ]
    with open(os.path.join(out, "REPORT.md"), "w") as f:
        f.write("\n".join(parts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work")
    parser.add_argument("out")
    parser.add_argument("--mode", default="full")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    measured = os.path.join(args.work, "results", "baseline.json")
    if os.path.exists(measured):
        global BASELINES, BASELINE_FILE
        BASELINES = load_json(measured)["machines"]
        BASELINE_FILE = "this run's own rounds"
    R = Results(os.path.abspath(args.work))
    write_report(R, args.out, args.mode)
    print(f"wrote {os.path.join(args.out, 'REPORT.md')}")


if __name__ == "__main__":
    main()
