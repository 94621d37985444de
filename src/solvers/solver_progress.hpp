// The stopping rule and the report, shared by every solver (see solvers.hpp).
#pragma once

#include <span>
#include <string>

#include "simdlr/solvers.hpp"

namespace simdlr::detail {

void check_solver_arguments(const char* solver, const Objective& objective, std::span<double> x,
                            const SolverOptions& options);

class SolverProgress {
 public:
  SolverProgress(const char* solver, const SolverOptions& options);

  // Records the starting point; returns true if it already satisfies the stopping rule.
  bool start(double f0, std::span<const double> g0);
  // Records one iteration; returns true if the solver must stop (report says why).
  bool step(double f, std::span<const double> g, double step_length);
  // The line search found no decrease from x (g: the gradient there; x, f and g still hold the
  // best point). Evaluates at x once more, so that it is the objective's last evaluation (its
  // caches and Hessian products refer to it), stops with no_progress and returns the report.
  const FitReport& no_decrease(Objective& objective, std::span<const double> x,
                               std::span<double> g);

  void count_evaluations(int n) { report_.function_evaluations += n; }
  void count_hessian_products(int n) { report_.hessian_vector_products += n; }
  int iterations() const { return report_.iterations; }
  const FitReport& report() const { return report_; }

 private:
  bool finish(StopReason reason);

  const SolverOptions& options_;
  FitReport report_;
  double tolerance_ = 0;
  int stalled_ = 0;
};

}  // namespace simdlr::detail
