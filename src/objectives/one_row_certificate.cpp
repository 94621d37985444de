#include "one_row_certificate.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "certificate_math.hpp"
#include "simdlr/linalg.hpp"
#include "wide_passes.hpp"

namespace simdlr::detail {
namespace {

// ℓ, ℓ′ and ℓ″ of a loss at margin z, in double.
struct LossAt {
  double value, first, second;
};

LossAt loss_at(OneRowLoss loss, double y, double z) {
  if (loss == OneRowLoss::squared) {
    const double r = z - y;
    return {0.5 * r * r, r, 1.0};
  }
  const double e = std::exp(-std::fabs(z));
  const double p = z >= 0 ? 1 / (1 + e) : e / (1 + e);  // σ(z), never 1 − (small)
  const double value = std::log1p(e) + (z >= 0 ? (1 - y) * z : -y * z);
  return {value, p - y, p * (1 - p)};
}

// |ℓ′(z + t) − ℓ′(z)| ≤ L′ |t|: the slope of ℓ′ is at most ¼ (logistic) or 1 (squared).
double first_derivative_lipschitz(OneRowLoss loss) {
  return loss == OneRowLoss::squared ? 1.0 : 0.25;
}

// Newton on the intercept β for h(β) = Σ c_i ℓ(y_i, z_i + β) from β = b (no pass over X; z are
// the margins without intercept). Leaves b at the last point evaluated and returns the bound
// there: squared loss exactly, logistic by self-concordance (h″(β + t) ≥ h″(β) e^{−|t|}).
template <class T>
InterceptBound polish_intercept(OneRowLoss loss, std::span<const double> z, std::span<const T> y,
                                std::span<const double> c, double& b) {
  double previous = kInfinity;
  for (int iteration = 0;; ++iteration) {
    double g = 0, h = 0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      if (c[i] == 0) continue;
      const LossAt l = loss_at(loss, double(y[i]), z[i] + b);
      g += c[i] * l.first;
      h += c[i] * l.second;
    }
    if (!(h > 0) || !std::isfinite(g)) return {};
    const double u = std::fabs(g) / h;
    InterceptBound bound;
    if (loss == OneRowLoss::squared) {
      bound = {0.5 * g * g / h, u};
    } else if (u < 1) {
      bound = {h * omega_upper(u), -std::log1p(-u)};
    }
    // Stop at rounding level, when a step no longer helps, or after enough steps.
    if (u <= 1e-15 * (1 + std::fabs(b)) || !(u < 0.5 * previous) || iteration == 50) return bound;
    previous = u;
    b -= (u < 0.25 || loss == OneRowLoss::squared) ? g / h : g / h / (1 + u);
  }
}

template <class T>
double row_norm_sum(const ObjectiveData<T>& data, std::span<const double> c,
                    std::span<const double> penalty, RowNormCache& cache) {
  if (cache.value >= 0 &&
      std::equal(penalty.begin(), penalty.end(), cache.penalty.begin(), cache.penalty.end())) {
    return cache.value;
  }
  double sum = 0;
  for (std::size_t i = 0; i < data.X.rows; ++i) {
    if (c[i] == 0) continue;
    const T* row = data.X.data + i * data.X.stride;
    double s = 0;
    for (std::size_t j = 0; j < data.d; ++j)
      s += double(row[j]) * double(row[j]) / penalty[j];
    sum += c[i] * std::sqrt(s);
  }
  cache.penalty.assign(penalty.begin(), penalty.end());
  cache.value = sum;
  return sum;
}

// Work above which the Hessian certificate uses bounds instead of exact sums: a Gram matrix in
// double over float data (n·m² flops on one thread) is replaced by nothing (tier 1 only), and
// the exact largest leverage (n·m²/2) by max_i ‖S a_i‖² · ‖L⁻¹‖_F², one plain pass. R only
// enters the bound's higher-order term (ω(Rν)/R² = ν²/2 + Rν³/6 + …), so its looseness costs
// little once Rν is small.
constexpr double kExactWork = 5e7;

// Tier 2 (and the exact quadratic form): H = Aᵀ diag(c ℓ″) A + diag(p, 0), ν² = gᵀH⁻¹g; the
// squared loss's gap is ½ν²; the logistic one's ω(Rν)/R² with R² ≥ the largest leverage.
template <class T>
void hessian_tier(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const double> z,
                  std::span<const T> y, std::span<const double> c, double b,
                  std::span<const double> penalty, std::span<const double> gradient,
                  GapBound& out) {
  const std::size_t n = data.X.rows, d = data.d, m = d + (data.fit_intercept ? 1 : 0);
  const double work = double(n) * double(m) * double(m);
  if (std::is_same_v<T, float> && work > kExactWork) return;
  std::vector<double> weight(n), H(m * m), scratch(m), a(m);
  for (std::size_t i = 0; i < n; ++i)
    weight[i] = c[i] == 0 ? 0.0 : c[i] * loss_at(loss, double(y[i]), z[i] + b).second;
  wide_gram(data.X, weight, data.fit_intercept, H, data.threads);
  for (std::size_t j = 0; j < d; ++j)
    H[j * m + j] += penalty[j];
  linalg::Cholesky cholesky;
  if (!cholesky.factor(H, m)) return;
  const double nu2 = cholesky.inverse_quadratic(gradient, scratch);
  if (loss == OneRowLoss::squared) {
    keep_smaller(out, 0.5 * nu2, Certificate::quadratic);
    return;
  }
  const bool exact = work <= kExactWork;
  double r2 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (c[i] == 0) continue;
    for (std::size_t j = 0; j < d; ++j)
      a[j] = double(data.X.data[i * data.X.stride + j]);
    if (data.fit_intercept) a[d] = 1;
    r2 = std::max(r2,
                  exact ? cholesky.inverse_quadratic(a, scratch) : cholesky.scaled_norm_squared(a));
  }
  if (!exact) r2 *= cholesky.inverse_bound();
  if (r2 > 0) keep_smaller(out, omega_upper(std::sqrt(r2 * nu2)) / r2, Certificate::hessian);
}

}  // namespace

template <class T>
GapBound certify_one_row(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const T> y,
                         double scale, double own_penalty, std::span<double> x,
                         const CertifyRequest& request, RowNormCache& cache) {
  const std::size_t n = data.X.rows, d = data.d;
  std::vector<double> w(x.begin(), x.begin() + std::ptrdiff_t(d)), z(n), c(n), r(n), g(x.size());
  std::vector<double> penalty(d);
  for (std::size_t j = 0; j < d; ++j)
    penalty[j] = penalty_of(request, j, own_penalty);
  for (std::size_t i = 0; i < n; ++i)
    c[i] = scale * (data.sample_weight.empty() ? 1.0 : double(data.sample_weight[i]));
  wide_margins(data.X, w, z, data.threads);

  double b = data.fit_intercept ? x[d] : 0.0;
  InterceptBound intercept{0, 0};
  if (data.fit_intercept) {
    intercept = polish_intercept(loss, z, y, c, b);
    x[d] = b;
  }
  long double value = 0, gradient_b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (c[i] == 0) {
      r[i] = 0;
      continue;
    }
    const LossAt l = loss_at(loss, double(y[i]), z[i] + b);
    value += c[i] * l.value;
    r[i] = c[i] * l.first;
    gradient_b += r[i];
  }
  wide_transpose_product(data.X, r, std::span<double>(g).first(d), data.threads);
  bool strongly_convex = true;
  double norm2 = 0;
  for (std::size_t j = 0; j < d; ++j) {
    value += 0.5L * penalty[j] * w[j] * w[j];
    g[j] += penalty[j] * w[j];
    strongly_convex = strongly_convex && penalty[j] > 0;
    if (penalty[j] > 0) norm2 += g[j] * g[j] / penalty[j];
  }
  if (data.fit_intercept) g[d] = double(gradient_b);

  GapBound out;
  out.objective = double(value);
  if (strongly_convex && std::isfinite(intercept.gap)) {
    const double delta = data.fit_intercept ? first_derivative_lipschitz(loss) * intercept.shift *
                                                  row_norm_sum(data, c, penalty, cache)
                                            : 0.0;
    keep_smaller(out, tier1_bound(intercept, std::sqrt(norm2), delta),
                 Certificate::strong_convexity);
  }
  if (request.hessian_allowed && out.bound > request.enough) {
    hessian_tier(loss, data, z, y, c, b, penalty, g, out);
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
                                         const CertifyRequest&, RowNormCache&);
template GapBound certify_one_row<double>(OneRowLoss, const ObjectiveData<double>&,
                                          std::span<const double>, double, double,
                                          std::span<double>, const CertifyRequest&, RowNormCache&);

}  // namespace simdlr::detail
