// The stopping rule and the report, shared by every solver (see solvers.hpp).
#pragma once

#include <limits>
#include <span>
#include <string>

#include "simdlr/solvers.hpp"

namespace simdlr::detail {

// For converged_at: the solver has no estimate of its remaining decrease.
inline constexpr double kNoEstimate = std::numeric_limits<double>::infinity();

void check_solver_arguments(const char* solver, const Objective& objective, std::span<double> x,
                            const SolverOptions& options);

// Usage in a solver: start() after the first evaluation; then per iteration, once the next
// direction is known, converged_at() (which may certify and stop), the step, and step() (which
// stops on max_iter, stalls and non-finite values); every exit returns finish(x) (or the
// report after converged_at() said stop).
class SolverProgress {
 public:
  SolverProgress(const char* solver, const SolverOptions& options, Objective& objective);

  // For a penalty that is not the objective's own (minimize_prox_newton): the certificate is the
  // duality gap of the objective plus this penalty (the spans must outlive the progress).
  void use_separable_penalty(std::span<const double> l1, std::span<const double> l2) {
    l1_ = l1;
    l2_ = l2;
  }
  // Records the starting point; returns true if it is not finite (the solver must stop).
  bool start(double f0, std::span<const double> g0);
  // At x (f, g from the objective's last evaluation, there): true if the certificate proves the
  // rule, x then holds the certified point (its intercepts may have moved); or if no
  // certificate can hold and the estimate says the solver is done (uncertified). decrease: the
  // solver's predicted decrease along its next direction (+inf if it has none).
  bool converged_at(std::span<double> x, double f, std::span<const double> g, double decrease);
  // Whether the free estimate of the gap (as converged_at computes it) is within tol.
  bool estimated_done(double f, std::span<const double> g, double decrease) const;
  // Whether a free (tier-1) estimate of the gap would be within tol at f, were it `estimate`:
  // for a solver that can predict the estimate after its next step. False without a penalty
  // (there is no tier 1) or with an l1 part.
  bool free_estimate_would_do(double f, double estimate) const {
    return bound_ != nullptr && bound_->penalised() && l1_.empty() && enough(estimate, f);
  }
  // The free (tier-1) estimate at the gradient g (+inf when there is none).
  double free_estimate(std::span<const double> g) const {
    return bound_ != nullptr && l1_.empty() ? bound_->gap_estimate(g)
                                            : std::numeric_limits<double>::infinity();
  }
  // Records one iteration; returns true if the solver must stop (the report says why).
  bool step(double f, std::span<const double> g, double step_length);
  // The line search found no decrease from x: stops with no_progress and returns finish(x).
  const FitReport& no_decrease(std::span<double> x);
  // The report at x, with the certificate evaluated there unless converged_at() already did.
  const FitReport& finish(std::span<double> x);
  // The report of a point found by a direct method (one iteration): certified, or no_progress.
  const FitReport& finish_direct(std::span<double> x);

  void count_evaluations(int n) { report_.function_evaluations += n; }
  void count_hessian_products(int n) { report_.hessian_vector_products += n; }
  void count_hessians(int n) { report_.hessians += n; }
  int iterations() const { return report_.iterations; }
  const FitReport& report() const { return report_; }

 private:
  void stop(StopReason reason);
  double estimate(std::span<const double> g, double decrease) const;
  // Evaluates the certificate at x and records it; returns true if it proves the rule.
  bool certify(std::span<double> x, bool final_check = false);
  double epsilon() const { return options_.tol / 100; }
  // The rule: a bound b at f is enough when b ≤ ε (f − b), or when it is within the rounding
  // floor of the last certificate (GapBound::floor: an exact fit, F* ≈ 0).
  bool enough(double b, double f) const { return b <= epsilon() * (f - b) || b <= floor_; }

  const SolverOptions& options_;
  Objective& objective_;
  CertifiedBound* bound_;            // the objective's capability, or nullptr
  std::span<const double> l1_, l2_;  // use_separable_penalty's (empty: the objective's own)
  FitReport report_;
  bool stopped_ = false, certified_ = false;
  double floor_ = 0;             // the last certificate's GapBound::floor
  double next_check_below_ = 0;  // after a failed check, the estimate must fall below this
  int stalled_ = 0;
  // Whether the Hessian certificate may be tried for n parameters (no l1 part, n within its limit).
  bool hessian_allowed(std::size_t n) const {
    return l1_.empty() && n <= bound_->hessian_dimension_limit();
  }
  int checked_at_ = -1;      // the iteration of the last check
  double estimate_ = 0;      // the gap estimate at the point converged_at checks (0: none)
  int check_interval_ = 10;  // iterations after which a check is due whatever the estimate
  double tier1_estimate_ = std::numeric_limits<double>::infinity();  // gap_estimate at the check
  // Deferred checks (GapBound::retry_below): whether the last one was, and the iteration of the
  // first since the last check made (-1: none). After kDeferredIterations one is made.
  static constexpr int kDeferredIterations = 3;
  bool deferred_ = false;
  int deferred_since_ = -1;
  bool deferral_over() const {
    return deferred_since_ >= 0 && report_.iterations - deferred_since_ >= kDeferredIterations;
  }
};

// One iteration of a line-search method along p from x: a strong-Wolfe search from `initial`,
// x, f and g moved to the accepted point, the iteration recorded. Returns the report if the
// solver must stop (no decrease, or a stop rule of step()), else nullptr.
const FitReport* search_and_step(Objective& objective, SolverProgress& progress,
                                 std::span<double> x, double& f, std::span<double> g,
                                 std::span<const double> p, double initial, std::span<double> x_new,
                                 std::span<double> g_new);

}  // namespace simdlr::detail
