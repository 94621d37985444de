#include "one_row_certificate.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "certificate_math.hpp"
#include "partition_rows.hpp"
#include "row_statistics.hpp"
#include "simdlr/linalg.hpp"
#include "wide_passes.hpp"

namespace simdlr::detail {
namespace {

// |ℓ′(z + t) − ℓ′(z)| ≤ L′ |t|: the slope of ℓ′ is at most ¼ (logistic) or 1 (squared).
double first_derivative_lipschitz(OneRowLoss loss) {
  return loss == OneRowLoss::squared ? 1.0 : 0.25;
}

// Sums over the rows at margins u_i + shift, in double: Σ c_i ℓ′, Σ c_i ℓ″ and, if asked,
// Σ c_i ℓ; ℓ′ = σ(u) − y and ℓ″ = σ(u)(1 − σ(u)) (σ by the sigmoid kernel, ≤ 3 ULP), or u − y
// and 1 (squared); ℓ by the log-loss kernel (relative error ≤ 8ε) over cells of kCell rows when
// every c_i is the same, else per row with log1p. The rows are this process's (u, y, c and the
// outputs are local); they are summed in fixed blocks (sum_in_row_blocks: the same sums for every
// thread count and, under a row partition, over every part's rows with the single-process bits:
// a cell that spans parts goes whole to the log-loss kernel on the part holding its first row,
// cell_tail). Nothing of size n is allocated; c_i ℓ′ and c_i ℓ″ are stored where `first` and
// `second` are not empty.
struct RowSums {
  double first = 0, second = 0, value = 0;
};

constexpr std::size_t kCell = 512;

template <class T>
RowSums row_sums(OneRowLoss loss, std::span<const double> u, double shift, std::span<const T> y,
                 std::span<const double> c, bool uniform, bool with_value, Threads threads,
                 std::span<double> first = {}, std::span<double> second = {}) {
  const std::size_t n = u.size();
  const RowPartition* partition = active_row_partition();
  const std::size_t offset = partition ? partition->row_offset(partition->part()) : 0;
  const bool whole_cells = with_value && uniform && loss == OneRowLoss::logistic;
  // The margins and targets of the rows after this part's end that complete its last cell.
  std::vector<double> tail;
  if (whole_cells && partition) {
    const std::size_t head = head_rows(n, kCell);
    std::vector<double> mine(2 * head);
    for (std::size_t i = 0; i < head; ++i)
      mine[2 * i] = u[i], mine[2 * i + 1] = double(y[i]);
    tail = cell_tail(mine, 2, kCell);
  }
  const auto add_rows = [&](std::size_t from, std::size_t to, double* sums) {
    double margin[kCell], p[kCell], label[kCell];
    // Local ranges cut at the global multiples of kCell.
    for (std::size_t begin = from; begin < to;) {
      const std::size_t global = offset + begin;
      const std::size_t length = std::min(to, (global / kCell + 1) * kCell - offset) - begin;
      for (std::size_t t = 0; t < length; ++t) {
        margin[t] = u[begin + t] + shift;
        label[t] = double(y[begin + t]);
      }
      if (loss == OneRowLoss::logistic) kernels::sigmoid(margin, p, length, Threads{1});
      for (std::size_t t = 0; t < length; ++t) {
        const std::size_t i = begin + t;
        const bool squared = loss == OneRowLoss::squared;
        const double d1 = squared ? margin[t] - label[t] : p[t] - label[t];
        const double d2 = squared ? 1.0 : p[t] * (1 - p[t]);
        sums[0] += c[i] * d1;
        sums[1] += c[i] * d2;
        if (!first.empty()) first[i] = c[i] * d1;
        if (!second.empty()) second[i] = c[i] * d2;
      }
      if (with_value && loss == OneRowLoss::squared) {
        for (std::size_t t = 0; t < length; ++t) {
          const double r = margin[t] - label[t];
          sums[2] += c[begin + t] * 0.5 * r * r;
        }
      } else if (whole_cells && global % kCell == 0) {
        // A cell that starts here, completed by the tail if it runs past this part's end
        // (a part's first rows inside a cell begun on an earlier part are that part's).
        std::size_t cell = length;
        if (begin + length == n) {
          for (std::size_t k = 0; 2 * k < tail.size() && cell < kCell; ++k, ++cell) {
            margin[cell] = tail[2 * k] + shift;
            label[cell] = tail[2 * k + 1];
          }
        }
        sums[2] += c[begin] * kernels::log_loss(margin, label, cell, Threads{1});
      } else if (with_value && !uniform) {
        for (std::size_t t = 0; t < length; ++t) {
          const double ci = c[begin + t], z = margin[t];
          if (ci == 0) continue;
          sums[2] += ci * (std::log1p(std::exp(-std::fabs(z))) +
                           (z >= 0 ? (1 - label[t]) * z : -label[t] * z));
        }
      }
      begin += length;
    }
  };
  double totals[3];
  sum_in_row_blocks(n, totals, row_threads(threads, n), add_rows);
  return {totals[0], totals[1], totals[2]};
}

// ℓ′(y, u) in double, for the float data's fused pass.
double first_derivative(OneRowLoss loss, double y, double u) {
  if (loss == OneRowLoss::squared) return u - y;
  const double e = std::exp(-std::fabs(u));
  return (u >= 0 ? 1 / (1 + e) : e / (1 + e)) - y;
}

// The first pass of a check at (w, b): the margins u_i = x_i·w + b and Σ c_i ℓ′(y_i, u_i) x_i,
// in double: double data through the loss's fused kernel, float data widened exactly.
template <class T>
void gradient_pass(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const T> y,
                   double scale, std::span<const double> c, std::span<const double> w, double b,
                   std::span<double> u, std::span<double> gradient_w, RowNormCache& cache) {
  if constexpr (std::is_same_v<T, double>) {
    const auto run = [&](auto pass, auto kernel) {
      pass.X = data.X;
      pass.y = y.data();
      pass.sample_weight = data.weights();
      pass.w = w.data();
      pass.b = b;
      pass.grad_w = gradient_w.data();
      pass.margins = u.data();
      kernel(pass, data.threads);
    };
    if (loss == OneRowLoss::logistic) {
      run(LogisticPass<double>{},
          [](const LogisticPass<double>& p, Threads t) { kernels::logistic_loss_grad(p, t); });
    } else {
      run(SquaredPass<double>{},
          [](const SquaredPass<double>& p, Threads t) { kernels::squared_loss_grad(p, t); });
    }
    for (double& v : gradient_w)
      v *= scale;
  } else {
    const auto residual = [&](std::size_t i, double margin) {
      return c[i] == 0 ? 0.0 : c[i] * first_derivative(loss, double(y[i]), margin);
    };
    // The column maxima, unless known, come with the first check's pass (the rows are in cache).
    const bool maxima = cache.column_max.empty() && cache.known_column_max.empty();
    std::vector<double> column_max(maxima ? data.d : 0);
    wide_fused_gradient(data.X, w, b, c, residual, u, gradient_w, column_max, data.threads);
    if (!column_max.empty()) cache.column_max = std::move(column_max);
  }
}

// Newton on the intercept β for h(β) = Σ c_i ℓ(y_i, u_i − b₀ + β) from β = b₀ (no pass over X;
// u are the margins at b₀), at most max_steps steps. Leaves b at the last point evaluated and
// returns the bound there: squared loss exactly, logistic by self-concordance
// (h″(β + t) ≥ h″(β) e^{−|t|}).
template <class T>
InterceptBound polish_intercept(OneRowLoss loss, std::span<const double> u, double start_b,
                                std::span<const T> y, std::span<const double> c, bool uniform,
                                Threads threads, double& b, int max_steps = 50) {
  double previous = kInfinity;
  for (int iteration = 0;; ++iteration) {
    const RowSums sums = row_sums(loss, u, b - start_b, y, c, uniform, false, threads);
    const double g = sums.first, h = sums.second;
    if (!(h > 0) || !std::isfinite(g)) return {};
    const double step = std::fabs(g) / h;
    InterceptBound bound;
    if (loss == OneRowLoss::squared) {
      bound = {0.5 * g * g / h, step};
    } else if (step < 1) {
      bound = {h * omega_upper(step), -std::log1p(-step)};
    }
    // Stop at rounding level, when a step no longer helps, or after enough steps.
    if (step <= 1e-15 * (1 + std::fabs(b)) || !(step < 0.5 * previous) || iteration == max_steps) {
      return bound;
    }
    previous = step;
    b -= (step < 0.25 || loss == OneRowLoss::squared) ? g / h : g / h / (1 + step);
  }
}

// Work n·m² above which the Hessian certificate uses bounds instead of exact sums: the Gram
// matrix of a sample of the rows (every k-th row; the full one only when no sample has 2 rows in
// k, with double data), and instead of the exact largest leverage (n·m²/2), κ ‖S a_i‖² bounded
// through the column maxima of |a_ij|. R only enters the bound's higher-order term
// (ω(Rν)/R² = ν²/2 + Rν³/6 + …), so its looseness costs little once Rν is small.
constexpr double kExactWork = 5e7;

// The sample's size: enough rows that its Hessian resembles the full one's shape.
std::size_t sample_stride(std::size_t n, std::size_t m) {
  const std::size_t rows = std::max<std::size_t>(10000, 50 * m);
  return std::max<std::size_t>(1, n / rows);
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
  // The sample: every `stride`-th row by global index. Under a row partition with stride 1, this
  // part's block with the partition active; with a sample, every part's sampled rows and weights
  // gathered (a few thousand rows), then as on one process.
  const RowPartition* partition = active_row_partition();
  const std::size_t offset = partition ? partition->row_offset(partition->part()) : 0;
  const std::size_t first = (stride - offset % stride) % stride;
  std::vector<T> rows_here;
  std::vector<double> w;
  for (std::size_t i = first; i < data.X.rows; i += stride) {
    w.push_back(weight[i]);
    if (partition && stride > 1)
      rows_here.insert(rows_here.end(), data.X.row(i), data.X.row(i) + d);
  }
  MatrixView<const T> sample(data.X.data + first * data.X.stride, w.size(), d,
                             data.X.stride * stride);
  if (partition && stride > 1) {
    rows_here = gather_rows(std::span<const T>(rows_here));
    w = gather_rows(std::span<const double>(w));
    sample = MatrixView<const T>(rows_here.data(), w.size(), d);
  }
  const std::size_t rows = w.size();
  const ScopedRowPartition scope(partition && stride == 1 ? partition : nullptr);
  if (std::is_same_v<T, double> || stride == 1) {
    wide_gram(sample, w, data.fit_intercept, H, data.threads);
  } else {
    // Float rows widened exactly, a block at a time (no copy the size of the sample), the
    // blocks' Gram matrices added in block order.
    constexpr std::size_t kBlock = 2048;
    std::vector<double> widened(std::min(rows, kBlock) * d), block(m * m);
    for (std::size_t begin = 0; begin < rows; begin += kBlock) {
      const std::size_t count = std::min(kBlock, rows - begin);
      for (std::size_t t = 0; t < count; ++t)
        std::copy_n(sample.row(begin + t), d, widened.data() + t * d);
      wide_gram(MatrixView<const double>(widened.data(), count, d),
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
template <class T>
double hessian_bound(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const double> c,
                     std::span<const double> weight, std::size_t stride,
                     std::span<const double> penalty, std::span<const double> gradient, bool exact,
                     RowNormCache& cache) {
  linalg::Cholesky cholesky;
  if (!factor_hessian(data, weight, stride, penalty, cholesky)) return kInfinity;
  std::vector<double> scratch(cholesky.size());
  const double nu2 = cholesky.inverse_quadratic(gradient, scratch);
  if (loss == OneRowLoss::squared) return 0.5 * nu2;
  const double r2 = largest_leverage(data, c, cholesky, exact, cache);
  return r2 > 0 ? omega_upper(std::sqrt(r2 * nu2)) / r2 : kInfinity;
}

template <class T>
void hessian_tier(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const double> u,
                  std::span<const T> y, std::span<const double> c, bool uniform,
                  std::span<const double> penalty, std::span<const double> gradient, double enough,
                  double raised, RowNormCache& cache, GapBound& out) {
  // The bounds are for (w, b₀); the point returned is (w, b̂), whose F may exceed F(w, b₀) by
  // `raised` (rounding; see certify_one_row), added to each.
  // u, y, c: this process's rows; n: the global rows (under a row partition: of every part).
  const RowPartition* partition = active_row_partition();
  const std::size_t n = partition ? partition->global_rows() : u.size();
  const std::size_t m = data.d + (data.fit_intercept ? 1 : 0);
  const Certificate kind =
      loss == OneRowLoss::squared ? Certificate::quadratic : Certificate::hessian;
  std::vector<double> weight(u.size());  // c_i ℓ″_i at the margins u
  row_sums(loss, u, 0.0, y, c, uniform, false, data.threads, {}, weight);
  const double work = double(n) * double(m) * double(m);
  if (work <= kExactWork) {
    keep_smaller(out,
                 raised + hessian_bound(loss, data, c, weight, 1, penalty, gradient, true, cache),
                 kind);
    return;
  }
  const std::size_t stride = sample_stride(n, m);
  if (stride > 1) {
    const double sampled =
        raised + hessian_bound(loss, data, c, weight, stride, penalty, gradient, false, cache);
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
                                          gradient, false, cache),
                   kind);
    }
    return;
  }
  if (!std::is_same_v<T, double>) return;
  keep_smaller(
      out, raised + hessian_bound(loss, data, c, weight, 1, penalty, gradient, false, cache), kind);
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
  bool uniform = data.sample_weight.empty();
  if (active_row_partition()) {
    double weighted = uniform || n == 0 ? 0.0 : 1.0;  // a part without rows has no say
    max_over_parts(std::span<double>(&weighted, 1));
    uniform = weighted == 0.0;
  }
  std::vector<double> w(x.begin(), x.begin() + std::ptrdiff_t(d)), u(n), c(n), g(x.size());
  std::vector<double> penalty(d);
  for (std::size_t j = 0; j < d; ++j)
    penalty[j] = penalty_of(request, j, own_penalty);
  for (std::size_t i = 0; i < n; ++i)
    c[i] = scale * (uniform ? 1.0 : double(data.sample_weight[i]));
  const double start_b = data.fit_intercept ? x[d] : 0.0;
  if (!last.margins.empty()) {
    std::copy(last.margins.begin(), last.margins.end(), u.begin());
    for (std::size_t j = 0; j < d; ++j)
      g[j] = last.gradient[j] * scale;  // as gradient_pass scales the kernel's sums
  } else {
    gradient_pass(loss, data, y, scale, c, w, start_b, u, std::span<double>(g).first(d), cache);
  }
  // ∇F(w, b₀) and F(w, b₀) from the margins.
  const RowSums at_start = row_sums(loss, u, 0.0, y, c, uniform, true, data.threads);
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
    intercept = polish_intercept(loss, u, start_b, y, c, uniform, data.threads, b);
    value = row_sums(loss, u, b - start_b, y, c, uniform, true, data.threads).value + penalty_value;
    // Kept unless it raised F beyond the rounding of the two sums (at an intercept that was
    // already optimal, F(w, b̂) may come out a few ulps above F(w, b₀): the bound refers to the
    // returned point, so b̂ is still the one to keep, its gradient being the more exact).
    if (!(value <= start_value + 1e-13 * std::fabs(start_value))) {
      b = start_b;
      value = start_value;
      intercept = polish_intercept(loss, u, start_b, y, c, uniform, data.threads, b, 0);
    }
    x[d] = b;
  }

  GapBound out;
  out.objective = value;
  const double lipschitz = first_derivative_lipschitz(loss);
  const auto rows_norm = [&] { return row_norm_sum(data.X, c, penalty, data.threads, cache); };
  // Tier 1 with the intercept's terms needs Σ c_i ‖x_i‖_{P⁻¹} (a pass, once per fit): only
  // when the bound without them would be enough, or when there is no tier 2 to try first.
  const bool tier1 = strongly_convex && std::isfinite(intercept.gap);
  const auto try_tier1 = [&] {
    const double moved = std::fabs(b - start_b);
    const double delta =
        data.fit_intercept ? lipschitz * (intercept.shift + moved) * rows_norm() : 0.0;
    keep_smaller(out, tier1_bound(intercept, std::sqrt(norm2), delta),
                 Certificate::strong_convexity);
  };
  const bool tier1_first =
      !request.hessian_allowed || tier1_bound(intercept, std::sqrt(norm2), 0.0) <= request.enough;
  if (tier1 && tier1_first) try_tier1();
  bool hessian_tried = false;
  if (request.hessian_allowed && out.bound > request.enough) {
    hessian_tier(loss, data, u, y, c, uniform, penalty, g, request.enough,
                 std::max(0.0, value - start_value), cache, out);
    hessian_tried = std::isfinite(out.bound);
  }
  if (tier1 && !tier1_first && !hessian_tried) try_tier1();
  // The exact gradient at b̂ is within L′ |b̂ − b₀| Σ c_i ‖x_i‖_{P⁻¹} of the one at b₀, so its
  // bound is at least the one below: when that already misses, the pass could not succeed.
  const auto exact_may_succeed = [&] {
    const double floor =
        std::max(0.0, std::sqrt(norm2) - lipschitz * std::fabs(b - start_b) * rows_norm());
    return tier1_bound(intercept, floor, 0.0) <= request.enough;
  };
  if (!hessian_tried && out.bound > request.enough && strongly_convex &&
      std::isfinite(intercept.gap) && b != start_b && exact_may_succeed()) {
    // Tier 1 with the exact gradient at b̂.
    std::vector<double> r(n), exact(d);  // r_i = c_i ℓ′ at b̂
    row_sums(loss, u, b - start_b, y, c, uniform, false, data.threads, r);
    wide_transpose_product(data.X, r, exact, data.threads);
    double exact_norm2 = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double gj = exact[j] + penalty[j] * w[j];
      exact_norm2 += gj * gj / penalty[j];
    }
    keep_smaller(
        out,
        tier1_bound(intercept, std::sqrt(exact_norm2), lipschitz * intercept.shift * rows_norm()),
        Certificate::strong_convexity);
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
