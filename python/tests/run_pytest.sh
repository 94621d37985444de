#!/usr/bin/env bash
# ctest's python_tests: run_pytest.sh PYTHON TESTS_DIR SIMDLR_CLI. Runs pytest on TESTS_DIR with
# PYTHON (the venv the package was installed into) from the current (build) directory, so the
# installed package is imported, not the sources. Exit 77 (skipped) without that venv.
set -euo pipefail
python=$1 tests=$2
if [[ ! -x $python ]] || ! "$python" -c "import simdlr" 2>/dev/null; then
  echo "python_tests: no $python with the simdlr package; run scripts/test (or scripts/python-venv --install)"
  exit 77
fi
export SIMDLR_CLI=$3
exec "$python" -m pytest -p no:cacheprovider -q -rs "$tests"
