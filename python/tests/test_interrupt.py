"""Ctrl-C during a long fit on the main thread raises KeyboardInterrupt after the current
solver iteration, and the estimator keeps its previous fit."""

import _thread
import threading
import time

import numpy as np
import pytest

import simdlr


def test_ctrl_c_stops_a_long_fit():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((20_000, 20)) * np.logspace(0, 3, 20)  # badly scaled: gd crawls
    y = (X[:, 0] > 0).astype(int)
    est = simdlr.LogisticRegression(solver="gd", tol=1e-12, max_iter=10)
    with pytest.warns(Warning):
        est.fit(X, y)
    before = est.coef_.copy()
    est.set_params(max_iter=10_000_000)  # hours of gradient descent
    timer = threading.Timer(0.3, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert time.perf_counter() - start < 10
    np.testing.assert_array_equal(est.coef_, before)
    assert est.predict(X).shape == y.shape
