#!/usr/bin/env bash
# ctest memcheck_fit_predict: a small fit and predict with the simdlr tool under valgrind memcheck
# (logistic on the bundled breast cancer data, float32 and float64, plus a linear fit). Any memory
# error or definite/indirect leak fails the test. Exits 77 (ctest: skipped) without valgrind.
#   memcheck_fit_predict.sh SIMDLR_EXECUTABLE DATA_DIR WORK_DIR
set -euo pipefail
cli=$1 data=$2 work=$3
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind is not installed: test skipped (scripts/install-deps installs it)"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
# Valgrind 3.19 cannot run AVX-512 code; its virtual CPU should not report AVX-512, and the
# dispatcher then picks AVX2 at most. Say which ISA ran.
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes)
"${vg[@]}" "$cli" info
"${vg[@]}" "$cli" fit --data "$data/breast_cancer.csv" --target diagnosis --standardize \
  --threads 2 --model "$work/m64.json"
"${vg[@]}" "$cli" fit --data "$data/breast_cancer.csv" --target diagnosis --standardize \
  --precision float32 --solver newton --model "$work/m32.json"
"${vg[@]}" "$cli" predict --model "$work/m64.json" --data "$data/breast_cancer.csv" --proba \
  --output "$work/p.csv"
"${vg[@]}" "$cli" eval --model "$work/m32.json" --data "$data/breast_cancer.csv"
"${vg[@]}" "$cli" fit --task linear --data "$data/diabetes.csv" --target progression \
  --model "$work/lin.json"
"${vg[@]}" "$cli" predict --model "$work/lin.json" --data "$data/diabetes.csv" >/dev/null
echo "memcheck: clean"
