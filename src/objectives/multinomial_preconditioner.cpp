// The multinomial objective's preconditioner: its Hessian at W = 0 (all probabilities 1/K) is
// C · A ⊗ G + I ⊗ Λ with A = (I − 11ᵀ/K)/K, G = Σ s_i a_i a_iᵀ over the rows a_i = (x_i, 1) and
// Λ the l2 penalty (0 on the intercept). A has eigenvalue 1/K off the common direction 1 and 0
// along it, where only the penalty curves F (adding the same vector to every class changes no
// probability), so
//   M = P⊥ ⊗ B + P₁ ⊗ Λ̃,  B = C·G/K + Λ,  Λ̃ = Λ with its zeros (F flat) replaced by 1,
// is that Hessian wherever it is not singular, and M⁻¹v costs one m x m solve per class instead
// of a Cholesky of the (Km)² Hessian. G is estimated from a row sample. Λ is the objective's own
// penalty (1 or 0 per coefficient) or the one a standardizing wrapper gives in raw coordinates
// (σ_j²: its ½‖w'‖²), where Λ̃ = I would scale the common direction's steps by up to σ_j⁻².
#include <algorithm>
#include <cmath>
#include <vector>

#include "one_row.hpp"
#include "partition_rows.hpp"
#include "simdlr/linalg.hpp"
#include "simdlr/objectives.hpp"

namespace simdlr {
namespace {

// Dimension limit of B's Cholesky (m³/3 flops once, m² per class per application).
constexpr std::size_t kBlockLimit = 1024;

class ClassBlockPreconditioner final : public Preconditioner {
 public:
  ClassBlockPreconditioner(std::size_t classes, std::size_t d, bool intercept,
                           linalg::Cholesky block, std::vector<double> common)
      : K_(classes),
        d_(d),
        m_(d + (intercept ? 1 : 0)),
        block_(std::move(block)),
        common_(std::move(common)) {}

  void apply(std::span<double> v) const override {
    std::vector<double> rows(K_ * m_), mean(m_, 0.0);
    for (std::size_t k = 0; k < K_; ++k) {  // class k's row (W_k, b_k)
      for (std::size_t j = 0; j < d_; ++j)
        rows[k * m_ + j] = v[k * d_ + j];
      if (m_ > d_) rows[k * m_ + d_] = v[K_ * d_ + k];
      for (std::size_t j = 0; j < m_; ++j)
        mean[j] += rows[k * m_ + j] / double(K_);
    }
    for (std::size_t k = 0; k < K_; ++k) {
      std::span<double> row(rows.data() + k * m_, m_);
      for (std::size_t j = 0; j < m_; ++j)
        row[j] -= mean[j];
      block_.solve(row);
      for (std::size_t j = 0; j < m_; ++j)
        row[j] += mean[j] / common_[j];
      for (std::size_t j = 0; j < d_; ++j)
        v[k * d_ + j] = row[j];
      if (m_ > d_) v[K_ * d_ + k] = row[d_];
    }
  }

 private:
  std::size_t K_, d_, m_;
  linalg::Cholesky block_;
  std::vector<double> common_;  // the curvature along the common direction, per entry
};

}  // namespace

template <class T>
std::unique_ptr<Preconditioner> MultinomialObjective<T>::penalized_preconditioner(
    std::size_t max_rows, std::span<const double> coefficient_penalty) {
  const std::size_t d = data_.d, m = d + (data_.fit_intercept ? 1 : 0);
  if (m > kBlockLimit) return nullptr;
  // Λ: the own penalty (1 or 0 on every coefficient) or the one given, which must be the same
  // for every class to keep the class-block structure.
  std::vector<double> lambda(d, l2_ ? 1.0 : 0.0);
  if (!coefficient_penalty.empty()) {
    if (coefficient_penalty.size() != K_ * d) return nullptr;
    for (std::size_t j = 0; j < d; ++j)
      lambda[j] = coefficient_penalty[j];
    for (std::size_t k = 1; k < K_; ++k) {
      for (std::size_t j = 0; j < d; ++j)
        if (coefficient_penalty[k * d + j] != lambda[j]) return nullptr;
    }
  }
  // Under a row partition: the global rows' sample, gathered (row_sample.hpp).
  const detail::RowSample<T> rows_sample(data_.X, max_rows);
  const std::size_t n = rows_sample.global_rows();
  const MatrixView<const T> sample = rows_sample.X();
  const std::size_t rows = rows_sample.rows();
  std::vector<T> gram(d * d), column(d);
  const std::vector<T> weights = rows_sample.values(data_.weights());
  const ScopedRowPartition scope(rows_sample.partition());  // nullptr: the sample is all here
  kernels::weighted_gram(sample, weights.data(), gram.data(), data_.threads);
  const double scale = C_ / double(K_) * double(n) / double(rows);
  std::vector<double> B(m * m);
  for (std::size_t j = 0; j < d; ++j) {
    for (std::size_t k = 0; k < d; ++k)
      B[j * m + k] = scale * double(gram[j * d + k]);
    B[j * m + j] += lambda[j];
  }
  if (data_.fit_intercept) {
    kernels::transpose_product(sample, weights.data(), column.data(), data_.threads);
    // (all rows of a partition: this part's, the parts' block sums combined)
    const double total = detail::row_total(std::span<const T>(weights));
    for (std::size_t j = 0; j < d; ++j)
      B[j * m + d] = B[d * m + j] = scale * double(column[j]);
    B[d * m + d] = scale * double(total);
  }
  // A singular B (collinear columns without a penalty) regularised as the solvers do.
  linalg::Cholesky block;
  if (!linalg::factor_regularised(B, m, block)) return nullptr;
  // Along the common direction only the penalty curves F: Λ there (1 where it is 0: F is flat).
  std::vector<double> common(m, 1.0);
  for (std::size_t j = 0; j < d; ++j)
    common[j] = lambda[j] > 0 ? lambda[j] : 1.0;
  return std::make_unique<ClassBlockPreconditioner>(K_, d, data_.fit_intercept, std::move(block),
                                                    std::move(common));
}

// The member defined here (the class is instantiated in multinomial_objective.cpp).
template std::unique_ptr<Preconditioner> MultinomialObjective<float>::penalized_preconditioner(
    std::size_t, std::span<const double>);
template std::unique_ptr<Preconditioner> MultinomialObjective<double>::penalized_preconditioner(
    std::size_t, std::span<const double>);

}  // namespace simdlr
