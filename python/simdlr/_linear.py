"""simdlr.LinearRegression, Ridge, Lasso and ElasticNet: least squares on the simdlr library."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning

from . import _simdlr
from ._core_state import CoreStateMixin
from ._inputs import fit_input, on_main_thread, predict_input, weights_input
from ._min_norm import min_norm_least_squares, min_norm_report
from ._model_io import ModelFileMixin
from ._report import FitReport
from ._threads import thread_count

_SOLVERS = ("cholesky", "lbfgs", "newton", "gd")


class _LeastSquares(CoreStateMixin, ModelFileMixin, RegressorMixin, BaseEstimator):
    """Minimises 0.5 * sum_i s_i (x_i.w + b - y_i)^2 + 0.5 * alpha * ||w||^2 (b unpenalised):
    the minimiser of scikit-learn's LinearRegression (alpha = 0) and Ridge(alpha). Subclasses
    with another penalty override _penalty and _solver."""

    def _alpha(self):
        return 0.0

    def _penalty(self):
        """(penalty, alpha, l1_ratio) for the library (l1_ratio: its default, unused)."""
        return "l2", self._alpha(), 0.5

    def _solver(self):
        if self.solver not in _SOLVERS:
            raise ValueError(f"solver must be one of {list(_SOLVERS)}, got {self.solver!r}")
        return self.solver

    def _set_iterations(self, report):
        """n_iter_ (and what else the report gives), shaped as scikit-learn's counterpart
        shapes it: an array of one value here."""
        self.n_iter_ = np.array([max(1, report.iterations)], dtype=np.int32)

    def _make_core(self):
        penalty, alpha, l1_ratio = self._penalty()
        solver = self._solver()
        tol, max_iter = self.tol, self.max_iter
        if not isinstance(tol, numbers.Real) or isinstance(tol, bool) or not 0 < tol < np.inf:
            raise ValueError(f"tol must be a positive number, got {tol!r}")
        if max_iter is None:
            max_iter = 1000
        if not isinstance(max_iter, numbers.Integral) or isinstance(max_iter, bool) or max_iter < 1:
            raise ValueError(f"max_iter must be None or an integer >= 1, got {max_iter!r}")
        return _simdlr.LinearCore(
            penalty=penalty,
            alpha=alpha,
            l1_ratio=l1_ratio,
            solver=solver,
            tol=float(tol),
            max_iter=int(max_iter),
            fit_intercept=bool(self.fit_intercept),
            threads=thread_count(self.n_jobs),
        )

    def fit(self, X, y, sample_weight=None):
        """Fit to X (n_samples, n_features) and targets y (n_samples,); returns self."""
        core = self._make_core()
        X, y = fit_input(self, X, y, y_numeric=True)
        weights = weights_input(sample_weight, X)
        y = np.ascontiguousarray(y, dtype=np.float64)
        # Fewer weighted samples than parameters: singular for sure, even where rounding hides
        # it from the Cholesky factorisation (zero weights leave exact zeros in no pivot).
        used = X.shape[0] if weights is None else np.count_nonzero(weights)
        if self._alpha() == 0 and used < X.shape[1] + bool(self.fit_intercept):
            report = self._fit_min_norm(core, X, y, weights)
        else:
            try:
                report = FitReport(**core.fit(X, y, weights, on_main_thread()))
            except _simdlr.SingularSystem:
                if self._alpha() > 0:
                    raise
                report = self._fit_min_norm(core, X, y, weights)
        self._core = core
        self.coef_ = core.coef
        self.intercept_ = core.intercept
        self._precision = "float32" if X.dtype == np.float32 else "float64"
        self.fit_report_ = report
        self._set_iterations(report)
        if not report.converged and report.solver != "lstsq":
            warnings.warn(
                f"simdlr.{type(self).__name__} did not converge ({report.stop_reason}; relative "
                f"gap bound {report.relative_gap_bound:.3g}); check fit_report_.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _fit_min_norm(self, core, X, y, weights):
        coef, intercept = min_norm_least_squares(X, y, weights, self.fit_intercept, float(self.tol))
        core.set_fitted(np.ascontiguousarray(coef), intercept)
        residual = X.astype(np.float64) @ coef + intercept - y
        w = np.ones_like(y) if weights is None else weights.astype(np.float64)
        return FitReport(**min_norm_report(0.5 * float(w @ residual**2)))

    def predict(self, X):
        """x.w + b for each row (float32 for float32 X)."""
        core, X = predict_input(self, X)
        out = np.empty(X.shape[0], dtype=X.dtype)
        core.predict(X, out)
        return out

    def _restore_core(self):
        core = self._make_core()
        core.set_fitted(np.ascontiguousarray(self.coef_, dtype=np.float64), float(self.intercept_))
        self._core = core


class LinearRegression(_LeastSquares):
    """Ordinary least squares fitted by the simdlr C++ library.

    Same optimum as :class:`sklearn.linear_model.LinearRegression` when it is unique. The
    default solver solves the normal equations (weighted Gram kernel, Cholesky in long double).
    A rank-deficient X (collinear or constant columns, fewer samples than features) makes the
    normal equations singular: then, as scikit-learn, it returns the minimum-norm solution
    (scipy.linalg.lstsq on the weighted, centred data, singular values below ``tol`` times the
    largest counting as zero, as in scikit-learn; ``fit_report_.solver == "lstsq"``, no
    certificate). **Differences**: y must be 1-D (no
    multi-output); coef_ is float64 whatever X's dtype; no ``positive`` or ``copy_X`` (X is never
    modified or copied when C-contiguous float32/float64).

    Parameters
    ----------
    fit_intercept : bool, default=True
    solver : {"cholesky", "lbfgs", "newton", "gd"}, default="cholesky"
    tol : float > 0, default=1e-6
        For the iterative solvers: converged means the objective is proved within tol / 100
        relative of the optimum. For a rank-deficient X, the relative singular-value cutoff.
    max_iter : int or None, default=None (1000)
    n_jobs : int or None, default=None
        Threads (None: OpenMP's default; -1: all CPUs); results are identical for any value.

    Attributes
    ----------
    coef_ (n_features,), intercept_ (float), n_iter_, n_features_in_, feature_names_in_,
    fit_report_. n_iter_ (shape (1,)) counts solver iterations; a direct solve counts as 1.
    """

    def __init__(self, *, fit_intercept=True, solver="cholesky", tol=1e-6, max_iter=None,
                 n_jobs=None):
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs


class Ridge(_LeastSquares):
    """Ridge regression (least squares + 0.5 * alpha * ||w||^2) fitted by the simdlr library.

    Same optimum as :class:`sklearn.linear_model.Ridge` (alpha a single float >= 0; y 1-D).

    Parameters
    ----------
    alpha : float >= 0, default=1.0
    fit_intercept : bool, default=True
    solver : {"cholesky", "lbfgs", "newton", "gd"}, default="cholesky"
        scikit-learn's default is "auto"; both give the exact minimiser by a direct solve.
    tol : float > 0, default=1e-4
    max_iter : int or None, default=None (1000)
    n_jobs : int or None, default=None

    Attributes
    ----------
    coef_ (n_features,), intercept_ (float), n_iter_, n_features_in_, feature_names_in_,
    fit_report_.
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, solver="cholesky", tol=1e-4,
                 max_iter=None, n_jobs=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def _alpha(self):
        a = self.alpha
        if not isinstance(a, numbers.Real) or isinstance(a, bool) or not 0 <= a < np.inf:
            raise ValueError(f"alpha must be a number >= 0, got {a!r}")
        return float(a)



class _SparseLeastSquares(_LeastSquares):
    """Minimises 1 / (2 * sum_i s_i) * sum_i s_i (x_i.w + b - y_i)^2 + alpha * rho * ||w||_1
    + 0.5 * alpha * (1 - rho) * ||w||^2 (b unpenalised), scikit-learn's Lasso (rho = 1) and
    ElasticNet (rho = l1_ratio) objective, by the library's "cd" solver (proximal Newton with
    working sets, coordinate descent on the Gram matrix of the working set)."""

    def _alpha(self):
        a = self.alpha
        if not isinstance(a, numbers.Real) or isinstance(a, bool) or not 0 < a < np.inf:
            raise ValueError(
                f"alpha must be a number > 0, got {a!r} (for alpha=0, ordinary least squares, "
                "use simdlr.LinearRegression)"
            )
        return float(a)

    def _solver(self):
        return "cd"

    def _set_iterations(self, report):
        # An int, as scikit-learn's Lasso and ElasticNet; dual_gap_ in their scale too.
        self.n_iter_ = max(1, report.iterations)
        self.dual_gap_ = report.objective_gap_bound

    @property
    def sparse_coef_(self):
        """coef_ as a scipy.sparse matrix of shape (1, n_features), as scikit-learn's."""
        from scipy import sparse

        return sparse.csr_matrix(self.coef_[np.newaxis, :])


class Lasso(_SparseLeastSquares):
    """Lasso (least squares with an L1 penalty) fitted by the simdlr C++ library.

    Minimises ``1 / (2 * n_samples) * ||y - X w - b||^2 + alpha * ||w||_1`` (with sample weights
    ``s``: ``1 / (2 * sum(s)) * sum_i s_i r_i^2 + ...``, as scikit-learn rescales them), the
    objective of :class:`sklearn.linear_model.Lasso`, so both reach the same optimum. The solver
    is proximal Newton with working sets ("cd" in ``fit_report_.solver``): coordinate descent
    on the Gram matrix of a small working set, an exact solve on the support, and a duality-gap
    certificate. **Differences**: y must be 1-D (no multi-output); alpha must be > 0 (for
    alpha=0 use :class:`simdlr.LinearRegression`); coef_ is float64 whatever X's dtype; no
    ``precompute``, ``copy_X`` (X is never modified or copied when C-contiguous
    float32/float64), ``warm_start``, ``positive``, ``random_state`` or ``selection``; X must be
    dense.

    Parameters
    ----------
    alpha : float > 0, default=1.0
    fit_intercept : bool, default=True
    tol : float > 0, default=1e-4
        **Differs from scikit-learn**, whose ``tol`` bounds the duality gap relative to
        ``||y||^2 / n_samples``: here ``converged`` means the duality gap proves the objective
        within ``tol / 100`` relative of the optimum.
    max_iter : int >= 1 or None, default=1000 (None: 1000)
        Outer (proximal Newton) iterations; each runs coordinate descent to the accuracy it
        needs.
    n_jobs : int or None, default=None
        Threads (None: OpenMP's default; -1: all CPUs); results are identical for any value.

    Attributes
    ----------
    coef_ (n_features,), sparse_coef_, intercept_ (float), n_iter_ (int: outer iterations),
    dual_gap_ (the certified duality gap of the returned coefficients, in the objective's
    scale, as scikit-learn's), n_features_in_, feature_names_in_, fit_report_.
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, tol=1e-4, max_iter=1000, n_jobs=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def _penalty(self):
        return "l1", self._alpha(), 0.5


class ElasticNet(_SparseLeastSquares):
    """Elastic net (least squares with combined L1 and L2 penalties) fitted by the simdlr
    C++ library.

    Minimises ``1 / (2 * n_samples) * ||y - X w - b||^2 + alpha * l1_ratio * ||w||_1
    + 0.5 * alpha * (1 - l1_ratio) * ||w||^2``, the objective of
    :class:`sklearn.linear_model.ElasticNet`, so both reach the same optimum (sample weights
    as in :class:`simdlr.Lasso`). Same solver, certificate and differences from scikit-learn
    as :class:`simdlr.Lasso`.

    Parameters
    ----------
    alpha : float > 0, default=1.0
    l1_ratio : float in [0, 1], default=0.5
        1 is the Lasso; 0 the ridge penalty (in this objective's scale: ``Ridge`` with
        ``alpha * n_samples``).
    fit_intercept : bool, default=True
    tol : float > 0, default=1e-4
        Converged means the duality gap proves the objective within ``tol / 100`` relative of
        the optimum (see :class:`simdlr.Lasso`).
    max_iter : int >= 1 or None, default=1000 (None: 1000)
    n_jobs : int or None, default=None

    Attributes
    ----------
    coef_ (n_features,), sparse_coef_, intercept_ (float), n_iter_ (int), dual_gap_,
    n_features_in_, feature_names_in_, fit_report_.
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, tol=1e-4, max_iter=1000,
                 n_jobs=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def _penalty(self):
        r = self.l1_ratio
        if not isinstance(r, numbers.Real) or isinstance(r, bool) or not 0 <= r <= 1:
            raise ValueError(f"l1_ratio must be a number in [0, 1], got {r!r}")
        return "elasticnet", self._alpha(), float(r)
