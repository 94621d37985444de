// The multinomial objective's value and gradient in double arithmetic over the widened float
// data (Objective::evaluate_in_double): the margins, the softmax and Xᵀ(P − Y) in double, the
// probabilities kept (in T) for the Hessian blocks and products that follow.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "parameters.hpp"
#include "partition_rows.hpp"
#include "simdlr/objectives.hpp"
#include "wide_passes.hpp"

namespace simdlr {

template <class T>
bool MultinomialObjective<T>::evaluate_in_double(bool on) {
  if constexpr (std::is_same_v<T, double>) {
    (void)on;
    return false;
  } else {
    in_double_ = on;
    return true;
  }
}

template <class T>
double MultinomialObjective<T>::value_and_gradient_in_double(std::span<const double> x,
                                                             std::span<double> g) {
  if constexpr (std::is_same_v<T, double>) {
    return value_and_gradient(x, g);
  } else {
    const std::size_t n = data_.X.rows, d = data_.d, K = K_;
    const bool intercept = data_.fit_intercept;
    std::vector<double> Z(n * K), R(n * K), grad(K * d);
    detail::wide_margins_classes(data_.X, x.first(K * d), K, Z, data_.threads);
    // Per row: lse(z + b) − (z_y + b_y), and R = c (p − e_y); Σ_i R in the last K sums.
    std::vector<double> sums(1 + K, 0.0);
    sum_in_row_blocks(n, sums, detail::row_threads(data_.threads, n),
                      [&](std::size_t begin, std::size_t end, double* t) {
                        for (std::size_t i = begin; i < end; ++i) {
                          double* z = Z.data() + i * K;
                          double top = -INFINITY;
                          for (std::size_t k = 0; k < K; ++k) {
                            z[k] += intercept ? x[K * d + k] : 0.0;
                            top = std::max(top, z[k]);
                          }
                          double total = 0;
                          for (std::size_t k = 0; k < K; ++k)
                            total += std::exp(z[k] - top);
                          const std::size_t y = std::size_t(labels_[i]);
                          const double s =
                              data_.sample_weight.empty() ? 1.0 : double(data_.sample_weight[i]);
                          const double c = C_ * s;
                          if (c != 0) t[0] += c * (top + std::log(total) - z[y]);
                          for (std::size_t k = 0; k < K; ++k) {
                            const double p = std::exp(z[k] - top) / total;
                            probabilities_[i * K + k] = T(p);
                            R[i * K + k] = c * (p - (k == y ? 1.0 : 0.0));
                            t[1 + k] += R[i * K + k];
                          }
                        }
                      });
    detail::wide_transpose_product_classes(data_.X, R, K, grad, data_.threads);
    detail::remove_class_mean<double>(1.0, grad, K, grad);
    detail::remove_class_mean<double>(1.0, std::span(sums).subspan(1), K,
                                      std::span(sums).subspan(1));
    double f = sums[0];
    for (std::size_t p = 0; p < K * d; ++p) {
      g[p] = grad[p];
      if (l2_) {
        f += 0.5 * x[p] * x[p];
        g[p] += x[p];
      }
    }
    if (intercept) std::copy(sums.begin() + 1, sums.end(), g.begin() + std::ptrdiff_t(K * d));
    return f;
  }
}

template bool MultinomialObjective<float>::evaluate_in_double(bool);
template bool MultinomialObjective<double>::evaluate_in_double(bool);
template double MultinomialObjective<float>::value_and_gradient_in_double(std::span<const double>,
                                                                          std::span<double>);
template double MultinomialObjective<double>::value_and_gradient_in_double(std::span<const double>,
                                                                           std::span<double>);

}  // namespace simdlr
