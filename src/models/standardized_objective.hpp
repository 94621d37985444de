// Fitting on standardized features without copying X: the solver works with coefficients W'
// of the standardized data x' = (x − μ) / σ, and the data term is evaluated on the raw X at the
// equivalent W = W' / σ, b = b' − W' (μ / σ). Gradients and Hessian products follow by the chain
// rule (the map is linear); the l2 penalty ½‖W'‖² applies to the standardized coefficients.
#pragma once

#include <span>
#include <vector>

#include "column_stats.hpp"
#include "simdlr/objective.hpp"

namespace simdlr::detail {

// Certificates: F_s(x') = F(to_raw(x')) where F is the data term plus ½ Σ_j σ_j² w_j² (the l2
// penalty on w' = σ w), so certify() asks the inner objective for that penalty at the raw point.
class StandardizedObjective final : public Objective,
                                    public HessianVectorProduct,
                                    public ExactHessian,
                                    public CertifiedBound {
 public:
  // inner: the unpenalised data term, parameters [W (rows x d), b (rows)] (b only with
  // fit_intercept), evaluated on the raw data.
  StandardizedObjective(Objective& inner, const ColumnStats& stats, std::size_t rows,
                        bool fit_intercept, bool l2);

  std::size_t dimension() const override { return inner_.dimension(); }
  std::size_t rows() const override { return inner_.rows(); }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override { return inner_.value_precision(); }
  // Hessian-vector products exactly when the inner objective has them.
  HessianVectorProduct* hessian_vector_product() override {
    return inner_hessian_ != nullptr ? this : nullptr;
  }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;
  // The exact Hessian Jᵀ H J (+ I on the coefficients with l2) exactly when the inner has H.
  ExactHessian* exact_hessian() override { return inner_exact_ != nullptr ? this : nullptr; }
  void hessian(std::span<double> H) override;
  void sampled_hessian(std::span<double> H, std::size_t max_rows) override;
  // The inner objective's preconditioner M of the data term plus the l2 penalty in raw
  // coordinates (½ Σ σ_j² w_j², which is ½‖w'‖²), as Jᵀ M J in the standardized coordinates.
  std::unique_ptr<Preconditioner> preconditioner(std::size_t max_rows) override;
  std::unique_ptr<Preconditioner> point_preconditioner(
      std::size_t max_rows, std::span<const double> coefficient_penalty) override;
  CertifiedBound* certified_bound() override { return inner_bound_ != nullptr ? this : nullptr; }
  GapBound certify(std::span<double> x, const CertifyRequest& request) override;
  double gap_estimate(std::span<const double> gradient) const override;
  bool penalised() const override { return l2_; }
  std::size_t hessian_dimension_limit() const override {
    return inner_bound_->hessian_dimension_limit();
  }

  // Between the two parameter spaces.
  void to_raw(std::span<const double> standardized, std::span<double> raw) const;
  void to_standardized(std::span<const double> raw, std::span<double> standardized) const;
  // Gradients the other way (Jᵀ maps raw gradients to standardized ones; this is its inverse).
  void push_forward(std::span<const double> gradient, std::span<double> raw_gradient) const;

 private:
  void pull_back(std::span<const double> raw_gradient, std::span<double> gradient) const;

  Objective& inner_;
  HessianVectorProduct* inner_hessian_;  // inner_'s capabilities, or nullptr
  ExactHessian* inner_exact_;
  CertifiedBound* inner_bound_;
  const ColumnStats& stats_;
  std::size_t rows_, d_;
  bool fit_intercept_, l2_;
  std::vector<double> raw_x_, raw_g_, raw_v_, raw_out_, raw_H_, penalty_;
};

}  // namespace simdlr::detail
