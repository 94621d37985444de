#!/usr/bin/env python3
"""Summarize kernel_bench's JSON output into the kernel performance target table.

Usage:
    python3 bench/summarize_kernels.py [build-bench/kernel_bench.json [MORE.json ...]]

Reads the Google Benchmark JSON written by
    kernel_bench --benchmark_out=FILE --benchmark_out_format=json \
                 --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
                 --benchmark_report_aggregates_only=true
(medians are used; a run without repetitions works too) and prints:

  (a) in-cache (4096 elements) float32 dot, sigmoid, log_loss: speedup of the best ISA over the
      simdlr::scalar twin (targets: dot >= 8x, sigmoid >= 8x, log_loss >= 6x);
  (b) dot and logistic_loss_grad on data >= 4x L3, float32 and float64, 1 and 2 threads: achieved
      bytes/s of the active ISA as a fraction of a plain streaming read of the same bytes with the
      same thread count (target >= 85%). The verdict uses the paired fraction (each timed pass is
      paired with an adjacent re-read; see kernel_bench.cpp); the ratio of the separate read
      benchmark's median is shown next to it;
  (c) dot vs OpenBLAS at every size: simdlr (active ISA) bytes/s / OpenBLAS bytes/s (target >= 1).

Rows measured while other processes used more than 10% of the machine (counter other_load) are
marked "disturbed" and their verdict gets a "*": their numbers, especially multi-threaded ones,
are not trustworthy. With several JSON files (say a full run and a re-run of some benchmarks on a
quieter machine), each comparison takes all its numbers from the one file where it was least
disturbed (first file on ties), so put the best run first.
Exit status: 0 if every target passes, 1 if any fails, 2 on bad input. Standard library only.
"""

import json
import re
import sys

SUFFIX = re.compile(r"^(min_time:|iterations:|repeats:|threads:|real_time$|manual_time$|process_time$)")
DISTURBED = 0.10  # other_load above this: the row was measured on a busy machine
ISA_ORDER = ["isa_scalar", "sse2", "avx2", "avx512"]


def parse_name(run_name):
    """'dot/f32/avx512/4096/min_time:0.050/real_time' -> ('dot', 'f32', 'avx512', '4096', '')."""
    parts = [p for p in run_name.split("/") if not SUFFIX.match(p)]
    threads = ""
    if len(parts) == 5 and re.fullmatch(r"t\d+", parts[4]):
        threads = parts.pop()
    if len(parts) != 4:
        return None
    return tuple(parts) + (threads,)


def load(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    have_aggregates = any(b.get("run_type") == "aggregate" for b in data.get("benchmarks", []))
    for b in data.get("benchmarks", []):
        if have_aggregates:
            if b.get("run_type") != "aggregate" or b.get("aggregate_name") != "median":
                continue
        elif b.get("run_type") == "aggregate":
            continue
        if b.get("error_occurred"):
            continue
        key = parse_name(b.get("run_name", b["name"]))
        if key is not None:
            rows[key] = dict(b, source=path)
    return data.get("context", {}), rows


class Runs:
    """The results of one or more JSON files. Every comparison takes all its entries from one file
    (entries from different runs are not comparable on a machine whose speed drifts): the file
    where it was least disturbed (max other_load), the first such file on ties."""

    def __init__(self, paths):
        self.files = [load(p) for p in paths]
        self.context = self.files[0][0]
        self.keys = set().union(*(rows.keys() for _, rows in self.files))

    def pick(self, required, optional=()):
        """Entries for `required` keys (all from one file) plus whichever `optional` keys that
        file has; None if no file has all required keys."""
        best = None
        for _, rows in self.files:
            if not all(k in rows for k in required):
                continue
            load_ = max(rows[k].get("other_load", 0.0) for k in required)
            if best is None or load_ < best[0]:
                best = (load_, rows)
        if best is None:
            return None
        rows = best[1]
        return {k: rows[k] for k in list(required) + list(optional) if k in rows}


def fmt_pct(x):
    return "n/a" if x is None else "%.1f%%" % (100 * x)


def is_disturbed(*entries):
    return any(e and e.get("other_load", 0.0) > DISTURBED for e in entries)


def verdict(ok, *entries):
    if ok is None:
        return "n/a"
    return ("PASS" if ok else "FAIL") + ("*" if is_disturbed(*entries) else "")


def disturbed(*entries):
    loads = [e.get("other_load", 0.0) for e in entries if e]
    return "disturbed (other_load %.0f%%)" % (100 * max(loads)) if is_disturbed(*entries) else ""


def table(headers, body):
    widths = [max(len(str(r[i])) for r in [headers] + body) for i in range(len(headers))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    print(line(headers))
    print(line(["-" * w for w in widths]))
    for r in body:
        print(line(r))
    print()


def main(argv):
    paths = argv[1:] or ["build-bench/kernel_bench.json"]
    try:
        runs = Runs(paths)
    except (OSError, ValueError, KeyError) as e:
        print("cannot read %s: %s" % (" ".join(paths), e), file=sys.stderr)
        return 2
    context, keys = runs.context, runs.keys
    if not keys:
        print("%s holds no kernel_bench results" % " ".join(paths), file=sys.stderr)
        return 2
    path = " + ".join(paths)

    active = context.get("simdlr_isa", "")
    if active not in ISA_ORDER:
        active = {"scalar": "isa_scalar"}.get(active, "")
    present = {k[2] for k in keys}
    if active not in present:
        active = next((i for i in reversed(ISA_ORDER) if i in present), "")
    l3 = int(context.get("simdlr_l3_bytes", "0") or 0)
    print("kernel_bench summary: %s" % path)
    print("  cpu: %s | active ISA: %s | supported: %s | L3: %.0f MiB | OpenMP threads: %s"
          % (context.get("simdlr_cpu", "?"), context.get("simdlr_isa", "?"),
             context.get("simdlr_supported_isas", "?"), l3 / 2**20, context.get("simdlr_omp_max_threads", "?")))
    print("  date: %s | load average at start: %s" % (context.get("date", "?"), context.get("load_avg", "?")))
    print("  OpenBLAS: %s kernels (detected core: %s) | %s"
          % (context.get("openblas_core", "?"), context.get("openblas_detected_core", "?"),
             context.get("openblas_config", "?")))
    print("  medians of repetitions where the files have them; each row's numbers come from one file")
    print()
    failures, disturbed_failures = 0, 0

    def count(ok, *entries):
        nonlocal failures, disturbed_failures
        if ok is False:
            failures += 1
            disturbed_failures += is_disturbed(*entries)

    # (a) in-cache speedups -------------------------------------------------------------------
    print("(a) in-cache float32, n = 4096: best ISA vs the scalar twin (single thread, CPU time)")
    body = []
    for kernel, target in (("dot", 8.0), ("sigmoid", 8.0), ("log_loss", 6.0)):
        twin_key = (kernel, "f32", "scalar", "4096", "")
        isa_keys = [(kernel, "f32", i, "4096", "") for i in ISA_ORDER]
        got = None
        for isa_key in [k for k in isa_keys if k in keys]:
            got = runs.pick([twin_key, isa_key], isa_keys)  # a file with the twin and some ISA
            if got:
                break
        twin = got.get(twin_key) if got else None
        isas = [(i, got.get(k)) for i, k in zip(ISA_ORDER, isa_keys)] if got else []
        isas = [(i, e) for i, e in isas if e]
        if not twin or not isas:
            body.append([kernel, "missing", "", "", "", ">= %gx" % target, "n/a", ""])
            continue
        best, be = max(isas, key=lambda ie: ie[1]["items_per_second"])
        speedup = be["items_per_second"] / twin["items_per_second"]
        ok = speedup >= target
        count(ok, twin, be)
        per_isa = " ".join("%s %.1fx" % (i, e["items_per_second"] / twin["items_per_second"]) for i, e in isas)
        body.append([kernel, "%.3f" % (1e9 / twin["items_per_second"]), best, "%.3f" % (1e9 / be["items_per_second"]),
                     "%.1fx" % speedup, ">= %gx" % target, verdict(ok, twin, be), per_isa + " " + disturbed(twin, be)])
    table(["kernel", "scalar ns/elem", "best ISA", "best ns/elem", "speedup", "target", "result", "all ISAs"], body)

    # (b) bandwidth fraction on data >= 4x L3 ----------------------------------------------------
    print("(b) data >= 4x L3: %s kernel bytes/s as a fraction of a streaming read, same thread count" % active)
    body = []
    bigs = sorted({k for k in keys if k[4] and k[0] in ("dot", "logistic_loss_grad")},
                  key=lambda k: (k[0] != "dot", k[1], k[4]))
    seen = set()
    for kernel, typ, _, size, threads in bigs:
        if (kernel, typ, size, threads) in seen:
            continue
        seen.add((kernel, typ, size, threads))
        kkey, rkey = (kernel, typ, active, size, threads), (kernel, typ, "read", size, threads)
        got = runs.pick([kkey], [rkey])
        if not got:
            continue
        k, r = got[kkey], got.get(rkey)
        elem = 4 if typ == "f32" else 8
        if "x" in size:
            nbytes = int(size.split("x")[0]) * int(size.split("x")[1]) * elem
        else:
            nbytes = int(size) * elem * 2
        paired = k.get("fraction_of_read")
        unpaired = k["bytes_per_second"] / r["bytes_per_second"] if r else None
        measure = paired if paired is not None else unpaired
        ok = None if measure is None else measure >= 0.85
        count(ok, k, r)
        body.append([kernel, typ, size, threads, "%.2f GB" % (nbytes / 1e9) + (" (%.1fx L3)" % (nbytes / l3) if l3 else ""),
                     "%.2f" % (k["bytes_per_second"] / 1e9),
                     "%.2f" % (k.get("read_bytes_per_second", 0) / 1e9) if paired is not None else "n/a",
                     fmt_pct(paired), "%.2f" % (r["bytes_per_second"] / 1e9) if r else "n/a", fmt_pct(unpaired),
                     ">= 85%", verdict(ok, k, r), disturbed(k, r)])
    table(["kernel", "type", "size", "thr", "input", "kernel GB/s", "paired read GB/s", "paired fraction",
           "read bench GB/s", "vs read bench", "target", "result", "note"], body)

    # (b) context: single-product passes over the same data (no target) ---------------------------
    context_rows = []
    for typ in ("f32", "f64"):
        for kernel, variant in (("margins", active), ("margins", "openblas"),
                                ("transpose_product", active), ("transpose_product", "openblas")):
            for key in sorted(k for k in keys if k[:3] == (kernel, typ, variant) and k[4]):
                got = runs.pick([key])
                e = got.get(key) if got else None
                if e and e.get("fraction_of_read") is not None:
                    context_rows.append([kernel, variant, typ, key[3], key[4],
                                         "%.2f" % (e["bytes_per_second"] / 1e9),
                                         "%.2f" % (e.get("read_bytes_per_second", 0) / 1e9),
                                         fmt_pct(e["fraction_of_read"]), disturbed(e)])
    if context_rows:
        print("(b) context, no target: one-product passes over the same >= 4x L3 data (OpenBLAS gemv N / T)")
        table(["kernel", "variant", "type", "size", "thr", "GB/s", "paired read GB/s", "paired fraction",
               "note"], context_rows)

    # (c) dot vs OpenBLAS --------------------------------------------------------------------------
    print("(c) dot: simdlr (%s) vs OpenBLAS ?dot, every size (>= 1.00 means simdlr at least as fast)" % active)
    body = []
    dots = sorted({k for k in keys if k[0] == "dot" and k[2] == "openblas"},
                  key=lambda k: (k[1], int(k[3]), k[4]))
    for _, typ, _, size, threads in dots:
        bkey, kkey = ("dot", typ, "openblas", size, threads), ("dot", typ, active, size, threads)
        got = runs.pick([kkey, bkey])
        if not got:
            continue
        k, b = got[kkey], got[bkey]
        ratio = k["bytes_per_second"] / b["bytes_per_second"]
        extra = ""
        measure = ratio
        if "fraction_of_read" in k and "fraction_of_read" in b:
            # Large cases: compare each one's speed relative to its own adjacent re-reads, which
            # cancels the bandwidth drift between the two benchmarks.
            measure = k["fraction_of_read"] / b["fraction_of_read"]
            extra = "paired: simdlr %s, OpenBLAS %s of read" % (fmt_pct(k["fraction_of_read"]),
                                                                 fmt_pct(b["fraction_of_read"]))
        ok = measure >= 1.0
        count(ok, k, b)
        body.append([typ, size, threads or "default (%s)" % k.get("label", "").replace("threads=", ""),
                     "%.2f" % (k["bytes_per_second"] / 1e9), "%.2f" % (b["bytes_per_second"] / 1e9),
                     "%.3f" % ratio, "%.3f" % measure, verdict(ok, k, b),
                     " ".join(x for x in (extra, disturbed(k, b)) if x)])
    table(["type", "n", "threads", "simdlr GB/s", "OpenBLAS GB/s", "ratio", "verdict on", "result", "note"],
          body)
    print("(c) 'verdict on' is the bytes/s ratio, or for the large cases the ratio of the paired fractions.")
    print()

    print("targets failed: %d (%d of them measured on a busy machine, marked *)" % (failures, disturbed_failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
