"""One evaluator for every system's fitted parameters, in float64 numpy.

Parameters are laid out as peer_bench and python_peers.py write them: coefficient rows (1 for
binary and least squares, K for multinomial), row-major, then one intercept per row.
  binary       C * sum(softplus(z) - y z) + 1/2 |w|^2            (scikit-learn's objective)
  multinomial  C * sum(logsumexp(Z_i) - Z_{i, y_i}) + 1/2 |W|_F^2
  linear       1/2 sum((z - y)^2) + alpha/2 |w|^2
  binary, l1   C * sum(softplus(z) - y z) + |w|_1   (problems with penalty "l1": the sparse group)
LIBLINEAR penalises its bias weight too (1/2 b^2 more in its own objective); it is evaluated here
on the common objective above, so its gap includes what that costs.
f64_objectives and relative_gaps serve the real group (real_section.py): every fit, float32 ones
included, is evaluated on the float64 data, so one reference covers both types.
"""
import numpy as np

ROWS = 200_000  # rows per block: bounded temporary memory on the largest problems


def objective(problem, X, y, params):
    d = problem["d"]
    k = problem["classes"] if problem["task"] == "multinomial" else 1
    W = params[: k * d].reshape(k, d)
    b = params[k * d: k * d + k]
    total = 0.0
    for start in range(0, X.shape[0], ROWS):
        Xb = np.asarray(X[start: start + ROWS], dtype=np.float64)
        yb = y[start: start + ROWS]
        Z = Xb @ W.T + b
        if problem["task"] == "binary":
            z = Z[:, 0]
            total += float(np.sum(np.logaddexp(0.0, z) - yb * z))
        elif problem["task"] == "multinomial":
            top = Z.max(axis=1)
            lse = top + np.log(np.exp(Z - top[:, None]).sum(axis=1))
            total += float(np.sum(lse - Z[np.arange(len(yb)), yb.astype(np.int64)]))
        else:
            total += float(0.5 * np.sum((Z[:, 0] - yb) ** 2))
    if problem["task"] == "linear":
        return total + 0.5 * problem.get("alpha", 0.0) * float(np.sum(W * W))
    if problem.get("penalty") == "l1":  # the sparse group (sparse_section.py)
        return problem["C"] * total + float(np.sum(np.abs(W)))
    return problem["C"] * total + 0.5 * float(np.sum(W * W))


def f64_objectives(problem, params_by_key):
    """{key: objective on the problem's float64 X} for {key: parameter vector}."""
    X = np.load(problem["X_f64"], mmap_mode="r")
    y = np.load(problem["y"])
    return {key: objective(problem, X, y, params) for key, params in params_by_key.items()}


def relative_gaps(values):
    """({key: (f - best) / |best|}, best) with best the lowest of the values."""
    best = min(values.values())
    return {key: (f - best) / abs(best) for key, f in values.items()}, best
