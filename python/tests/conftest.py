"""Shared test setup."""

import os

# scikit-learn runs its array-API input check (with NumPy, the only namespace these estimators
# take) only when SciPy's array-API mode is on; it must be set before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
