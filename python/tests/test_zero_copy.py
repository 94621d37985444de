"""C-contiguous float32/float64 arrays reach the library without a copy; other layouts are
converted once. NumPy reports its allocations to tracemalloc, so a copy of X shows in the peak."""

import tracemalloc

import numpy as np
import pytest

import simdlr

N, D = 40_000, 200  # X dominates: the per-row arrays (labels, weights) are O(n)


def peak_bytes(f):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D))
    y = (X[:, 0] + 0.5 * rng.standard_normal(N) > 0).astype(np.int64)
    return X, y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_and_predict_read_c_contiguous_arrays_in_place(problem, dtype):
    X = np.ascontiguousarray(problem[0], dtype=dtype)
    y = problem[1]
    est = simdlr.LogisticRegression()
    assert peak_bytes(lambda: est.fit(X, y)) < 0.2 * X.nbytes
    # predict_proba allocates its (n, 2) result, nothing of X's size.
    assert peak_bytes(lambda: est.predict_proba(X)) < 2 * N * X.itemsize + 0.2 * X.nbytes
    assert est.predict_proba(X).dtype == dtype
    lin = simdlr.Ridge()
    assert peak_bytes(lambda: lin.fit(X, y.astype(np.float64))) < 0.2 * X.nbytes


def test_other_layouts_are_converted_once(problem):
    X, y = problem
    fortran = np.asfortranarray(X)
    est = simdlr.LogisticRegression()
    peak = peak_bytes(lambda: est.fit(fortran, y))
    assert X.nbytes <= peak < 1.5 * X.nbytes
    np.testing.assert_array_equal(est.coef_, simdlr.LogisticRegression().fit(X, y).coef_)


def test_kernels_read_in_place():
    x = np.ones(2_000_000, dtype=np.float32)
    assert peak_bytes(lambda: simdlr.kernels.dot(x, x)) < 0.1 * x.nbytes
    assert peak_bytes(lambda: simdlr.kernels.sigmoid(x, out=x)) < 0.1 * x.nbytes
