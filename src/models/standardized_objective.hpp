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

class StandardizedObjective final : public Objective, public HessianVectorProduct {
 public:
  // inner: the unpenalised data term, parameters [W (rows x d), b (rows)] (b only with
  // fit_intercept), evaluated on the raw data.
  StandardizedObjective(Objective& inner, const ColumnStats& stats, std::size_t rows,
                        bool fit_intercept, bool l2);

  std::size_t dimension() const override { return inner_.dimension(); }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override;
  double value_precision() const override { return inner_.value_precision(); }
  // Hessian-vector products exactly when the inner objective has them.
  HessianVectorProduct* hessian_vector_product() override {
    return inner_hessian_ != nullptr ? this : nullptr;
  }
  void hessian_vector(std::span<const double> v, std::span<double> out) override;

  // Between the two parameter spaces.
  void to_raw(std::span<const double> standardized, std::span<double> raw) const;
  void to_standardized(std::span<const double> raw, std::span<double> standardized) const;

 private:
  void pull_back(std::span<const double> raw_gradient, std::span<double> gradient) const;

  Objective& inner_;
  HessianVectorProduct* inner_hessian_;  // inner_'s capability, or nullptr
  const ColumnStats& stats_;
  std::size_t rows_, d_;
  bool fit_intercept_, l2_;
  std::vector<double> raw_x_, raw_g_, raw_v_, raw_out_;
};

}  // namespace simdlr::detail
