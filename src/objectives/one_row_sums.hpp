// The one-row certificates' sums over rows in double (docs/convergence.md, sections 2a and 2e),
// shared by the l2 certificate (one_row_certificate.cpp) and the duality gap of the l1 and
// elastic-net penalties (elastic_net_gap.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <type_traits>
#include <vector>

#include "certificate_math.hpp"
#include "one_row_certificate.hpp"
#include "parameters.hpp"
#include "partition_rows.hpp"
#include "wide_passes.hpp"

namespace simdlr::detail {

// |ℓ′(z + t) − ℓ′(z)| ≤ L′ |t|: the slope of ℓ′ is at most ¼ (logistic) or 1 (squared).
inline double first_derivative_lipschitz(OneRowLoss loss) {
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
    // c_i ℓ′ as row_sums computes it (σ by the sigmoid kernel).
    const auto residuals = [&](std::size_t begin, std::span<const double> margin,
                               std::span<double> r) {
      if (loss == OneRowLoss::logistic) {
        kernels::sigmoid(margin.data(), r.data(), margin.size(), Threads{1});
      } else {
        std::copy(margin.begin(), margin.end(), r.begin());
      }
      for (std::size_t t = 0; t < r.size(); ++t) {
        const double ci = c[begin + t];
        r[t] = ci == 0 ? 0.0 : ci * (r[t] - double(y[begin + t]));
      }
    };
    // The column maxima, unless known, come with the first check's pass (the rows are in cache).
    const bool maxima = cache.column_max.empty() && cache.known_column_max.empty();
    std::vector<double> column_max(maxima ? data.d : 0);
    wide_fused_gradient(data.X, w, b, c, residuals, u, gradient_w, column_max, data.threads);
    if (!column_max.empty()) cache.column_max = std::move(column_max);
  }
}

// Newton on the intercept β for h(β) = Σ c_i ℓ(y_i, u_i − b₀ + β) from β = b₀ (no pass over X;
// u are the margins at b₀, at_start their sums with the value), at most max_steps steps, to
// rounding level or, unless to_rounding, to a step a millionth of the way already come (what is
// left then shows nowhere in the l2 certificate's bounds: they add |b − b₀| to it, and h ω(step)
// is below rounding; the l1 duality gap needs Σ c_i ℓ′ at rounding level). Leaves b at the last
// point evaluated, `value` = h there (the sums that give a step give the value too: no separate
// sum at the end), and returns the bound there: squared loss exactly, logistic by
// self-concordance (h″(β + t) ≥ h″(β) e^{−|t|}).
template <class T>
InterceptBound polish_intercept(OneRowLoss loss, std::span<const double> u, double start_b,
                                std::span<const T> y, std::span<const double> c, bool uniform,
                                Threads threads, const RowSums& at_start, bool to_rounding,
                                double& b, double& value, int max_steps = 50) {
  const double come_fraction = to_rounding ? 0.0 : 1e-6;
  double previous = kInfinity;
  for (int iteration = 0;; ++iteration) {
    const RowSums sums =
        iteration == 0 ? at_start : row_sums(loss, u, b - start_b, y, c, uniform, true, threads);
    value = sums.value;
    const double g = sums.first, h = sums.second;
    if (!(h > 0) || !std::isfinite(g)) return {};
    const double step = std::fabs(g) / h;
    InterceptBound bound;
    if (loss == OneRowLoss::squared) {
      bound = {0.5 * g * g / h, step};
    } else if (step < 1) {
      bound = {h * omega_upper(step), -std::log1p(-step)};
    }
    // Stop at rounding level, at a step small enough (above), when a step no longer helps, or
    // after enough steps.
    if (step <= std::max(1e-15 * (1 + std::fabs(b)), come_fraction * std::fabs(b - start_b)) ||
        !(step < 0.5 * previous) || iteration == max_steps) {
      return bound;
    }
    previous = step;
    b -= (step < 0.25 || loss == OneRowLoss::squared) ? g / h : g / h / (1 + step);
  }
}

// Whether every row weighs the same (no sample weights), agreed by every part of a row partition
// that has rows (row_sums's choice of sums must be the same on all of them).
template <class T>
bool uniform_weights(const ObjectiveData<T>& data) {
  bool uniform = data.sample_weight.empty();
  if (active_row_partition()) {
    double weighted = uniform || data.X.rows == 0 ? 0.0 : 1.0;  // a part without rows: no say
    max_over_parts(std::span<double>(&weighted, 1));
    uniform = weighted == 0.0;
  }
  return uniform;
}

// value_and_gradient in double arithmetic over the widened data (evaluate_in_double): F =
// weighting.scale · Σ s_i ℓ + the objective's own ½ λ ‖w‖², its gradient in g, and, when
// hessian_diag is not empty, s_i ℓ″_i there (the Hessian's weights, as the fused pass leaves them).
// The pass's margins and gradient sums (a certificate's LastPass, scaled) go to `kept` when it
// is given: n margins, then d sums.
template <class T>
double value_and_gradient_in_double(OneRowLoss loss, const ObjectiveData<T>& data,
                                    std::span<const T> y, const Weighting& weighting,
                                    std::span<const double> x, std::span<double> g,
                                    RowNormCache& cache, std::span<T> hessian_diag = {},
                                    std::vector<double>* kept = nullptr) {
  const std::size_t n = data.X.rows, d = data.d;
  const bool uniform = uniform_weights(data);
  const double scale = weighting.scale;
  std::vector<double> c(n), own_u(kept ? 0 : n), w(x.begin(), x.begin() + std::ptrdiff_t(d));
  if (kept) kept->resize(n + d);
  const std::span<double> u = kept ? std::span<double>(*kept).first(n) : std::span<double>(own_u);
  for (std::size_t i = 0; i < n; ++i)
    c[i] = scale * (uniform ? 1.0 : double(data.sample_weight[i]));
  const double b = data.fit_intercept ? x[d] : 0.0;
  gradient_pass(loss, data, y, scale, c, w, b, u, g.first(d), cache);
  if (kept) std::copy_n(g.begin(), d, kept->begin() + std::ptrdiff_t(n));
  std::vector<double> second(hessian_diag.empty() ? 0 : n);
  const RowSums sums = row_sums(loss, u, 0.0, y, c, uniform, true, data.threads, {}, second);
  for (std::size_t i = 0; i < second.size(); ++i)
    hessian_diag[i] = T(second[i] / scale);
  double f = sums.value;
  if (weighting.penalized) {
    for (std::size_t j = 0; j < d; ++j) {
      f += 0.5 * weighting.lambda * w[j] * w[j];
      g[j] += weighting.lambda * w[j];
    }
  }
  if (data.fit_intercept) g[d] = sums.first;
  return f;
}

}  // namespace simdlr::detail
