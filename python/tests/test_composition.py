"""The estimators inside scikit-learn's tools: clone, Pipeline, GridSearchCV, cross_val_score,
OneVsRestClassifier."""

import numpy as np
from sklearn import datasets
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import simdlr


def test_clone_keeps_parameters_and_drops_the_fit():
    X, y = datasets.load_iris(return_X_y=True)
    est = simdlr.LogisticRegression(C=0.3, solver="lbfgs", n_jobs=2).fit(X, y)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "coef_")
    np.testing.assert_array_equal(copy.fit(X, y).coef_, est.coef_)


def test_pipeline_and_grid_search():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), simdlr.LogisticRegression())
    grid = GridSearchCV(pipe, {"logisticregression__C": [0.01, 1.0, 100.0]}, cv=3).fit(X, y)
    assert grid.best_params_["logisticregression__C"] in (0.01, 1.0, 100.0)
    assert grid.best_score_ > 0.95
    assert grid.predict(X).shape == y.shape


def test_cross_val_score_classifier_and_regressors():
    X, y = datasets.load_wine(return_X_y=True)
    scores = cross_val_score(simdlr.LogisticRegression(standardize=True), X, y, cv=5)
    assert scores.shape == (5,) and scores.mean() > 0.9
    Xd, yd = datasets.load_diabetes(return_X_y=True)
    for est in (simdlr.LinearRegression(), simdlr.Ridge(alpha=0.1), simdlr.Lasso(alpha=0.1),
                simdlr.ElasticNet(alpha=0.001, l1_ratio=0.5)):
        r2 = cross_val_score(est, Xd, yd, cv=5)
        assert r2.mean() > 0.4


def test_grid_search_over_the_sparse_penalties():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(),
                         simdlr.LogisticRegression(penalty="elasticnet", l1_ratio=0.5))
    grid = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0],
                               "logisticregression__l1_ratio": [0.0, 0.5, 1.0]}, cv=3).fit(X, y)
    assert grid.best_score_ > 0.95
    Xd, yd = datasets.load_diabetes(return_X_y=True)
    grid = GridSearchCV(simdlr.ElasticNet(), {"alpha": [0.001, 0.01, 0.1],
                                              "l1_ratio": [0.1, 0.9]}, cv=3).fit(Xd, yd)
    assert grid.best_score_ > 0.4


def test_one_vs_rest_is_how_sklearn_1_9_spells_ovr():
    X, y = datasets.load_iris(return_X_y=True)
    ovr = OneVsRestClassifier(simdlr.LogisticRegression(tol=1e-6)).fit(X, y)
    multinomial = simdlr.LogisticRegression(tol=1e-6).fit(X, y)
    assert len(ovr.estimators_) == 3
    assert not np.allclose(ovr.predict_proba(X), multinomial.predict_proba(X), atol=1e-3)
    assert (ovr.predict(X) == y).mean() > 0.9


def test_feature_names_from_a_dataframe():
    import pandas as pd

    X, y = datasets.load_iris(return_X_y=True, as_frame=True)
    est = simdlr.LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(est.feature_names_in_, np.asarray(X.columns, dtype=object))
    np.testing.assert_array_equal(est.predict(X), est.predict(X.to_numpy()))
    assert isinstance(X, pd.DataFrame)
