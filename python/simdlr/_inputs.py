"""How estimator inputs reach the library.

X goes to the compiled core as a C-contiguous float32 or float64 array. Such an array is passed
as it is: the core reads the caller's memory (no copy; float32 stays float32). Anything else
(Fortran order, strided views, other dtypes, lists, DataFrames) is converted once by
scikit-learn's ``validate_data`` to a C-contiguous float64 (float32 kept) array. NaN and
infinity in X are left to the library, whose vectorized scan runs anyway and names the row and
column (a ValueError); scikit-learn's own scan would read X a second time.
"""

from __future__ import annotations

import threading

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _simdlr

FLOAT32 = np.dtype(np.float32)
FLOAT64 = np.dtype(np.float64)
NATIVE_DTYPES = [np.float64, np.float32]


def plain_matrix(X):
    """A C-contiguous float32/float64 ndarray with rows: what the core reads as it is."""
    return (
        type(X) is np.ndarray
        and (X.dtype is FLOAT64 or X.dtype is FLOAT32)
        and X.ndim == 2
        and X.flags.c_contiguous
        and X.shape[0] > 0
    )


def fit_input(estimator, X, y, **kwargs):
    """X and y validated by scikit-learn (sets n_features_in_ and feature_names_in_)."""
    return validate_data(
        estimator, X, y, dtype=NATIVE_DTYPES, order="C", ensure_all_finite=False, **kwargs
    )


def classifier_fit_input(estimator, X, y):
    """fit_input for a classifier. A C-contiguous float32/float64 X with rows and columns and a
    1-D numeric y of as many labels pass as they are (validate_data costs about 0.2 ms a call,
    2-3 % of a 10 ms fit): the checks validate_data would make are then those the library and
    class_index make anyway (X's finiteness; y's, in class_index)."""
    if (
        plain_matrix(X)
        and X.shape[1] > 0
        and type(y) is np.ndarray
        and y.ndim == 1
        and y.shape[0] == X.shape[0]
        and y.dtype.kind in "fiu"
    ):
        estimator.n_features_in_ = X.shape[1]
        estimator.__dict__.pop("feature_names_in_", None)
        return X, y
    return fit_input(estimator, X, y)


def class_index(y):
    """(classes_, each label's index into classes_ as float64), as np.unique(y,
    return_inverse=True) after scikit-learn's check_classification_targets. Numeric labels that
    are whole numbers below 2**53 in magnitude are encoded by the library in one or two passes
    (the two sorts of y otherwise cost about 3 ms at 100,000 rows, 20 ms at a million); anything
    else (text, NaN, fractions, larger numbers) goes scikit-learn's way, with its errors."""
    if y.dtype.kind in "fiu":
        # As float64: exact below 2**53, and larger magnitudes send the labels the slow way.
        labels = np.ascontiguousarray(y, dtype=np.float64)
        classes = _simdlr.label_classes(labels)
        if classes is not None:
            # Distinct sorted whole numbers from 0 to K - 1 are 0, 1, ..., K - 1: the labels
            # are their own indices (the usual 0/1 labels need no second pass).
            if classes[0] == 0 and classes[-1] == classes.size - 1:
                return classes.astype(y.dtype), labels
            return classes.astype(y.dtype), _simdlr.label_index(labels, classes)
    if y.dtype.kind == "f":
        assert_all_finite(y, input_name="y")  # validate_data's error, before any cast of a NaN
    check_classification_targets(y)
    classes, index = np.unique(y, return_inverse=True)
    return classes, np.ascontiguousarray(index, dtype=np.float64)


def weights_input(sample_weight, X):
    """None (all ones: the library's unweighted path), or one weight >= 0 per row in X's dtype."""
    if sample_weight is None:
        return None
    w = _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)
    return np.ascontiguousarray(w)


def predict_input(estimator, X):
    """(core, X) for a prediction. A plain C-contiguous float32/float64 array of the fitted width
    skips scikit-learn's validation (the core checks shape and finiteness itself), which keeps a
    one-row prediction at about a microsecond; everything else goes through validate_data."""
    core = estimator.__dict__.get("_core")
    if (
        core is not None
        and plain_matrix(X)
        and X.shape[1] == estimator.n_features_in_
        and "feature_names_in_" not in estimator.__dict__
    ):
        return core, X
    check_is_fitted(estimator)
    X = validate_data(
        estimator, X, dtype=NATIVE_DTYPES, order="C", ensure_all_finite=False, reset=False
    )
    return estimator._core, X


def on_main_thread() -> bool:
    """Only Python's main thread runs signal handlers, so only there a fit checks for Ctrl-C."""
    return threading.current_thread() is threading.main_thread()
