#include "solver_progress.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "line_search.hpp"
#include "simdlr/errors.hpp"
#include "vector_ops.hpp"

namespace simdlr {

std::string_view stop_reason_text(StopReason reason) noexcept {
  // In the order of the enumerators.
  static constexpr std::string_view kText[] = {
      "objective within tol/100 relative of the optimum, certified",
      "max_iter reached before the certified tolerance",
      "no further decrease possible in floating point before the certified tolerance",
      "objective or gradient became non-finite",
      "done by the solver's estimate, but no certificate can prove it",
  };
  const auto index = std::size_t(reason);
  return index < std::size(kText) ? kText[index] : "unknown";
}

std::string_view certificate_name(Certificate certificate) noexcept {
  static constexpr std::string_view kNames[] = {"none", "strong-convexity", "hessian", "quadratic",
                                                "duality-gap"};
  const auto index = std::size_t(certificate);
  return index < std::size(kNames) ? kNames[index] : "unknown";
}

HessianVectorProduct& require_hessian_vector_product(Objective& objective, std::string_view who) {
  HessianVectorProduct* capability = objective.hessian_vector_product();
  if (capability == nullptr) {
    throw InvalidArgument(std::string(who) + ": the objective provides no Hessian-vector product");
  }
  return *capability;
}

ExactHessian& require_exact_hessian(Objective& objective, std::string_view who) {
  ExactHessian* capability = objective.exact_hessian();
  if (capability == nullptr) {
    throw InvalidArgument(std::string(who) + ": the objective provides no exact Hessian");
  }
  return *capability;
}

HessianBlocks& require_hessian_blocks(Objective& objective, std::string_view who) {
  HessianBlocks* capability = objective.hessian_blocks();
  if (capability == nullptr) {
    throw InvalidArgument(std::string(who) + ": the objective provides no Hessian blocks");
  }
  return *capability;
}

void check_solver_options(const SolverOptions& options, std::string_view who) {
  const std::string name(who);
  if (!(options.tol > 0) || !std::isfinite(options.tol)) {
    throw InvalidArgument(name + ": tol must be a positive number, got " +
                          std::to_string(options.tol));
  }
  if (options.max_iter <= 0) {
    throw InvalidArgument(name + ": max_iter must be positive, got " +
                          std::to_string(options.max_iter));
  }
  if (options.history <= 0) {
    throw InvalidArgument(name + ": history must be positive, got " +
                          std::to_string(options.history));
  }
}

FitReport certify_solution(Objective& objective, std::span<double> x, const SolverOptions& options,
                           const char* solver) {
  detail::check_solver_arguments(solver, objective, x, options);
  detail::SolverProgress progress(solver, options, objective);
  std::vector<double> g(x.size());
  const double f = objective.value_and_gradient(x, g);
  progress.count_evaluations(1);
  progress.start(f, g);
  return progress.finish_direct(x);
}

namespace detail {

void check_solver_arguments(const char* solver, const Objective& objective, std::span<double> x,
                            const SolverOptions& options) {
  check_solver_options(options, solver);
  const std::string name(solver);
  if (x.size() != objective.dimension()) {
    throw ShapeError(name + ": start point has " + std::to_string(x.size()) +
                     " values, the objective " + std::to_string(objective.dimension()));
  }
  if (!all_finite(x)) throw InvalidArgument(name + ": start point is not finite");
}

SolverProgress::SolverProgress(const char* solver, const SolverOptions& options,
                               Objective& objective)
    : options_(options), objective_(objective), bound_(objective.certified_bound()) {
  report_.solver = solver;
  if (bound_ == nullptr) report_.certificate_note = "the objective offers no certificate";
}

bool SolverProgress::start(double f0, std::span<const double> g0) {
  report_.objective_history.push_back(f0);
  report_.initial_gradient_norm = report_.gradient_norm = norm_inf(g0);
  if (!std::isfinite(f0) || !all_finite(g0)) {
    stop(StopReason::not_finite);
    return true;
  }
  return false;
}

double SolverProgress::estimate(std::span<const double> g, double decrease) const {
  return bound_ != nullptr ? std::fmin(decrease, bound_->gap_estimate(g)) : decrease;
}

bool SolverProgress::estimated_done(double f, std::span<const double> g, double decrease) const {
  const double e = estimate(g, decrease);
  return enough(e, f);
}

bool SolverProgress::converged_at(std::span<double> x, double f, std::span<const double> g,
                                  double decrease) {
  // Where only tier 1 can hold (a penalty, no l1 part, more parameters than the Hessian
  // certificate takes), its free estimate is gap_estimate alone: the model's decrease is smaller
  // by up to the ratio of the data's curvature to the penalty, and checks it triggers fail
  // (multinomial 100,000 x 10, 10 classes: decrease 9e-5, tier-1 bound 0.49 at the first check).
  const bool tier1_only =
      bound_ != nullptr && bound_->penalised() && l1_.empty() && !hessian_allowed(x.size());
  const double estimate = tier1_only ? bound_->gap_estimate(g) : this->estimate(g, decrease);
  if (!enough(estimate, f)) return false;
  if (bound_ == nullptr) {
    stop(StopReason::uncertified);
    return true;
  }
  // After a failed check, the next once the estimate fell 100-fold; or, in case it no longer
  // falls (float data at the rounding floor of their gradient), after 10 iterations, then 20,
  // 40, ... (few checks even in a run of thousands of iterations).
  // A deferred check (GapBound::retry_below) is made anyway after kDeferredIterations.
  const bool overdue =
      (checked_at_ >= 0 && report_.iterations - checked_at_ >= check_interval_) || deferral_over();
  if (next_check_below_ > 0 && !(estimate < next_check_below_) && !overdue) return false;
  if (checked_at_ == report_.iterations) return false;  // x was checked already
  if (overdue && !(estimate < next_check_below_) && !deferral_over()) check_interval_ *= 2;
  estimate_ = estimate;
  tier1_estimate_ = bound_->gap_estimate(g);
  const bool certified = certify(x);
  estimate_ = 0;
  if (certified) return true;
  if (deferred_) return false;
  if (report_.certificate == Certificate::none && l1_.empty() && !hessian_allowed(x.size()) &&
      !bound_->penalised()) {
    // No penalty and too many parameters for the Hessian certificate: none can ever hold (the
    // objective's note says why).
    stop(StopReason::uncertified);
    return true;
  }
  // The next check once the estimate fell by ten times what this one missed by (bounds shrink
  // about as fast as the estimate), at least 10-fold, at most 100-fold.
  const double missed = report_.objective_gap_bound / (epsilon() * (f - estimate));
  next_check_below_ = estimate * (missed > 1 ? std::clamp(0.1 / missed, 0.01, 0.1) : 0.01);
  return false;
}

bool SolverProgress::certify(std::span<double> x, bool final_check) {
  const int checked_before = checked_at_;
  checked_at_ = report_.iterations;
  CertifyRequest request;
  request.hessian_allowed = hessian_allowed(x.size());
  request.l1_penalty = l1_;
  request.coefficient_penalty = l2_;
  request.enough = epsilon() * report_.objective_history.back() / (1 + epsilon());
  request.estimate = std::isfinite(estimate_) ? estimate_ : 0.0;
  request.tier1_estimate = tier1_estimate_;
  request.may_defer = !final_check && !deferral_over();
  std::vector<double> candidate(x.begin(), x.end());
  const GapBound b = bound_->certify(candidate, request);
  deferred_ = b.retry_below > 0;
  if (deferred_) {  // nothing evaluated, x unchanged
    checked_at_ = checked_before;
    if (deferred_since_ < 0) deferred_since_ = report_.iterations;
    next_check_below_ = b.retry_below;
    return false;
  }
  deferred_since_ = -1;
  report_.certificate_checks += 1;
  const double f = b.objective;
  report_.objective_gap_bound = b.bound;
  report_.relative_gap_bound = b.bound >= 0 && b.bound < f
                                   ? b.bound / (f - b.bound)
                                   : std::numeric_limits<double>::infinity();
  report_.certificate = b.certificate;
  report_.certificate_note = b.note;
  // The checked point replaces x when it is certified or the fit ends: its intercepts are exact
  // for its coefficients (their damped Newton steps only decrease F), and its objective is
  // evaluated in double arithmetic. A solver that goes on keeps its own x, whose objective and
  // gradient it holds (moving x under it costs iterations).
  floor_ = b.floor;
  const bool certified = enough(b.bound, f);
  if (certified && !(b.bound <= epsilon() * (f - b.bound))) {
    report_.certificate_note =
        "an exact fit: the bound is within the rounding floor of the targets (F* is 0 to "
        "rounding, where no relative gap can be proved)";
  }
  if (std::isfinite(f) && (certified || final_check)) {
    std::copy(candidate.begin(), candidate.end(), x.begin());
    report_.objective_history.back() = f;
  }
  if (!certified) return false;
  stop(StopReason::certified);
  certified_ = true;
  return true;
}

bool SolverProgress::step(double f, std::span<const double> g, double step_length) {
  const double f_prev = report_.objective_history.back();
  report_.iterations += 1;
  report_.objective_history.push_back(f);
  report_.gradient_norm = norm_inf(g);
  if (options_.on_iteration) {
    options_.on_iteration({report_.iterations, f, report_.gradient_norm, step_length});
  }
  if (!std::isfinite(f) || !all_finite(g)) {
    stop(StopReason::not_finite);
    return true;
  }
  const double change = std::fabs(f_prev - f);
  const double scale = std::fmax(std::fabs(f), std::numeric_limits<double>::min());
  stalled_ = change <= 10 * std::numeric_limits<double>::epsilon() * scale ? stalled_ + 1 : 0;
  if (stalled_ >= 3) {
    stop(StopReason::no_progress);
    return true;
  }
  if (report_.iterations >= options_.max_iter) {
    stop(StopReason::max_iterations);
    return true;
  }
  return false;
}

const FitReport& SolverProgress::no_decrease(std::span<double> x) {
  stop(StopReason::no_progress);
  return finish(x);
}

const FitReport& SolverProgress::finish(std::span<double> x) {
  if (!stopped_) stop(StopReason::max_iterations);
  const bool finite = all_finite(x) && report_.stop_reason != StopReason::not_finite;
  if (!certified_ && bound_ != nullptr && finite) {
    const StopReason reason = report_.stop_reason;
    if (!certify(x, true)) {
      report_.stop_reason = reason;
      report_.converged = false;
    }
  }
  return report_;
}

const FitReport& SolverProgress::finish_direct(std::span<double> x) {
  report_.iterations = 1;
  stop(StopReason::no_progress);
  return finish(x);
}

const FitReport* search_and_step(Objective& objective, SolverProgress& progress,
                                 std::span<double> x, double& f, std::span<double> g,
                                 std::span<const double> p, double initial, std::span<double> x_new,
                                 std::span<double> g_new) {
  const LineSearchResult ls = strong_wolfe_search(objective, x, f, g, p, initial, x_new, g_new);
  progress.count_evaluations(ls.evaluations);
  if (!ls.ok) return &progress.no_decrease(x);
  std::copy(x_new.begin(), x_new.end(), x.begin());
  std::copy(g_new.begin(), g_new.end(), g.begin());
  f = ls.f_new;
  return progress.step(f, g, ls.step) ? &progress.finish(x) : nullptr;
}

void SolverProgress::stop(StopReason reason) {
  stopped_ = true;
  report_.stop_reason = reason;
  report_.converged = reason == StopReason::certified;
}

}  // namespace detail
}  // namespace simdlr
