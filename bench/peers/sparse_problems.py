"""The "sparse" problem group: l1 logistic regression and its cross-validation (issue 18).

    build/bench-venv/bin/python bench/peers/sparse_problems.py WORK_DIR

writes WORK_DIR/sparse_manifest.json (the group's own manifest, next to make_problems.py's
manifest.json) and the data it names, reusing files that exist. Three problems, each with the l1
penalty (scikit-learn's objective C * sum(log loss) + |w|_1, intercept unpenalised) at C a fixed
multiple of l1_min_c, the smallest C with a non-zero coefficient, so that the optimum is sparse:
  sparse_correlated_n200000_d100   the data of real_problems.py's real_correlated_n200000_d100
                                   (the same files: X = Z·M, columns scaled by 10^u); float64 and
                                   float32
  sparse_wide_n20000_d5000         a wide problem with a sparse true model: 50 informative columns
                                   of 5,000; columns correlated (each a random moving average of
                                   8 neighbouring standard normal columns plus 5 shared factors)
                                   and scaled by 10^u (u uniform on [0, 1]); float64
  sparse_breast_cancer_raw         data/breast_cancer.csv unscaled (make_problems.breast_cancer's
                                   files); float64
l1_min_c is computed exactly as simdlr::l1_min_c defines it (intercept unpenalised): with w = 0
the intercept's optimum is b0 = logit(mean y), and C_min = 1 / max_j |sum_i (sigmoid(b0) - y_i)
x_ij|. (scikit-learn's l1_min_c treats the intercept as a penalised feature.) The manifest records
l1_min_c, the multiple and C, and intercept_scaling: the constant column the peers that penalise
the intercept (LIBLINEAR, celer) are given, large enough for that penalty to be negligible (see
intercept_scaling below).

The cross-validation rows (sparse_correlated_n200000_d100 and sparse_breast_cancer_raw) carry a
"cv" entry: 20 values of C from l1_min_c to 10^6 l1_min_c (breast cancer: 10^8 l1_min_c; wide
enough that the best mean log loss lies inside the grid, at about 10^5 and 10^6 l1_min_c),
evenly spaced on a log scale (simdlr::log_grid(l1_min_c, ratio, 20)), 5 stratified folds
without shuffling (scikit-learn's StratifiedKFold(5)), scoring log loss, and LIBLINEAR's
constant column for the whole grid. Every system reads these C values from the manifest.
The sums use math.fsum, not BLAS, so the C values do not depend on the BLAS or numpy in use.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_problems import breast_cancer  # noqa: E402
from real_problems import BLOCK, GENERATED, exact, generate  # noqa: E402

# Multiples of l1_min_c: chosen so that 20-60 % of the coefficients are non-zero at the optimum
# (27 of 100 on the correlated problem, 9 of 30 on breast cancer), and on the wide problem about
# as many as the true model has (50 of 5,000: 20-60 % there would be fitting noise). The count
# each fit reaches is in the report.
# On the raw breast cancer data the columns of largest scale (the areas, in the thousands) enter
# first and the rest only at C near 10^5 l1_min_c (9 of 30 there), hence its factor and its wider
# cross-validation grid.
C_FACTOR = {"sparse_correlated_n200000_d100": 10.0,
            "sparse_wide_n20000_d5000": 30.0,
            "sparse_breast_cancer_raw": 1e5}
CV_RATIO = {"sparse_correlated_n200000_d100": 1e6, "sparse_breast_cancer_raw": 1e8}
CV_POINTS, CV_FOLDS = 20, 5
# LIBLINEAR's constant column for a whole grid is one value: large enough for the grid's smallest
# C, it slows LIBLINEAR's convergence at the largest. On breast cancer the rule of
# intercept_scaling at the smallest C gives 10^9; LogisticRegressionCV(liblinear) measured at 10^5,
# 10^7 and 10^9 (2026-12-03, tol 1e-10) reached largest fold gaps of 3e-5 (the penalty on b at
# small C), 3e-8 and 3e-4 (large C not converged), so it gets 10^7.
CV_INTERCEPT_SCALING = {"sparse_breast_cancer_raw": 1e7}
WIDE = ("sparse_wide_n20000_d5000", 20_000, 5_000, 18_001)
WIDE_INFORMATIVE, WIDE_BAND, WIDE_FACTORS = 50, 8, 5


def generate_wide(folder, n, d, seed):
    """X_f64.npy and y.npy of the wide problem unless they exist (see the module docstring).
    Column j of the band part is sum_t m_jt Z_(j+t), t < WIDE_BAND, with m_j a random unit vector
    (variance 1); the factor part F·L has L ~ N(0, 1/k), k = WIDE_FACTORS (variance about 1); the
    sum is divided by sqrt(2) and column j scaled by 10^u_j. Products are summed in a fixed order
    with elementwise numpy operations, as real_problems.mix."""
    paths = {k: os.path.join(folder, k + ".npy") for k in ("X_f64", "y")}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((WIDE_BAND, d))
    m /= np.sqrt((m * m).sum(axis=0))
    L = rng.standard_normal((WIDE_FACTORS, d)) / math.sqrt(WIDE_FACTORS)
    scale = exact(lambda u: 10.0 ** u, rng.random(d))
    informative = np.sort(rng.choice(d, WIDE_INFORMATIVE, replace=False))
    v = rng.standard_normal(WIDE_INFORMATIVE) / scale[informative]
    X64 = np.lib.format.open_memmap(paths["X_f64"], mode="w+", dtype=np.float64, shape=(n, d))
    logits = np.zeros(n)
    for start in range(0, n, BLOCK):
        rows = slice(start, min(n, start + BLOCK))
        k = rows.stop - rows.start
        Z = rng.standard_normal((k, d + WIDE_BAND - 1))
        F = rng.standard_normal((k, WIDE_FACTORS))
        X = np.zeros((k, d))
        for t in range(WIDE_BAND):
            X += Z[:, t: t + d] * m[t]
        for f in range(WIDE_FACTORS):
            X += F[:, f, None] * L[f]
        X *= scale / math.sqrt(2.0)
        X64[rows] = X
        for j, vj in zip(informative, v):  # increasing column order
            logits[rows] += X[:, j] * vj
    X64.flush()
    del X64
    logits *= 2.0 / logits.std()
    u = rng.random(n)
    y = (u < 1 / (1 + exact(math.exp, -(0.5 + logits)))).astype(np.float64)
    np.save(paths["y"], y)
    return paths


def l1_min_c(X_path, y_path):
    """simdlr::l1_min_c for l1 with an intercept: 1 / max_j |sum_i (sigmoid(b0) - y_i) x_ij|.
    Each column's sum is math.fsum over blocks of rows of the blocks' math.fsum: no BLAS, the same
    value with any numpy."""
    X = np.load(X_path, mmap_mode="r")
    y = np.load(y_path)
    residual = math.fsum(y) / len(y) - y  # sigmoid(b0) is the share of the positive class
    parts = []
    for start in range(0, X.shape[0], BLOCK):
        rows = slice(start, min(X.shape[0], start + BLOCK))
        products = np.ascontiguousarray((np.asarray(X[rows], dtype=np.float64)
                                         * residual[rows, None]).T)
        parts.append([math.fsum(column) for column in products])
    return 1.0 / max(abs(math.fsum(column)) for column in zip(*parts))


def intercept_scaling(C, y):
    """The constant column's value s for the peers that penalise the intercept (LIBLINEAR's
    intercept_scaling; celer, which fits none, gets a column of s): they penalise |b| / s, which
    moves the optimum of our objective by about 1 / (2 s^2 H F) relative, H = C sum p(1 - p) the
    intercept's curvature and F the objective. With both estimated at w = 0 (H0 = C n ybar (1 -
    ybar), F0 = C n H(ybar), the entropy in nats): the smallest power of ten, at least 10^3, that
    keeps 1 / (2 s^2 H0 F0) at most 1e-11, three orders below the report's 1e-8 threshold."""
    n = len(y)
    share = math.fsum(y) / n
    h0 = C * n * share * (1 - share)
    f0 = C * n * -(share * math.log(share) + (1 - share) * math.log(1 - share))
    s = 1e3
    while 1 / (2 * s * s * h0 * f0) > 1e-11:
        s *= 10
    return s


def log_grid(first, ratio, count):
    """simdlr::log_grid: count values from first to first * ratio, evenly spaced in log."""
    return [first * ratio ** (i / (count - 1)) for i in range(count)] if count > 1 else [first]


def sparse_problems(work):
    """The group's manifest entries (writing the data that are missing)."""
    name, n, d, classes, seed = GENERATED[0]
    assert name == "real_correlated_n200000_d100"
    correlated = generate(os.path.join(work, "data", name), n, d, classes, seed)
    wide = generate_wide(os.path.join(work, "data", WIDE[0]), *WIDE[1:])
    raw = next(e for e in breast_cancer(work) if e["name"] == "breast_cancer_raw")
    entries = [
        dict(name="sparse_correlated_n200000_d100", n=n, d=d, X_f64=correlated["X_f64"],
             X_f32=correlated["X_f32"], y=correlated["y"], dtypes=["f64", "f32"], cv=True,
             data="real_correlated_n200000_d100 (real_problems.py)"),
        dict(name=WIDE[0], n=WIDE[1], d=WIDE[2], X_f64=wide["X_f64"], X_f32=None, y=wide["y"],
             dtypes=["f64"], cv=False,
             data=f"{WIDE_INFORMATIVE} informative columns; band {WIDE_BAND} + "
                  f"{WIDE_FACTORS} factors"),
        dict(name="sparse_breast_cancer_raw", n=raw["n"], d=raw["d"], X_f64=raw["X_f64"],
             X_f32=raw["X_f32"], y=raw["y"], dtypes=["f64"], cv=True,
             data="data/breast_cancer.csv, unscaled"),
    ]
    for e in entries:
        e.update(task="binary", classes=2, group="sparse", penalty="l1")
        e["l1_min_c"] = l1_min_c(e["X_f64"], e["y"])
        e["c_factor"] = C_FACTOR[e["name"]]
        e["C"] = e["c_factor"] * e["l1_min_c"]
        e["intercept_scaling"] = intercept_scaling(e["C"], np.load(e["y"]))
        if e.pop("cv"):
            ratio = CV_RATIO[e["name"]]
            Cs = log_grid(e["l1_min_c"], ratio, CV_POINTS)
            # the grid's smallest C needs the largest constant column (see intercept_scaling)
            e["cv"] = dict(Cs=Cs, ratio=ratio, folds=CV_FOLDS, scoring="log_loss",
                           stratified=True, shuffle=False,
                           intercept_scaling=CV_INTERCEPT_SCALING.get(
                               e["name"], intercept_scaling(Cs[0], np.load(e["y"]))))
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", help="work folder (data/ and sparse_manifest.json go there)")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    entries = sparse_problems(work)
    path = os.path.join(work, "sparse_manifest.json")
    with open(path, "w") as f:
        json.dump(dict(problems=entries), f, indent=1)
    print(f"{len(entries)} problems in {path}")


if __name__ == "__main__":
    main()
