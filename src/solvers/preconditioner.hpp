// The exact Hessian at the start point as a preconditioner for L-BFGS (its initial inverse
// Hessian) and Newton-CG (preconditioned CG): on unscaled or correlated features it turns the
// problem into a well-conditioned one in the metric of H₀, the way standardizing would, but
// without changing the objective. One Gram pass and a Cholesky, only when the objective offers
// the exact Hessian and the dimension keeps them cheap.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "simdlr/linalg.hpp"
#include "simdlr/solvers.hpp"

namespace simdlr::detail {

class StartHessian {
 public:
  // Nothing is evaluated until build().
  StartHessian(Objective& objective, const SolverOptions& options)
      : objective_(objective), options_(options) {}

  // Evaluates H at the objective's last evaluation point when options.precondition, the
  // capability and the dimension allow; otherwise active() stays false. Once only; returns the
  // Gram passes spent (0 or 1).
  int build();
  bool built() const { return built_; }
  // Builds the objective's sampled Hessian at its last evaluation point
  // (Objective::point_preconditioner) when it offers one; returns whether it did. Such a start
  // Hessian is meant to be rebuilt as the point moves (rebuild).
  bool build_at_point();
  bool at_point() const { return at_point_; }
  // Builds the point preconditioner again at the objective's last evaluation point; returns the
  // builds made (1, or 0 without one).
  int rebuild();
  // Evaluates the exact start Hessian (not an objective's own preconditioner) again, at the
  // objective's last evaluation point; returns the builds made (1, or 0 when the start Hessian is
  // not an active exact one).
  int refresh();
  // What build() or refresh() costs, in passes over the data (the cost model of worth_after).
  double exact_cost() const;
  // The iterations a solver should run without the start Hessian before building it: its cost
  // in passes over the data (0: build at once). Problems that converge in fewer iterations
  // never pay for it; the others pay at most twice the least they could have (the rent-or-buy
  // rule). A sampled Gram matrix of a wide problem can cost dozens of passes, which Gaussian
  // columns never earn back and correlated ones earn back many times.
  int worth_after() const;

  bool active() const { return active_; }
  // v ← H₀⁻¹ v (or the objective's own approximation of it).
  void apply(std::span<double> v) const {
    if (own_) {
      own_->apply(v);
    } else {
      cholesky_.solve(v);
    }
  }

 private:
  Objective& objective_;
  const SolverOptions& options_;
  bool built_ = false;
  bool active_ = false;
  bool at_point_ = false;
  bool exact_ = false;  // the sampled exact Hessian (not the objective's own preconditioner)
  std::unique_ptr<Preconditioner> own_;  // the objective's, when it offers one
  linalg::Cholesky cholesky_;
};

}  // namespace simdlr::detail
