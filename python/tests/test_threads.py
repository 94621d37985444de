"""The GIL is released during fit and prediction: fits from several Python threads run at once
and give the results they give alone."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn import datasets

import simdlr


def test_concurrent_fits_equal_sequential_fits():
    X, y = datasets.load_digits(return_X_y=True)
    params = [dict(C=c, n_jobs=1, standardize=True, max_iter=300) for c in (0.01, 0.1, 1.0, 10.0)]
    alone = [simdlr.LogisticRegression(**p).fit(X, y) for p in params]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda p: simdlr.LogisticRegression(**p).fit(X, y), params))
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a.coef_, b.coef_)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # max_iter on purpose
def test_python_runs_while_a_fit_runs():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200_000, 40))
    y = (X @ rng.standard_normal(40) > 0).astype(int)
    est = simdlr.LogisticRegression(solver="gd", tol=1e-10, max_iter=200, n_jobs=1)
    worker = threading.Thread(target=est.fit, args=(X, y))
    start = time.perf_counter()
    worker.start()
    ticks = 0
    while worker.is_alive():
        ticks += 1  # would not run while the worker held the GIL inside the fit
    elapsed = time.perf_counter() - start
    worker.join()
    assert hasattr(est, "coef_")
    assert elapsed > 0.05, "fit too short to tell"
    assert ticks > 10_000
