// Unconstrained minimisers, generic over an Objective and unaware of matrices (the split of
// LIBLINEAR's objective/solver design): L-BFGS with a strong-Wolfe line search, Newton-CG with
// Hessian-vector products, and plain gradient descent with backtracking (the textbook method).
//
// Stopping rule (all solvers):
//   converged   when ‖g‖∞ ≤ tol · ‖g₀‖∞ (the gradient norm relative to its value at the start);
//   not converged when max_iter iterations are used up, when the line search finds no decrease,
//   or when the objective has stopped changing (relative change ≤ 10 ε for 3 iterations in a
//   row) while the gradient is still above tolerance — the objective-change guard, which stops
//   a solver that can make no more progress in floating point without claiming convergence.
// The report always says which rule fired; converged is true only for the gradient rule.
//
// Line search (L-BFGS, Newton-CG): strong Wolfe, and, where trial values differ from the start by
// less than the objective's value_precision() (float32 data near the optimum, where the value's
// rounding noise exceeds the decrease left to find), the approximate Wolfe conditions of Hager
// and Zhang (2005), which judge a step by its directional derivative alone.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "simdlr/objective.hpp"

namespace simdlr {

// Why a solver stopped.
enum class StopReason {
  gradient_tolerance,  // ‖g‖∞ ≤ tol · ‖g₀‖∞: converged
  max_iterations,      // max_iter reached first: not converged
  no_progress,         // the line search found no decrease, or the objective stopped changing
                       // while the gradient was still above tolerance: not converged
  not_finite,          // the objective or gradient became inf/NaN: not converged
};

std::string_view stop_reason_text(StopReason reason) noexcept;

struct IterationLog {
  int iteration;         // 1, 2, ...
  double objective;      // after the step
  double gradient_norm;  // ‖g‖∞ after the step
  double step;           // step length taken along the search direction
};

struct SolverOptions {
  // Relative gradient tolerance: stop when ‖g‖∞ ≤ tol · ‖g₀‖∞. Must be > 0.
  double tol = 1e-4;
  // Iterations (not function evaluations). Must be > 0.
  int max_iter = 100;
  // L-BFGS memory (pairs kept).
  int history = 10;
  // Called after every iteration (for --verbose logs and progress lines); may be empty.
  std::function<void(const IterationLog&)> on_iteration = {};
};

// InvalidArgument "<who>: tol must be a positive number, got ..." (likewise max_iter, history)
// unless tol is finite and > 0, max_iter > 0 and history > 0. The models call it once at their
// boundary, before any work; the minimisers below, public too, call it at entry.
void check_solver_options(const SolverOptions& options, std::string_view who);

struct FitReport {
  std::string solver;
  int iterations = 0;
  int function_evaluations = 0;           // value_and_gradient calls (each one read of the data)
  int hessian_vector_products = 0;        // hessian_vector calls (each one read of the data)
  std::vector<double> objective_history;  // objective at the start and after each iteration
  double initial_gradient_norm = 0;       // ‖g₀‖∞
  double gradient_norm = 0;               // ‖g‖∞ at the solution
  bool converged = false;
  StopReason stop_reason = StopReason::max_iterations;
};

// Each minimiser starts at x (which must have objective.dimension() elements) and leaves the
// best point found in x. They throw InvalidArgument for bad options (check_solver_options) and,
// Newton-CG, for an objective without the HessianVectorProduct capability.
FitReport minimize_lbfgs(Objective& objective, std::span<double> x, const SolverOptions& options);
FitReport minimize_newton_cg(Objective& objective, std::span<double> x,
                             const SolverOptions& options);
FitReport minimize_gradient_descent(Objective& objective, std::span<double> x,
                                    const SolverOptions& options);

}  // namespace simdlr
