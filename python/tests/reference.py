"""One float64 evaluator of the objectives both libraries minimise, and the data sets."""

import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn import datasets
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler


def logistic_objective(X, y, coef, intercept, C, sample_weight=None, l1_ratio=0.0):
    """C * sum_i s_i * loss_i + P(coef) in float64: the binary logistic loss for one
    coefficient row (y in {0, 1}: index of the class), the softmax cross-entropy for K rows;
    P = l1_ratio * ||coef||_1 + 0.5 * (1 - l1_ratio) * ||coef||^2 (0: l2, 1: l1), none for
    C = inf."""
    X = np.asarray(X, dtype=np.float64)
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    Z = X @ np.asarray(coef, np.float64).T + np.asarray(intercept, np.float64)
    if Z.shape[1] == 1:
        z = Z[:, 0]
        loss = np.logaddexp(0.0, z) - y * z
    else:
        loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
    penalty = 0.0 if C == np.inf else (l1_ratio * float(np.sum(np.abs(coef)))
                                        + 0.5 * (1 - l1_ratio) * float(np.sum(np.square(coef))))
    scale = 1.0 if C == np.inf else C
    return scale * float(s @ loss) + penalty


def squared_objective(X, y, coef, intercept, alpha):
    r = np.asarray(X, np.float64) @ coef + intercept - y
    return 0.5 * float(r @ r) + 0.5 * alpha * float(coef @ coef)


def elastic_net_objective(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None):
    """scikit-learn's Lasso (l1_ratio 1) and ElasticNet objective in float64:
    1 / (2 sum s) * sum_i s_i r_i^2 + alpha * (l1_ratio ||w||_1 + 0.5 (1 - l1_ratio) ||w||^2)."""
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    r = np.asarray(X, np.float64) @ coef + intercept - y
    return (0.5 * float(s @ (r * r)) / float(s.sum())
            + alpha * (l1_ratio * float(np.sum(np.abs(coef)))
                       + 0.5 * (1 - l1_ratio) * float(coef @ coef)))


def saga_optimum(X, y, C, l1_ratio, sample_weight=None):
    """scikit-learn's saga at a tight tol (1e-12): its only solver for l1 and elastic net with
    an unpenalised intercept (liblinear penalises the intercept). scikit-learn 1.9 spells the
    penalty by l1_ratio alone (1: l1). saga converges slowly, so the tests allow its objective
    to be above simdlr's by up to 1e-7 relative (it is within 1e-9 on the sets they use)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sk.LogisticRegression(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12,
                                     max_iter=100_000).fit(X, y, sample_weight=sample_weight)


def classification_sets():
    """name -> (X, y as class indices): the real data sets of the issue."""
    cancer = datasets.load_breast_cancer(return_X_y=True)
    return {
        "breast_cancer_raw": cancer,
        "breast_cancer_standardized": (StandardScaler().fit_transform(cancer[0]), cancer[1]),
        "iris": datasets.load_iris(return_X_y=True),
        "wine": datasets.load_wine(return_X_y=True),
        "digits": datasets.load_digits(return_X_y=True),
    }
