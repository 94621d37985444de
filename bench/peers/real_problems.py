"""The "real" problem group: problems that look like real data (issue 15).

Real tables have correlated columns on very different scales, which is what makes first-order
solvers slow; the independent standard-normal columns of the grid have neither. Four problems,
all with C = 1:
  real_correlated_n200000_d100    binary, X = Z·M, columns scaled by 10^u (u uniform on [0, 1])
  real_breast_cancer_raw          data/breast_cancer.csv unscaled (the same files as
                                  breast_cancer_raw, written by make_problems.breast_cancer)
  real_multinomial_n100000_d50    10 classes (softmax model), mixed and scaled as above
  real_wide_n20000_d1000          binary, mixed and scaled as above
Z is standard normal, M a fixed random d x d matrix with N(0, 1/d) entries (a mixed column has
variance about 1). Labels come from a logistic (softmax) model with true coefficients v_j / s_j,
logits rescaled to standard deviation 2 (informative, not separable), intercept 0.5 (binary) or
0 (10 classes). bench/fit_bench.cpp generates problems of the same kind in C++ (not the same
bytes). X = Z·M is summed in a fixed order with elementwise numpy operations, not BLAS, and
powers and exponentials come from Python's math (numpy's SIMD versions differ in the last bit
between numpy releases), so the bytes depend neither on the BLAS nor on the numpy in use.
"""
import math
import os

import numpy as np

# name, n, d, classes, seed
GENERATED = [("real_correlated_n200000_d100", 200_000, 100, 2, 15_001),
             ("real_multinomial_n100000_d50", 100_000, 50, 10, 15_002),
             ("real_wide_n20000_d1000", 20_000, 1_000, 2, 15_003)]
BLOCK = 2_000  # rows mixed per step: the step's arrays stay in cache


def exact(fn, a):
    """fn (a function of one Python float) applied to every element of a."""
    return np.array([fn(float(v)) for v in a.ravel()]).reshape(a.shape)


def mix(Z, M, scale):
    """(Z @ M) * scale, summed over k in increasing order (deterministic, BLAS-free)."""
    out = np.zeros((Z.shape[0], M.shape[1]))
    term = np.empty_like(out)
    for k in range(M.shape[0]):
        np.multiply(Z[:, k, None], M[k], out=term)
        out += term
    return out * scale


def logits_of(X, V):
    """X @ V.T summed over columns in increasing order, as mix()."""
    out = np.zeros((X.shape[0], V.shape[0]))
    for j in range(X.shape[1]):
        out += X[:, j, None] * V[:, j]
    return out


def generate(folder, n, d, classes, seed):
    """Writes X_f64.npy, X_f32.npy (X rounded) and y.npy unless they exist."""
    paths = {k: os.path.join(folder, k + ".npy") for k in ("X_f64", "X_f32", "y")}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d)) / np.sqrt(d)
    scale = exact(lambda u: 10.0 ** u, rng.random(d))
    K = 1 if classes == 2 else classes
    V = rng.standard_normal((K, d)) / scale
    X64 = np.lib.format.open_memmap(paths["X_f64"], mode="w+", dtype=np.float64, shape=(n, d))
    X32 = np.lib.format.open_memmap(paths["X_f32"], mode="w+", dtype=np.float32, shape=(n, d))
    logits = np.empty((n, K))
    for start in range(0, n, BLOCK):
        rows = slice(start, min(n, start + BLOCK))
        X = mix(rng.standard_normal((rows.stop - rows.start, d)), M, scale)
        X64[rows], X32[rows] = X, X
        logits[rows] = logits_of(X, V)
    X64.flush(), X32.flush()
    del X64, X32
    logits *= 2.0 / logits.std()
    u = rng.random(n)
    if K == 1:
        y = (u < 1 / (1 + exact(math.exp, -(0.5 + logits[:, 0])))).astype(np.float64)
    else:
        P = exact(math.exp, logits - logits.max(axis=1, keepdims=True))
        cumulative = (P / P.sum(axis=1, keepdims=True)).cumsum(axis=1)
        y = (u[:, None] >= cumulative).sum(axis=1).clip(0, K - 1).astype(np.float64)
    np.save(paths["y"], y)
    return paths


def real_problems(work, breast_cancer_entries):
    """Manifest entries of the real group; breast_cancer_entries are make_problems' own."""
    entries = []
    for name, n, d, classes, seed in GENERATED:
        paths = generate(os.path.join(work, "data", name), n, d, classes, seed)
        entries.append(dict(name=name, task="binary" if classes == 2 else "multinomial", n=n,
                            d=d, classes=classes, C=1.0, y=paths["y"], group="real",
                            X_f64=paths["X_f64"], X_f32=paths["X_f32"]))
    raw = next(e for e in breast_cancer_entries if e["name"] == "breast_cancer_raw")
    entries.insert(1, dict(raw, name="real_breast_cancer_raw", group="real"))
    return entries
