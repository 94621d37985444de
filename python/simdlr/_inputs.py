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
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

FLOAT32 = np.dtype(np.float32)
FLOAT64 = np.dtype(np.float64)
NATIVE_DTYPES = [np.float64, np.float32]


def fit_input(estimator, X, y, **kwargs):
    """X and y validated by scikit-learn (sets n_features_in_ and feature_names_in_)."""
    return validate_data(
        estimator, X, y, dtype=NATIVE_DTYPES, order="C", ensure_all_finite=False, **kwargs
    )


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
        and type(X) is np.ndarray
        and (X.dtype is FLOAT64 or X.dtype is FLOAT32)
        and X.ndim == 2
        and X.flags.c_contiguous
        and X.shape[0] > 0
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
