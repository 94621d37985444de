"""Fitted state survives pickle bit for bit, and the JSON model file carries models between
Python, the C++ library and the command line with bitwise-identical results. The CLI tests use
the `simdlr` tool named by SIMDLR_CLI (set by ctest's python_tests)."""

import csv
import json
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pytest
from sklearn import datasets
from sklearn.base import clone
from sklearn.multiclass import OneVsRestClassifier

import simdlr

CLI = os.environ.get("SIMDLR_CLI")
needs_cli = pytest.mark.skipif(not CLI, reason="SIMDLR_CLI (the simdlr tool) is not set")
DATA = Path(__file__).resolve().parents[2] / "data"


def fitted_models():
    return fitted_smooth_models() + fitted_sparse_models()


def fitted_smooth_models():
    Xb, yb = datasets.load_breast_cancer(return_X_y=True)
    Xi, yi = datasets.load_iris(return_X_y=True)
    Xd, yd = datasets.load_diabetes(return_X_y=True)
    return [
        (simdlr.LogisticRegression().fit(Xb, yb), Xb),
        (simdlr.LogisticRegression(standardize=True).fit(Xi.astype(np.float32), yi),
         Xi.astype(np.float32)),
        (simdlr.LogisticRegression().fit(Xi, np.array(["a", "b", "c"])[yi]), Xi),
        (simdlr.LinearRegression().fit(Xd, yd), Xd),
        (simdlr.Ridge(alpha=0.5).fit(Xd.astype(np.float32), yd), Xd.astype(np.float32)),
    ]


def fitted_sparse_models():
    """l1 and elastic-net models, whose penalty and l1_ratio the file must keep."""
    Xb, yb = datasets.load_breast_cancer(return_X_y=True)
    Xd, yd = datasets.load_diabetes(return_X_y=True)
    Xb32 = Xb.astype(np.float32)
    return [
        (simdlr.LogisticRegression(penalty="l1", C=0.05, standardize=True).fit(Xb, yb), Xb),
        (simdlr.LogisticRegression(penalty="elasticnet", l1_ratio=0.3, C=0.5, standardize=True,
                                   solver="prox-newton").fit(Xb32, yb), Xb32),
        (simdlr.Lasso(alpha=0.2).fit(Xd, yd), Xd),
        (simdlr.ElasticNet(alpha=0.1, l1_ratio=0.7, fit_intercept=False, tol=1e-6,
                           max_iter=50).fit(Xd.astype(np.float32), yd), Xd.astype(np.float32)),
    ]


def outputs(est, X):
    methods = ["predict", "predict_proba", "decision_function"]
    return {m: getattr(est, m)(X) for m in methods if hasattr(est, m)}


def assert_same_model(a, b, X):
    assert a.coef_.tobytes() == b.coef_.tobytes()
    assert np.asarray(a.intercept_).tobytes() == np.asarray(b.intercept_).tobytes()
    for method, value in outputs(a, X).items():
        other = outputs(b, X)[method]
        assert value.dtype == other.dtype
        assert value.tobytes() == other.tobytes(), method


def test_pickle_is_bit_for_bit():
    for est, X in fitted_models():
        copy = pickle.loads(pickle.dumps(est))
        assert_same_model(est, copy, X)
        assert copy.fit_report_ == est.fit_report_
        assert copy.get_params() == est.get_params()


def test_save_and_load_are_bit_for_bit(tmp_path):
    for k, (est, X) in enumerate(fitted_models()):
        path = tmp_path / f"m{k}.json"
        est.save_model(path)
        loaded = simdlr.load_model(path)
        assert type(loaded) is type(est)
        assert_same_model(est, loaded, X)
        np.testing.assert_array_equal(loaded.classes_ if hasattr(est, "classes_") else 0,
                                      est.classes_ if hasattr(est, "classes_") else 0)
        assert loaded.fit_report_.converged == est.fit_report_.converged
        assert json.loads(path.read_text())["format"] == "simdlr-model"


def test_sparse_models_keep_penalty_and_l1_ratio(tmp_path):
    for k, (est, X) in enumerate(fitted_sparse_models()):
        assert np.count_nonzero(est.coef_) < est.coef_.size  # really sparse
        path = tmp_path / f"s{k}.json"
        est.save_model(path)
        options = json.loads(path.read_text())["options"]
        assert json.loads(path.read_text())["version"] == 2
        penalty = getattr(est, "penalty", "l1" if type(est) is simdlr.Lasso else "elasticnet")
        assert options["penalty"] == penalty
        if penalty == "elasticnet":
            assert options["l1_ratio"] == est.l1_ratio
        loaded = simdlr.load_model(path)
        assert type(loaded) is type(est)
        assert loaded.get_params() == est.get_params()
        # The file keeps the report but for hessians and certificate_checks.
        kept = {k: v for k, v in est.fit_report_.as_dict().items()
                if k not in ("hessians", "certificate_checks", "objective_history")}
        assert {k: loaded.fit_report_.as_dict()[k] for k in kept} == kept
        assert loaded.fit_report_.objective == est.fit_report_.objective
        assert loaded.fit_report_.certificate == "duality-gap"
        assert_same_model(est, loaded, X)
        if hasattr(est, "dual_gap_"):
            assert loaded.dual_gap_ == est.dual_gap_ and loaded.n_iter_ == est.n_iter_
        # Refitting the loaded estimator fits the same problem: the same model, bit for bit.
        y = datasets.load_breast_cancer(return_X_y=True)[1] if hasattr(est, "classes_") else \
            datasets.load_diabetes(return_X_y=True)[1]
        assert clone(loaded).fit(X, y).coef_.tobytes() == est.coef_.tobytes()


def test_version_1_linear_files_still_load(tmp_path):
    # Version 1 has no penalty or l1_ratio: a ridge (alpha > 0) or least-squares model.
    X, y = datasets.load_diabetes(return_X_y=True)
    for est in (simdlr.Ridge(alpha=0.5).fit(X, y), simdlr.LinearRegression().fit(X, y)):
        path = tmp_path / "v1.json"
        est.save_model(path)
        d = json.loads(path.read_text())
        d["version"] = 1
        del d["options"]["penalty"], d["options"]["l1_ratio"]
        path.write_text(json.dumps(d))
        loaded = simdlr.load_model(path)
        assert type(loaded) is type(est)
        assert_same_model(est, loaded, X)


def run_cli(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, check=True).stdout


def read_csv_columns(text):
    rows = list(csv.reader(text.splitlines()))
    return rows[0], rows[1:]


@needs_cli
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("data", ["breast_cancer", "iris"])
def test_fit_equals_the_command_line_bitwise(tmp_path, dtype, data):
    X, y = getattr(datasets, f"load_{data}")(return_X_y=True)
    X = np.ascontiguousarray(X, dtype=dtype)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y.astype(np.float64))
    out = json.loads(run_cli("fit", "--x", tmp_path / "X.npy", "--y", tmp_path / "y.npy",
                             "--json", "--model", tmp_path / "cli.json"))
    ours = simdlr.LogisticRegression().fit(X, y)
    assert out["iterations"] == ours.fit_report_.iterations
    assert np.array(out["coef"]).tobytes() == ours.coef_.tobytes()
    assert np.array(out["intercept"]).tobytes() == ours.intercept_.tobytes()
    # The CLI's model file, loaded in Python, predicts what Python's own fit predicts.
    assert_same_model(simdlr.load_model(tmp_path / "cli.json"), ours, X)


@needs_cli
def test_one_vs_rest_equals_the_command_line_bitwise(tmp_path):
    X, y = datasets.load_iris(return_X_y=True)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y.astype(np.float64))
    out = json.loads(run_cli("fit", "--x", tmp_path / "X.npy", "--y", tmp_path / "y.npy",
                             "--multi-class", "ovr", "--json", "--model", tmp_path / "ovr.json"))
    ovr = OneVsRestClassifier(simdlr.LogisticRegression()).fit(X, y)
    ours = np.vstack([e.coef_ for e in ovr.estimators_])
    assert np.array(out["coef"]).tobytes() == ours.tobytes()
    # The CLI's one-vs-rest file predicts one-vs-rest in Python too.
    loaded = simdlr.load_model(tmp_path / "ovr.json")
    np.testing.assert_allclose(loaded.predict_proba(X), ovr.predict_proba(X), rtol=1e-12)


@needs_cli
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_command_line_predicts_a_python_model_bitwise(tmp_path, dtype):
    X, y = datasets.load_wine(return_X_y=True)
    X = np.ascontiguousarray(X, dtype=dtype)
    est = simdlr.LogisticRegression(standardize=True).fit(X, y)
    est.save_model(tmp_path / "py.json")
    np.save(tmp_path / "X.npy", X)
    header, rows = read_csv_columns(
        run_cli("predict", "--model", tmp_path / "py.json", "--x", tmp_path / "X.npy", "--proba"))
    assert header == ["0", "1", "2"]
    cli = np.array(rows, dtype=np.float64).astype(dtype)
    assert cli.tobytes() == est.predict_proba(X).tobytes()
    _, labels = read_csv_columns(
        run_cli("predict", "--model", tmp_path / "py.json", "--x", tmp_path / "X.npy"))
    np.testing.assert_array_equal(np.array(labels, dtype=np.int64).ravel(), est.predict(X))


@needs_cli
def test_csv_model_with_text_labels_and_names(tmp_path):
    pd = pytest.importorskip("pandas")
    csv_path = DATA / "iris.csv"
    frame = pd.read_csv(csv_path)
    target = frame.columns[-1]
    run_cli("fit", "--data", csv_path, "--target", target, "--model", tmp_path / "m.json")
    loaded = simdlr.load_model(tmp_path / "m.json")
    features = frame.drop(columns=[target])
    np.testing.assert_array_equal(loaded.feature_names_in_, features.columns.to_numpy(object))
    _, labels = read_csv_columns(
        run_cli("predict", "--model", tmp_path / "m.json", "--data", csv_path))
    np.testing.assert_array_equal(loaded.predict(features).astype(str),
                                  np.array(labels).ravel())
    refit = simdlr.LogisticRegression().fit(features, frame[target])
    assert refit.coef_.tobytes() == loaded.coef_.tobytes()


@needs_cli
def test_command_line_lasso_and_elastic_net_load_in_python(tmp_path):
    X, y = datasets.load_diabetes(return_X_y=True)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    for args, cls in [(["--penalty", "l1", "--alpha", "0.1"], simdlr.Lasso),
                      (["--penalty", "elasticnet", "--alpha", "0.05", "--l1-ratio", "0.3"],
                       simdlr.ElasticNet)]:
        out = json.loads(run_cli("fit", "--x", tmp_path / "X.npy", "--y", tmp_path / "y.npy",
                                 "--task", "linear", *args, "--json",
                                 "--model", tmp_path / "m.json"))
        loaded = simdlr.load_model(tmp_path / "m.json")
        assert type(loaded) is cls and loaded.alpha == float(args[3])
        if cls is simdlr.ElasticNet:
            assert loaded.l1_ratio == 0.3
        assert np.array(out["coef"][0]).tobytes() == loaded.coef_.tobytes()
        # Python's fit with the file's parameters is the command line's, bit for bit.
        refit = clone(loaded).fit(X, y)
        assert refit.coef_.tobytes() == loaded.coef_.tobytes()
        assert refit.intercept_ == loaded.intercept_


@needs_cli
def test_command_line_predicts_python_sparse_models_bitwise(tmp_path):
    for k, (est, X) in enumerate(fitted_sparse_models()):
        est.save_model(tmp_path / f"py{k}.json")
        np.save(tmp_path / "X.npy", X)
        if hasattr(est, "predict_proba"):
            _, rows = read_csv_columns(run_cli("predict", "--model", tmp_path / f"py{k}.json",
                                               "--x", tmp_path / "X.npy", "--proba"))
            expected = est.predict_proba(X)
        else:
            _, rows = read_csv_columns(run_cli("predict", "--model", tmp_path / f"py{k}.json",
                                               "--x", tmp_path / "X.npy"))
            expected = est.predict(X)
        cli = np.array(rows, dtype=np.float64).astype(X.dtype).reshape(expected.shape)
        assert cli.tobytes() == expected.tobytes(), type(est).__name__


@needs_cli
def test_command_line_l1_logistic_loads_in_python(tmp_path):
    X, y = datasets.load_breast_cancer(return_X_y=True)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y.astype(np.float64))
    out = json.loads(run_cli("fit", "--x", tmp_path / "X.npy", "--y", tmp_path / "y.npy",
                             "--penalty", "elasticnet", "--l1-ratio", "0.8", "--C", "0.1",
                             "--standardize", "--json", "--model", tmp_path / "m.json"))
    loaded = simdlr.load_model(tmp_path / "m.json")
    assert loaded.penalty == "elasticnet" and loaded.l1_ratio == 0.8 and loaded.C == 0.1
    assert np.array(out["coef"]).tobytes() == loaded.coef_.tobytes()
    assert clone(loaded).fit(X, y).coef_.tobytes() == loaded.coef_.tobytes()
