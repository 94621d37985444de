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
#include <functional>
#include <limits>
#include <span>
#include <vector>

#include "simdlr/kernels.hpp"
#include "simdlr/matrix.hpp"
#include "simdlr/objective.hpp"

namespace simdlr {

// l2 and none are the objectives' own (smooth) penalties. l1 and elasticnet are not smooth: the
// models build the data term (Penalty::none) and hand the penalty to minimize_prox_newton as a
// SeparablePenalty (solvers.hpp); an objective given one of them throws InvalidArgument.
enum class Penalty { l2, none, l1, elasticnet };

namespace detail {

// What every objective reads, as views that must outlive it, and how it passes over them. The
// constructor checks that the targets (`targets` values of y or labels, named target_name) and
// the sample weights (empty: all ones) have one value per row of X.
template <class T>
struct ObjectiveData {
  ObjectiveData(const char* objective, MatrixView<const T> X, std::size_t targets,
                const char* target_name, std::span<const T> sample_weight, bool fit_intercept,
                Threads threads);

  // Parameters of `rows` coefficient rows: rows x d, and rows intercepts with fit_intercept.
  std::size_t dimension(std::size_t rows) const { return rows * d + (fit_intercept ? rows : 0); }
  // The sample weights for the kernels: nullptr for all ones.
  const T* weights() const { return sample_weight.empty() ? nullptr : sample_weight.data(); }

  MatrixView<const T> X;
  std::span<const T> sample_weight;
  bool fit_intercept;
  Threads threads;
  std::size_t d;  // X.cols
};

// The state of an objective with one coefficient row (logistic, least squares; the plumbing
// they share, as LIBLINEAR's l2r_erm_fun does for its losses): the targets, the point (w, b) in
// T, the gradient sums of the last pass and scratch for Hessian-vector products.
template <class T>
struct OneRow {
  OneRow(std::span<const T> y, std::size_t d) : y(y), w(d), grad(d), v(d), hv(d) {}

  std::span<const T> y;
  std::vector<T> w, grad, v, hv;
  T b = 0, grad_b = 0;
};

// Σ c_i ‖x_i‖_{P⁻¹} for a certificate's δ, kept for the penalty vector it was computed with;
// and max_i |x_ij| over the rows with c_i ≠ 0 (empty: not computed), which bounds every row's
// leverage in the sampled Hessian certificate without another pass. known_column_max: the
// maxima of this process's rows when the caller had them (use_column_max_abs), not yet combined
// over the parts of a row partition.
struct RowNormCache {
  std::vector<double> penalty;
  double value = -1;  // < 0: not computed
  std::vector<double> column_max;
  std::vector<double> known_column_max;
  // The sampled Hessian computed in float was of no use at an earlier check (its rounding
  // allowance too large for the data's conditioning): the later checks go straight to double.
  bool float_gram_unfit = false;
};

// Whether `penalty` is l2; InvalidArgument "<objective>: penalties l1 and elasticnet are not
// smooth; ..." unless it is l2 or none.
bool smooth_l2(const char* objective, Penalty penalty);

// Stores `maxima` (d values) as the cache's known column maxima; ShapeError if not d values.
void set_known_column_max(RowNormCache& cache, std::vector<double> maxima, std::size_t d);

}  // namespace detail

// C · Σ s_i [softplus(z_i) − y_i z_i] + ½ ‖w‖²  (the ½‖w‖² only with Penalty::l2), z = Xw + b,
// y_i ∈ {0, 1}. Matches scikit-learn's LogisticRegression objective.
template <class T>
class LogisticObjective final : public Objective,
                                public HessianVectorProduct,
                                public ExactHessian,
                                public HessianBlocks,
                                public CertifiedBound {
 public:
  // sample_weight empty means all ones. The views must outlive the objective.
  LogisticObjective(MatrixView<const T> X, std::span<const T> y, std::span<const T> sample_weight,
                    double C, Penalty penalty, bool fit_intercept, Threads threads = {});

  std::size_t dimension() const override { return data_.dimension(1); }
  std::size_t rows() const override { return data_.X.rows; }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override {
    return in_double_ ? 0x1p-52 : std::numeric_limits<T>::epsilon();
  }
  bool evaluate_in_double(bool on) override;
  HessianVectorProduct* hessian_vector_product() override { return this; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;
  ExactHessian* exact_hessian() override { return this; }
  void hessian(std::span<double> H) override;
  void sampled_hessian(std::span<double> H, std::size_t max_rows) override;
  HessianBlocks* hessian_blocks() override { return this; }
  void hessian_block(std::span<const std::size_t> index, std::span<double> H) override;
  CertifiedBound* certified_bound() override { return this; }
  GapBound certify(std::span<double> x, const CertifyRequest& request) override;
  double gap_estimate(std::span<const double> gradient) const override;
  bool penalised() const override { return l2_; }
  // max_i |x_ij| of each column over this process's rows of X, or upper bounds of them, when the
  // caller has them (the models' input check computes them in its scan of X): the certificate
  // then uses them instead of reading X for them. ShapeError unless X.cols values.
  void use_column_max_abs(std::vector<double> maxima) {
    detail::set_known_column_max(row_norms_, std::move(maxima), data_.d);
  }
  // The models' input scan, deferred to the first pass (one read of X less per fit): that pass
  // also takes the column maxima (as use_column_max_abs's), and when its loss is not finite,
  // which a NaN or ±inf in X always makes it (kernels.hpp, logistic_loss_grad), calls
  // on_non_finite, which should throw the error for that value, or return if X is finite (a loss
  // that overflowed). Passes then go on as without it.
  void scan_in_first_pass(std::function<void()> on_non_finite) {
    scan_pending_ = std::move(on_non_finite);
  }

 private:
  detail::ObjectiveData<T> data_;
  detail::OneRow<T> row_;
  double C_;
  bool l2_;
  bool in_double_ = false;              // evaluate_in_double
  std::function<void()> scan_pending_;  // scan_in_first_pass
  detail::RowNormCache row_norms_;
  std::vector<T> hessian_diag_;
  void make_diagonal_current();
  void scan_now();
  void end_scan(bool finite, const std::vector<T>& maxima);
  // The Hessian diagonal costs a division per row in every pass, so it is only computed once a
  // solver has asked for Hessian-vector products (L-BFGS and gradient descent never do).
  bool diagonal_wanted_ = false, diagonal_current_ = false;
  // Double data with many columns: every pass also writes its margins (n values, under 1/64 of
  // the pass's reading), kept with the point they belong to, so that a certificate check at that
  // point (the solvers check where they last evaluated) skips its first pass.
  std::vector<T> margins_;
  std::vector<double> margins_point_;
  // Float data evaluated in double: the widened pass's margins and scaled gradient sums (n, then
  // d values) and their point, for a check there likewise.
  std::vector<double> wide_pass_, wide_point_;
  double pass(T* hessian_diag);
};

// C · Σ s_i [logsumexp(z_i) − z_{i, y_i}] + ½ ‖W‖²_F, z_i = W x_i + b, labels in [0, K).
template <class T>
class MultinomialObjective final : public Objective,
                                   public HessianVectorProduct,
                                   public HessianBlocks,
                                   public CertifiedBound {
 public:
  MultinomialObjective(MatrixView<const T> X, std::span<const std::int32_t> labels,
                       std::size_t n_classes, std::span<const T> sample_weight, double C,
                       Penalty penalty, bool fit_intercept, Threads threads = {});
  MultinomialObjective(const MultinomialObjective&) = delete;
  MultinomialObjective& operator=(const MultinomialObjective&) = delete;

  std::size_t dimension() const override { return data_.dimension(K_); }
  std::size_t rows() const override { return data_.X.rows; }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override {
    return in_double_ ? 0x1p-52 : std::numeric_limits<T>::epsilon();
  }
  bool evaluate_in_double(bool on) override;
  HessianVectorProduct* hessian_vector_product() override { return this; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;
  HessianBlocks* hessian_blocks() override { return this; }
  void hessian_block(std::span<const std::size_t> index, std::span<double> H) override;
  // Tier 1 only (l2): there is no Hessian certificate for the multinomial objective yet, so
  // without a penalty a fit cannot be certified.
  CertifiedBound* certified_bound() override { return this; }
  GapBound certify(std::span<double> x, const CertifyRequest& request) override;
  double gap_estimate(std::span<const double> gradient) const override;
  bool penalised() const override { return l2_; }
  std::size_t hessian_dimension_limit() const override { return 0; }
  // The start Hessian: the class-block structure of the Hessian at W = 0
  // (multinomial_preconditioner.cpp); for L-BFGS where it is cheap, the Hessian of a row sample at
  // the last evaluation point (multinomial_sampled_hessian.cpp).
  std::unique_ptr<Preconditioner> preconditioner(std::size_t max_rows) override {
    return penalized_preconditioner(max_rows, {});
  }
  std::unique_ptr<Preconditioner> penalized_preconditioner(
      std::size_t max_rows, std::span<const double> coefficient_penalty) override;
  std::unique_ptr<Preconditioner> point_preconditioner(
      std::size_t max_rows, std::span<const double> coefficient_penalty) override;
  // Whether point_preconditioner(max_rows, ·) is offered: at most 512 parameters, and a build
  // costs at most about five passes over the data.
  bool point_preconditioner_cheap(std::size_t max_rows) const;
  // C · (n / s) Σ_{i ∈ S} s_i (diag(p_i) − p_i p_iᵀ) ⊗ a_i a_iᵀ, a_i = (x_i, 1): the data part of
  // the Hessian from a systematic sample S of about max_rows rows (0: all rows, exactly), p the
  // probabilities of the last pass; dimension()² values, row-major, in the parameters' layout.
  void sampled_data_hessian(std::size_t max_rows, std::span<double> H);
  // As LogisticObjective::use_column_max_abs.
  void use_column_max_abs(std::vector<double> maxima) {
    detail::set_known_column_max(row_norms_, std::move(maxima), data_.d);
  }

 private:
  detail::ObjectiveData<T> data_;
  detail::RowNormCache row_norms_;
  std::span<const std::int32_t> labels_;
  std::size_t K_;
  double C_;
  bool l2_;
  bool in_double_ = false;  // evaluate_in_double
  double value_and_gradient_in_double(std::span<const double> x, std::span<double> g);
  // The data term's class means, C times (parameters.hpp, remove_class_mean), out of `out`.
  void remove_class_means(std::span<const T> W_part, std::span<const T> b_part,
                          std::span<double> out);
  std::vector<T> W_, b_, grad_W_, grad_b_, probabilities_, V_, v_b_, out_, out_b_;
  // The point of the last pass, whose probabilities and gradient sums the buffers above hold:
  // a certificate check there (double data) starts from them instead of its own first pass.
  std::vector<double> pass_point_;
  // The kernels' arguments, pointing into the buffers above (set once; hence no copies).
  SoftmaxPass<T> pass_;
  SoftmaxHessianPass<T> hessian_pass_;
};

// Σ s_i ½ (z_i − y_i)² + ½ α ‖w‖², z = Xw + b (least squares; ridge with α > 0).
template <class T>
class SquaredObjective final : public Objective,
                               public HessianVectorProduct,
                               public ExactHessian,
                               public HessianBlocks,
                               public CertifiedBound {
 public:
  SquaredObjective(MatrixView<const T> X, std::span<const T> y, std::span<const T> sample_weight,
                   double alpha, bool fit_intercept, Threads threads = {});

  std::size_t dimension() const override { return data_.dimension(1); }
  std::size_t rows() const override { return data_.X.rows; }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override {
    return in_double_ ? 0x1p-52 : std::numeric_limits<T>::epsilon();
  }
  bool evaluate_in_double(bool on) override;
  HessianVectorProduct* hessian_vector_product() override { return this; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;
  ExactHessian* exact_hessian() override { return this; }
  void hessian(std::span<double> H) override;
  void sampled_hessian(std::span<double> H, std::size_t max_rows) override;
  HessianBlocks* hessian_blocks() override { return this; }
  void hessian_block(std::span<const std::size_t> index, std::span<double> H) override;
  CertifiedBound* certified_bound() override { return this; }
  GapBound certify(std::span<double> x, const CertifyRequest& request) override;
  double gap_estimate(std::span<const double> gradient) const override;
  bool penalised() const override { return alpha_ > 0; }
  // As LogisticObjective::use_column_max_abs.
  void use_column_max_abs(std::vector<double> maxima) {
    detail::set_known_column_max(row_norms_, std::move(maxima), data_.d);
  }

 private:
  detail::ObjectiveData<T> data_;
  detail::OneRow<T> row_;
  double alpha_;
  bool in_double_ = false;  // evaluate_in_double
  detail::RowNormCache row_norms_;
  double rounding_floor_ = -1;  // GapBound::floor, summed at the first certify (-1: not yet)
};

}  // namespace simdlr
