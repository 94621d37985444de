"""scikit-learn's own checks for third-party estimators, over every simdlr estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

import simdlr

ESTIMATORS = [
    simdlr.LogisticRegression(),
    simdlr.LinearRegression(),
    simdlr.Ridge(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
