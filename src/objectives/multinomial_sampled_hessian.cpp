// The multinomial objective's Hessian from a row sample at the last evaluation point, and the
// start Hessian L-BFGS builds from it where it is cheap
// (MultinomialObjective::point_preconditioner). The class-block preconditioner
// (multinomial_preconditioner.cpp) is the Hessian at W = 0, fixed: once the probabilities have
// moved away from 1/K it no longer resembles the Hessian, and L-BFGS takes 20-30 iterations on 10
// Gaussian classes. This one, rebuilt after the first two steps, makes L-BFGS a sampled Newton
// method: 8 iterations there (bench/README.md, "Multinomial: the sampled Hessian at the current
// point").
#include <algorithm>
#include <cmath>
#include <vector>

#include "partition_rows.hpp"
#include "row_sample.hpp"
#include "simdlr/kernels.hpp"
#include "simdlr/linalg.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {
namespace {

// Rows in the sample for M parameters: the Hessian's estimate has a relative error of about
// √(M / rows), and a sampled Newton method needs only a rough one; fewer rows make each build
// cheaper. Measured (default fits, one thread): 100,000 x 10, 10 classes, 97 ms with 10,000
// rows (7 iterations), 84 ms with 2,500 (8); 10,000 x 10: 22, 12 and 9.8 ms with 10,000, 2,500
// and 1,000 rows (7, 8, 9 iterations); real_multinomial (M = 510): 354, 297 and 324 ms with
// 10,000, 5,000 and 2,500 rows (10, 10, 13 iterations).
std::size_t sample_rows(std::size_t parameters, std::size_t max_rows) {
  return std::min(max_rows, std::max<std::size_t>(2500, 10 * parameters));
}
// Parameters up to which the (Km)² Hessian is factored (its Cholesky: (Km)³/3 flops per build).
constexpr std::size_t kParameterLimit = 512;
// Builds costing more than this many passes over the data are not made: three builds (at once,
// after the first and the second step) then cost at most 15 passes, against the 15-25 the class
// block's iterations take beyond the sampled Newton method's on the problems measured.
constexpr double kMostPasses = 5;

// Whether the K(K+1)/2 class pairs' Gram matrices come from one cross product (pairs_at_once)
// rather than one weighted Gram pass each: for narrow rows, whose Gram matrices fill registers
// poorly, and enough pairs. Measured on AVX-512 (Zen 4) with 2,500 rows, one thread, the cross
// product against the Gram passes: 10 classes and m = 11 columns 476 vs 824 us (double), 312 vs
// 707 (float); m = 16 1,054 vs 1,144 (double); m = 21 about equal; 3 classes and m = 11 116 vs
// 89.
bool pairs_at_once(std::size_t m, std::size_t pairs) {
  return m <= 16 && pairs >= 10;
}
// Elements of one block of the cross product's inputs (rows x (pairs + products)): below
// 128 KiB of double (glibc maps blocks from 128 KiB on), 64 KiB of float.
constexpr std::size_t kPairBlockElements = 16000;

class CholeskyPreconditioner final : public Preconditioner {
 public:
  explicit CholeskyPreconditioner(linalg::Cholesky factor) : factor_(std::move(factor)) {}
  void apply(std::span<double> v) const override { factor_.solve(v); }

 private:
  linalg::Cholesky factor_;
};

}  // namespace

template <class T>
bool MultinomialObjective<T>::point_preconditioner_cheap(std::size_t max_rows) const {
  const std::size_t m = data_.d + (data_.fit_intercept ? 1 : 0), parameters = K_ * m;
  const RowPartition* partition = active_row_partition();
  const double n = double(partition ? partition->global_rows() : data_.X.rows);
  if (parameters > kParameterLimit || n == 0) return false;
  // One build in passes: the Gram matrices (s · m² / 2 multiply-adds for each of K(K+1)/2 class
  // pairs) and the Cholesky (about six times slower per flop), against a softmax pass of about
  // 4 n K m operations (calibrated with 10,000-row samples: 0.7 passes predicted and taken at
  // 100,000 x 10 with 10 classes; 4.5 predicted at 100,000 x 50 with 10, where a build took
  // about 4).
  const double s = std::min(n, double(sample_rows(parameters, max_rows)));
  const double K = double(K_), M = double(parameters), width = double(m);
  const double gram = s * width * width / 2 * K * (K + 1) / 2, cholesky = 2 * M * M * M;
  return (gram + cholesky) / (4 * n * K * width) <= kMostPasses;
}

template <class T>
void MultinomialObjective<T>::sampled_data_hessian(std::size_t max_rows, std::span<double> H) {
  const std::size_t d = data_.d, K = K_, m = d + (data_.fit_intercept ? 1 : 0), M = dimension();
  // Under a row partition: the global rows' sample and their probabilities gathered on every part
  // (row_sample.hpp), so that every part computes the same H as one process would.
  const detail::RowSample<T> sample(data_.X, max_rows);
  const MatrixView<const T> X = sample.X();
  const std::size_t rows = X.rows;
  const std::vector<T> P = sample.rows_of(probabilities_.data(), K);
  const std::vector<T> s = sample.values(data_.weights());
  const ScopedRowPartition scope(sample.partition());  // all rows: this part's, sums combined
  // The sample's rows a_i = (x_i, 1).
  std::vector<T> A(rows * m);
  for (std::size_t i = 0; i < rows; ++i) {
    std::copy_n(X.row(i), d, A.data() + i * m);
    if (m > d) A[i * m + d] = T(1);
  }
  const auto parameter = [&](std::size_t k, std::size_t f) {
    return f < d ? k * d + f : K * d + k;
  };
  const double scale = C_ * double(sample.global_rows()) / double(sample.rows());
  // H's elements of the class pair (k, l) and the features (f, g), and their mirror image.
  const auto set = [&](std::size_t k, std::size_t l, std::size_t f, std::size_t g, double sum) {
    const double h = scale * sum;
    H[parameter(k, f) * M + parameter(l, g)] = h;
    H[parameter(l, g) * M + parameter(k, f)] = h;
  };
  const auto pair_weight = [&](std::size_t i, std::size_t k, std::size_t l) {
    return s[i] * P[i * K + k] * ((k == l ? T(1) : T(0)) - P[i * K + l]);
  };
  const std::size_t pairs = K * (K + 1) / 2, products = m * (m + 1) / 2;
  if (sample.partition() == nullptr && pairs_at_once(m, pairs)) {
    // Every class pair at once: the pair weights of a block of rows (rows x pairs) against the
    // products a_if a_ig, f ≤ g, of their features (rows x products), one cross product per
    // block, the blocks' sums added in double. The blocks' inputs share one buffer below 128 KiB,
    // which the allocator then keeps on its heap (larger ones it maps and unmaps on each build,
    // and every page costs a fault).
    const std::size_t block = std::max<std::size_t>(1, kPairBlockElements / (pairs + products));
    std::vector<T> buffer(block * (pairs + products)), C(pairs * products);
    std::vector<double> total(pairs * products, 0.0);
    for (std::size_t i0 = 0; i0 < rows; i0 += block) {
      const std::size_t count = std::min(block, rows - i0);
      T* w = buffer.data();
      T* o = buffer.data() + count * pairs;
      for (std::size_t i = i0; i < i0 + count; ++i) {
        for (std::size_t k = 0; k < K; ++k)
          for (std::size_t l = k; l < K; ++l)
            *w++ = pair_weight(i, k, l);
        const T* x = A.data() + i * m;
        for (std::size_t f = 0; f < m; ++f)
          for (std::size_t g = f; g < m; ++g)
            *o++ = x[f] * x[g];
      }
      kernels::cross_product(MatrixView<const T>(buffer.data(), count, pairs),
                             MatrixView<const T>(buffer.data() + count * pairs, count, products),
                             C.data(), data_.threads);
      for (std::size_t q = 0; q < pairs * products; ++q)
        total[q] += double(C[q]);
    }
    const double* c = total.data();
    for (std::size_t k = 0; k < K; ++k) {
      for (std::size_t l = k; l < K; ++l) {
        for (std::size_t f = 0; f < m; ++f) {
          for (std::size_t g = f; g < m; ++g, ++c) {
            set(k, l, f, g, *c);
            set(k, l, g, f, *c);
          }
        }
      }
    }
    return;
  }
  const MatrixView<const T> a(A.data(), rows, m);
  std::vector<T> weight(rows), gram(m * m);
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t l = k; l < K; ++l) {
      for (std::size_t i = 0; i < rows; ++i)
        weight[i] = pair_weight(i, k, l);
      kernels::weighted_gram(a, weight.data(), gram.data(), data_.threads);
      for (std::size_t f = 0; f < m; ++f)
        for (std::size_t g = 0; g < m; ++g)
          set(k, l, f, g, double(gram[f * m + g]));
    }
  }
}

template <class T>
std::unique_ptr<Preconditioner> MultinomialObjective<T>::point_preconditioner(
    std::size_t max_rows, std::span<const double> coefficient_penalty) {
  const std::size_t d = data_.d, K = K_, M = dimension();
  if (!point_preconditioner_cheap(max_rows)) return nullptr;
  if (!coefficient_penalty.empty() && coefficient_penalty.size() != K * d) return nullptr;
  std::vector<double> penalty(K * d, l2_ ? 1.0 : 0.0);
  if (!coefficient_penalty.empty())
    std::copy(coefficient_penalty.begin(), coefficient_penalty.end(), penalty.begin());
  std::vector<double> H(M * M);
  sampled_data_hessian(sample_rows(M, max_rows), H);
  for (std::size_t p = 0; p < K * d; ++p)
    H[p * M + p] += penalty[p];
  // Adding one vector to every class's row changes no probability: along such a common direction
  // only the penalty curves F. Where it does not (the intercepts; unpenalised features), the
  // direction gets curvature 1, as in the class-block preconditioner, instead of a singular H.
  for (std::size_t f = 0; f <= d; ++f) {
    if (f == d && !data_.fit_intercept) break;
    bool flat = true;
    for (std::size_t k = 0; k < K && f < d; ++k)
      flat = flat && penalty[k * d + f] == 0;
    if (!flat) continue;
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t l = 0; l < K; ++l)
        H[(f < d ? k * d + f : K * d + k) * M + (f < d ? l * d + f : K * d + l)] += 1.0 / double(K);
  }
  // What is still singular (collinear columns without a penalty) regularised as the solvers do.
  linalg::Cholesky factor;
  if (!linalg::factor_regularised(H, M, factor)) return nullptr;
  return std::make_unique<CholeskyPreconditioner>(std::move(factor));
}

template bool MultinomialObjective<float>::point_preconditioner_cheap(std::size_t) const;
template bool MultinomialObjective<double>::point_preconditioner_cheap(std::size_t) const;
template void MultinomialObjective<float>::sampled_data_hessian(std::size_t, std::span<double>);
template void MultinomialObjective<double>::sampled_data_hessian(std::size_t, std::span<double>);
template std::unique_ptr<Preconditioner> MultinomialObjective<float>::point_preconditioner(
    std::size_t, std::span<const double>);
template std::unique_ptr<Preconditioner> MultinomialObjective<double>::point_preconditioner(
    std::size_t, std::span<const double>);

}  // namespace simdlr
