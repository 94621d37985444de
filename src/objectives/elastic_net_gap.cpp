// The duality gap of the one-row objectives with an l1 part (docs/convergence.md, section 7):
//   F(w, b) = Σ_i φ_i(x_i·w + b) + Σ_j λ1_j |w_j| + ½ Σ_j λ2_j w_j²,  φ_i = c_i ℓ(y_i, ·),
// has the Fenchel dual D(r) = −Σ_i φ_i*(−r_i) − Σ_j h_j*((Xᵀr)_j) over Σ r_i = 0 (the intercept),
// h_j* (v) = (|v| − λ1_j)₊² / (2 λ2_j), or 0 for |v| ≤ λ1_j when λ2_j = 0 (+∞ beyond). Every
// feasible r gives F* ≥ D(r), so F(x) − D(r) bounds F(x) − F*. The r used is the one the
// optimum would have, r_i = −φ_i′(z_i), at the point with its intercept polished, made feasible:
//   * Σ r_i = 0 exactly: the polish leaves ε = Σ r_i at rounding level; r is shifted by −ε,
//     spread over the rows within the domain of φ* (logistic: in proportion to each row's room,
//     so every p′ stays in [0, 1]), which moves each |(Xᵀr)_j| by at most |ε| max_i |x_ij|;
//   * h* finite: r scaled by s = min(1, min_{j: λ2_j = 0} λ1_j / |(Xᵀr)_j|); scaling keeps both
//     the sum and the domain (logistic: p″ = y − s (y − p′)).
// At the optimum s = 1, ε = 0 and the gap is 0; near it the gap shrinks with the distance.
// Logistic: −φ*(−r_i) = c_i H(p″_i), H the binary entropy; squared: r_i y_i − r_i² / (2 c_i).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "certificate_math.hpp"
#include "one_row_certificate.hpp"
#include "one_row_sums.hpp"
#include "partition_rows.hpp"
#include "row_statistics.hpp"
#include "wide_passes.hpp"

namespace simdlr::detail {
namespace {

// −p log p − (1 − p) log(1 − p), 0 at the ends.
double binary_entropy(double p) {
  if (!(p > 0) || !(p < 1)) return 0.0;
  return -p * std::log(p) - (1 - p) * std::log1p(-p);
}

// σ(u) in double without overflow.
double sigmoid(double u) {
  const double e = std::exp(-std::fabs(u));
  return u >= 0 ? 1 / (1 + e) : e / (1 + e);
}

// How far above the rule a bound may be for the extended-precision retry (rounding-level bounds
// seen: 1.2 to 1.6 times the rule).
constexpr double kExtendedReach = 100;

// The same duality gap at (w, b) in 64-bit extended precision (x87 long double, u = 2⁻⁶⁴): the
// margins, F's data term, Σ r_i and the shift t, the sums (Xᵀr′)_j and the dual's rows, each
// term in long double, rows in order on one thread (the same bits on any thread count); +inf
// where long double is not extended or no dual point is found. Rounding allowances: a margin is
// within (d + 2) u (Σ_j |x_ij w_j| + |b|) of exact, which moves its row's term by at most c_i
// times that (|ℓ′| ≤ 1 for the logistic loss, |e_i| plus that for the squared one); a sum of k
// terms is within (k − 1) u of its terms' magnitudes, each term a few u more (products, log,
// exp); |(Xᵀr′)_j| gets (n + 8) u of Σ_i |x_ij r′_i| and 2u of its value. Σ r′ is zero to its
// rounding, as in the double version.
template <class T>
double extended_gap(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const T> y,
                    std::span<const double> c, std::span<const double> w, double b,
                    std::span<const double> l1, std::span<const double> l2) {
  using E = long double;
  if constexpr (std::numeric_limits<E>::digits < 64) {
    return std::numeric_limits<double>::infinity();
  } else {
    constexpr E u = 0x1p-64L;
    const std::size_t n = data.X.rows, d = data.d;
    std::vector<E> z(n), sigma(n);  // margins and σ(z), for both loops
    E value = 0, margin_allowance = 0, total_r = 0, room_up = 0, room_down = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (c[i] == 0) continue;
      const T* row = data.X.data + i * data.X.stride;
      E zi = b, row_magnitude = std::fabs(E(b));
      for (std::size_t j = 0; j < d; ++j) {
        const E term = E(row[j]) * E(w[j]);
        zi += term;
        row_magnitude += std::fabs(term);
      }
      z[i] = zi;
      const E yi = E(y[i]), ci = E(c[i]);
      if (loss == OneRowLoss::squared) {
        const E e = yi - zi;
        value += ci * 0.5L * e * e;
        margin_allowance +=
            ci * (std::fabs(e) + E(d + 2) * u * row_magnitude) * E(d + 2) * u * row_magnitude;
        total_r += ci * e;
        room_up += ci;
      } else {
        // log(1 + e^z) − y z, and p = σ(z).
        const E p = zi >= 0 ? 1 / (1 + std::exp(-zi)) : std::exp(zi) / (1 + std::exp(zi));
        sigma[i] = p;
        value += ci * (std::log1p(std::exp(-std::fabs(zi))) + std::max(zi, E(0)) - yi * zi);
        margin_allowance += ci * E(d + 2) * u * row_magnitude;
        total_r += ci * (yi - p);
        room_up += ci * (1 - p);
        room_down += ci * p;
      }
    }
    // Σ r′ = 0: r′_i = r_i − t room_i (logistic: p′ = p + t (1 − p) or p + t p, within [0, 1]).
    const E epsilon = data.fit_intercept ? total_r : 0;
    const E room = loss == OneRowLoss::squared ? room_up : epsilon > 0 ? room_up : room_down;
    if (epsilon != 0 && !(std::fabs(epsilon) < room))
      return std::numeric_limits<double>::infinity();
    const E t = epsilon != 0 ? epsilon / room : 0;
    std::vector<E> e(n), sum(d, 0), magnitude(d, 0);
    for (std::size_t i = 0; i < n; ++i) {
      if (c[i] == 0) continue;
      const E yi = E(y[i]);
      if (loss == OneRowLoss::squared) {
        e[i] = (yi - z[i]) - t;
      } else {
        E p = sigma[i];
        p += t * (t > 0 ? 1 - p : p);
        e[i] = yi - p;
      }
      const E ri = E(c[i]) * e[i];
      const T* row = data.X.data + i * data.X.stride;
      for (std::size_t j = 0; j < d; ++j) {
        const E term = E(row[j]) * ri;
        sum[j] += term;
        magnitude[j] += std::fabs(term);
      }
    }
    // s: the largest scale that keeps |(Xᵀ s r′)_j| ≤ λ1_j where λ2_j = 0.
    E s = 1;
    std::vector<E> bound(d);
    for (std::size_t j = 0; j < d; ++j) {
      bound[j] = std::fabs(sum[j]) * (1 + 2 * u) + (8 + E(n)) * u * magnitude[j];
      if (l2[j] == 0 && bound[j] > E(l1[j])) s = std::min(s, E(l1[j]) / bound[j]);
    }
    s *= 1 - 4 * u;  // the division's rounding, and then some
    E penalty = 0, conjugates = 0;
    for (std::size_t j = 0; j < d; ++j) {
      penalty += E(l1[j]) * std::fabs(E(w[j])) + 0.5L * E(l2[j]) * E(w[j]) * E(w[j]);
      if (l2[j] > 0) {
        const E excess = std::max(E(0), s * bound[j] - E(l1[j]));
        conjugates += excess * excess / (2 * E(l2[j]));
      }
    }
    E dual_rows = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (c[i] == 0) continue;
      const E yi = E(y[i]), ci = E(c[i]);
      if (loss == OneRowLoss::squared) {
        dual_rows += ci * (s * e[i] * yi - 0.5L * s * s * e[i] * e[i]);
      } else {
        const E q = yi - s * e[i];
        if (q > 0 && q < 1) dual_rows += ci * (-q * std::log(q) - (1 - q) * std::log1p(-q));
      }
    }
    const E primal = value + penalty;
    // The sums' rounding: at most (terms − 1) u of their magnitudes, each term's own (log,
    // exp, products) a few u more.
    const E allowance =
        margin_allowance +
        E(n + d + 16) * u * (std::fabs(value) + penalty + std::fabs(dual_rows) + conjugates);
    const E gap = std::max(E(0), primal - (dual_rows - conjugates)) + allowance;
    return std::nextafter(double(gap), std::numeric_limits<double>::infinity());
  }
}

}  // namespace

template <class T>
GapBound certify_elastic_net(OneRowLoss loss, const ObjectiveData<T>& data, std::span<const T> y,
                             double scale, double own_penalty, std::span<double> x,
                             const CertifyRequest& request, RowNormCache& cache,
                             const LastPass& last) {
  const std::size_t n = data.X.rows, d = data.d;
  const std::span<const double> l1 = request.l1_penalty;
  std::vector<double> l2(d);
  for (std::size_t j = 0; j < d; ++j)
    l2[j] = penalty_of(request, j, own_penalty);
  const bool uniform = uniform_weights(data);
  std::vector<double> w(x.begin(), x.begin() + std::ptrdiff_t(d)), u(n), c(n), g(d);
  for (std::size_t i = 0; i < n; ++i)
    c[i] = scale * (uniform ? 1.0 : double(data.sample_weight[i]));
  const double start_b = data.fit_intercept ? x[d] : 0.0;
  if (!last.margins.empty()) {
    std::copy(last.margins.begin(), last.margins.end(), u.begin());
    for (std::size_t j = 0; j < d; ++j)
      g[j] = last.scaled ? last.gradient[j] : last.gradient[j] * scale;  // as gradient_pass
  } else {
    gradient_pass(loss, data, y, scale, c, w, start_b, u, std::span<double>(g), cache);
  }
  double penalty_value = 0;
  for (std::size_t j = 0; j < d; ++j)
    penalty_value += l1[j] * std::fabs(w[j]) + 0.5 * l2[j] * w[j] * w[j];
  const RowSums at_start = row_sums(loss, u, 0.0, y, c, uniform, true, data.threads);
  const double start_value = at_start.value + penalty_value;

  // The polished intercept, kept unless it raised F beyond rounding (as in certify_one_row).
  double b = start_b, value = start_value;
  if (data.fit_intercept) {
    double data_value = 0;
    polish_intercept(loss, u, start_b, y, c, uniform, data.threads, at_start, true, b, data_value);
    value = data_value + penalty_value;
    if (!(value <= start_value + 1e-13 * std::fabs(start_value))) {
      b = start_b;
      value = start_value;
    }
    x[d] = b;
  }
  const double shift = b - start_b;
  // c_i ℓ′_i at the returned point (= −r_i), its sum, and ∇_w of the data term (= −Xᵀr).
  std::vector<double> first(n);
  const RowSums at_b = row_sums(loss, u, shift, y, c, uniform, false, data.threads, first);
  if (shift != 0) wide_transpose_product(data.X, first, g, data.threads);

  GapBound out;
  out.objective = value;
  if (!std::isfinite(value) || !std::isfinite(at_b.first)) {
    out.note = "the objective is not finite";
    return out;
  }
  // ε = Σ r_i and the room to absorb it: Σ c_i (1 − p_i) lowers Σ r, Σ c_i p_i raises it
  // (logistic); Σ c_i (squared). room_of[i]: row i's share, which the shift t·room_of[i] takes.
  const double epsilon = data.fit_intercept ? -at_b.first : 0.0;
  double room[2] = {0, 0};
  std::vector<double> room_of(epsilon != 0 ? n : 0);
  if (epsilon != 0) {
    sum_in_row_blocks(n, room, row_threads(data.threads, n),
                      [&](std::size_t begin, std::size_t end, double* sums) {
                        for (std::size_t i = begin; i < end; ++i) {
                          if (c[i] == 0) continue;
                          if (loss == OneRowLoss::squared) {
                            room_of[i] = c[i];
                          } else {
                            const double p = sigmoid(u[i] + shift);
                            room_of[i] = c[i] * (epsilon > 0 ? 1 - p : p);
                          }
                          sums[0] += room_of[i];
                        }
                      });
    if (!(std::fabs(epsilon) < room[0])) {
      out.note = "the intercept is too far from its optimum for a dual point";
      return out;
    }
  }
  const double t = epsilon != 0 ? epsilon / room[0] : 0.0;
  // |(Xᵀr′)_j| ≤ v_j; then the scale s. First the bound |ε| max_i |x_ij| on the shift's part.
  std::vector<double> v(d);
  std::span<const double> column_max;
  if (epsilon != 0) column_max = column_max_abs(data.X, c, data.threads, cache);
  const auto scale_for = [&](std::span<const double> bounds) {
    double scale = 1;
    for (std::size_t j = 0; j < d; ++j) {
      if (l2[j] == 0 && bounds[j] > l1[j]) scale = std::min(scale, l1[j] / bounds[j]);
    }
    return scale;
  };
  for (std::size_t j = 0; j < d; ++j)
    v[j] = std::fabs(g[j]) + (epsilon != 0 ? std::fabs(epsilon) * column_max[j] : 0.0);
  // Where that bound decides s (columns of large scale: ε, at rounding level, times a column
  // maximum in the thousands), the shift's part exactly, t Σ_i x_ij room_of[i], at one more
  // pass: its rounding is within n ulps of the bound's, which is added.
  if (epsilon != 0 && scale_for(v) < scale_for(g)) {
    std::vector<double> shifted(d);
    wide_transpose_product(data.X, room_of, shifted, data.threads);
    const RowPartition* partition = active_row_partition();  // the same allowance on every part
    const double rounding = double((partition ? partition->global_rows() : n) + 2) * 0x1p-52;
    for (std::size_t j = 0; j < d; ++j) {
      const double exact = std::fabs(g[j] + t * shifted[j]) +
                           rounding * (std::fabs(g[j]) + std::fabs(epsilon) * column_max[j]);
      v[j] = std::min(v[j], exact);
    }
  }
  // r′_i / c_i, the dual point's residual before the scale s (r′ = c (y − p′) for the logistic).
  // tt: the shift of Σ r to 0 (t above).
  const auto residual = [&](std::size_t i, double tt) {
    const double yi = double(y[i]), z = u[i] + shift;
    if (loss == OneRowLoss::squared) return (yi - z) - tt;
    double p = sigmoid(z);
    p += tt * (tt > 0 ? 1 - p : p);
    return yi - p;
  };
  // The gap at the dual point s r′, s from the bounds v on |(Xᵀr′)_j|.
  const auto gap_for = [&](std::span<const double> bounds, double tt) {
    const double s = scale_for(bounds);
    double conjugates = 0;
    for (std::size_t j = 0; j < d; ++j) {
      if (l2[j] > 0) {
        const double excess = std::max(0.0, s * bounds[j] - l1[j]);
        conjugates += excess * excess / (2 * l2[j]);
      }
    }
    // Σ_i −φ_i*(−r″_i), r″ = s r′.
    double dual_rows = 0;
    sum_in_row_blocks(n, std::span<double>(&dual_rows, 1), row_threads(data.threads, n),
                      [&](std::size_t begin, std::size_t end, double* sums) {
                        for (std::size_t i = begin; i < end; ++i) {
                          if (c[i] == 0) continue;
                          const double e = residual(i, tt), yi = double(y[i]);
                          if (loss == OneRowLoss::squared) {
                            sums[0] += c[i] * (s * e * yi - 0.5 * s * s * e * e);
                          } else {
                            sums[0] += c[i] * binary_entropy(yi - s * e);
                          }
                        }
                      });
    const double dual = dual_rows - conjugates;
    // Both sides are sums of n rounded terms: a rounding allowance of a few ulps of each.
    const double rounding = 8 * 0x1p-52 * (std::fabs(value) + std::fabs(dual_rows) + conjugates);
    return std::max(0.0, value - dual) + rounding;
  };
  out.bound = gap_for(v, t);
  out.certificate = Certificate::duality_gap;
  // Near the optimum on badly scaled columns (a weak penalty, features in the thousands) the
  // rounding in double of the margins and of the sums (Xᵀr′)_j, not the distance to the optimum,
  // can decide the bound. When it falls short, once more in extended precision (extended_gap).
  // One process only: a row partition would need the extended sums reduced across processes.
  // Only where that rounding can explain the scale's shortfall 1 − s: (Xᵀr′)_j is a sum of n
  // terms of at most max_i |x_ij| Σ_i |r′_i|, so its rounding is below n ulps of that (a loose
  // bound, but one that keeps the extra pass away from points that are just not there yet).
  // And only within a factor kExtendedReach of the rule, where a check is worth a pass.
  if (!(out.bound <= request.enough) && out.bound <= kExtendedReach * request.enough &&
      active_row_partition() == nullptr) {
    double total_r = 0;
    for (std::size_t i = 0; i < n; ++i)
      total_r += std::fabs(first[i]) + std::fabs(t) * (room_of.empty() ? 0.0 : room_of[i]);
    const std::span<const double> columns = column_max_abs(data.X, c, data.threads, cache);
    const double ulps = double(n + 2) * 0x1p-52 * total_r;
    bool rounding_level = false;
    const double shortfall = 1 - scale_for(v);
    for (std::size_t j = 0; j < d; ++j) {
      if (l2[j] == 0 && l1[j] > 0) rounding_level |= shortfall * l1[j] <= ulps * columns[j];
    }
    if (rounding_level)
      out.bound = std::min(out.bound, extended_gap(loss, data, y, c, w, b, l1, l2));
  }
  return out;
}

template GapBound certify_elastic_net<float>(OneRowLoss, const ObjectiveData<float>&,
                                             std::span<const float>, double, double,
                                             std::span<double>, const CertifyRequest&,
                                             RowNormCache&, const LastPass&);
template GapBound certify_elastic_net<double>(OneRowLoss, const ObjectiveData<double>&,
                                              std::span<const double>, double, double,
                                              std::span<double>, const CertifyRequest&,
                                              RowNormCache&, const LastPass&);

}  // namespace simdlr::detail
