"""One float64 evaluator of the objectives both libraries minimise, and the data sets."""

import numpy as np
from scipy.special import logsumexp
from sklearn import datasets
from sklearn.preprocessing import StandardScaler


def logistic_objective(X, y, coef, intercept, C, sample_weight=None):
    """C * sum_i s_i * loss_i + 0.5 * ||coef||^2 in float64: the binary logistic loss for one
    coefficient row (y in {0, 1}: index of the class), the softmax cross-entropy for K rows."""
    X = np.asarray(X, dtype=np.float64)
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, np.float64)
    Z = X @ np.asarray(coef, np.float64).T + np.asarray(intercept, np.float64)
    if Z.shape[1] == 1:
        z = Z[:, 0]
        loss = np.logaddexp(0.0, z) - y * z
    else:
        loss = logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]
    penalty = 0.0 if C == np.inf else 0.5 * float(np.sum(np.square(coef)))
    scale = 1.0 if C == np.inf else C
    return scale * float(s @ loss) + penalty


def squared_objective(X, y, coef, intercept, alpha):
    r = np.asarray(X, np.float64) @ coef + intercept - y
    return 0.5 * float(r @ r) + 0.5 * alpha * float(coef @ coef)


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
