"""The report's section on the real group (issue 15): simdlr against the PyPI peers.

    build/bench-venv/bin/python bench/report/real_section.py WORK_DIR OUT_DIR

writes OUT_DIR/REPORT.md with this section alone (scripts/bench-report --real); make_report.py
puts section(work) into the full report. Reads WORK_DIR/manifest.json, results/peers.json
(peer_bench: simdlr), results/real.json (real_peers.py), results/machine.json and coef/.

Every fit's parameters are evaluated on the problem's float64 data (objectives.py), float32 fits
included, and the lowest objective any fit reached is the problem's reference. A fit reached the
optimum ("equal objective") when its relative gap is at most 1e-8 (float64 rows) or 1e-6
(float32 rows, whose data are the float64 data rounded). simdlr's speed ratio is the time of the
fastest peer that reached it, on the same data type and thread count, over simdlr's.
"""
import argparse
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gbench import gbench_medians  # noqa: E402
from objectives import f64_objectives, relative_gaps  # noqa: E402

THRESHOLD = {"f64": 1e-8, "f32": 1e-6}
# Cores that other processes kept busy during a fit, on average, above which its time is marked:
# on a 2-core machine a 2-thread fit then waits for a core, and even 1-thread ones slow down.
DISTURBED = 0.25
COLUMNS = [("f64", 1), ("f64", 2), ("f32", 1), ("f32", 2)]
SYSTEMS = ["simdlr", "sklearn", "glum", "sklearnex"]  # row order within a problem


def load_json(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


class RealResults:
    def __init__(self, work):
        self.work = work
        manifest = load_json(os.path.join(work, "manifest.json"))
        self.problems = [p for p in manifest["problems"] if p["group"] == "real"]
        names = {p["name"] for p in self.problems}
        results = os.path.join(work, "results")
        self.machine = load_json(os.path.join(results, "machine.json"), {})
        runs, self.peer_context = gbench_medians(os.path.join(results, "peers.json"))
        real = load_json(os.path.join(results, "real.json"), dict(context={}, records=[]))
        self.context = real["context"]
        self.fits = {}  # (problem, system, solver, dtype, threads) -> dict
        for name, e in runs.items():
            parts = name.split("/")
            if parts[0] != "fit" or parts[1] not in names:
                continue
            _, problem, system, solver, dtype, t = parts[:6]
            self.fits[(problem, system, solver, dtype, int(t[1:]))] = dict(
                time=e["time"], iterations=e.get("iterations"), label=e.get("label", ""),
                converged=e.get("converged"), gap_bound=e.get("relative_gap_bound"),
                reps=e.get("runs"), other_load=e.get("other_load"))
        for rec in real["records"]:  # real_peers.py's fields, plus time and reps as above
            key = (rec["problem"], rec["system"], rec["solver"], rec["dtype"], rec["threads"])
            self.fits[key] = dict(rec, time=rec["median"], reps=len(rec["times"]))
        self.gaps, self.reference = {}, {}
        for p in self.problems:
            params = {}
            for path in glob.glob(os.path.join(work, "coef", p["name"] + "__*.npy")):
                key = tuple(os.path.basename(path)[:-4].split("__"))
                key = key[:4] + (int(key[4][1:]),)
                if self.fits.get(key, {}).get("time") is not None:  # no stale files
                    params[key] = np.load(path)
            if params:
                values = f64_objectives(p, params)
                gaps, self.reference[p["name"]] = relative_gaps(values)
                self.gaps.update(gaps)

    def simdlr_keys(self, problem, dtype, threads):
        return [k for k in self.fits if k[0] == problem and k[1].startswith("simdlr")
                and k[3] == dtype and k[4] == threads]

    def reached(self, key):
        g = self.gaps.get(key)
        return g is not None and g <= THRESHOLD[key[3]]


# --- formatting --------------------------------------------------------------------------------

def ms(seconds):
    if seconds is None:
        return "–"
    v = seconds * 1e3
    return f"{v:.3g}" if v < 100 else f"{v:,.0f}"


def disturbed(f):
    """' ⚠0.8' (cores other processes used) for a fit whose time they disturbed."""
    load = f.get("other_load") if f else None
    return f" ⚠{load:.1f}" if load is not None and load > DISTURBED else ""


def gap_text(g):
    if g is None:
        return "–"
    return "0" if g <= 0 else f"{g:.0e}"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def cell(R, key):
    """time, iterations and gap of one fit; '>' and the limit for a stopped peer."""
    f = R.fits.get(key)
    if f is None:
        return "–"
    if f.get("error"):
        return f"failed ({f['error']})"
    if f.get("skipped"):
        return f"not run ({f['skipped']})"
    if f["time"] is None:
        return f"> {f['limit']:g} s (stopped)" if f.get("timed_out") else "–"
    it = "–" if f["iterations"] is None else f"{f['iterations']:,.0f}"
    text = f"{ms(f['time'])} ms{disturbed(f)}, {it} it, gap {gap_text(R.gaps.get(key))}"
    if not R.reached(key):
        text += " ✗"
    if f.get("reps") == 1:
        text += " (1 run)"
    if f.get("timed_out"):
        text += " (a later run stopped)"
    if f.get("accelerated") is False:
        text += " (sklearnex fell back to stock scikit-learn)"
    if f.get("warnings"):
        text += " †"
    return text


def system_order(key):
    system = key[0].split("-")[0]
    return (SYSTEMS.index(system) if system in SYSTEMS else len(SYSTEMS), key)


def detail_table(R, p):
    pairs = sorted({(k[1], k[2]) for k in R.fits if k[0] == p["name"]}, key=system_order)
    rows = []
    for system, solver in pairs:
        # simdlr's label names the solver its default ran (it may differ by type or threads)
        ran = sorted({R.fits[k]["label"].split(",")[0] for k in R.fits
                      if k[:3] == (p["name"], system, solver) and R.fits[k].get("label")})
        name = solver
        if ran:
            name += " (default)" if ran == [solver] else f" (default; ran {' / '.join(ran)})"
        rows.append([system, name] + [cell(R, (p["name"], system, solver, d, t))
                                      for d, t in COLUMNS])
    notes = {}  # warning -> the fits that gave it
    for key, f in sorted(R.fits.items()):
        if key[0] == p["name"]:
            for w in f.get("warnings") or []:
                notes.setdefault(w, []).append(f"{key[1]} {key[2]} {key[3]} t{key[4]}")
    text = table(["system", "solver"] + [f"{d} t{t}" for d, t in COLUMNS], rows)
    for w, where in notes.items():
        text += f"\n\n† {', '.join(where)}: {w}"
    return text


def summary_table(R):
    with_bound = any(f.get("gap_bound") is not None for f in R.fits.values())
    rows = []
    for p in R.problems:
        for dtype, t in COLUMNS:
            for key in R.simdlr_keys(p["name"], dtype, t):
                mine = R.fits[key]
                peers = [(f["time"], k) for k, f in R.fits.items()
                         if k[0] == p["name"] and not k[1].startswith("simdlr") and k[3] == dtype
                         and k[4] == t and f["time"] is not None and R.reached(k)]
                best = min(peers, default=None)
                ratio = "–"
                if best and mine["time"]:
                    r = best[0] / mine["time"]
                    ratio = f"{r:.2f}x" if r < 10 else f"{r:.0f}x"
                    if not R.reached(key):
                        ratio += " (simdlr gap above the threshold)"
                row = [p["name"], dtype, t, ms(mine["time"]) + disturbed(mine),
                       f"{mine['iterations']:,.0f}" if mine["iterations"] else "–",
                       mine["label"].partition(", ")[2] or "–",
                       gap_text(R.gaps.get(key)) + ("" if R.reached(key) else " ✗")]
                if with_bound:
                    bound = mine.get("gap_bound")
                    row.append("none" if bound is None else f"{bound:.0e}")
                rows.append(row + [f"{best[1][1]} {best[1][2]}" if best else "none reached it",
                                   ms(best and best[0]) + disturbed(best and R.fits[best[1]]),
                                   ratio])
    header = ["problem", "type", "threads", "simdlr (ms)", "iterations", "stopped because",
              "gap"]
    if with_bound:  # FitReport::relative_gap_bound, where the library has it and proved one
        header.append("simdlr's certified gap bound")
    return table(header + ["fastest peer at equal objective", "its time (ms)",
                           "simdlr speed ratio"], rows)


def section(work, level="##"):
    R = RealResults(work)
    if not R.problems or not R.fits:
        return f"{level} Real-looking problems (issue 15)\n\n(not in this run)\n"
    c = R.context
    v = c.get("versions", {})
    isa = R.machine.get("simdlr_isa", "best ISA")
    parts = [
        f"{level} Real-looking problems (issue 15)",
        "",
        "Correlated columns on scales 1 to 10 (X = Z·M, then column j times 10^u_j) and the raw "
        "breast cancer data, C = 1 (bench/peers/real_problems.py). "
        f"**simdlr** (simdlr-{isa}): the library's default solver "
        "(`LogisticRegressionOptions{}`; the solver it ran is named in the tables), tol "
        f"{float(R.peer_context.get('simdlr_tol', 1e-6)):g}, max_iter 100,000, through "
        "peer_bench. Peers from PyPI in "
        f"a virtual environment (Python {c.get('python', '?')}, numpy {c.get('numpy', '?')}): "
        f"**sklearn** {v.get('sklearn', '?')} LogisticRegression (lbfgs, newton-cholesky, "
        f"newton-cg; tol {c.get('tol', '?'):g}), **glum** {v.get('glum', '?')} "
        "GeneralizedLinearRegressor(family='binomial', alpha = 1/(n·C), which is our objective "
        f"divided by n·C; gradient_tol {c.get('tol', '?'):g}, on float32 data "
        f"{c.get('glum_f32_tol', '?'):g}; glum has no multinomial family), "
        f"**sklearnex** {v.get('sklearnex', '?')} (scikit-learn-intelex: oneDAL's loss and "
        "gradient under scipy's L-BFGS-B, its CPU solver). max_iter "
        f"{c.get('max_iter', 0):,}. Threads: threadpoolctl and OMP_NUM_THREADS / "
        "OPENBLAS_NUM_THREADS, and daal4py.daalinit for oneDAL.",
        "",
        f"Each fit's parameters were evaluated on the float64 data; *gap* is the relative "
        "distance to the lowest objective any fit reached on that problem (float32 fits "
        "included). ✗: gap above 1e-8 (float64) or 1e-6 (float32), i.e. not at the optimum. "
        "Times are medians of up to "
        f"{c.get('reps', '?')} runs (simdlr and every peer start no further run after "
        f"{c.get('rep_budget', '?'):g} s of fitting: '(1 run)'), and a peer configuration is "
        f"stopped after {c.get('time_limit', '?'):g} s of fitting and then not run on more "
        "threads. *simdlr speed ratio* = time "
        "of the fastest peer at equal objective (same type and threads) / simdlr's time: above "
        "1 simdlr is faster. ⚠x: other processes kept x cores busy on average during that "
        f"fit (marked above {DISTURBED:g}): its time, a 2-thread one above all, is not usable.",
        "",
        summary_table(R),
        "",
    ]
    for p in R.problems:
        ref = R.reference.get(p["name"])
        if ref is None:
            continue
        parts += [f"**{p['name']}** ({p['task']}, {p['n']:,} x {p['d']:,}"
                  f"{', %d classes' % p['classes'] if p['task'] == 'multinomial' else ''}; "
                  f"reference objective {ref:.10g}):", "",
                  detail_table(R, p), ""]
    return "\n".join(parts)


def standalone_report(description, title, mode, section_of):
    """The command line of a section script run alone (scripts/bench-report --<mode>): WORK OUT;
    writes OUT/REPORT.md, `title` over the machine line and section_of(WORK)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("work")
    parser.add_argument("out")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = os.path.abspath(args.work)
    m = load_json(os.path.join(work, "results", "machine.json"), {})
    text = "\n".join([
        f"# simdlr benchmark report: {title}",
        "",
        f"Written by `scripts/bench-report --{mode}` on {m.get('date', '?')}: "
        f"{m.get('cpu', '?')}, {m.get('cores', '?')} cores, simdlr ISA "
        f"{m.get('simdlr_isa', '?')}; {m.get('load', '')}.",
        "",
        section_of(work),
    ])
    with open(os.path.join(args.out, "REPORT.md"), "w") as f:
        f.write(text)
    print(f"wrote {os.path.join(args.out, 'REPORT.md')}")


def main():
    standalone_report(__doc__.splitlines()[0], "real-looking problems", "real", section)


if __name__ == "__main__":
    main()
