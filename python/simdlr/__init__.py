"""simdlr: scikit-learn estimators on the simdlr C++ library's hand-vectorized kernels.

    import simdlr
    clf = simdlr.LogisticRegression(C=1.0).fit(X, y)   # same optimum as scikit-learn's
    clf.predict_proba(X), clf.fit_report_.converged, clf.fit_report_.relative_gap_bound
"""

from ._simdlr import (
    InvalidArgument,
    ModelFileError,
    ShapeError,
    SimdlrError,
    SingularSystem,
    UnsupportedIsa,
    __version__,
)
from . import kernels
from ._linear import ElasticNet, Lasso, LinearRegression, Ridge
from ._logistic import LogisticRegression
from ._model_io import load_model
from ._report import FitReport

__all__ = [
    "LogisticRegression",
    "LinearRegression",
    "Ridge",
    "Lasso",
    "ElasticNet",
    "FitReport",
    "load_model",
    "kernels",
    "SimdlrError",
    "InvalidArgument",
    "ShapeError",
    "UnsupportedIsa",
    "SingularSystem",
    "ModelFileError",
    "__version__",
]
