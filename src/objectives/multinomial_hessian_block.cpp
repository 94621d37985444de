// The multinomial objective's Hessian on a subset of its parameters (HessianBlocks, for the
// proximal Newton solver): for coefficients (k, f), (l, g) of classes k, l and features f, g (the
// intercept's feature being a column of ones)
//   H = C Σ_i s_i p_ik (δ_kl − p_il) x_if x_ig   (+ 1 on W's diagonal with the l2 penalty),
// p the probabilities of the last pass. The features of the set are copied once and one weighted
// Gram matrix is taken per pair of the set's classes: n · u² per pair for u features, not
// n · (K d)².
#include <algorithm>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {

template <class T>
void MultinomialObjective<T>::hessian_block(std::span<const std::size_t> index,
                                            std::span<double> H) {
  const std::size_t n = data_.X.rows, d = data_.d, K = K_, k_size = index.size();
  // The features (d: the intercept's ones) and classes of the set.
  std::vector<std::size_t> feature(k_size), klass(k_size), columns;
  std::vector<bool> has_class(K, false);
  for (std::size_t a = 0; a < k_size; ++a) {
    const std::size_t p = index[a];
    klass[a] = p < K * d ? p / d : p - K * d;
    feature[a] = p < K * d ? p % d : d;
    columns.push_back(feature[a]);
    has_class[klass[a]] = true;
  }
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());
  const std::size_t u = columns.size();
  std::vector<std::size_t> position(k_size);
  for (std::size_t a = 0; a < k_size; ++a)
    position[a] =
        std::size_t(std::lower_bound(columns.begin(), columns.end(), feature[a]) - columns.begin());
  std::vector<std::size_t> classes;
  for (std::size_t k = 0; k < K; ++k)
    if (has_class[k]) classes.push_back(k);
  const std::size_t c = classes.size(), pairs = c * (c + 1) / 2;
  // G[pair] (u x u): Σ_i w_i^{kl} a_i a_iᵀ for the pair (k ≤ l) of classes, one weighted Gram
  // pass each over the set's columns copied once (the same bits for every thread count and, under
  // a row partition, every split).
  std::vector<double> G(pairs * u * u, 0.0);
  std::vector<T> packed(n * u), weight(n), gram(u * u);
  for (std::size_t i = 0; i < n; ++i) {
    const T* row = data_.X.row(i);
    T* out = packed.data() + i * u;
    for (std::size_t a = 0; a < u; ++a)
      out[a] = columns[a] == d ? T(1) : row[columns[a]];
  }
  const MatrixView<const T> block(packed.data(), n, u);
  std::size_t pair = 0;
  for (std::size_t x = 0; x < c; ++x) {
    for (std::size_t y = x; y < c; ++y, ++pair) {
      const std::size_t k = classes[x], l = classes[y];
      for (std::size_t i = 0; i < n; ++i) {
        const T* p = probabilities_.data() + i * K;
        const T s = data_.sample_weight.empty() ? T(1) : data_.sample_weight[i];
        weight[i] = s * p[k] * ((k == l ? T(1) : T(0)) - p[l]);
      }
      kernels::weighted_gram(block, weight.data(), gram.data(), data_.threads);
      std::copy(gram.begin(), gram.end(), G.begin() + std::ptrdiff_t(pair * u * u));
    }
  }
  // The pair index of classes x ≤ y (positions in `classes`).
  std::vector<std::size_t> class_position(K, 0);
  for (std::size_t x = 0; x < c; ++x)
    class_position[classes[x]] = x;
  const auto pair_of = [&](std::size_t x, std::size_t y) {
    if (x > y) std::swap(x, y);
    return x * c - x * (x + 1) / 2 + y;  // row x of the upper triangle, then column y
  };
  for (std::size_t a = 0; a < k_size; ++a) {
    for (std::size_t b = 0; b < k_size; ++b) {
      const std::size_t x = class_position[klass[a]], y = class_position[klass[b]];
      const double* sum = G.data() + pair_of(x, y) * u * u;
      H[a * k_size + b] = C_ * sum[position[a] * u + position[b]];
    }
    if (l2_ && feature[a] < d) H[a * k_size + a] += 1.0;
  }
}

template void MultinomialObjective<float>::hessian_block(std::span<const std::size_t>,
                                                         std::span<double>);
template void MultinomialObjective<double>::hessian_block(std::span<const std::size_t>,
                                                          std::span<double>);

}  // namespace simdlr
