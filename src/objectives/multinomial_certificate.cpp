// The tier-1 certificate of the multinomial objective (docs/convergence.md, 2a): the K
// intercepts polished by Newton on the margins (the common shift fixed by holding b_K), bounded
// by generalized self-concordance (|D³lse[v,v,v]| ≤ range(v) · D²lse[v,v]), then the strong
// convexity of the l2 penalty in W.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "certificate_math.hpp"
#include "partition_rows.hpp"
#include "pooled_rows.hpp"
#include "row_statistics.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/linalg.hpp"
#include "simdlr/objectives.hpp"
#include "wide_passes.hpp"

namespace simdlr {
namespace {

// Softmax probabilities of z + b (K values) into p; returns lse(z + b).
double softmax_at(const double* z, std::span<const double> b, std::span<double> p) {
  const std::size_t K = b.size();
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < K; ++k)
    top = std::max(top, z[k] + b[k]);
  double sum = 0;
  for (std::size_t k = 0; k < K; ++k) {
    p[k] = std::exp(z[k] + b[k] - top);
    sum += p[k];
  }
  for (std::size_t k = 0; k < K; ++k)
    p[k] /= sum;
  return top + std::log(sum);
}

// Softmax probabilities P (n x K) of the rows of Z + b, by the vectorized kernel.
void probabilities(std::span<const double> Z, std::span<const double> b, std::span<double> P,
                   Threads threads) {
  const std::size_t K = b.size(), n = Z.size() / K;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < K; ++k)
      P[i * K + k] = Z[i * K + k] + b[k];
  kernels::softmax(P.data(), P.data(), n, K, threads);
}

// Newton on the first K − 1 intercepts (b_K held: F is constant along b + t·1) from b;
// probabilities_at(b, P) gives the softmax probabilities at intercepts b (n x K, this process's
// rows; the sums are over every part's). Leaves b
// at the last point evaluated, P at its probabilities, and returns the bound there: gap ≤ ω(Rν)/R²,
// ‖b̂ − b*‖₂ ≤ −log(1 − Rν)/R · √trace(H⁻¹), with R² = max_{k<l} (e_k − e_l)ᵀ H⁻¹ (e_k − e_l) (e_K =
// 0) bounding the range of an intercept move. Per step: the softmax kernel, g = Pᵀc − (class totals
// of c) and H = diag(Pᵀc) − Pᵀ diag(c) P, PᵀCP by the weighted-Gram kernel (any row partition) and
// Pᵀc as its row sums.
template <class ProbabilitiesAt>
detail::InterceptBound polish_intercepts(const ProbabilitiesAt& probabilities_at,
                                         std::span<const std::int32_t> y, std::span<const double> c,
                                         std::span<double> b, std::span<double> P,
                                         Threads threads) {
  const std::size_t K = b.size(), m = K - 1, n = y.size();
  std::vector<double> totals(K, 0.0), mass(K), G(K * K), g(m), H(m * m), step(m), scratch(m), e(m);
  const int row_team = detail::row_threads(threads, n);
  sum_in_row_blocks(n, totals, row_team, [&](std::size_t begin, std::size_t end, double* t) {
    for (std::size_t i = begin; i < end; ++i)
      t[std::size_t(y[i])] += c[i];
  });
  const MatrixView<const double> probs(P.data(), n, K);
  linalg::Cholesky cholesky;
  double previous = detail::kInfinity;
  for (int iteration = 0;; ++iteration) {
    probabilities_at(b, P);
    kernels::weighted_gram(probs, c.data(), G.data(), threads);
    // Pᵀc from the row sums of PᵀCP: each row of P sums to 1 (within a few ε), so
    // Σ_l (PᵀCP)_kl = Σ_i c_i p_ik, without another pass over P.
    for (std::size_t k = 0; k < K; ++k) {
      mass[k] = 0;
      for (std::size_t l = 0; l < K; ++l)
        mass[k] += G[k * K + l];
    }
    for (std::size_t k = 0; k < m; ++k) {
      g[k] = mass[k] - totals[k];
      for (std::size_t l = 0; l < m; ++l)
        H[k * m + l] = (k == l ? mass[k] : 0.0) - G[k * K + l];
    }
    if (!cholesky.factor(H, m)) return {};
    const double nu = std::sqrt(cholesky.inverse_quadratic(g, scratch));
    double r2 = 0, trace = 0;
    for (std::size_t k = 0; k < m; ++k) {
      std::fill(e.begin(), e.end(), 0.0);
      e[k] = 1;  // e_k − e_K
      const double q = cholesky.inverse_quadratic(e, scratch);
      trace += q;
      r2 = std::max(r2, q);
      for (std::size_t l = k + 1; l < m; ++l) {  // e_k − e_l
        e[l] = -1;
        r2 = std::max(r2, cholesky.inverse_quadratic(e, scratch));
        e[l] = 0;
      }
    }
    const double R = std::sqrt(r2), u = R * nu;
    detail::InterceptBound bound;
    if (u < 1 && R > 0) {
      bound = {detail::omega_upper(u) / r2, -std::log1p(-u) / R * std::sqrt(trace)};
    }
    if (u <= 1e-15 || !(u < 0.5 * previous) || iteration == 50) return bound;
    previous = u;
    std::copy(g.begin(), g.end(), step.begin());
    cholesky.solve(step);
    const double damping = u < 0.25 ? 1.0 : 1.0 / (1.0 + u);
    for (std::size_t k = 0; k < m; ++k)
      b[k] -= damping * step[k];
  }
}

// lse(z + b) − (z_y + b_y) = −log p_y: as −log1p(−Σ_{k≠y} p_k) where p_y is close to 1, from the
// row's margins z (logits(): K values without intercepts, asked for only then) where p_y is too
// small for its relative accuracy.
template <class Logits>
double row_loss(std::span<const double> b, const double* p, std::size_t y,
                std::span<double> scratch, const Logits& logits) {
  const std::size_t K = b.size();
  double others = 0;
  for (std::size_t k = 0; k < K; ++k)
    if (k != y) others += p[k];
  if (others < 0.5) return -std::log1p(-others);
  if (p[y] >= 1e-200) return -std::log(p[y]);
  const double* z = logits();
  return softmax_at(z, b, scratch) - (z[y] + b[y]);
}

// P = the softmax probabilities at intercepts b from those at b0 (P0, n x K): a change of
// intercepts multiplies class k's by exp(b_k − b0_k) before the rows are normalised again.
// Entries of P0 flushed to zero (below the smallest normal number) stay zero.
void rescaled_probabilities(std::span<const double> P0, std::span<const double> b0,
                            std::span<const double> b, std::span<double> P, int threads) {
  const std::size_t K = b.size(), n = P0.size() / (K > 0 ? K : 1);
  std::vector<double> factor(K);
  for (std::size_t k = 0; k < K; ++k)
    factor[k] = std::exp(b[k] - b0[k]);
  const std::ptrdiff_t rows = std::ptrdiff_t(n);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::ptrdiff_t i = 0; i < rows; ++i) {
    const double* from = P0.data() + std::size_t(i) * K;
    double* to = P.data() + std::size_t(i) * K;
    double total = 0;
    for (std::size_t k = 0; k < K; ++k) {
      to[k] = from[k] * factor[k];
      total += to[k];
    }
    const double inverse = 1 / total;
    for (std::size_t k = 0; k < K; ++k)
      to[k] *= inverse;
  }
}

// What the multinomial duality gap needs at the point (W, b̂), b̂ the polished intercepts.
struct DualInputs {
  std::span<const double> P;  // softmax probabilities at (W, b̂), n x K
  std::span<const std::int32_t> labels;
  std::span<const double> c;       // C s_i
  std::span<const double> grad_W;  // Σ c_i (p_i − e_{y_i}) x_iᵀ, K x d (= −Xᵀr)
  std::span<const double> W;
  std::span<const double> l1, l2;  // per parameter (l2 empty: own_l2 for every coefficient)
  double own_l2;
  std::span<const double> column_max;  // max_i |x_ij| over rows with c_i ≠ 0
  bool intercept;
  Threads threads;
};

// The duality gap of C Σ s_i [lse(z_i) − z_{i,y_i}] + Σ l1 |W| + ½ Σ l2 W² at (W, b̂), `loss` the
// first sum there (docs/convergence.md, section 7; elastic_net_gap.cpp is the binary case). The
// dual point: r_i = c_i (e_{y_i} − q_i), q_i = p_i + (diag(p_i) − p_i p_iᵀ) v with v = H̃⁻¹ ε the
// Newton step the intercepts' residual sums ε still ask for (v_K = 0), so that Σ_i r_i = 0
// exactly and every q_i stays in the simplex while max v − min v ≤ 1; each |(Xᵀr)_kj| then moves
// by at most (max v − min v) Σ_i c_i p_ik max_i |x_ij|. r is scaled by s into the l1 ball where
// l2 = 0, and −φ_i*(−r_i) = c_i H(q″_i), H the entropy of q″_i = e_{y_i} − s (e_{y_i} − q_i).
GapBound multinomial_duality_gap(const DualInputs& in, double loss) {
  const std::size_t K = in.W.size() / std::max<std::size_t>(1, in.column_max.size()),
                    d = in.column_max.size(), n = in.labels.size();
  const auto l2_of = [&](std::size_t p) { return in.l2.empty() ? in.own_l2 : in.l2[p]; };
  GapBound out;
  double penalty = 0;
  for (std::size_t p = 0; p < K * d; ++p)
    penalty += in.l1[p] * std::fabs(in.W[p]) + 0.5 * l2_of(p) * in.W[p] * in.W[p];
  out.objective = loss + penalty;
  const int row_team = detail::row_threads(in.threads, n);
  // ε_k = Σ_i c_i (e_{y_i,k} − p_ik) and the class masses Σ_i c_i p_ik.
  std::vector<double> sums(2 * K, 0.0);
  sum_in_row_blocks(n, sums, row_team, [&](std::size_t begin, std::size_t end, double* t) {
    for (std::size_t i = begin; i < end; ++i) {
      if (in.c[i] == 0) continue;
      for (std::size_t k = 0; k < K; ++k) {
        t[k] += in.c[i] * ((std::size_t(in.labels[i]) == k ? 1.0 : 0.0) - in.P[i * K + k]);
        t[K + k] += in.c[i] * in.P[i * K + k];
      }
    }
  });
  std::vector<double> v(K, 0.0);
  double range = 0;
  if (in.intercept) {
    // H = diag(mass) − PᵀCP on the first K − 1 intercepts (b_K held).
    std::vector<double> G(K * K), H((K - 1) * (K - 1)), eps(K - 1);
    kernels::weighted_gram(MatrixView<const double>(in.P.data(), n, K), in.c.data(), G.data(),
                           in.threads);
    for (std::size_t k = 0; k + 1 < K; ++k) {
      eps[k] = sums[k];
      for (std::size_t l = 0; l + 1 < K; ++l)
        H[k * (K - 1) + l] = (k == l ? sums[K + k] : 0.0) - G[k * K + l];
    }
    linalg::Cholesky cholesky;
    if (!cholesky.factor(H, K - 1)) {
      out.note = "the intercepts' Hessian is singular: no dual point";
      return out;
    }
    cholesky.solve(eps);
    std::copy(eps.begin(), eps.end(), v.begin());
    range = *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
    if (!(range < 1)) {
      out.note = "the intercepts are too far from their optimum for a dual point";
      return out;
    }
  }
  std::vector<double> bound(K * d);
  double s = 1;
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t j = 0; j < d; ++j) {
      const std::size_t p = k * d + j;
      bound[p] = std::fabs(in.grad_W[p]) + range * sums[K + k] * in.column_max[j];
      if (l2_of(p) == 0 && bound[p] > in.l1[p]) s = std::min(s, in.l1[p] / bound[p]);
    }
  }
  double conjugates = 0;
  for (std::size_t p = 0; p < K * d; ++p) {
    if (l2_of(p) > 0) {
      const double excess = std::max(0.0, s * bound[p] - in.l1[p]);
      conjugates += excess * excess / (2 * l2_of(p));
    }
  }
  double entropy = 0;
  sum_in_row_blocks(n, std::span<double>(&entropy, 1), row_team,
                    [&](std::size_t begin, std::size_t end, double* t) {
                      std::vector<double> q(K);
                      for (std::size_t i = begin; i < end; ++i) {
                        if (in.c[i] == 0) continue;
                        const double* p = in.P.data() + i * K;
                        double mean = 0;
                        for (std::size_t k = 0; k < K; ++k)
                          mean += p[k] * v[k];
                        const std::size_t y = std::size_t(in.labels[i]);
                        double others = 0, h = 0;
                        for (std::size_t k = 0; k < K; ++k) {
                          if (k == y) continue;
                          const double qk = s * (p[k] + p[k] * (v[k] - mean));
                          if (qk > 0) h -= qk * std::log(qk);
                          others += qk;
                        }
                        if (others > 0 && others < 1) h -= (1 - others) * std::log1p(-others);
                        *t += in.c[i] * h;
                      }
                    });
  const double dual = entropy - conjugates;
  const double rounding = 8 * 0x1p-52 * (std::fabs(out.objective) + entropy + conjugates);
  out.bound = std::max(0.0, out.objective - dual) + rounding;
  out.certificate = Certificate::duality_gap;
  return out;
}

}  // namespace

template <class T>
GapBound MultinomialObjective<T>::certify(std::span<double> x, const CertifyRequest& request) {
  const std::size_t n = data_.X.rows, d = data_.d, K = K_;
  const bool intercept = data_.fit_intercept;
  // Double data: the probabilities at (W, b₀) and the gradient come from the fused softmax pass
  // (one read of X each). Float data: the margins and the gradient in double over the widened
  // rows (docs/convergence.md, 2e), one pass each, the probabilities by the softmax kernel.
  // The intercept polish rescales the probabilities at b₀.
  constexpr bool kFused = std::is_same_v<T, double>;
  std::vector<double> penalty(d), b(K, 0.0), grad_W(K * d), grad_b(K);
  detail::PooledRows c(n), R(n * K);
  const std::span<const std::int32_t> labels = labels_;
  for (std::size_t j = 0; j < d; ++j)
    penalty[j] = detail::penalty_of(request, j, l2_ ? 1.0 : 0.0);
  for (std::size_t i = 0; i < n; ++i)
    c[i] = C_ * (data_.sample_weight.empty() ? 1.0 : double(data_.sample_weight[i]));
  if (intercept) std::copy(x.begin() + std::ptrdiff_t(K * d), x.end(), b.begin());
  const std::vector<double> b0 = b;
  // Σ s_i (p_i − e_{y_i}) x_iᵀ at (W, at) into grad_W, and the probabilities into P if given.
  [[maybe_unused]] const auto fused_pass = [&](std::span<const double> at, double* P) {
    if constexpr (kFused) {
      SoftmaxPass<double> pass{.X = data_.X,
                               .labels = labels.data(),
                               .n_classes = K,
                               .sample_weight = data_.weights(),
                               .W = x.data(),
                               .b = intercept ? at.data() : nullptr,
                               .grad_W = grad_W.data(),
                               .grad_b = grad_b.data(),
                               .probabilities = P};
      kernels::softmax_loss_grad(pass, data_.threads);
    }
  };
  // At the point of the objective's last pass (where the solvers check), its probabilities and
  // gradient sums are this pass's, bit for bit.
  const bool at_last_pass =
      kFused && pass_point_.size() == x.size() &&
      std::memcmp(pass_point_.data(), x.data(), x.size() * sizeof(double)) == 0;
  detail::PooledRows Z(kFused ? 0 : n * K), P0(at_last_pass ? 0 : n * K);
  std::span<const double> start;  // the probabilities at (W, b₀)
  if constexpr (kFused) {
    if (at_last_pass) {
      start = probabilities_;
      std::copy(grad_W_.begin(), grad_W_.end(), grad_W.begin());
    } else {
      fused_pass(b0, P0.data());
      start = P0;
    }
  } else {
    detail::wide_margins_classes(data_.X, x.first(K * d), K, Z, data_.threads);
    probabilities(Z, b0, P0, data_.threads);
    start = P0;
  }
  const int row_team = detail::row_threads(data_.threads, n);
  const auto probabilities_at = [&](std::span<const double> at, std::span<double> P) {
    rescaled_probabilities(start, b0, at, P, row_team);
  };
  // Under a row partition: this part's rows; the sums over rows combine every part's
  // (sum_in_row_blocks, weighted_gram, the fused pass) and the passes over X run on this part's
  // block.
  detail::InterceptBound polished{0, 0};
  if (intercept) {
    polished = polish_intercepts(probabilities_at, labels, c, b, R, data_.threads);
    std::copy(b.begin(), b.end(), x.begin() + std::ptrdiff_t(K * d));
  } else {
    probabilities_at(b, R);
  }
  // The probabilities at the polished intercepts, for the duality gap (R changes below).
  std::vector<double> P;
  if (!request.l1_penalty.empty()) P.assign(R.begin(), R.end());
  // R holds the probabilities; each row becomes c_i (p_i − e_{y_i}) (float data: for the
  // gradient).
  double value = 0;
  sum_in_row_blocks(n, std::span<double>(&value, 1), row_team,
                    [&](std::size_t begin, std::size_t end, double* sum) {
                      std::vector<double> scratch(K), z(K);
                      for (std::size_t i = begin; i < end; ++i) {
                        double* r = R.data() + i * K;
                        if (c[i] == 0) {
                          std::fill(r, r + K, 0.0);
                          continue;
                        }
                        const std::size_t label = std::size_t(labels[i]);
                        const auto logits = [&]() -> const double* {
                          if constexpr (kFused) {
                            // (a rare row: p_y below 1e-200)
                            const T* row = data_.X.row(i);
                            for (std::size_t k = 0; k < K; ++k) {
                              z[k] = 0;
                              for (std::size_t j = 0; j < d; ++j)
                                z[k] += double(row[j]) * x[k * d + j];
                            }
                            return z.data();
                          } else {
                            return Z.data() + i * K;
                          }
                        };
                        *sum += c[i] * row_loss(b, r, label, scratch, logits);
                        if (!kFused) {
                          for (std::size_t k = 0; k < K; ++k)
                            r[k] = c[i] * (r[k] - (k == label ? 1.0 : 0.0));
                        }
                      }
                    });
  if constexpr (kFused) {
    // The gradient at the polished intercepts (the first pass's when they did not move).
    if (!std::equal(b.begin(), b.end(), b0.begin())) fused_pass(b, nullptr);
    for (double& v : grad_W)
      v *= C_;
  } else {
    detail::wide_transpose_product_classes(data_.X, R, K, grad_W, data_.threads);
  }
  if (!request.l1_penalty.empty()) {
    const std::span<const double> column_max =
        detail::column_max_abs(data_.X, c, data_.threads, row_norms_);
    return multinomial_duality_gap(
        {P, labels, c, grad_W, x.first(K * d), request.l1_penalty, request.coefficient_penalty,
         l2_ ? 1.0 : 0.0, column_max, intercept, data_.threads},
        value);
  }
  bool strongly_convex = true;
  double norm2 = 0;
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t j = 0; j < d; ++j) {
      const double w = x[k * d + j];
      value += 0.5 * penalty[j] * w * w;
      const double g = grad_W[k * d + j] + penalty[j] * w;
      strongly_convex = strongly_convex && penalty[j] > 0;
      if (penalty[j] > 0) norm2 += g * g / penalty[j];
    }
  }
  GapBound out;
  out.objective = value;
  if (strongly_convex && std::isfinite(polished.gap)) {
    double delta = 0;
    if (intercept) {
      const double rows = detail::row_norm_sum(data_.X, c, penalty, data_.threads, row_norms_);
      delta = 0.5 * polished.shift * rows;  // the softmax Jacobian's norm is at most ½
    }
    detail::keep_smaller(out, detail::tier1_bound(polished, std::sqrt(norm2), delta),
                         Certificate::strong_convexity);
  }
  if (!std::isfinite(out.bound)) {
    out.note = strongly_convex
                   ? "the bound does not hold yet (far from the optimum)"
                   : "no certificate for the multinomial objective without a penalty (yet)";
  }
  return out;
}

template <class T>
double MultinomialObjective<T>::gap_estimate(std::span<const double> gradient) const {
  if (!l2_) return detail::kInfinity;
  double norm2 = 0;
  for (std::size_t j = 0; j < K_ * data_.d; ++j)
    norm2 += gradient[j] * gradient[j];
  return 0.5 * norm2;
}

// The members defined here (the class is instantiated in multinomial_objective.cpp).
template GapBound MultinomialObjective<float>::certify(std::span<double>, const CertifyRequest&);
template GapBound MultinomialObjective<double>::certify(std::span<double>, const CertifyRequest&);
template double MultinomialObjective<float>::gap_estimate(std::span<const double>) const;
template double MultinomialObjective<double>::gap_estimate(std::span<const double>) const;

}  // namespace simdlr
