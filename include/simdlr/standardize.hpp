// The models' `standardize` option for code outside the model layer (the distributed fits):
// solve a problem on standardized features without copying X.
#pragma once

#include <cstddef>
#include <functional>
#include <span>

#include "simdlr/matrix.hpp"
#include "simdlr/objective.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr {

// Computes the column means and standard deviations of X (under a row partition,
// <simdlr/row_partition.hpp>: of the global rows, with the single-process bits on every part),
// reparametrises `data_term` (the unpenalised data term on the raw X, `rows` coefficient rows,
// fit_intercept as it was built with) to the standardized features, with the l2 penalty ½‖W'‖²
// on the standardized coefficients when `l2`, and runs `solve` on it. theta holds the start on
// entry and the solution on exit, both on the original scale, as LogisticRegression::fit with
// standardize does.
template <class T>
FitReport solve_standardized(Objective& data_term, MatrixView<const T> X, std::size_t rows,
                             bool fit_intercept, bool l2, std::span<double> theta,
                             const std::function<FitReport(Objective&, std::span<double>)>& solve,
                             Threads threads = {});

// The separable penalty Σ_j λ1 σ_j |w_j| + ½ Σ_j λ2 σ_j² w_j² for minimize_prox_newton, for
// `rows` coefficient rows of X.cols (then the rows' intercepts, unpenalised): with standardize,
// σ_j is the column's standard deviation (root mean square without an intercept; 1 for a
// constant column; under a row partition of the global rows), which is the penalty on the
// standardized coefficients written on the raw ones; without, σ_j = 1.
template <class T>
SeparablePenalty column_scaled_penalty(MatrixView<const T> X, std::size_t rows, bool fit_intercept,
                                       bool standardize, double l1, double l2,
                                       Threads threads = {});

}  // namespace simdlr
