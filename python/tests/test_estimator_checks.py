"""scikit-learn's own checks for third-party estimators, over every simdlr estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

import simdlr

ESTIMATORS = [
    simdlr.LogisticRegression(),
    simdlr.LinearRegression(),
    simdlr.Ridge(),
    simdlr.Lasso(),
    simdlr.ElasticNet(),
    simdlr.LogisticRegression(penalty="l1"),
    simdlr.LogisticRegression(penalty="elasticnet", l1_ratio=0.5),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
