#include "solver_progress.hpp"

#include <cmath>
#include <iterator>
#include <limits>
#include <string>

#include "simdlr/errors.hpp"
#include "vector_ops.hpp"

namespace simdlr {

std::string_view stop_reason_text(StopReason reason) noexcept {
  // In the order of the enumerators.
  static constexpr std::string_view kText[] = {
      "gradient norm below tol relative to its start",
      "max_iter reached before the gradient tolerance",
      "no further decrease possible in floating point before the gradient tolerance",
      "objective or gradient became non-finite",
  };
  const auto index = std::size_t(reason);
  return index < std::size(kText) ? kText[index] : "unknown";
}

HessianVectorProduct& require_hessian_vector_product(Objective& objective, std::string_view who) {
  HessianVectorProduct* capability = objective.hessian_vector_product();
  if (capability == nullptr) {
    throw InvalidArgument(std::string(who) + ": the objective provides no Hessian-vector product");
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

SolverProgress::SolverProgress(const char* solver, const SolverOptions& options)
    : options_(options) {
  report_.solver = solver;
}

bool SolverProgress::start(double f0, std::span<const double> g0) {
  report_.objective_history.push_back(f0);
  report_.initial_gradient_norm = report_.gradient_norm = norm_inf(g0);
  tolerance_ = options_.tol * report_.initial_gradient_norm;
  if (!std::isfinite(f0) || !all_finite(g0)) return finish(StopReason::not_finite);
  if (report_.gradient_norm <= tolerance_) return finish(StopReason::gradient_tolerance);
  return false;
}

bool SolverProgress::step(double f, std::span<const double> g, double step_length) {
  const double f_prev = report_.objective_history.back();
  report_.iterations += 1;
  report_.objective_history.push_back(f);
  report_.gradient_norm = norm_inf(g);
  if (options_.on_iteration) {
    options_.on_iteration({report_.iterations, f, report_.gradient_norm, step_length});
  }
  if (!std::isfinite(f) || !all_finite(g)) return finish(StopReason::not_finite);
  if (report_.gradient_norm <= tolerance_) return finish(StopReason::gradient_tolerance);
  const double change = std::fabs(f_prev - f);
  const double scale = std::fmax(std::fabs(f), std::numeric_limits<double>::min());
  stalled_ = change <= 10 * std::numeric_limits<double>::epsilon() * scale ? stalled_ + 1 : 0;
  if (stalled_ >= 3) return finish(StopReason::no_progress);
  if (report_.iterations >= options_.max_iter) return finish(StopReason::max_iterations);
  return false;
}

const FitReport& SolverProgress::no_decrease(Objective& objective, std::span<const double> x,
                                             std::span<double> g) {
  finish(StopReason::no_progress);
  objective.value_and_gradient(x, g);
  count_evaluations(1);
  return report_;
}

bool SolverProgress::finish(StopReason reason) {
  report_.stop_reason = reason;
  report_.converged = reason == StopReason::gradient_tolerance;
  return true;
}

}  // namespace detail
}  // namespace simdlr
