"""simdlr.kernels against NumPy, on every ISA this machine has."""

import numpy as np
import pytest
from scipy.special import expit

import simdlr
from simdlr import kernels

ISAS = kernels.available_isas()


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_match_numpy(isa, dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(10_001).astype(dtype)
    y = rng.standard_normal(10_001).astype(dtype)
    labels = (rng.random(10_001) < 0.5).astype(dtype)
    rtol = 1e-4 if dtype == np.float32 else 1e-12
    with kernels.use_isa(isa):
        assert kernels.active_isa() == isa
        d = kernels.dot(x, y)
        s = kernels.sigmoid(x * 20)
        loss = kernels.log_loss(x * 20, labels)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    assert d.dtype == dtype and s.dtype == dtype and loss.dtype == dtype
    assert d == pytest.approx(x64 @ y64, rel=rtol, abs=rtol * np.abs(x64 * y64).sum())
    np.testing.assert_allclose(s, expit(x64 * 20), rtol=rtol, atol=1e-30)
    z = (x * 20).astype(np.float64)
    assert loss == pytest.approx(np.sum(np.logaddexp(0, z) - labels * z), rel=rtol)


def test_isa_names_and_switching():
    assert ISAS[0] == "scalar" and kernels.best_isa() == ISAS[-1]
    before = kernels.active_isa()
    with kernels.use_isa("scalar"):
        assert kernels.active_isa() == "scalar"
    assert kernels.active_isa() == before


def test_sigmoid_in_place_and_mixed_inputs():
    z = np.linspace(-50, 50, 101, dtype=np.float32)
    expected = expit(z.astype(np.float64))
    assert kernels.sigmoid(z, out=z) is z
    np.testing.assert_allclose(z, expected, rtol=1e-6)
    # A list and a float32 array: converted once to float64.
    assert kernels.dot([1, 2, 3], np.ones(3, np.float32)).dtype == np.float64
    with pytest.raises(simdlr.ShapeError):
        kernels.dot(np.ones(3), np.ones(4))


def test_environment_variable_picks_the_isa():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "import simdlr; print(simdlr.kernels.active_isa())"],
        env={"SIMDLR_ISA": "scalar"}, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "scalar"
