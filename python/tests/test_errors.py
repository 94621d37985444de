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
                                 simdlr.Ridge()])
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
                                 dict(solver="sag"), dict(penalty="l1"), dict(n_jobs=0),
                                 dict(class_weight="none")])
def test_bad_parameters_are_value_errors(bad):
    with pytest.raises(ValueError):
        simdlr.LogisticRegression(**bad).fit(X, y)


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
    core = _simdlr.LogisticCore(penalty="l2", C=-1.0, solver="auto", tol=1e-4, max_iter=10,
                                fit_intercept=True, standardize=False, threads=0,
                                multi_class="auto")
    with pytest.raises(simdlr.InvalidArgument, match="C must be a positive number"):
        core.fit(X, y.astype(np.float64), None, 2, None, None, False)
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
