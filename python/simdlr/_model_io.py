"""The project's JSON model file ("format": "simdlr-model"), shared with the C++ library and the
command line: ``estimator.save_model(path)`` and ``simdlr.load_model(path)``. Numbers are
written so they read back bit for bit, so a model moves between Python, C++ and the CLI with
identical predictions."""

from __future__ import annotations

import os

import numpy as np

from . import _simdlr
from ._report import FitReport

_PYTHON_SOLVER = {"newton": "newton-cg"}  # library name -> scikit-learn name (logistic)


def _default_names(d):
    return [f"x{j}" for j in range(d)]  # what the CLI calls the columns of an .npy file


def _file_classes(classes):
    """classes_ as the file stores them: numbers, or text. The library orders text labels that
    all read as numbers by value, so such labels must already be in that order."""
    if classes.dtype.kind in "biuf":
        return [float(c) for c in classes]
    text = [str(c) for c in classes]
    try:
        values = [float(t) for t in text]
    except ValueError:
        return text
    if values != sorted(values):
        raise ValueError(
            "save_model: the class labels all read as numbers but their text order differs "
            f"from their numeric order ({text}); the model file would reorder them"
        )
    return text


class ModelFileMixin:
    """save_model(path) for the estimators (fitted state, options and fit reports)."""

    def save_model(self, path):
        """Write the fitted model to `path` (JSON, written to a temporary name and renamed)."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        coef = np.ascontiguousarray(np.atleast_2d(self.coef_), dtype=np.float64)
        names = getattr(self, "feature_names_in_", None)
        model = {
            "precision": self._precision,
            "feature_names": _default_names(coef.shape[1]) if names is None else list(map(str, names)),
            "target": "",
            "coef": coef,
            "intercept": [float(v) for v in np.atleast_1d(self.intercept_)],
            "reports": [r.as_dict() for r in self._file_reports()],
        }
        model.update(self._file_task())
        _simdlr.save_model(os.fspath(path), model)

    def _file_reports(self):
        return getattr(self, "_fit_reports", [self.fit_report_])

    def _file_task(self):
        from ._logistic import LogisticRegression

        if isinstance(self, LogisticRegression):
            penalty, C, l1_ratio = self._library_penalty()
            return {
                "task": "logistic",
                "classes": _file_classes(self.classes_),
                "options": {
                    "penalty": penalty,
                    "C": C,
                    "l1_ratio": l1_ratio,
                    "solver": {"newton-cg": "newton"}.get(self.solver, self.solver),
                    "tol": float(self.tol),
                    "max_iter": int(self.max_iter),
                    # dict class weights have no name in the file; they are in the fit itself
                    "class_weight": "balanced" if self.class_weight == "balanced" else "none",
                    "fit_intercept": bool(self.fit_intercept),
                    "multi_class": self.__dict__.get("_multi_class", "auto"),
                    "standardize": bool(self.standardize),
                    "threads": self._threads(),
                },
            }
        penalty, alpha, l1_ratio = self._penalty()
        return {
            "task": "linear",
            "classes": [],
            "options": {
                "penalty": penalty,
                "alpha": alpha,
                "l1_ratio": l1_ratio,
                "solver": self._solver(),
                "tol": float(self.tol),
                "max_iter": 1000 if self.max_iter is None else int(self.max_iter),
                "fit_intercept": bool(self.fit_intercept),
                "threads": self._threads(),
            },
        }

    def _threads(self):
        from ._threads import thread_count

        return thread_count(self.n_jobs)


def _classes_array(values):
    if values and isinstance(values[0], str):
        return np.asarray(values)
    a = np.asarray(values, dtype=np.float64)
    return a.astype(np.int64) if np.all(a == np.round(a)) else a


def _linear_estimator(o, threads):
    """The linear estimator a file's options describe: Lasso (penalty l1), ElasticNet
    (elasticnet), Ridge (l2 with alpha > 0) or LinearRegression (l2 with alpha 0, or none)."""
    from ._linear import ElasticNet, Lasso, LinearRegression, Ridge

    common = dict(fit_intercept=o["fit_intercept"], tol=o["tol"], max_iter=o["max_iter"],
                  n_jobs=threads)
    penalty = o["penalty"]
    if penalty == "l1":
        return Lasso(alpha=o["alpha"], **common)
    if penalty == "elasticnet":
        return ElasticNet(alpha=o["alpha"], l1_ratio=o["l1_ratio"], **common)
    # cd (with the l2 penalty) has no counterpart in these estimators; cholesky is the same
    # minimiser.
    solver = "cholesky" if o["solver"] == "cd" else o["solver"]
    if penalty == "l2" and o["alpha"] > 0:
        return Ridge(alpha=o["alpha"], solver=solver, **common)
    return LinearRegression(solver=solver, **common)


def load_model(path):
    """A fitted simdlr estimator from a model file written by Python, C++ or the CLI:
    LogisticRegression, LinearRegression (alpha 0 or penalty none), Ridge, Lasso or ElasticNet.
    Feature names other than the CLI's x0, x1, ... become feature_names_in_. A one-vs-rest model
    (CLI --multi-class ovr) predicts as one-vs-rest; refitting it fits the multinomial model.
    A logistic model's l1_ratio comes back for penalty elasticnet only (None otherwise)."""
    from ._logistic import LogisticRegression

    d = _simdlr.load_model(os.fspath(path))
    o = d["options"]
    threads = o["threads"] or None
    reports = [FitReport(**r) for r in d["reports"]]
    if d["task"] == "logistic":
        penalty = None if o["penalty"] == "none" else o["penalty"]
        est = LogisticRegression(
            penalty=penalty,
            C=o["C"],
            l1_ratio=o["l1_ratio"] if penalty == "elasticnet" else None,
            tol=o["tol"],
            max_iter=o["max_iter"],
            solver=_PYTHON_SOLVER.get(o["solver"], o["solver"]),
            fit_intercept=o["fit_intercept"],
            class_weight="balanced" if o["class_weight"] == "balanced" else None,
            standardize=o["standardize"],
            n_jobs=threads,
        )
        est.classes_ = _classes_array(d["classes"])
        est._multi_class = o["multi_class"]
        est._fit_reports = reports
        est.fit_report_ = max(reports, key=lambda r: (not r.converged, r.iterations))
        est.n_iter_ = np.array([max(r.iterations for r in reports)], dtype=np.int32)
        est.coef_ = d["coef"]
        est.intercept_ = d["intercept"]
    else:
        est = _linear_estimator(o, threads)
        est.fit_report_ = reports[0]
        est.coef_ = d["coef"][0]
        est.intercept_ = float(d["intercept"][0])
        est._set_iterations(reports[0])
    est.n_features_in_ = len(d["feature_names"])
    if d["feature_names"] != _default_names(est.n_features_in_):
        est.feature_names_in_ = np.asarray(d["feature_names"], dtype=object)
    est._precision = d["precision"]
    est._restore_core()
    return est
