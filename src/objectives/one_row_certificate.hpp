// The certificate of the objectives with one coefficient row (logistic, least squares):
// docs/convergence.md, sections 2a (tier 1), 2b (tier 2 and the exact quadratic form), 2e
// (double arithmetic over float data).
#pragma once

#include <span>
#include <vector>

#include "simdlr/objective.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr::detail {

enum class OneRowLoss { logistic, squared };

// What the objective's last fused pass left, when it was at the point to certify (double data):
// the margins x_i·w + b and the gradient sums Σ s_i ℓ′ x_i, exactly what the check's first pass
// would compute, so the check skips that pass; or, scaled, what the check's own pass over float
// data computes (the widened pass of an evaluation in double, whose sums are C Σ s_i ℓ′ x_i).
// Empty: no such pass.
struct LastPass {
  std::span<const double> margins, gradient;
  bool scaled = false;
};

// The bound at x for F = scale · Σ s_i ℓ(y_i, x_i·w + b) + ½ Σ_j p_j w_j², p_j = own_penalty or
// the request's. Moves x's intercept to its exact minimiser (with fit_intercept).
template <class T>
GapBound certify_one_row(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const T> y,
                         double scale, double own_penalty, std::span<double> x,
                         const CertifyRequest& request, RowNormCache& cache,
                         const LastPass& last = {});

// The duality gap at x of F = scale · Σ s_i ℓ(y_i, x_i·w + b) + Σ_j l1_j |w_j| + ½ Σ_j p_j w_j²,
// l1 the request's l1_penalty (not empty), p_j as in certify_one_row (elastic_net_gap.cpp).
// Moves x's intercept to its exact minimiser (with fit_intercept). One pass over X, two when the
// intercept moved (the gradient at the moved point); none of them with a LastPass at x and an
// intercept already exact.
template <class T>
GapBound certify_elastic_net(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const T> y,
                             double scale, double own_penalty, std::span<double> x,
                             const CertifyRequest& request, RowNormCache& cache,
                             const LastPass& last = {});

// The tier-1 estimate without a pass: ½ Σ_j g_j² / p_j over the coefficients (+inf if some
// p_j = 0).
double one_row_gap_estimate(std::span<const double> gradient, std::size_t coefficients,
                            double own_penalty);

}  // namespace simdlr::detail
