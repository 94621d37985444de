"""simdlr.LogisticRegression: scikit-learn's LogisticRegression on the simdlr library."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_class_weight

from . import _simdlr
from ._core_state import CoreStateMixin
from ._inputs import (
    class_index,
    classifier_fit_input,
    on_main_thread,
    predict_input,
    weights_input,
)
from ._model_io import ModelFileMixin
from ._report import FitReport
from ._threads import thread_count

# scikit-learn's solver names, and the library's for each.
_SOLVERS = {
    "auto": "auto",
    "lbfgs": "lbfgs",
    "newton-cg": "newton",
    "newton-cholesky": "newton-cholesky",
    "gd": "gd",
    "prox-newton": "prox-newton",
}
# The solvers for the non-smooth penalties.
_SPARSE_SOLVERS = ("auto", "prox-newton")
# scikit-learn's solvers simdlr has no counterpart for (never mapped silently to another one).
_SKLEARN_ONLY_SOLVERS = ("liblinear", "sag", "saga")
_PENALTIES = ("l2", "l1", "elasticnet", None)
# The l1_ratio each penalty means, other than elasticnet's own.
_IMPLIED_L1_RATIO = {"l2": 0.0, "l1": 1.0}


class LogisticRegression(CoreStateMixin, ModelFileMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression (binary and multinomial) fitted by the simdlr C++ library.

    Minimises ``C * sum_i s_i * loss_i + P(w)`` (the intercept is not penalised), the objective
    of :class:`sklearn.linear_model.LogisticRegression`, so both reach the same optimum, with
    ``P(w) = 0.5 * ||w||^2`` (penalty "l2"), ``||w||_1`` ("l1"),
    ``l1_ratio * ||w||_1 + 0.5 * (1 - l1_ratio) * ||w||^2`` ("elasticnet") or 0 (None). With
    three or more classes the loss is the multinomial (softmax) cross-entropy, as in
    scikit-learn 1.9, which has no ``multi_class`` parameter any more: for one-vs-rest, wrap the
    estimator in :class:`sklearn.multiclass.OneVsRestClassifier`.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", None}, default="l2"
        None fits without a penalty (as scikit-learn's ``C=np.inf``, which is accepted too and
        wins over any penalty). Without a penalty separable classes have no finite optimum; the
        fit then reports ``converged=False``. "l1" and "elasticnet" give sparse coefficients
        (exact zeros), binary and multinomial, fitted by the "prox-newton" solver.
        (scikit-learn 1.8 deprecates ``penalty`` in favour of ``l1_ratio`` alone and
        ``C=np.inf``; simdlr keeps ``penalty`` as the switch, so code written for scikit-learn
        1.8+ that sets only ``l1_ratio`` must also set ``penalty``: see ``l1_ratio``.)
    C : float > 0, default=1.0
        Inverse regularisation strength, as in scikit-learn.
    l1_ratio : float in [0, 1] or None, default=None
        The elastic-net mix: ``penalty="elasticnet"`` requires it (a ValueError without it, as
        in scikit-learn); 1 is the l1 penalty, 0 the l2 penalty. With another penalty it must be
        None or the value that penalty means (1 for "l1", 0 for "l2"); anything else is a
        ValueError rather than ignored, so that scikit-learn 1.8+ code such as
        ``LogisticRegression(l1_ratio=1)`` cannot silently fit an l2 model. Not used (but still
        checked to be in [0, 1]) with ``penalty=None``.
    tol : float > 0, default=1e-4
        Stopping rule. **Differs from scikit-learn**, whose ``tol`` bounds a gradient norm:
        here ``converged`` means the objective is *proved* within ``tol / 100`` relative of the
        optimum (a certified bound, see ``fit_report_``; for "l1" and "elasticnet" the bound is
        the duality gap).
    max_iter : int >= 1, default=100
        Iterations of the solver.
    solver : {"auto", "lbfgs", "newton-cg", "newton-cholesky", "gd", "prox-newton"}, \
default="auto"
        "auto" (simdlr's default) runs "prox-newton" for the "l1" and "elasticnet" penalties,
        else L-BFGS (preconditioned by the Hessian, evaluated again while its iterations are
        slow, which makes it as fast as newton-cholesky on hard problems). All reach the same
        optimum; "gd"
        is plain gradient descent (use it with standardize). "prox-newton" (proximal Newton with
        working sets, the method of LIBLINEAR's newGLMNET) is the only solver for "l1" and
        "elasticnet"; the others refuse them with a ValueError. scikit-learn's "liblinear",
        "sag" and "saga" are not accepted (a ValueError): use "auto" or "prox-newton", which
        reach the optimum they approximate.
    fit_intercept : bool, default=True
    class_weight : dict, "balanced" or None, default=None
        As in scikit-learn (``compute_class_weight``; "balanced" counts samples by their weight).
    standardize : bool, default=False
        Fit on standardized features (no copy of X) and report coefficients on the original
        scale; the penalty then applies to the standardized coefficients, as with a
        ``StandardScaler`` pipeline. Not in scikit-learn.
    n_jobs : int or None, default=None
        Threads for fit and batch prediction (None: OpenMP's default, so ``OMP_NUM_THREADS``
        applies; -1: all CPUs). Results are bitwise identical for any value. (In scikit-learn
        1.9 ``n_jobs`` has no effect and is deprecated.)
    warm_start : bool, default=False
        Start from the previous fit's coefficients when the shapes agree.

    Attributes
    ----------
    classes_, coef_ (float64, shape (1, n_features) for two classes else (n_classes, n_features)),
    intercept_, n_iter_ (shape (1,)), n_features_in_, feature_names_in_, fit_report_
    (:class:`simdlr.FitReport`).

    Notes
    -----
    float32 and float64 X are fitted natively without a copy when C-contiguous; predictions on
    float32 X are float32. The GIL is released during fit and prediction. Ctrl-C during a fit on
    Python's main thread raises KeyboardInterrupt after the current solver iteration (the
    estimator keeps its previous state); fits on other threads run to completion.
    """

    def __init__(
        self,
        penalty="l2",
        *,
        C=1.0,
        l1_ratio=None,
        tol=1e-4,
        max_iter=100,
        solver="auto",
        fit_intercept=True,
        class_weight=None,
        standardize=False,
        n_jobs=None,
        warm_start=False,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.tol = tol
        self.max_iter = max_iter
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.standardize = standardize
        self.n_jobs = n_jobs
        self.warm_start = warm_start

    # --- fitting -------------------------------------------------------------------------

    def _library_penalty(self):
        """(penalty, C, l1_ratio) for the library: no penalty for penalty=None or C=inf; l1_ratio
        is elasticnet's (the library's default 0.5 for the other penalties, which ignore it)."""
        penalty = self.penalty
        if not (penalty is None or (isinstance(penalty, str) and penalty in _PENALTIES)):
            raise ValueError(
                f"penalty must be 'l2', 'l1', 'elasticnet' or None, got {penalty!r}"
            )
        C = self.C
        if not isinstance(C, numbers.Real) or isinstance(C, bool) or not C > 0:
            raise ValueError(f"C must be a positive number, got {C!r}")
        ratio = self.l1_ratio
        if ratio is not None and (
            not isinstance(ratio, numbers.Real) or isinstance(ratio, bool) or not 0 <= ratio <= 1
        ):
            raise ValueError(f"l1_ratio must be None or a number in [0, 1], got {ratio!r}")
        if penalty == "elasticnet" and ratio is None:
            raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
        implied = _IMPLIED_L1_RATIO.get(penalty)
        if implied is not None and ratio is not None and ratio != implied:
            raise ValueError(
                f"l1_ratio={ratio!r} is only used with penalty='elasticnet', not "
                f"penalty={penalty!r} (which means l1_ratio={implied:g}); set "
                "penalty='elasticnet' (or penalty='l1' for l1_ratio=1) or leave l1_ratio None"
            )
        if penalty is None or np.isinf(C):
            return "none", 1.0, 0.5
        return penalty, float(C), 0.5 if penalty != "elasticnet" else float(ratio)

    def _make_core(self, multi_class="auto"):
        if self.solver not in _SOLVERS:
            hint = ""
            if self.solver in _SKLEARN_ONLY_SOLVERS:
                hint = (
                    f"; scikit-learn's {self.solver!r} has no simdlr counterpart: use 'auto' "
                    "(or 'prox-newton' for the l1 and elasticnet penalties), which reaches the "
                    "same optimum"
                )
            raise ValueError(
                f"solver must be one of {sorted(_SOLVERS)}, got {self.solver!r}{hint}"
            )
        tol, max_iter = self.tol, self.max_iter
        if not isinstance(tol, numbers.Real) or isinstance(tol, bool) or not 0 < tol < np.inf:
            raise ValueError(f"tol must be a positive number, got {tol!r}")
        if not isinstance(max_iter, numbers.Integral) or isinstance(max_iter, bool) or max_iter < 1:
            raise ValueError(f"max_iter must be an integer >= 1, got {max_iter!r}")
        penalty, C, l1_ratio = self._library_penalty()
        if penalty in ("l1", "elasticnet") and self.solver not in _SPARSE_SOLVERS:
            raise ValueError(
                f"solver {self.solver!r} does not support penalty {penalty!r}; use 'auto' or "
                "'prox-newton'"
            )
        return _simdlr.LogisticCore(
            penalty=penalty,
            C=C,
            l1_ratio=l1_ratio,
            solver=_SOLVERS[self.solver],
            tol=float(tol),
            max_iter=int(max_iter),
            fit_intercept=bool(self.fit_intercept),
            standardize=bool(self.standardize),
            threads=thread_count(self.n_jobs),
            multi_class=multi_class,
        )

    def fit(self, X, y, sample_weight=None):
        """Fit to X (n_samples, n_features) and labels y; returns self."""
        core = self._make_core()
        if self.class_weight is not None and not (
            isinstance(self.class_weight, dict) or self.class_weight == "balanced"
        ):
            raise ValueError(
                f"class_weight must be a dict, 'balanced' or None, got {self.class_weight!r}"
            )
        X, y = classifier_fit_input(self, X, y)
        classes, y_index = class_index(y)
        if classes.size < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[0]!r}"
            )
        weights = self._weights(sample_weight, X, y, classes, y_index)
        start_coef = start_intercept = None
        rows = 1 if classes.size == 2 else classes.size
        if self.warm_start and getattr(self, "coef_", None) is not None:
            if self.coef_.shape == (rows, X.shape[1]) and self.classes_.size == classes.size:
                start_coef = np.ascontiguousarray(self.coef_, dtype=np.float64)
                start_intercept = np.ascontiguousarray(self.intercept_, dtype=np.float64)
        reports = core.fit(
            X,
            y_index,
            weights,
            classes.size,
            start_coef,
            start_intercept,
            on_main_thread(),
        )
        self._core = core
        self.classes_ = classes
        self.coef_ = core.coef
        self.intercept_ = core.intercept
        self._precision = "float32" if X.dtype == np.float32 else "float64"
        self._multi_class = "auto"
        self._set_reports([FitReport(**r) for r in reports])
        return self

    def _weights(self, sample_weight, X, y, classes, y_index):
        """Sample weights times class weights (scikit-learn's compute_class_weight), in X's dtype;
        None when there are neither."""
        w = weights_input(sample_weight, X)
        if self.class_weight is None:
            return w
        cw = compute_class_weight(self.class_weight, classes=classes, y=y, sample_weight=w)
        per_row = cw[y_index.astype(np.intp)]  # y_index: class indices as float64
        if w is not None:
            per_row = per_row * w.astype(np.float64)
        return np.ascontiguousarray(per_row, dtype=X.dtype)

    def _set_reports(self, reports):
        self._fit_reports = reports
        self.fit_report_ = max(reports, key=lambda r: (not r.converged, r.iterations))
        self.n_iter_ = np.array([max(r.iterations for r in reports)], dtype=np.int32)
        if not all(r.converged for r in reports):
            r = self.fit_report_
            warnings.warn(
                f"simdlr.LogisticRegression did not converge ({r.stop_reason}"
                + (f"; {r.certificate_note}" if r.certificate_note else "")
                + f"; relative gap bound {r.relative_gap_bound:.3g}). Increase max_iter, "
                "scale the data (standardize=True) or check the fit_report_.",
                ConvergenceWarning,
                stacklevel=3,
            )

    # --- prediction ----------------------------------------------------------------------

    def decision_function(self, X):
        """Margins: shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        core, X = predict_input(self, X)
        out = np.empty((X.shape[0], self.coef_.shape[0]), dtype=X.dtype)
        core.decision_function(X, out)
        return out.ravel() if out.shape[1] == 1 else out

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in classes_ order."""
        core, X = predict_input(self, X)
        out = np.empty((X.shape[0], self.classes_.size), dtype=X.dtype)
        core.predict_proba(X, out)
        return out

    def predict_log_proba(self, X):
        """Logarithm of predict_proba."""
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row."""
        core, X = predict_input(self, X)
        index = np.empty(X.shape[0], dtype=np.int32)
        core.predict_index(X, index)
        return self.classes_[index]

    # --- state ---------------------------------------------------------------------------

    def _restore_core(self):
        core = self._make_core(self.__dict__.get("_multi_class", "auto"))
        core.set_fitted(
            self.classes_.size,
            np.ascontiguousarray(self.coef_, dtype=np.float64),
            np.ascontiguousarray(self.intercept_, dtype=np.float64),
        )
        self._core = core
