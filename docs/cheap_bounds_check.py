#!/usr/bin/python3
"""Two bounds between tier 1 and tier 2 (docs/convergence.md, section 2f), measured along L-BFGS.

    python3 docs/cheap_bounds_check.py binary X.npy y.npy
    python3 docs/cheap_bounds_check.py multinomial X.npy y.npy

X.npy, y.npy: float64 samples and labels, e.g. the report's problems as scripts/bench-report
writes them (build/bench-full/data/n10000_d1000/{X_f64,y_binary}.npy, .../n10000_d100/
{X_f64,y_multinomial}.npy). Objective sum_i loss_i + 1/2 ||W||^2 with unpenalised intercepts
(C = 1). Needs numpy and scipy; d x d (binary) or dK x dK (multinomial) Hessians are formed
exactly, so keep d K below about 1,000.

At every iterate of a plain L-BFGS run (m = 10, Armijo backtracking from the unit step) it prints
the true relative gap and, relative to F*:
  tier1    ||grad phi||^2 / (2 lambda), phi(W) = min_b F(W, b) (the intercepts polished)
  ideal    1/2 grad phi^T H_phi^-1 grad phi (what tier 2 gets, up to its self-concordance factor)
  lbfgs    1/2 (2 a v.g - a^2 v.Hv + ||g - a Hv||^2 / lambda), v the next L-BFGS direction, a the
           best scale: an upper bound on the ideal for any v (one Hessian-vector pass)
  lowcurv  multinomial only: 1/2 g^T L^+ g with L = (I - 11^T/K) (x) (A^T C A + Lambda) +
           (11^T/K) (x) Lambda, c_i = min_k p_ik, a lower bound on the Hessian (one weighted Gram)
"""
import sys

import numpy as np
from scipy.special import expit, logsumexp, softmax

task, xf, yf = sys.argv[1:4]
X = np.load(xf).astype(np.float64)
y = np.load(yf).astype(int)
n, d = X.shape
lam = 1.0
A = np.hstack([X, np.ones((n, 1))])  # rows a_i = (x_i, 1)
D = d + 1
K = 1 if task == "binary" else int(y.max()) + 1
Y = (y[:, None] == np.arange(max(K, 2))[None, :]).astype(float)
W_IDX = np.array([k * D + j for k in range(K) for j in range(d)])
B_IDX = np.array([k * D + d for k in range(K)])


def objective(t):
    Z = A @ t.reshape(K, D).T
    if task == "binary":
        z = Z[:, 0]
        loss = np.sum(np.logaddexp(0, z) - y * z)
    else:
        loss = np.sum(logsumexp(Z, axis=1) - Z[np.arange(n), y])
    return loss + 0.5 * lam * np.sum(t[W_IDX] ** 2)


def gradient(t):
    Z = A @ t.reshape(K, D).T
    P = expit(Z) if task == "binary" else softmax(Z, axis=1)
    R = P - (y[:, None] if task == "binary" else Y)
    g = (R.T @ A).ravel()
    g[W_IDX] += lam * t[W_IDX]
    return g, P


def hessian(P):
    H = np.zeros((K * D, K * D))
    for k in range(K):
        for l in range(k, K):
            c = P[:, 0] * (1 - P[:, 0]) if task == "binary" else P[:, k] * ((k == l) - P[:, l])
            B = (A.T * c) @ A
            H[k * D:(k + 1) * D, l * D:(l + 1) * D] = B
            H[l * D:(l + 1) * D, k * D:(k + 1) * D] = B.T
    H[W_IDX, W_IDX] += lam
    return H


def regularised(H):
    # The common shift of the multinomial intercepts leaves F constant: + u u^T there.
    if K > 1:
        H = H.copy()
        H[np.ix_(B_IDX, B_IDX)] += 1.0 / K
    return H


def polish_intercepts(t):
    t = t.copy()
    free = B_IDX if K == 1 else B_IDX[:K - 1]
    for _ in range(50):
        g, P = gradient(t)
        if K == 1:
            H = np.array([[np.sum(P[:, 0] * (1 - P[:, 0]))]])
        else:  # the intercept block of the Hessian: sum_i diag(p_i) - p_i p_i^T
            H = (np.diag(P.sum(axis=0)) - P.T @ P)[:K - 1, :K - 1]
        step = np.linalg.solve(H, g[free])
        t[free] -= step
        if np.abs(step).max() < 1e-14:
            break
    return t


t = np.zeros(K * D)
for _ in range(50):  # the optimum, by Newton with the exact Hessian
    g, P = gradient(t)
    step = np.linalg.solve(regularised(hessian(P)), g)
    t -= step
    if np.abs(step).max() < 1e-13:
        break
F_star = objective(t)
print(f"{task} {n} x {d}, K = {max(K, 2)}: F* = {F_star:.12g}")


def bounds(t, v):
    g, P = gradient(t)
    H = regularised(hessian(P))
    H_ww, H_wb, H_bb = H[np.ix_(W_IDX, W_IDX)], H[np.ix_(W_IDX, B_IDX)], H[np.ix_(B_IDX, B_IDX)]
    H_phi = H_ww - H_wb @ np.linalg.solve(H_bb, H_wb.T)  # the Hessian of phi
    gp = g[W_IDX]
    out = {"tier1": gp @ gp / (2 * lam), "ideal": 0.5 * gp @ np.linalg.solve(H_phi, gp)}
    Hv = H_phi @ v

    def nu2(a):
        r = gp - a * Hv
        return 2 * a * (v @ gp) - a * a * (v @ Hv) + r @ r / lam

    f0, f1, f2 = nu2(0.0), nu2(1.0), nu2(2.0)
    curv = (f2 - 2 * f1 + f0) / 2
    a = -(f1 - f0 - curv) / (2 * curv) if curv > 0 else 1.0
    out["lbfgs"] = 0.5 * nu2(a)
    if K > 1:
        c = P.min(axis=1)
        G = (A.T * c) @ A
        G[:d, :d] += lam * np.eye(d)
        gk = g.reshape(K, D)
        mean = gk.mean(axis=0)
        centred = gk - mean
        out["lowcurv"] = 0.5 * (np.sum(centred * np.linalg.solve(G, centred.T).T) +
                                K * (mean[:d] @ mean[:d]) / lam)
    return out


t = np.zeros(K * D)
S, Yh = [], []
g, _ = gradient(t)
f = objective(t)
for it in range(500):
    q, hist = g.copy(), []
    for s, yv in reversed(list(zip(S, Yh))):
        rho = 1 / (yv @ s)
        a = rho * (s @ q)
        q -= a * yv
        hist.append((rho, a, s, yv))
    r = (S[-1] @ Yh[-1]) / (Yh[-1] @ Yh[-1]) * q if S else q / max(1.0, np.abs(g).max())
    for rho, a, s, yv in reversed(hist):
        r += s * (a - rho * (yv @ r))
    tp = polish_intercepts(t)
    gap = (objective(tp) - F_star) / F_star
    b = bounds(tp, r[W_IDX])
    print(f"it {it:3d}  gap {gap:8.1e}  " + "  ".join(f"{k} {v / F_star:8.1e}" for k, v in b.items()),
          flush=True)
    if gap < 1e-13:
        break
    step = 1.0
    while True:
        t_new = t - step * r
        f_new = objective(t_new)
        if f_new <= f - 1e-4 * step * (g @ r):
            break
        step /= 2
    g_new, _ = gradient(t_new)
    s, yv = t_new - t, g_new - g
    if s @ yv > 1e-16:
        S.append(s)
        Yh.append(yv)
        if len(S) > 10:
            S.pop(0)
            Yh.pop(0)
    t, f, g = t_new, f_new, g_new
