"""Classifier labels: the library's encoding of numeric labels (classes_ and each row's class)
is numpy.unique's, in y's dtype; labels that are not plain classes get scikit-learn's errors;
labels outside the fast path (text, integers beyond 2**53) still fit."""

import warnings

import numpy as np
import pytest

import simdlr
from simdlr._inputs import class_index

rng = np.random.default_rng(7)

LABELS = [
    rng.integers(0, 2, 3000).astype(np.float64),  # the usual 0/1: their own indices
    rng.integers(0, 2, 3000).astype(np.float32),
    rng.integers(-3, 7, 3000),  # int64, negative classes: a second pass
    rng.integers(1, 11, 3000).astype(np.int32),
    rng.integers(0, 3, 3000).astype(np.uint8),
    rng.integers(0, 300, 5000).astype(np.float64),  # more classes than a branch-free scan takes
    np.array([5, 5, 2, 2**40, 2**40, 2], dtype=np.int64),
    np.array([2**53 - 1, 0, 2**53 - 1], dtype=np.int64),  # the largest the fast path takes
    np.array([2**53, 0, 2**53], dtype=np.int64),  # from 2**53 on, numpy's way
    np.array([1.0, 3.0, 1.0, 3.0]),  # whole numbers, but not 0..K-1
    np.array([-0.0, 0.0, 1.0]),
]


@pytest.mark.parametrize("y", LABELS, ids=lambda y: f"{y.dtype}-{y.size}")
def test_class_index_is_numpy_unique(y):
    classes, index = class_index(y)
    expected_classes, expected_index = np.unique(y, return_inverse=True)
    assert classes.dtype == expected_classes.dtype
    np.testing.assert_array_equal(classes, expected_classes)
    assert index.dtype == np.float64 and index.flags.c_contiguous
    np.testing.assert_array_equal(index, expected_index)


@pytest.mark.parametrize(
    "y",
    [
        np.array([2**60, 1, 2**60 + 1], dtype=np.int64),  # beyond 2**53: numpy's way
        np.array(["b", "a", "b"]),
        np.array([True, False, True]),
    ],
    ids=["int64-beyond-2**53", "text", "bool"],
)
def test_labels_outside_the_fast_path(y):
    classes, index = class_index(y)
    expected_classes, expected_index = np.unique(y, return_inverse=True)
    np.testing.assert_array_equal(classes, expected_classes)
    np.testing.assert_array_equal(index, expected_index)


X = rng.standard_normal((40, 3))


@pytest.mark.parametrize(
    "y, message",
    [
        (np.r_[np.zeros(20), np.ones(19), np.nan], "Input y contains NaN"),
        (np.r_[np.zeros(20), np.ones(19), np.inf], "Input y contains infinity"),
        (np.r_[np.zeros(20), np.ones(20)] + 0.5, "Unknown label type: continuous"),
        (np.r_[np.zeros(20), np.ones(19), 2.25].astype(np.float32), "Unknown label type"),
    ],
)
def test_labels_that_are_not_classes_get_scikit_learns_errors(y, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from casting a NaN on the way
        with pytest.raises(ValueError, match=message):
            simdlr.LogisticRegression().fit(X, y)


def test_labels_too_large_for_int64_stay_a_continuous_target():
    # scikit-learn's target check casts float labels to int64; 1e20 does not survive the cast.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # that cast's, as before
        with pytest.raises(ValueError, match="Unknown label type"):
            simdlr.LogisticRegression().fit(X, np.r_[np.zeros(20), np.ones(19), 1e20])


def test_fit_on_labels_encoded_either_way_is_the_same():
    y = (X[:, 0] + 0.3 * rng.standard_normal(40) > 0).astype(np.int64)
    as_index = simdlr.LogisticRegression().fit(X, y.astype(np.float64))
    shifted = simdlr.LogisticRegression().fit(X, 2 * y + 7)  # classes 7 and 9
    text = simdlr.LogisticRegression().fit(X, np.where(y == 1, "yes", "no"))
    np.testing.assert_array_equal(shifted.classes_, [7, 9])
    np.testing.assert_array_equal(text.classes_, ["no", "yes"])
    for other in (shifted, text):
        np.testing.assert_array_equal(other.coef_, as_index.coef_)
        np.testing.assert_array_equal(other.intercept_, as_index.intercept_)
    np.testing.assert_array_equal(shifted.predict(X), 2 * as_index.predict(X) + 7)
