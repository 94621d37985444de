#include "one_row_certificate.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "certificate_math.hpp"
#include "one_row_sums.hpp"
#include "partition_rows.hpp"
#include "pooled_rows.hpp"
#include "row_sample.hpp"
#include "row_statistics.hpp"
#include "simdlr/linalg.hpp"
#include "wide_passes.hpp"

namespace simdlr::detail {
namespace {

// Work n·m² above which the Hessian certificate uses bounds instead of exact sums: the Gram
// matrix of a sample of the rows (every k-th row; the full one only when no sample has 2 rows in
// k, with double data), and instead of the exact largest leverage (n·m²/2), κ ‖S a_i‖² bounded
// through the column maxima of |a_ij|. R only enters the bound's higher-order term
// (ω(Rν)/R² = ν²/2 + Rν³/6 + …), so its looseness costs little once Rν is small; below this
// work too, the exact leverage is computed only when the bound leaves Rν large (hessian_bound).
constexpr double kExactWork = 5e7;

// The sample's size: enough rows that its Hessian resembles the full one's shape.
std::size_t sample_stride(std::size_t n, std::size_t m) {
  const std::size_t rows = std::max<std::size_t>(10000, 50 * m);
  return std::max<std::size_t>(1, n / rows);
}

// The sparsest sample of at least max(2,000, 20 m) rows: every this-many-th row (at least 1).
std::size_t sparsest_stride(std::size_t n, std::size_t m) {
  return std::max<std::size_t>(1, n / std::max<std::size_t>(2000, 20 * m));
}

// The step for a check: sample_stride's, or, given the solver's estimate of the gap, the
// sparsest sample whose bound should hold with a factor 2 to spare (a sample of every k-th row
// has about 1/k of the data's curvature, so its bound is about k times the estimate), of at least
// max(2,000, 20 m) rows (fewer would lose curvature to the sample's own spread). Without an
// estimate, or when only every row would be expected to do (whose Gram matrix costs several
// passes' worth of work, more than another iteration and check), sample_stride's.
std::size_t check_stride(std::size_t n, std::size_t m, double enough, double estimate) {
  const std::size_t stride = sample_stride(n, m);
  const double fits = enough / (2 * estimate);
  if (!(estimate > 0) || !(fits >= 2)) return stride;
  const std::size_t sparsest = sparsest_stride(n, m);
  return fits < double(sparsest) ? std::size_t(fits) : sparsest;
}

// Deferring a check whose Hessian sample would be dense. The Gram matrix of every k-th row costs
// about m / (32 k) passes' worth of work (the preconditioner's cost model: a Gram multiply-add
// runs about 16 times faster than a pass reads an element), 1.75 times that for a strided
// sample, whose rows are copied first (200,000 x 100 float64, 1 thread: every 2nd row 25.8 ms,
// every 4th 13.3 ms, a pass 9.5 ms). Above kDeferPasses, one more iteration (about one pass)
// and a sparse sample after it cost less: near the optimum the estimate falls about ten-fold
// per iteration (10,000 x 100 float64: the full Gram matrix, 1.3 ms, against a 0.4 ms pass).
// Float data have no full Gram matrix here (below), so a check that would need one can only
// try tier 1, which the request says cannot hold. Returns GapBound::retry_below, 0 to check now.
constexpr double kDeferPasses = 1.5;

double gram_passes(std::size_t m, std::size_t stride) {
  return double(m) / (32.0 * double(stride)) * (stride > 1 ? 1.75 : 1.0);
}

double deferral(std::size_t n, std::size_t m, bool float_data, const CertifyRequest& request) {
  if (!request.may_defer || !request.hessian_allowed || !request.l1_penalty.empty()) return 0;
  if (request.tier1_estimate <= request.enough || !(request.estimate > 0)) return 0;
  if (double(n) * double(m) * double(m) <= kExactWork) return 0;
  std::size_t cheap = 2;  // the densest sample worth its cost
  while (gram_passes(m, cheap) > kDeferPasses)
    ++cheap;
  const std::size_t stride = check_stride(n, m, request.enough, request.estimate);
  const bool costly = (float_data && stride == 1) || gram_passes(m, stride) > kDeferPasses;
  if (!costly || sparsest_stride(n, m) < cheap) return 0;
  return request.enough / (2 * double(cheap));
}

// H_S = Σ_{i ∈ S} c_i ℓ″_i a_i a_iᵀ + diag(p, 0), S every `stride`-th row (all rows: stride 1).
// Every dropped term is positive semidefinite, so H_S ⪯ H: gᵀH_S⁻¹g ≥ ν² and a_iᵀH_S⁻¹a_i ≥ the
// leverages, and the bound, increasing in both, stays a bound. Float data are widened exactly.
// weight: c_i ℓ″_i of this process's rows.
template <class T>
bool factor_hessian(const ObjectiveData<T>& data, std::span<const double> weight,
                    std::size_t stride, std::span<const double> penalty, linalg::Cholesky& out) {
  const std::size_t d = data.d, m = d + (data.fit_intercept ? 1 : 0);
  std::vector<double> H(m * m);
  // The sample: every `stride`-th row by global index (row_sample.hpp). Under a row partition with
  // stride 1, this part's block with the partition active; with a sample, every part's sampled
  // rows and weights gathered (a few thousand rows), then as on one process.
  const RowSample<T> picked = RowSample<T>::every(data.X, stride);
  const MatrixView<const T> sample = picked.X();
  const std::vector<double> w = picked.values(weight.data());
  const std::size_t rows = w.size();
  const ScopedRowPartition scope(picked.partition());
  if (stride == 1) {
    wide_gram(sample, w, data.fit_intercept, H, data.threads);
  } else {
    // A block of rows at a time, copied (widened from float exactly) with the rows requested
    // ahead: a kernel pass over rows `stride` rows apart waits on memory for every row. The
    // blocks' Gram matrices are added in block order.
    constexpr std::size_t kBlock = 2048;
    std::vector<double> copied(std::min(rows, kBlock) * d), block(m * m);
    for (std::size_t begin = 0; begin < rows; begin += kBlock) {
      const std::size_t count = std::min(kBlock, rows - begin);
      copy_rows(sample, begin, count, copied.data());
      wide_gram(MatrixView<const double>(copied.data(), count, d),
                std::span<const double>(w).subspan(begin, count), data.fit_intercept, block,
                data.threads);
      for (std::size_t k = 0; k < m * m; ++k)
        H[k] += block[k];
    }
  }
  for (std::size_t j = 0; j < d; ++j)
    H[j * m + j] += penalty[j];
  return out.factor(H, m);
}

// H_S of a sample (stride > 1) from linalg::gram_below_in_float, kept when its rounding allowance R
// raises ν² by at most kAllowanceShare: along M + tR, ν² = gᵀ(M + tR)⁻¹g is convex and decreasing
// in t, so ν²(M) − ν²(M + R) ≤ zᵀRz with z = M⁻¹g. Otherwise (float out of range, M not positive
// definite, or the allowance too large for the data's conditioning: correlated columns) false,
// and the fit's later checks go straight to double. (200,000 x 100 float64, a check's sample of
// every 5th row: see bench/README.md, "The certificate's sampled Hessian in float".)
constexpr double kAllowanceShare = 0.05;

template <class T>
bool factor_in_float(const ObjectiveData<T>& data, std::span<const double> c,
                     std::span<const double> weight, std::size_t stride,
                     std::span<const double> penalty, std::span<const double> gradient,
                     RowNormCache& cache, linalg::Cholesky& out) {
  if (stride == 1 || cache.float_gram_unfit) return false;
  const std::size_t m = data.d + (data.fit_intercept ? 1 : 0);
  // (The maxima of every part's rows, before the sample's scope.)
  const std::span<const double> column_max = column_max_abs(data.X, c, data.threads, cache);
  const RowSample<T> picked = RowSample<T>::every(data.X, stride);
  const std::vector<double> w = picked.values(weight.data());
  const ScopedRowPartition scope(picked.partition());  // (none: a sample is gathered)
  linalg::GramBelow lower =
      linalg::gram_below_in_float(picked.X(), w, data.fit_intercept, column_max, data.threads);
  for (std::size_t j = 0; j < data.d && !lower.matrix.empty(); ++j)
    lower.matrix[j * m + j] += penalty[j];
  if (!lower.matrix.empty() && out.factor(lower.matrix, m)) {
    std::vector<double> z(gradient.begin(), gradient.end());
    out.solve(z);
    double nu2 = 0, raised = 0;
    for (std::size_t j = 0; j < m; ++j) {
      nu2 += gradient[j] * z[j];
      raised += lower.allowance[j] * z[j] * z[j];
    }
    if (raised <= kAllowanceShare * nu2) return true;
  }
  cache.float_gram_unfit = true;
  return false;
}

// The largest leverage a_iᵀH⁻¹a_i over the rows: exactly (n·m²/2 flops), or bounded by
// ‖L⁻¹‖_F² · Σ_j s_j² max_i a_ij² (S the Jacobi scaling) without a pass.
template <class T>
double largest_leverage(const ObjectiveData<T>& data, std::span<const double> c,
                        const linalg::Cholesky& cholesky, bool exact, RowNormCache& cache) {
  const std::size_t n = data.X.rows, d = data.d, m = cholesky.size();
  if (!exact) {
    std::vector<double> a(m, 1.0);
    const std::span<const double> column_max = column_max_abs(data.X, c, data.threads, cache);
    std::copy(column_max.begin(), column_max.end(), a.begin());
    return cholesky.scaled_norm_squared(a) * cholesky.inverse_bound();
  }
  // Rows with c_i > 0, widened (and with the intercept's 1), a block at a time.
  constexpr std::size_t kBlock = 256;
  std::vector<double> block(kBlock * m, 1.0);
  double r2 = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t count = 0;
    for (; i < n && count < kBlock; ++i) {
      if (c[i] == 0) continue;
      std::copy_n(data.X.data + i * data.X.stride, d, block.begin() + std::ptrdiff_t(count * m));
      ++count;
    }
    r2 = std::max(r2, cholesky.largest_inverse_quadratic(block, count));
  }
  max_over_parts(std::span<double>(&r2, 1));  // under a row partition: of every part's rows
  return r2;
}

// Tier 2 (and the exact quadratic form) from H_S: the squared loss's gap is ½ν²; the logistic
// one's ω(Rν)/R² with R² ≥ the largest leverage. +inf when H_S is not positive definite.
// `enough`: the bound that would do (exact leverages are computed only when the one from the
// column maxima misses it).
template <class T>
double hessian_bound(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const double> c,
                     std::span<const double> weight, std::size_t stride,
                     std::span<const double> penalty, std::span<const double> gradient, bool exact,
                     double enough, RowNormCache& cache) {
  linalg::Cholesky cholesky;
  if (!factor_in_float(data, c, weight, stride, penalty, gradient, cache, cholesky) &&
      !factor_hessian(data, weight, stride, penalty, cholesky))
    return kInfinity;
  std::vector<double> scratch(cholesky.size());
  const double nu2 = cholesky.inverse_quadratic(gradient, scratch);
  if (loss == OneRowLoss::squared) return 0.5 * nu2;
  // The leverage bound without a pass first: R enters only the higher-order terms, ω(Rν)/R² =
  // ν²/2 · (1 + Rν/3 + …), so once it gives Rν ≤ kTightLeverage the exact leverages (n·m²/2
  // flops, a fifth of a small fit) could lower the bound by 1 % at most; and once it is enough,
  // a lower one would not change the outcome (10,000 x 10: Rν = 0.06, exact leverages 1.5 %
  // lower, 17 % of the fit's time). (Every part of a row partition decides alike: the column
  // maxima and ν² are global.)
  constexpr double kTightLeverage = 0.03;
  const auto bound = [&](double r2) {
    return r2 > 0 ? omega_upper(std::sqrt(r2 * nu2)) / r2 : kInfinity;
  };
  const double r2 = largest_leverage(data, c, cholesky, false, cache);
  const double loose = bound(r2);
  if (!exact || std::sqrt(r2 * nu2) <= kTightLeverage || loose <= enough) return loose;
  return bound(largest_leverage(data, c, cholesky, true, cache));
}

template <class T>
void hessian_tier(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const double> c,
                  std::span<const double> weight, std::span<const double> penalty,
                  std::span<const double> gradient, double enough, double estimate, double raised,
                  RowNormCache& cache, GapBound& out) {
  // The bounds are for (w, b₀); the point returned is (w, b̂), whose F may exceed F(w, b₀) by
  // `raised` (rounding; see certify_one_row), added to each.
  // c and weight (c_i ℓ″_i at b₀): this process's rows; n: the global rows (under a row
  // partition: of every part).
  const RowPartition* partition = active_row_partition();
  const std::size_t n = partition ? partition->global_rows() : c.size();
  const std::size_t m = data.d + (data.fit_intercept ? 1 : 0);
  const Certificate kind =
      loss == OneRowLoss::squared ? Certificate::quadratic : Certificate::hessian;
  const double work = double(n) * double(m) * double(m);
  if (work <= kExactWork) {
    keep_smaller(out,
                 raised + hessian_bound(loss, data, c, weight, 1, penalty, gradient, true,
                                        enough - raised, cache),
                 kind);
    return;
  }
  const std::size_t stride = check_stride(n, m, enough, estimate);
  if (stride > 1) {
    const double sampled =
        raised + hessian_bound(loss, data, c, weight, stride, penalty, gradient, false, 0, cache);
    keep_smaller(out, sampled, kind);
    if (out.bound <= enough) return;
    // A sample k times denser has a bound about k times smaller. One that would succeed with a
    // factor 2 to spare is tried while it stays sparse; at full density (a Gram pass costs
    // several passes' worth of work) another iteration and check are usually cheaper.
    const double needed = sampled / enough;
    const double denser = double(stride) / (2 * needed);
    if (denser >= 2) {
      keep_smaller(out,
                   raised + hessian_bound(loss, data, c, weight, std::size_t(denser), penalty,
                                          gradient, false, 0, cache),
                   kind);
    }
    return;
  }
  if (!std::is_same_v<T, double>) return;
  keep_smaller(out,
               raised + hessian_bound(loss, data, c, weight, 1, penalty, gradient, false, 0, cache),
               kind);
}

}  // namespace

// A check at x = (w, b₀) (docs/convergence.md, section 6):
// 1. one pass: the margins and ∇F(w, b₀), so the gradient's intercept part is exact;
// 2. the intercept polished on the margins (no pass) to b̂, F(w, b̂) ≤ F(w, b₀);
// 3. tier 1 at (w, b̂) with ‖∇_w F(w, b̂)‖ ≤ ‖∇_w F(w, b₀)‖ + L′ |b̂ − b₀| Σ c_i ‖x_i‖_{P⁻¹};
// 4. if that is not enough, tier 2 at (w, b₀), which also bounds F(w, b̂) − F*;
// 5. without tier 2, tier 1 with the exact gradient at b̂: a second pass.
template <class T>
GapBound certify_one_row(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const T> y,
                         double scale, double own_penalty, std::span<double> x,
                         const CertifyRequest& request, RowNormCache& cache, const LastPass& last) {
  const std::size_t n = data.X.rows, d = data.d;
  // Under a row partition: uniform weights on every part that has rows. The sums over rows below
  // are over every part's rows (row_sums), the passes over X on this part's rows.
  {
    const RowPartition* partition = active_row_partition();
    GapBound deferred;
    deferred.retry_below =
        deferral(partition ? partition->global_rows() : n, d + (data.fit_intercept ? 1 : 0),
                 !std::is_same_v<T, double>, request);
    if (deferred.retry_below > 0) return deferred;
  }
  bool uniform = data.sample_weight.empty();
  if (active_row_partition()) {
    double weighted = uniform || n == 0 ? 0.0 : 1.0;  // a part without rows has no say
    max_over_parts(std::span<double>(&weighted, 1));
    uniform = weighted == 0.0;
  }
  std::vector<double> w(x.begin(), x.begin() + std::ptrdiff_t(d)), g(x.size());
  PooledRows u(n), c(n);
  std::vector<double> penalty(d);
  for (std::size_t j = 0; j < d; ++j)
    penalty[j] = penalty_of(request, j, own_penalty);
  for (std::size_t i = 0; i < n; ++i)
    c[i] = scale * (uniform ? 1.0 : double(data.sample_weight[i]));
  const double start_b = data.fit_intercept ? x[d] : 0.0;
  if (!last.margins.empty()) {
    std::copy(last.margins.begin(), last.margins.end(), u.begin());
    for (std::size_t j = 0; j < d; ++j)
      g[j] = last.scaled ? last.gradient[j] : last.gradient[j] * scale;  // as gradient_pass
  } else {
    gradient_pass(loss, data, y, scale, c, w, start_b, u, std::span<double>(g).first(d), cache);
  }
  // ∇F(w, b₀) and F(w, b₀) from the margins.
  // (c_i ℓ″_i at b₀ come with them, kept for the Hessian tier.)
  PooledRows weight(request.hessian_allowed ? n : 0);
  const RowSums at_start = row_sums(loss, u, 0.0, y, c, uniform, true, data.threads, {}, weight);
  double penalty_value = 0;
  bool strongly_convex = true;
  double norm2 = 0;
  for (std::size_t j = 0; j < d; ++j) {
    penalty_value += 0.5 * penalty[j] * w[j] * w[j];
    g[j] += penalty[j] * w[j];
    strongly_convex = strongly_convex && penalty[j] > 0;
    if (penalty[j] > 0) norm2 += g[j] * g[j] / penalty[j];
  }
  if (data.fit_intercept) g[d] = at_start.first;
  const double start_value = at_start.value + penalty_value;

  // The polished intercept, kept only if it did not raise F.
  double b = start_b;
  InterceptBound intercept{0, 0};
  double value = start_value;
  if (data.fit_intercept) {
    double data_value = 0;
    intercept = polish_intercept(loss, u, start_b, y, c, uniform, data.threads, at_start, false, b,
                                 data_value);
    value = data_value + penalty_value;
    // Kept unless it raised F beyond the rounding of the two sums (at an intercept that was
    // already optimal, F(w, b̂) may come out a few ulps above F(w, b₀): the bound refers to the
    // returned point, so b̂ is still the one to keep, its gradient being the more exact).
    if (!(value <= start_value + 1e-13 * std::fabs(start_value))) {
      b = start_b;
      value = start_value;
      intercept = polish_intercept(loss, u, start_b, y, c, uniform, data.threads, at_start, false,
                                   b, data_value, 0);
    }
    x[d] = b;
  }

  GapBound out;
  out.objective = value;
  const double lipschitz = first_derivative_lipschitz(loss);
  const bool tier1 = strongly_convex && std::isfinite(intercept.gap);
  // Tier 1's intercept terms are L′ times how far the intercept moved (about 1e-7 at a check)
  // times Σ c_i ‖x_i‖_{P⁻¹}. That sum is first bounded without a pass, by (Σ_i c_i) (Σ_j M_j² /
  // p_j)^½ with M_j the column maxima when they are known (about √(2 ln n) times the sum on
  // Gaussian rows); computed (a pass, once per fit) only where the bound misses without it
  // (100,000 x 1,000: the sum's pass saved, the exact gradient at b̂ certifying with the bound).
  const bool maxima_known = !cache.column_max.empty() || !cache.known_column_max.empty();
  double rows_norm_bound = kInfinity;
  if (tier1 && data.fit_intercept && maxima_known) {
    const std::span<const double> column_max = column_max_abs(data.X, c, data.threads, cache);
    double spread = 0;
    for (std::size_t j = 0; j < d; ++j)
      spread += column_max[j] * column_max[j] / penalty[j];
    rows_norm_bound = row_total(std::span<const double>(c), row_threads(data.threads, n)) *
                      std::sqrt(spread) * (1 + 1e-8);  // (over the rounding of the sums)
  }
  const bool bounded = std::isfinite(rows_norm_bound);
  const auto rows_norm = [&](bool exact) {  // the sum itself where there is no bound of it
    return exact || !bounded ? row_norm_sum(data.X, c, penalty, data.threads, cache)
                             : rows_norm_bound;
  };
  // Tier 1 with the gradient at b₀: only when the bound without the intercept's terms would be
  // enough, or when there is no tier 2 to try first.
  const auto try_tier1 = [&](bool exact) {
    const double moved = std::fabs(b - start_b);
    const double delta =
        data.fit_intercept ? lipschitz * (intercept.shift + moved) * rows_norm(exact) : 0.0;
    keep_smaller(out, tier1_bound(intercept, std::sqrt(norm2), delta),
                 Certificate::strong_convexity);
  };
  const bool tier1_first =
      !request.hessian_allowed || tier1_bound(intercept, std::sqrt(norm2), 0.0) <= request.enough;
  if (tier1 && tier1_first) try_tier1(false);
  bool hessian_tried = false;
  if (request.hessian_allowed && out.bound > request.enough) {
    hessian_tier(loss, data, c, weight, penalty, g, request.enough, request.estimate,
                 std::max(0.0, value - start_value), cache, out);
    hessian_tried = std::isfinite(out.bound);
  }
  const bool tier1_tried = tier1 && (tier1_first || !hessian_tried);
  if (tier1 && !tier1_first && !hessian_tried) try_tier1(false);
  // The exact gradient at b̂ is within L′ |b̂ − b₀| Σ c_i ‖x_i‖_{P⁻¹} of the one at b₀, so its
  // bound is at least the one below: when that already misses, the pass could not succeed.
  const auto exact_may_succeed = [&] {
    const double floor =
        std::max(0.0, std::sqrt(norm2) - lipschitz * std::fabs(b - start_b) * rows_norm(false));
    return tier1_bound(intercept, floor, 0.0) <= request.enough;
  };
  double exact_norm2 = -1;  // ‖∇_w F(w, b̂)‖²_{P⁻¹}, when computed
  if (!hessian_tried && out.bound > request.enough && strongly_convex &&
      std::isfinite(intercept.gap) && b != start_b && exact_may_succeed()) {
    // Tier 1 with the exact gradient at b̂.
    PooledRows r(n);  // r_i = c_i ℓ′ at b̂
    std::vector<double> exact(d);
    row_sums(loss, u, b - start_b, y, c, uniform, false, data.threads, r);
    wide_transpose_product(data.X, r, exact, data.threads);
    exact_norm2 = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double gj = exact[j] + penalty[j] * w[j];
      exact_norm2 += gj * gj / penalty[j];
    }
    keep_smaller(out,
                 tier1_bound(intercept, std::sqrt(exact_norm2),
                             lipschitz * intercept.shift * rows_norm(false)),
                 Certificate::strong_convexity);
  }
  // Where the bound of the sum missed, the bounds again with the sum itself.
  if (bounded && tier1_tried && out.bound > request.enough) {
    try_tier1(true);
    if (exact_norm2 >= 0) {
      keep_smaller(out,
                   tier1_bound(intercept, std::sqrt(exact_norm2),
                               lipschitz * intercept.shift * rows_norm(true)),
                   Certificate::strong_convexity);
    }
  }
  if (!std::isfinite(out.bound)) {
    out.note = !strongly_convex && !request.hessian_allowed
                   ? "no certificate without a penalty above the Hessian certificate's size"
                   : "the bound does not hold yet (far from the optimum, or no finite optimum: "
                     "classes may be separable)";
  }
  return out;
}

double one_row_gap_estimate(std::span<const double> gradient, std::size_t coefficients,
                            double own_penalty) {
  if (!(own_penalty > 0)) return kInfinity;
  double norm2 = 0;
  for (std::size_t j = 0; j < coefficients; ++j)
    norm2 += gradient[j] * gradient[j];
  return 0.5 * norm2 / own_penalty;
}

template GapBound certify_one_row<float>(OneRowLoss, const ObjectiveData<float>&,
                                         std::span<const float>, double, double, std::span<double>,
                                         const CertifyRequest&, RowNormCache&, const LastPass&);
template GapBound certify_one_row<double>(OneRowLoss, const ObjectiveData<double>&,
                                          std::span<const double>, double, double,
                                          std::span<double>, const CertifyRequest&, RowNormCache&,
                                          const LastPass&);

}  // namespace simdlr::detail
