"""Same optimum as scikit-learn on its bundled real data sets.

The reference optimum is scikit-learn's newton-cholesky run to tol 1e-10 (l2), saga run to
tol 1e-12 (l1 and elastic-net logistic regression) and coordinate descent run to tol 1e-12
(Lasso, ElasticNet); both objectives are evaluated by one float64 function (reference.py).
simdlr runs with its default solver and tol 1e-6, i.e. a certified relative gap of 1e-8; for
l1 and elastic net with tol 1e-10 (a certified relative gap of 1e-12), tight enough to show
that its optimum is no worse than the reference and to compare coefficients (the elastic-net
objectives are barely strongly convex, so a 1e-8 gap leaves the coefficients loose)."""

import numpy as np
import pytest
from sklearn import datasets
from sklearn import linear_model as sk
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import simdlr
from reference import (
    classification_sets,
    elastic_net_objective,
    logistic_objective,
    saga_optimum,
    squared_objective,
)

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


# --- l1 and elastic net ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "penalty, l1_ratio, C",
    [("l1", 1.0, 0.1), ("elasticnet", 0.5, 0.1), ("elasticnet", 0.5, 1.0),
     ("elasticnet", 0.2, 1.0)],
)
def test_sparse_logistic_reaches_saga_optimum(penalty, l1_ratio, C):
    X, y = SETS["breast_cancer_standardized"]
    ours = simdlr.LogisticRegression(penalty=penalty, C=C, tol=1e-10, max_iter=1000,
                                     l1_ratio=l1_ratio if penalty == "elasticnet" else None)
    ours.fit(X, y)
    ref = saga_optimum(X, y, C, l1_ratio)
    report = ours.fit_report_
    assert report.converged and report.solver == "prox-newton"
    assert report.certificate == "duality-gap"
    f_ours = logistic_objective(X, y, ours.coef_, ours.intercept_, C, l1_ratio=l1_ratio)
    f_ref = logistic_objective(X, y, ref.coef_, ref.intercept_, C, l1_ratio=l1_ratio)
    # simdlr's optimum is at least as good as saga's (up to its certified 1e-12) ...
    assert f_ours <= f_ref + 1e-11 * f_ref
    # ... as its certificate proves (F* <= f_ref), and both agree to 1e-7 relative.
    assert f_ours - f_ref <= report.objective_gap_bound + 1e-13 * f_ref
    assert f_ref - f_ours <= 1e-7 * f_ref
    # The report's objective is this objective.
    assert report.objective == pytest.approx(f_ours, rel=1e-12)
    # Same sparsity pattern: the zeros are exact zeros in both.
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)
    assert 0 < np.count_nonzero(ours.coef_) < X.shape[1]
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_sparse_logistic_with_sample_weights_reaches_saga_optimum():
    X, y = SETS["breast_cancer_standardized"]
    w = np.random.default_rng(0).uniform(0.2, 3.0, size=len(y))
    ours = simdlr.LogisticRegression(penalty="l1", C=0.1, tol=1e-10).fit(X, y, sample_weight=w)
    ref = saga_optimum(X, y, 0.1, 1.0, sample_weight=w)
    f_ours = logistic_objective(X, y, ours.coef_, ours.intercept_, 0.1, w, l1_ratio=1.0)
    f_ref = logistic_objective(X, y, ref.coef_, ref.intercept_, 0.1, w, l1_ratio=1.0)
    assert f_ours <= f_ref + 1e-11 * f_ref and f_ref - f_ours <= 1e-7 * f_ref
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)


def test_sparse_logistic_standardize_equals_a_scaler_pipeline():
    # The penalty applies to the standardized coefficients: simdlr's standardize=True on raw X
    # and its fit on StandardScaler's output are the same problem.
    X, y = SETS["breast_cancer_raw"]
    scaler = StandardScaler().fit(X)
    Xs = scaler.transform(X)
    for penalty, l1_ratio in [("l1", None), ("elasticnet", 0.3)]:
        params = dict(penalty=penalty, l1_ratio=l1_ratio, C=0.2, tol=1e-6)
        ours = simdlr.LogisticRegression(standardize=True, **params).fit(X, y)
        on_scaled = simdlr.LogisticRegression(**params).fit(Xs, y)
        assert ours.fit_report_.converged
        coef_s = ours.coef_ * scaler.scale_
        intercept_s = ours.intercept_ + ours.coef_ @ scaler.mean_
        ratio = 1.0 if l1_ratio is None else l1_ratio
        f_ours = logistic_objective(Xs, y, coef_s, intercept_s, 0.2, l1_ratio=ratio)
        f_ref = logistic_objective(Xs, y, on_scaled.coef_, on_scaled.intercept_, 0.2,
                                   l1_ratio=ratio)
        assert abs(f_ours - f_ref) <= 1e-8 * f_ref
        np.testing.assert_array_equal(ours.coef_ != 0, on_scaled.coef_ != 0)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 1.0])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.2])
def test_lasso_and_elastic_net_on_diabetes(alpha, l1_ratio):
    X, y = datasets.load_diabetes(return_X_y=True)
    if l1_ratio == 1.0:
        ours = simdlr.Lasso(alpha=alpha, tol=1e-10).fit(X, y)
        ref = sk.Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    else:
        ours = simdlr.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10).fit(X, y)
        ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(X, y)
    report = ours.fit_report_
    assert report.converged and report.solver == "cd" and report.certificate == "duality-gap"
    f_ours = elastic_net_objective(X, y, ours.coef_, ours.intercept_, alpha, l1_ratio)
    f_ref = elastic_net_objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio)
    assert abs(f_ours - f_ref) <= 1e-8 * f_ref
    # FitReport's objective and gap are scikit-learn's scale (divided by n_samples).
    assert report.objective == pytest.approx(f_ours, rel=1e-12)
    assert ours.dual_gap_ == report.objective_gap_bound <= 1e-12 * f_ours
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6 * abs(ref.coef_).max())
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-8)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7)
    # Near the optimum the data term and the penalty trade at first order (their sum only at
    # second order), so R^2 agrees less closely than the objective.
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-6)
    assert isinstance(ours.n_iter_, int) and ours.n_iter_ >= 1


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_weighted_elastic_net_matches_sklearn(fit_intercept):
    # scikit-learn rescales the sample weights to sum to n_samples: the objective's data term
    # is 1 / (2 sum s) * sum_i s_i r_i^2, simdlr's too.
    X, y = datasets.load_diabetes(return_X_y=True)
    w = np.random.default_rng(1).uniform(0.1, 4.0, size=len(y))
    for l1_ratio in (1.0, 0.7):
        cls, ref_cls = (simdlr.Lasso, sk.Lasso) if l1_ratio == 1 else (simdlr.ElasticNet,
                                                                      sk.ElasticNet)
        kwargs = {} if l1_ratio == 1 else dict(l1_ratio=l1_ratio)
        ours = cls(alpha=0.05, fit_intercept=fit_intercept, tol=1e-10, **kwargs)
        ours.fit(X, y, sample_weight=w)
        ref = ref_cls(alpha=0.05, fit_intercept=fit_intercept, tol=1e-12, max_iter=100_000,
                      **kwargs).fit(X, y, sample_weight=w)
        f_ours = elastic_net_objective(X, y, ours.coef_, ours.intercept_, 0.05, l1_ratio, w)
        f_ref = elastic_net_objective(X, y, ref.coef_, ref.intercept_, 0.05, l1_ratio, w)
        assert abs(f_ours - f_ref) <= 1e-8 * f_ref
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6,
                                   atol=1e-6 * abs(ref.coef_).max())
        if not fit_intercept:
            assert ours.intercept_ == 0.0
