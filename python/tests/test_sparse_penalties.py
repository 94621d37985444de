"""The l1 and elastic-net penalties from Python: how penalty and l1_ratio select the problem,
the solvers that take it, multinomial and one-vs-rest fits, and Lasso / ElasticNet beyond the
scikit-learn comparison of test_sklearn_equivalence.py."""

import numpy as np
import pytest
from sklearn import datasets
from sklearn.base import clone
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler

import simdlr
from reference import elastic_net_objective, logistic_objective, saga_optimum


@pytest.fixture(scope="module")
def cancer():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def diabetes():
    return datasets.load_diabetes(return_X_y=True)


def objective(X, y, est, l1_ratio, C=1.0):
    return logistic_objective(X, y, est.coef_, est.intercept_, C, l1_ratio=l1_ratio)


# --- LogisticRegression: penalty and l1_ratio --------------------------------------------


def test_auto_runs_prox_newton_and_gives_exact_zeros(cancer):
    X, y = cancer
    est = simdlr.LogisticRegression(penalty="l1", C=0.1).fit(X, y)
    assert est.fit_report_.solver == "prox-newton"
    assert est.fit_report_.certificate == "duality-gap"
    assert est.fit_report_.converged
    assert 0 < np.count_nonzero(est.coef_) < X.shape[1]
    also = simdlr.LogisticRegression(penalty="l1", C=0.1, solver="prox-newton").fit(X, y)
    assert also.coef_.tobytes() == est.coef_.tobytes()


def test_l1_ratio_spellings_of_the_same_problem(cancer):
    X, y = cancer
    l1 = simdlr.LogisticRegression(penalty="l1", C=0.5, tol=1e-8).fit(X, y)
    # l1_ratio=1 with penalty l1 is accepted (what l1 means), and elasticnet at 1 is l1.
    also = simdlr.LogisticRegression(penalty="l1", l1_ratio=1, C=0.5, tol=1e-8).fit(X, y)
    net = simdlr.LogisticRegression(penalty="elasticnet", l1_ratio=1.0, C=0.5, tol=1e-8)
    net.fit(X, y)
    assert also.coef_.tobytes() == l1.coef_.tobytes()
    assert net.coef_.tobytes() == l1.coef_.tobytes()
    # elasticnet at 0 is the l2 problem (another solver: equal objectives, not bits).
    l2 = simdlr.LogisticRegression(C=0.5, tol=1e-8).fit(X, y)
    net0 = simdlr.LogisticRegression(penalty="elasticnet", l1_ratio=0.0, C=0.5, tol=1e-8)
    net0.fit(X, y)
    assert net0.fit_report_.solver == "prox-newton"
    f_l2, f_net0 = objective(X, y, l2, 0.0, 0.5), objective(X, y, net0, 0.0, 0.5)
    assert abs(f_l2 - f_net0) <= 1e-9 * f_l2
    # l1_ratio=0 with penalty l2 is accepted too.
    l2_again = simdlr.LogisticRegression(l1_ratio=0, C=0.5, tol=1e-8).fit(X, y)
    assert l2_again.coef_.tobytes() == l2.coef_.tobytes()


def test_prox_newton_also_fits_l2(cancer):
    X, y = cancer
    default = simdlr.LogisticRegression(tol=1e-8).fit(X, y)
    prox = simdlr.LogisticRegression(solver="prox-newton", tol=1e-8).fit(X, y)
    assert prox.fit_report_.solver == "prox-newton" and prox.fit_report_.converged
    f_default, f_prox = objective(X, y, default, 0.0), objective(X, y, prox, 0.0)
    assert abs(f_default - f_prox) <= 1e-9 * f_default


def test_no_penalty_wins_over_l1(cancer):
    X, y = cancer
    X = X[:, :5]  # not separable: a finite unpenalised optimum
    none = simdlr.LogisticRegression(penalty=None).fit(X, y)
    c_inf = simdlr.LogisticRegression(penalty="l1", C=np.inf).fit(X, y)
    # penalty=None does not use l1_ratio (still checked to be in [0, 1]).
    ratio = simdlr.LogisticRegression(penalty=None, l1_ratio=0.3).fit(X, y)
    assert c_inf.coef_.tobytes() == none.coef_.tobytes()
    assert ratio.coef_.tobytes() == none.coef_.tobytes()


@pytest.mark.parametrize("name", ["iris", "wine"])
@pytest.mark.parametrize("l1_ratio, C", [(1.0, 0.1), (1.0, 1.0), (0.5, 0.5)])
def test_multinomial_l1_reaches_saga_optimum(name, l1_ratio, C):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    penalty = dict(penalty="l1") if l1_ratio == 1 else dict(penalty="elasticnet",
                                                             l1_ratio=l1_ratio)
    ours = simdlr.LogisticRegression(C=C, tol=1e-8, max_iter=1000, **penalty).fit(X, y)
    ref = saga_optimum(X, y, C, l1_ratio)
    report = ours.fit_report_
    assert report.converged and report.solver == "prox-newton"
    assert ours.coef_.shape == ref.coef_.shape == (3, X.shape[1])
    f_ours = logistic_objective(X, y, ours.coef_, ours.intercept_, C, l1_ratio=l1_ratio)
    f_ref = logistic_objective(X, y, ref.coef_, ref.intercept_, C, l1_ratio=l1_ratio)
    assert f_ours <= f_ref + 1e-9 * f_ref and f_ref - f_ours <= 1e-7 * f_ref
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)
    assert np.count_nonzero(ours.coef_) < ours.coef_.size
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("params", [dict(penalty="l1"),
                                    dict(penalty="elasticnet", l1_ratio=0.5)])
def test_multinomial_sample_weights_equal_repeated_rows(params):
    # scikit-learn's check_sample_weight_equivalence_on_dense_data: the unpenalised multinomial
    # intercepts are only defined up to a common shift, and the library centres them (sum 0),
    # so the two fits agree in every attribute.
    rng = np.random.RandomState(42)
    X = rng.rand(45, 3)
    y = np.repeat(np.arange(3), 15)
    w = rng.randint(0, 3, size=len(y))
    weighted = simdlr.LogisticRegression(tol=1e-8, **params).fit(X, y, sample_weight=w)
    repeated = simdlr.LogisticRegression(tol=1e-8, **params).fit(np.repeat(X, w, axis=0),
                                                                np.repeat(y, w))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, atol=1e-9)
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-9)
    assert abs(weighted.intercept_.sum()) < 1e-12


def test_one_vs_rest_l1():
    X, y = datasets.load_iris(return_X_y=True)
    ovr = OneVsRestClassifier(simdlr.LogisticRegression(penalty="l1", C=0.1)).fit(X, y)
    assert all(e.fit_report_.converged for e in ovr.estimators_)
    assert any(np.count_nonzero(e.coef_) < X.shape[1] for e in ovr.estimators_)
    assert (ovr.predict(X) == y).mean() > 0.8


def test_float32_l1_fit(cancer):
    X, y = cancer
    f64 = simdlr.LogisticRegression(penalty="l1", C=0.1, tol=1e-6).fit(X, y)
    f32 = simdlr.LogisticRegression(penalty="l1", C=0.1, tol=1e-6).fit(X.astype(np.float32), y)
    assert f32.fit_report_.converged
    assert f32.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert f32.coef_.dtype == np.float64
    np.testing.assert_allclose(f32.coef_, f64.coef_, atol=1e-4)
    f_32, f_64 = objective(X, y, f32, 1.0, 0.1), objective(X, y, f64, 1.0, 0.1)
    assert abs(f_32 - f_64) <= 1e-6 * f_64


def test_warm_start_from_the_optimum_stays_there(cancer):
    X, y = cancer
    est = simdlr.LogisticRegression(penalty="elasticnet", l1_ratio=0.5, C=0.3, tol=1e-8,
                                    warm_start=True)
    first = est.fit(X, y).fit_report_
    f_first = objective(X, y, est, 0.5, 0.3)
    second = est.fit(X, y).fit_report_
    assert second.converged and second.iterations <= first.iterations
    assert abs(objective(X, y, est, 0.5, 0.3) - f_first) <= 1e-9 * f_first


def test_l1_path_gets_sparser_as_C_falls(cancer):
    X, y = cancer
    counts = [np.count_nonzero(simdlr.LogisticRegression(penalty="l1", C=C).fit(X, y).coef_)
              for C in (10.0, 1.0, 0.1, 0.01)]
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0]
    # Below the smallest C with a non-zero coefficient, all are exactly zero.
    empty = simdlr.LogisticRegression(penalty="l1", C=1e-4).fit(X, y)
    assert np.count_nonzero(empty.coef_) == 0 and empty.fit_report_.converged
    p = y.mean()
    assert empty.intercept_[0] == pytest.approx(np.log(p / (1 - p)), rel=1e-6)


# --- Lasso and ElasticNet ------------------------------------------------------------------


def test_elastic_net_at_l1_ratio_1_is_the_lasso(diabetes):
    X, y = diabetes
    lasso = simdlr.Lasso(alpha=0.1).fit(X, y)
    net = simdlr.ElasticNet(alpha=0.1, l1_ratio=1.0).fit(X, y)
    assert net.coef_.tobytes() == lasso.coef_.tobytes()
    assert net.intercept_ == lasso.intercept_


def test_elastic_net_at_l1_ratio_0_is_ridge(diabetes):
    # 1/(2n) ||r||^2 + alpha/2 ||w||^2 is Ridge(alpha * n) divided by n.
    X, y = diabetes
    net = simdlr.ElasticNet(alpha=0.01, l1_ratio=0.0, tol=1e-10).fit(X, y)
    ridge = simdlr.Ridge(alpha=0.01 * len(y)).fit(X, y)  # exact (Cholesky)
    f_net = elastic_net_objective(X, y, net.coef_, net.intercept_, 0.01, 0.0)
    f_ridge = elastic_net_objective(X, y, ridge.coef_, ridge.intercept_, 0.01, 0.0)
    assert abs(f_net - f_ridge) <= 1e-12 * f_ridge
    # A 1e-12 relative gap leaves the coefficients within about 1e-3 (strong convexity 0.01).
    np.testing.assert_allclose(net.coef_, ridge.coef_, rtol=1e-5)


def test_large_alpha_gives_the_empty_model(diabetes):
    X, y = diabetes
    alpha_max = np.max(np.abs((X - X.mean(0)).T @ (y - y.mean()))) / len(y)
    est = simdlr.Lasso(alpha=1.01 * alpha_max).fit(X, y)
    assert np.count_nonzero(est.coef_) == 0 and est.fit_report_.converged
    assert est.intercept_ == pytest.approx(y.mean(), rel=1e-12)
    below = simdlr.Lasso(alpha=0.99 * alpha_max).fit(X, y)
    assert np.count_nonzero(below.coef_) == 1


def test_lasso_attributes(diabetes):
    X, y = diabetes
    est = simdlr.Lasso(alpha=0.1).fit(X, y)
    assert est.coef_.shape == (X.shape[1],) and est.coef_.dtype == np.float64
    assert isinstance(est.intercept_, float)
    assert isinstance(est.n_iter_, int) and est.n_iter_ == est.fit_report_.iterations
    assert est.dual_gap_ == est.fit_report_.objective_gap_bound
    f = elastic_net_objective(X, y, est.coef_, est.intercept_, 0.1, 1.0)
    assert 0 <= est.dual_gap_ <= 1e-6 * f
    np.testing.assert_array_equal(est.sparse_coef_.toarray(), est.coef_[np.newaxis, :])
    assert est.sparse_coef_.nnz == np.count_nonzero(est.coef_)
    assert est.get_params() == dict(alpha=0.1, fit_intercept=True, tol=1e-4, max_iter=1000,
                                    n_jobs=None)
    assert clone(est).set_params(alpha=0.2).fit(X, y).score(X, y) < est.score(X, y)


def test_float32_and_threads(diabetes):
    X, y = diabetes
    one = simdlr.ElasticNet(alpha=0.01, l1_ratio=0.7, n_jobs=1).fit(X, y)
    two = simdlr.ElasticNet(alpha=0.01, l1_ratio=0.7, n_jobs=2).fit(X, y)
    assert one.coef_.tobytes() == two.coef_.tobytes()
    X32 = X.astype(np.float32)
    f32 = simdlr.ElasticNet(alpha=0.01, l1_ratio=0.7).fit(X32, y)
    assert f32.fit_report_.converged
    assert f32.predict(X32).dtype == np.float32
    np.testing.assert_allclose(f32.coef_, one.coef_, rtol=1e-3, atol=1e-3 * abs(one.coef_).max())


def test_without_intercept(diabetes):
    X, y = diabetes
    est = simdlr.Lasso(alpha=0.1, fit_intercept=False).fit(X, y)
    assert est.intercept_ == 0.0
    np.testing.assert_allclose(est.predict(X), X @ est.coef_, rtol=1e-12, atol=1e-9)
