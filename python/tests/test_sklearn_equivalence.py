"""Same optimum as scikit-learn on its bundled real data sets.

The reference optimum is scikit-learn's newton-cholesky run to tol 1e-10; both objectives are
evaluated by one float64 function (reference.py). simdlr runs with tol 1e-6, i.e. a certified
relative gap of 1e-8, and its default solver."""

import numpy as np
import pytest
from sklearn import datasets
from sklearn import linear_model as sk
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import simdlr
from reference import classification_sets, logistic_objective, squared_objective

SETS = classification_sets()


def sklearn_optimum(X, y, C, **kwargs):
    return sk.LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10, max_iter=1000,
                                 **kwargs).fit(X, y)


@pytest.mark.parametrize("name", sorted(SETS))
@pytest.mark.parametrize("C", [1.0, 0.05])
def test_logistic_reaches_sklearn_optimum(name, C):
    X, y = SETS[name]
    ours = simdlr.LogisticRegression(C=C, tol=1e-6, max_iter=1000).fit(X, y)
    ref = sklearn_optimum(X, y, C)
    assert ours.fit_report_.converged
    assert ours.coef_.shape == ref.coef_.shape and ours.intercept_.shape == ref.intercept_.shape
    f_ours = logistic_objective(X, y, ours.coef_, ours.intercept_, C)
    f_ref = logistic_objective(X, y, ref.coef_, ref.intercept_, C)
    assert abs(f_ours - f_ref) <= 1e-8 * f_ref
    # The certified bound holds against the reference (up to the evaluators' rounding).
    assert f_ours - f_ref <= ours.fit_report_.objective_gap_bound + 1e-12 * f_ref
    # The l2 optimum is unique: same predicted classes.
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-4)


def test_default_parameters_match_sklearn_optimum_within_tol():
    # The defaults (tol 1e-4: certified relative gap 1e-6) on the raw breast cancer data.
    X, y = SETS["breast_cancer_raw"]
    ours = simdlr.LogisticRegression().fit(X, y)
    ref = sklearn_optimum(X, y, 1.0)
    f_ours = logistic_objective(X, y, ours.coef_, ours.intercept_, 1.0)
    f_ref = logistic_objective(X, y, ref.coef_, ref.intercept_, 1.0)
    assert 0 <= (f_ours - f_ref) / f_ref <= 1e-6 or abs(f_ours - f_ref) <= 1e-12 * f_ref


def test_sample_and_class_weights_match_sklearn():
    X, y = SETS["breast_cancer_standardized"]
    w = np.random.default_rng(0).uniform(0.2, 3.0, size=len(y))
    for class_weight in (None, "balanced", {0: 2.0, 1: 0.5}):
        ours = simdlr.LogisticRegression(tol=1e-6, class_weight=class_weight)
        ours.fit(X, y, sample_weight=w)
        ref = sklearn_optimum(X, y, 1.0, class_weight=class_weight)
        ref.fit(X, y, sample_weight=w)
        # The weights both fits used: sample weights times scikit-learn's class weights.
        s = ours._weights(w, X, y, np.array([0, 1]), y).astype(np.float64)
        f_ours = logistic_objective(X, y, ours.coef_, ours.intercept_, 1.0, s)
        f_ref = logistic_objective(X, y, ref.coef_, ref.intercept_, 1.0, s)
        assert abs(f_ours - f_ref) <= 1e-8 * f_ref, class_weight


def test_no_penalty_matches_sklearn_c_inf():
    X, y = SETS["breast_cancer_standardized"]
    X = X[:, :5]  # not separable on 5 features: a finite unpenalised optimum
    ours = simdlr.LogisticRegression(penalty=None, tol=1e-6).fit(X, y)
    also = simdlr.LogisticRegression(C=np.inf, tol=1e-6).fit(X, y)
    ref = sk.LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(ours.coef_, also.coef_)
    f_ours = logistic_objective(X, y, ours.coef_, ours.intercept_, np.inf)
    f_ref = logistic_objective(X, y, ref.coef_, ref.intercept_, np.inf)
    assert abs(f_ours - f_ref) <= 1e-8 * f_ref


def test_standardize_equals_a_scaler_pipeline():
    X, y = SETS["breast_cancer_raw"]
    ours = simdlr.LogisticRegression(standardize=True, tol=1e-6).fit(X, y)
    pipe = make_pipeline(StandardScaler(), sk.LogisticRegression(solver="newton-cholesky",
                                                                 tol=1e-10)).fit(X, y)
    scaler, ref = pipe[0], pipe[1]
    # Our coefficients are on the original scale: map them to the standardized problem.
    Xs = scaler.transform(X)
    coef_s = ours.coef_ * scaler.scale_
    intercept_s = ours.intercept_ + ours.coef_ @ scaler.mean_
    f_ours = logistic_objective(Xs, y, coef_s, intercept_s, 1.0)
    f_ref = logistic_objective(Xs, y, ref.coef_, ref.intercept_, 1.0)
    assert abs(f_ours - f_ref) <= 1e-8 * f_ref
    np.testing.assert_array_equal(ours.predict(X), pipe.predict(X))


@pytest.mark.parametrize("alpha", [0.0, 1.0, 100.0])
def test_least_squares_on_diabetes(alpha):
    X, y = datasets.load_diabetes(return_X_y=True)
    ours = (simdlr.Ridge(alpha=alpha) if alpha else simdlr.LinearRegression()).fit(X, y)
    ref = (sk.Ridge(alpha=alpha) if alpha else sk.LinearRegression()).fit(X, y)
    f_ours = squared_objective(X, y, ours.coef_, ours.intercept_, alpha)
    f_ref = squared_objective(X, y, ref.coef_, ref.intercept_, alpha)
    assert abs(f_ours - f_ref) <= 1e-10 * f_ref
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6 * abs(ref.coef_).max())
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-10)


def test_rank_deficient_least_squares_is_sklearns_minimum_norm_solution():
    X, y = datasets.load_diabetes(return_X_y=True)
    X = np.hstack([X, X[:, :2] + X[:, 2:4]])  # two collinear columns
    ours = simdlr.LinearRegression().fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    assert ours.fit_report_.solver == "lstsq"
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-7)
