// Proximal Newton with working sets for f + P, P = Σ l1_j |x_j| + ½ Σ l2_j x_j² (solvers.hpp).
// The anchors: LIBLINEAR's newGLMNET (Yuan, Ho and Lin 2012: a quadratic model minimised by
// coordinate descent, then a line search on F) and skglm (Bertrand et al. 2022: working sets
// that double with the support). The model's Hessian is a Gram pass over the working set's
// columns, so with n ≫ |working set| an iteration costs about two passes over X, and the exact
// solve on the model's support gives Newton's quadratic convergence once the support settles.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "penalized_model.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/solvers.hpp"
#include "solver_progress.hpp"
#include "vector_ops.hpp"

namespace simdlr {
namespace {

// The working set's smallest size, and the relative accuracy of each model solve (an inexact
// Newton method's forcing term: the outer rate is at least this good per iteration).
constexpr std::size_t kMinWorkingSet = 16;
constexpr double kModelAccuracy = 1e-2;
// Armijo's fraction of the model's slope, and the halvings before giving up.
constexpr double kSufficientDecrease = 1e-4;
constexpr int kMaxHalvings = 30;
// F's rounding, in units of the value's precision: a sum over rows is rounded by more than a
// few ulps (measured: 15 ulps on 455 rows of raw breast cancer data).
constexpr double kResolution = 64;

void check_penalty(const SeparablePenalty& penalty, std::size_t m) {
  if (penalty.l1.size() != m || penalty.l2.size() != m) {
    throw ShapeError("prox-newton: the penalty has " + std::to_string(penalty.l1.size()) +
                     " l1 and " + std::to_string(penalty.l2.size()) + " l2 weights for " +
                     std::to_string(m) + " parameters");
  }
  for (std::size_t j = 0; j < m; ++j) {
    if (!(penalty.l1[j] >= 0) || !(penalty.l2[j] >= 0) || !std::isfinite(penalty.l1[j]) ||
        !std::isfinite(penalty.l2[j])) {
      throw InvalidArgument("prox-newton: penalty weights must be finite and >= 0; parameter " +
                            std::to_string(j) + " has l1 " + std::to_string(penalty.l1[j]) +
                            ", l2 " + std::to_string(penalty.l2[j]));
    }
  }
}

double penalty_value(const SeparablePenalty& p, std::span<const double> x) {
  double total = 0;
  for (std::size_t j = 0; j < x.size(); ++j)
    total += p.l1[j] * std::fabs(x[j]) + 0.5 * p.l2[j] * x[j] * x[j];
  return total;
}

// Each coordinate's optimality violation (distance of −∇f_j from ∂P_j) at x.
void violations(const SeparablePenalty& p, std::span<const double> x, std::span<const double> g,
                std::span<double> out) {
  for (std::size_t j = 0; j < x.size(); ++j)
    out[j] = detail::coordinate_violation(g[j], x[j], p.l1[j], p.l2[j]);
}

// The working set, ascending: every non-zero or unpenalised coordinate, then the worst
// violators among the rest (ties by index) up to `size` in all.
std::vector<std::size_t> working_set(const SeparablePenalty& p, std::span<const double> x,
                                     std::span<const double> violation, std::size_t size) {
  const std::size_t m = x.size();
  std::vector<std::size_t> set, rest;
  for (std::size_t j = 0; j < m; ++j) {
    if (x[j] != 0 || p.l1[j] == 0) {
      set.push_back(j);
    } else if (violation[j] > 0) {
      rest.push_back(j);
    }
  }
  const std::size_t extra = size > set.size() ? size - set.size() : 0;
  if (rest.size() > extra) {
    std::partial_sort(rest.begin(), rest.begin() + std::ptrdiff_t(extra), rest.end(),
                      [&](std::size_t a, std::size_t b) {
                        return violation[a] > violation[b] ||
                               (violation[a] == violation[b] && a < b);
                      });
    rest.resize(extra);
  }
  set.insert(set.end(), rest.begin(), rest.end());
  std::sort(set.begin(), set.end());
  return set;
}

}  // namespace

FitReport minimize_prox_newton(Objective& objective, std::span<double> x,
                               const SeparablePenalty& penalty, const SolverOptions& options) {
  detail::check_solver_arguments("prox-newton", objective, x, options);
  const std::size_t m = x.size();
  check_penalty(penalty, m);
  HessianBlocks& hessian = require_hessian_blocks(objective, "prox-newton");
  detail::SolverProgress progress("prox-newton", options, objective);
  // Without weights the problem is the objective's own, and so is its certificate.
  const auto positive = [](double v) { return v > 0; };
  if (std::any_of(penalty.l1.begin(), penalty.l1.end(), positive) ||
      std::any_of(penalty.l2.begin(), penalty.l2.end(), positive)) {
    progress.use_separable_penalty(penalty.l1, penalty.l2);
  }
  std::vector<double> g(m), g_new(m), x_new(m), violation(m), violation_new(m);
  double F = objective.value_and_gradient(x, g) + penalty_value(penalty, x);
  progress.count_evaluations(1);
  violations(penalty, x, g, violation);
  if (progress.start(F, violation)) return progress.finish(x);
  double noise = 4 * objective.value_precision();
  bool in_double = false;
  // The objective is the caller's: back to its own arithmetic on every way out.
  struct Restore {
    Objective& objective;
    const bool& in_double;
    ~Restore() {
      if (in_double) objective.evaluate_in_double(false);
    }
  } restore{objective, in_double};

  std::size_t size = kMinWorkingSet;
  std::vector<double> H, g_set, x_set, l1_set, l2_set, step;
  for (;;) {
    std::size_t support = 0;
    for (std::size_t j = 0; j < m; ++j)
      support += x[j] != 0 || penalty.l1[j] == 0;
    size = std::min(m, std::max(size, 2 * support));
    const std::vector<std::size_t> set = working_set(penalty, x, violation, size);
    const std::size_t k = set.size();
    // Whether every violator is in the set: only then does the model speak for all of F.
    double inside = 0, outside = 0;
    {
      std::size_t at = 0;
      for (std::size_t j = 0; j < m; ++j) {
        const bool in = at < k && set[at] == j;
        at += in;
        (in ? inside : outside) = std::max(in ? inside : outside, violation[j]);
      }
    }
    H.assign(k * k, 0.0);
    hessian.hessian_block(set, H);
    progress.count_hessians(1);
    g_set.resize(k), x_set.resize(k), l1_set.resize(k), l2_set.resize(k);
    for (std::size_t a = 0; a < k; ++a) {
      g_set[a] = g[set[a]];
      x_set[a] = x[set[a]];
      l1_set[a] = penalty.l1[set[a]];
      l2_set[a] = penalty.l2[set[a]];
    }
    step.assign(k, 0.0);
    const detail::ModelStep model = detail::minimize_penalized_model(
        {H, g_set, x_set, l1_set, l2_set}, kModelAccuracy * inside, step);
    const double predicted = outside > 0 ? detail::kNoEstimate : -model.model_change;
    const int checks = progress.report().certificate_checks;
    if (progress.converged_at(x, F, violation, predicted)) return progress.report();
    if (progress.report().certificate_checks > checks && !in_double &&
        objective.evaluate_in_double(true)) {
      // Float data near the optimum: the check failed, and the float pass's rounding would stall
      // the steps short of what it needs; the rest in double arithmetic, from here.
      in_double = true;
      noise = 4 * objective.value_precision();
      F = objective.value_and_gradient(x, g) + penalty_value(penalty, x);
      progress.count_evaluations(1);
      violations(penalty, x, g, violation);
      continue;
    }
    if (!(model.linear_change < 0)) return progress.no_decrease(x);

    // Backtracking on F from the full step. When the model's predicted decrease is below the
    // rounding of F's sum, F cannot judge the step: the full step is then taken if F stays
    // within that rounding and the optimality violation falls (double arithmetic only: a float
    // pass's gradient is too noisy to judge by, and float data switch to double near the end).
    const bool unresolved = objective.value_precision() <= 0x1p-52 &&
                            -model.linear_change <= kResolution * noise * std::fabs(F);
    double t = 1, F_new = 0;
    bool accepted = false;
    for (int halving = 0; halving <= kMaxHalvings && !accepted; ++halving, t *= 0.5) {
      std::copy(x.begin(), x.end(), x_new.begin());
      for (std::size_t a = 0; a < k; ++a)
        x_new[set[a]] = x_set[a] + t * step[a];
      F_new = objective.value_and_gradient(x_new, g_new) + penalty_value(penalty, x_new);
      progress.count_evaluations(1);
      // Sufficient decrease; or, for the full step, no increase beyond the value's rounding
      // (float data near the optimum, where the decrease left is below it).
      accepted = F_new <= F + kSufficientDecrease * t * model.linear_change ||
                 (halving == 0 && F_new <= F + noise * std::fabs(F));
      if (!accepted && halving == 0 && unresolved &&
          F_new <= F + kResolution * noise * std::fabs(F)) {
        violations(penalty, x_new, g_new, violation_new);
        accepted = detail::norm_inf(violation_new) < detail::norm_inf(violation);
      }
      if (!std::isfinite(F_new)) accepted = false;
    }
    if (!accepted) return progress.no_decrease(x);
    t *= 2;  // the step taken
    std::copy(x_new.begin(), x_new.end(), x.begin());
    std::copy(g_new.begin(), g_new.end(), g.begin());
    F = F_new;
    violations(penalty, x, g, violation);
    if (progress.step(F, violation, t)) return progress.finish(x);
  }
}

}  // namespace simdlr
