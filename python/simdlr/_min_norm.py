"""Least squares when X is rank-deficient (collinear or constant columns, fewer samples than
features): the library's normal equations are singular there and it says so (SingularSystem);
scikit-learn's LinearRegression answers with the minimum-norm solution, and so does this
fallback, computed as scikit-learn does (centre with the weights, then scipy.linalg.lstsq)."""

from __future__ import annotations

import numpy as np
from scipy import linalg


def min_norm_least_squares(X, y, sample_weight, fit_intercept, cond):
    """(coef, intercept) minimising sum_i s_i (x_i.w + b - y_i)^2 with the smallest ||w||;
    singular values below cond * the largest count as zero (scikit-learn passes its tol)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    sw = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=sw)
        y_mean = np.average(y, weights=sw)
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), 0.0
    root = np.sqrt(sw)
    coef = linalg.lstsq((X - x_mean) * root[:, None], (y - y_mean) * root, cond=cond)[0]
    return coef, float(y_mean - x_mean @ coef)


def min_norm_report(objective):
    """The fit report of that solution: exact up to rounding, but with no certificate."""
    return dict(
        solver="lstsq",
        iterations=0,
        function_evaluations=0,
        hessian_vector_products=0,
        hessians=0,
        objective_history=np.array([objective]),
        initial_gradient_norm=np.nan,
        gradient_norm=np.nan,
        converged=False,
        stop_reason="rank-deficient X: minimum-norm least squares (scipy.linalg.lstsq)",
        stop_code=4,  # uncertified
        objective_gap_bound=np.inf,
        relative_gap_bound=np.inf,
        certificate="none",
        certificate_note="the normal equations are singular; minimum-norm solution, no bound",
        certificate_checks=0,
    )
