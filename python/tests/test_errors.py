"""Library errors arrive as the Python exceptions scikit-learn users expect, with the
library's message; nothing crashes."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import simdlr
from simdlr import _simdlr

X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("est", [simdlr.LogisticRegression(), simdlr.LinearRegression(),
                                 simdlr.Ridge(), simdlr.Lasso(), simdlr.ElasticNet()])
def test_not_fitted(est):
    for method in ("predict", "score", "save_model"):
        with pytest.raises(NotFittedError):
            getattr(est, method)(X) if method != "score" else est.score(X, y)


def test_not_fitted_classifier_methods():
    est = simdlr.LogisticRegression()
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        with pytest.raises(NotFittedError):
            getattr(est, method)(X)


@pytest.mark.parametrize("bad", [dict(C=0), dict(C=-1.0), dict(tol=0), dict(max_iter=0),
                                 dict(solver="sag"), dict(penalty="l3"), dict(penalty="L1"),
                                 dict(n_jobs=0), dict(class_weight="none")])
def test_bad_parameters_are_value_errors(bad):
    with pytest.raises(ValueError):
        simdlr.LogisticRegression(**bad).fit(X, y)


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.5, np.nan, np.inf, "0.5", True, [0.5]])
def test_l1_ratio_outside_0_1_is_a_value_error(l1_ratio):
    for penalty in ("elasticnet", "l1", "l2", None):
        with pytest.raises(ValueError, match="l1_ratio"):
            simdlr.LogisticRegression(penalty=penalty, l1_ratio=l1_ratio).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio"):
        simdlr.ElasticNet(l1_ratio=l1_ratio).fit(X, y)


def test_l1_ratio_is_never_ignored_silently():
    # Required for elasticnet, as in scikit-learn.
    with pytest.raises(ValueError, match="l1_ratio must be specified"):
        simdlr.LogisticRegression(penalty="elasticnet").fit(X, y)
    # scikit-learn 1.8+ spells l1 as l1_ratio=1 alone; with simdlr's penalty="l2" default that
    # is a contradiction, not an l2 fit.
    for penalty, l1_ratio in [("l2", 1), ("l2", 0.5), ("l1", 0.5), ("l1", 0)]:
        with pytest.raises(ValueError, match="only used with penalty='elasticnet'"):
            simdlr.LogisticRegression(penalty=penalty, l1_ratio=l1_ratio).fit(X, y)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cg", "newton-cholesky", "gd"])
def test_smooth_solvers_refuse_l1(solver):
    for params in (dict(penalty="l1"), dict(penalty="elasticnet", l1_ratio=0.5)):
        with pytest.raises(ValueError, match="does not support penalty.*prox-newton"):
            simdlr.LogisticRegression(solver=solver, **params).fit(X, y)


@pytest.mark.parametrize("solver", ["saga", "liblinear", "sag"])
def test_sklearn_only_solvers_are_not_mapped(solver):
    with pytest.raises(ValueError, match=f"'{solver}' has no simdlr counterpart.*prox-newton"):
        simdlr.LogisticRegression(penalty="l1", solver=solver).fit(X, y)


@pytest.mark.parametrize("est", [simdlr.Lasso, simdlr.ElasticNet])
@pytest.mark.parametrize("bad", [dict(alpha=0), dict(alpha=-1.0), dict(alpha=np.inf),
                                 dict(alpha=np.nan), dict(alpha="1"), dict(tol=0),
                                 dict(max_iter=0), dict(n_jobs=0)])
def test_bad_linear_parameters_are_value_errors(est, bad):
    with pytest.raises(ValueError):
        est(**bad).fit(X, y)


def test_lasso_alpha_zero_points_to_linear_regression():
    with pytest.raises(ValueError, match="LinearRegression"):
        simdlr.Lasso(alpha=0.0).fit(X, y)


def test_bad_data_is_a_value_error_with_the_message():
    est = simdlr.LogisticRegression().fit(X, y)
    bad = X.copy()
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.predict(bad)
    with pytest.raises(ValueError, match="2 features"):
        est.predict(np.ones((3, 3)))
    with pytest.raises(ValueError, match="one class"):
        simdlr.LogisticRegression().fit(X, np.zeros(4))
    with pytest.raises(ValueError, match="(?i)negative"):
        simdlr.LogisticRegression().fit(X, y, sample_weight=[1, -1, 1, 1])


def test_library_errors_are_typed():
    core = _simdlr.LogisticCore(penalty="l2", C=-1.0, l1_ratio=0.5, solver="auto", tol=1e-4,
                                max_iter=10, fit_intercept=True, standardize=False, threads=0,
                                multi_class="auto")
    with pytest.raises(simdlr.InvalidArgument, match="C must be a positive number"):
        core.fit(X, y.astype(np.float64), None, 2, None, None, False)
    # The library's own checks of what the Python layer checks first.
    core = _simdlr.LogisticCore(penalty="elasticnet", C=1.0, l1_ratio=1.5, solver="auto",
                                tol=1e-4, max_iter=10, fit_intercept=True, standardize=False,
                                threads=0, multi_class="auto")
    with pytest.raises(simdlr.InvalidArgument, match=r"l1_ratio must be in \[0, 1\]"):
        core.fit(X, y.astype(np.float64), None, 2, None, None, False)
    core = _simdlr.LogisticCore(penalty="l1", C=1.0, l1_ratio=0.5, solver="lbfgs", tol=1e-4,
                                max_iter=10, fit_intercept=True, standardize=False, threads=0,
                                multi_class="auto")
    with pytest.raises(simdlr.InvalidArgument, match="does not support penalty l1"):
        core.fit(X, y.astype(np.float64), None, 2, None, None, False)
    linear = _simdlr.LinearCore(penalty="elasticnet", alpha=1.0, l1_ratio=-0.5, solver="cd",
                                tol=1e-4, max_iter=10, fit_intercept=True, threads=0)
    with pytest.raises(simdlr.InvalidArgument, match=r"l1_ratio must be in \[0, 1\]"):
        linear.fit(X, y.astype(np.float64), None, False)
    linear = _simdlr.LinearCore(penalty="l1", alpha=0.0, l1_ratio=0.5, solver="cd", tol=1e-4,
                                max_iter=10, fit_intercept=True, threads=0)
    with pytest.raises(simdlr.InvalidArgument, match="needs alpha > 0"):
        linear.fit(X, y.astype(np.float64), None, False)
    with pytest.raises(simdlr.InvalidArgument):
        _simdlr.LinearCore(penalty="l0", alpha=1.0, l1_ratio=0.5, solver="cd", tol=1e-4,
                           max_iter=10, fit_intercept=True, threads=0)
    assert issubclass(simdlr.InvalidArgument, ValueError)
    assert issubclass(simdlr.ShapeError, ValueError)
    assert issubclass(simdlr.SingularSystem, np.linalg.LinAlgError)
    with pytest.raises(simdlr.ShapeError, match="X has 3 features but the model was fitted with 2"):
        simdlr.LinearRegression().fit(X, y)._core.predict(np.ones((1, 3)), np.empty(1))
    with pytest.raises(simdlr.SingularSystem):
        simdlr.LinearRegression(solver="cholesky")._make_core().fit(
            np.ones((5, 2)), np.arange(5.0), None, False)


def test_wrong_arrays_to_the_core_are_type_errors_not_crashes():
    core = simdlr.LogisticRegression().fit(X, y)._core
    with pytest.raises(TypeError):
        core.predict_proba(np.asfortranarray(np.ones((3, 2))), np.empty((3, 2)))
    with pytest.raises(TypeError):
        core.predict_proba(np.ones((3, 2), dtype=np.int64), np.empty((3, 2)))
    with pytest.raises(simdlr.ShapeError):
        core.predict_proba(np.ones((3, 2)), np.empty((2, 2)))


def test_unsupported_isa():
    with pytest.raises(simdlr.UnsupportedIsa, match="avx9"):
        simdlr.kernels.set_isa("avx9")


def test_bad_model_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"format": "something else"}')
    with pytest.raises(simdlr.ModelFileError, match="not a simdlr model"):
        simdlr.load_model(path)
    with pytest.raises(simdlr.ModelFileError, match="cannot open"):
        simdlr.load_model(tmp_path / "missing.json")
