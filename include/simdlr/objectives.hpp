// The objectives the models minimise, built only from the fused kernels. Each reads its data
// through non-owning views (no copy of X), makes one pass over X per value_and_gradient call and
// one per Hessian-vector product, and owns its caches (coefficients in the data's precision,
// the Hessian diagonal or the class probabilities at the last evaluation), like LIBLINEAR's
// objective classes. Parameters are double; the data and the kernels run in T (float or double)
// and every sum the solvers see is accumulated so float32 fits stay accurate.
//
// Parameter layout: binary and squared: [w_1 .. w_d, b]; multinomial: [W (K x d, row-major),
// b_1 .. b_K]. The intercept entries exist only with fit_intercept and are never penalised.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/objective.hpp"

namespace simdlr {

enum class Penalty { l2, none };

// C · Σ s_i [softplus(z_i) − y_i z_i] + ½ ‖w‖²  (the ½‖w‖² only with Penalty::l2), z = Xw + b,
// y_i ∈ {0, 1}. Matches scikit-learn's LogisticRegression objective.
template <class T>
class LogisticObjective final : public Objective, public HessianVectorProduct {
 public:
  // sample_weight empty means all ones. The views must outlive the objective.
  LogisticObjective(MatrixView<const T> X, std::span<const T> y, std::span<const T> sample_weight,
                    double C, Penalty penalty, bool fit_intercept, Threads threads = {});

  std::size_t dimension() const override { return d_ + (fit_intercept_ ? 1 : 0); }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override { return std::numeric_limits<T>::epsilon(); }
  HessianVectorProduct* hessian_vector_product() override { return this; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;

 private:
  MatrixView<const T> X_;
  std::span<const T> y_, sample_weight_;
  double C_;
  bool l2_, fit_intercept_;
  Threads threads_;
  std::size_t d_;
  std::vector<T> w_, grad_, v_, hv_, hessian_diag_;
  T b_ = 0, grad_b_ = 0;
  // The Hessian diagonal costs a division per row in every pass, so it is only computed once a
  // solver has asked for Hessian-vector products (L-BFGS and gradient descent never do).
  bool diagonal_wanted_ = false, diagonal_current_ = false;
  double pass(T* hessian_diag);
};

// C · Σ s_i [logsumexp(z_i) − z_{i, y_i}] + ½ ‖W‖²_F, z_i = W x_i + b, labels in [0, K).
template <class T>
class MultinomialObjective final : public Objective, public HessianVectorProduct {
 public:
  MultinomialObjective(MatrixView<const T> X, std::span<const std::int32_t> labels,
                       std::size_t n_classes, std::span<const T> sample_weight, double C,
                       Penalty penalty, bool fit_intercept, Threads threads = {});

  std::size_t dimension() const override { return K_ * d_ + (fit_intercept_ ? K_ : 0); }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override { return std::numeric_limits<T>::epsilon(); }
  HessianVectorProduct* hessian_vector_product() override { return this; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;

 private:
  MatrixView<const T> X_;
  std::span<const std::int32_t> labels_;
  std::size_t K_;
  std::span<const T> sample_weight_;
  double C_;
  bool l2_, fit_intercept_;
  Threads threads_;
  std::size_t d_;
  std::vector<T> W_, b_, grad_W_, grad_b_, probabilities_, V_, v_b_, out_, out_b_;
};

// Σ s_i ½ (z_i − y_i)² + ½ α ‖w‖², z = Xw + b (least squares; ridge with α > 0).
template <class T>
class SquaredObjective final : public Objective, public HessianVectorProduct {
 public:
  SquaredObjective(MatrixView<const T> X, std::span<const T> y, std::span<const T> sample_weight,
                   double alpha, bool fit_intercept, Threads threads = {});

  std::size_t dimension() const override { return d_ + (fit_intercept_ ? 1 : 0); }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override { return std::numeric_limits<T>::epsilon(); }
  HessianVectorProduct* hessian_vector_product() override { return this; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;

 private:
  MatrixView<const T> X_;
  std::span<const T> y_, sample_weight_;
  double alpha_;
  bool fit_intercept_;
  Threads threads_;
  std::size_t d_;
  std::vector<T> w_, grad_, v_, hv_;
};

}  // namespace simdlr
