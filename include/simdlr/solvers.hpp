// Unconstrained minimisers, generic over an Objective and unaware of matrices (the split of
// LIBLINEAR's objective/solver design): L-BFGS with a strong-Wolfe line search, Newton-CG with
// Hessian-vector products, newton-cholesky with the exact Hessian, and plain gradient descent
// with backtracking (the textbook method).
//
// Convergence is certified, not guessed (docs/convergence.md has the proofs and the checks):
//   converged  ⇔  B ≤ ε · (F − B),  ε = tol / 100,
// where F is the objective at the returned point and B a proved upper bound on F − F* (F* the
// optimum) that the objective computes in double arithmetic (its CertifiedBound capability):
//   * l2 penalty: the intercepts are set to their exact minimiser for the coefficients, then
//     B = (intercepts' remaining gap) + (‖∇_w F‖_{P⁻¹} + δ)² / 2 by the strong convexity of the
//     penalty P (tier 1; one or two passes over the data);
//   * any penalty, at most hessian_dimension_limit() parameters: B = ω(Rν)/R², ν the Newton
//     decrement and R² the largest leverage, by generalized self-concordance (tier 2; a Gram
//     pass, a Cholesky and a leverage pass) — it is affine invariant, so it stays tight on
//     unscaled data, and it is the only certificate without a penalty;
//   * least squares: B = ½ gᵀH⁻¹g exactly.
// Since F* ≥ F − B, the rule gives (F − F*) / F* ≤ ε: the default tol = 1e-4 means the objective
// is within 1e-6 relative of the optimum, proved, on any data. The bound is reported in
// FitReport (objective_gap_bound, relative_gap_bound) whether or not the fit converged.
// One exception, where F* is 0 to rounding (least squares on data a linear model fits exactly,
// where no relative gap can be proved): the fit also converges when B is at most the data's
// rounding floor, ½ Σ s_i (16 ε y_i)², ε = 2⁻⁵² (GapBound::floor): F − F* is then below what
// rounding the targets alone would leave, as good as an exact fit in floating point.
//
// The certificate costs passes, so it is evaluated only when a free estimate says it could
// succeed: the tier-1 formula on the solver's gradient (½ Σ g_j² / p_j over the penalised
// coefficients) or the solver's own predicted decrease (L-BFGS and Newton: −½ gᵀd along its
// next direction d) is at most ε (F − estimate); after a failed check the estimate must fall
// 100-fold before the next one. newton-cholesky, where its decrement is within the rule but the
// tier-1 estimate is not (a check would be the Hessian certificate), first takes one more step
// when its quadratic convergence (the last two decrements) predicts that the tier-1 estimate will
// then be within a tenth of the rule: one evaluation instead of a Gram pass, a Cholesky and a
// leverage pass (once per fit). At every other exit the bound is computed once at the returned
// point, so the report always carries it (and a fit that reaches the rule exactly then, at
// max_iter say, is converged).
//
// Not converged: max_iter iterations used up; the line search finds no decrease, or the
// objective stops changing (relative change ≤ 10 ε for 3 iterations in a row) before the rule
// holds (no_progress); non-finite values; or uncertified: the estimate says the solver is done
// but the objective offers no certificate that can hold there (no CertifiedBound capability, or
// no penalty above the Hessian certificate's size), so the fit stops rather than run to max_iter
// and says it cannot prove convergence. The report says which and why.
//
// Line search (L-BFGS, Newton-CG, newton-cholesky): strong Wolfe, and, where trial values differ
// from the start by less than the objective's value_precision() (float32 data near the optimum,
// where the value's rounding noise exceeds the decrease left to find), the approximate Wolfe
// conditions of Hager and Zhang (2005), which judge a step by its directional derivative alone.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "simdlr/objective.hpp"

namespace simdlr {

// Why a solver stopped. The numeric values are stored in model files: append only.
enum class StopReason {
  certified,       // the certified bound satisfies the rule above: converged
  max_iterations,  // max_iter reached first: not converged
  no_progress,     // the line search found no decrease, or the objective stopped changing,
                   // before the rule held: not converged
  not_finite,      // the objective or gradient became inf/NaN: not converged
  uncertified,     // the solver is done by its own estimate but no certificate can hold: not
                   // converged (certificate_note says why)
};

std::string_view stop_reason_text(StopReason reason) noexcept;

struct IterationLog {
  int iteration;         // 1, 2, ...
  double objective;      // after the step
  double gradient_norm;  // ‖g‖∞ after the step
  double step;           // step length taken along the search direction
};

// Up to this dimension the start Hessian preconditions L-BFGS and Newton-CG (SolverOptions).
inline constexpr std::size_t kPreconditionerLimit = 1024;

struct SolverOptions {
  // Converged when the certified relative gap bound is at most tol / 100 (see above). > 0.
  double tol = 1e-4;
  // Iterations (not function evaluations). Must be > 0.
  int max_iter = 100;
  // L-BFGS memory (pairs kept).
  int history = 10;
  // L-BFGS and Newton-CG: precondition with the Hessian at the start point (the Cholesky factor
  // of the exact Hessian of a row sample, when the objective offers ExactHessian and has at most
  // kPreconditionerLimit parameters; or the objective's own preconditioner). Makes them
  // insensitive to feature scales and correlation. Newton-CG builds it at once. L-BFGS builds it
  // at once when it costs at most 5 passes over the data; otherwise (wide problems, and the
  // multinomial preconditioner, which slows well-separated classes down) after 5 iterations if
  // the last one still lowered F by more than 1 % of the decrease so far, else once the
  // iterations spent equal its cost in passes (multinomial: 20). Where the objective offers its
  // sampled Hessian at the current point (Objective::point_preconditioner; multinomial up to 512
  // parameters, when a build costs at most about 5 passes), L-BFGS uses that instead, built at
  // once and again after iterations 1 and 2. Otherwise, from iteration 5 on, L-BFGS evaluates the
  // exact start Hessian again at the current point after an iteration that lowered F by more
  // than 1 % of the decrease so far or by more than half the previous iteration's decrease, at
  // most once per twice its estimated cost in passes since the last build.
  bool precondition = true;
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
  int hessians = 0;                       // exact Hessians (each a Gram pass over the data)
  std::vector<double> objective_history;  // objective at the start and after each iteration
  double initial_gradient_norm = 0;       // ‖g₀‖∞
  double gradient_norm = 0;               // ‖g‖∞ at the solution
  bool converged = false;
  StopReason stop_reason = StopReason::max_iterations;
  // F − F* ≤ objective_gap_bound at the returned point (+inf: nothing proved), and
  // relative_gap_bound = bound / (F − bound) ≥ (F − F*) / F* (+inf unless 0 ≤ bound < F).
  double objective_gap_bound = std::numeric_limits<double>::infinity();
  double relative_gap_bound = std::numeric_limits<double>::infinity();
  Certificate certificate = Certificate::none;  // what the bound rests on
  // Why there is no bound, if there is none; or that the fit converged by the rounding floor of
  // an exact fit (see above), where relative_gap_bound says nothing.
  std::string certificate_note;
  int certificate_checks = 0;  // evaluations of the certificate
};

std::string_view certificate_name(Certificate certificate) noexcept;

// Each minimiser starts at x (which must have objective.dimension() elements) and leaves the
// best point found in x. They throw InvalidArgument for bad options (check_solver_options) and
// for an objective without the capability they need (Newton-CG: HessianVectorProduct;
// newton-cholesky: ExactHessian).
FitReport minimize_lbfgs(Objective& objective, std::span<double> x, const SolverOptions& options);
FitReport minimize_newton_cg(Objective& objective, std::span<double> x,
                             const SolverOptions& options);
// Newton with the exact Hessian (ExactHessian capability, else InvalidArgument) and a Cholesky
// factorisation per iteration: for n ≫ d, one Gram pass buys the exact Newton step. An
// indefinite or singular Hessian is regularised (H + μI, μ raised until the factorisation
// succeeds); failing that, the step is steepest descent.
FitReport minimize_newton_cholesky(Objective& objective, std::span<double> x,
                                   const SolverOptions& options);
// The report of a point x found without iterating (a direct solve): the certificate at x, and
// converged iff the rule holds (stop reason certified, else no_progress). x's intercepts may
// move to their exact minimiser, as in every certified fit.
FitReport certify_solution(Objective& objective, std::span<double> x, const SolverOptions& options,
                           const char* solver);
FitReport minimize_gradient_descent(Objective& objective, std::span<double> x,
                                    const SolverOptions& options);

// A separable penalty P(x) = Σ_j l1[j] |x_j| + ½ Σ_j l2[j] x_j², one pair of weights ≥ 0 per
// parameter (0 and 0 for the intercepts). l1 > 0 somewhere makes the problem non-smooth.
struct SeparablePenalty {
  std::vector<double> l1, l2;
};

// Minimises F = f + P, f the objective (its own penalty none: the data term) and P the penalty,
// by proximal Newton with working sets (the approach of LIBLINEAR's newGLMNET and of skglm):
// each iteration takes the Hessian of f on a working set of coordinates (the non-zero ones, the
// intercepts and the worst violators of the optimality conditions, doubling while they grow; one
// Gram pass over those columns), minimises the quadratic model plus P on it by coordinate
// descent, finished by an exact solve on the model's support when its signs are consistent, and
// searches along that step with backtracking on F (sufficient decrease relative to the model's).
// Needs HessianBlocks (else InvalidArgument) and, for the certificate, CertifiedBound: converged
// means the duality gap (the rule above with B = F − D, D the Fenchel dual at a feasible point
// built from the margins) holds. FitReport's objective is F; its gradient_norm is the largest
// distance of −∇f_j from the subdifferential of P_j (0 at the optimum). ShapeError unless both
// weight vectors have objective.dimension() values; InvalidArgument for negative or non-finite
// weights.
FitReport minimize_prox_newton(Objective& objective, std::span<double> x,
                               const SeparablePenalty& penalty, const SolverOptions& options);

}  // namespace simdlr
