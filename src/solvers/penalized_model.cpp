#include "penalized_model.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "simdlr/linalg.hpp"

namespace simdlr::detail {
namespace {

// The exact solve on the support: coordinates whose u is not 0, and the unpenalised ones.
constexpr std::size_t kMaxSupportSolve = 512;
constexpr int kMaxActiveSetSteps = 64;
constexpr int kSweepsPerRound = 8;
constexpr int kMaxSweeps = 1000;

double soft_threshold(double z, double t) {
  return z > t ? z - t : z < -t ? z + t : 0.0;
}

double largest_violation(const PenalizedModel& m, std::span<const double> delta,
                         std::span<const double> Hd) {
  double worst = 0;
  for (std::size_t j = 0; j < delta.size(); ++j) {
    worst =
        std::max(worst, coordinate_violation(m.g[j] + Hd[j], m.x[j] + delta[j], m.l1[j], m.l2[j]));
  }
  return worst;
}

void multiply(std::span<const double> H, std::span<const double> v, std::span<double> out) {
  const std::size_t k = v.size();
  for (std::size_t a = 0; a < k; ++a) {
    double s = 0;
    for (std::size_t b = 0; b < k; ++b)
      s += H[a * k + b] * v[b];
    out[a] = s;
  }
}

// An active-set method on the model from Δ: solve the optimality equations on the support A
// (the non-zero and unpenalised coordinates) with its signs fixed; if a coordinate's sign would
// flip, move toward that solution only until the first one reaches 0 and drop it from A (the
// model decreases along the way: it is convex and quadratic within the orthant); if the zeros
// are optimal, done; else add the worst violator with the sign that decreases the model. True
// when it ends at the model's minimiser (largest violation ≤ tolerance); Δ and Hd = HΔ are then
// that point; otherwise they are left unchanged. Each step factors H_AA + diag(l2_A), so it is
// used while A is small enough for that to cost less than the Gram pass did.
bool active_set(const PenalizedModel& m, double tolerance, std::span<double> delta,
                std::vector<double>& Hd) {
  const std::size_t k = delta.size();
  std::vector<double> u(k), sign(k, 0.0), next(k), rhs, M;
  std::vector<bool> in(k);
  for (std::size_t j = 0; j < k; ++j) {
    u[j] = m.x[j] + delta[j];
    in[j] = u[j] != 0 || m.l1[j] == 0;
    sign[j] = u[j] > 0 ? 1.0 : u[j] < 0 ? -1.0 : 0.0;
  }
  std::vector<std::size_t> support;
  std::size_t just_added = k;
  bool ridge = false;
  for (int step = 0; step < kMaxActiveSetSteps; ++step) {
    support.clear();
    for (std::size_t j = 0; j < k; ++j)
      if (in[j]) support.push_back(j);
    const std::size_t a = support.size();
    if (a > kMaxSupportSolve) return false;
    // Σ_{l ∈ A} H_jl Δ_l + l2_j Δ_j = −g_j − Σ_{l ∉ A} H_jl Δ_l − l2_j x_j − l1_j s_j, Δ_l = −x_l
    // off A.
    M.assign(a * a, 0.0);
    rhs.assign(a, 0.0);
    for (std::size_t r = 0; r < a; ++r) {
      const std::size_t j = support[r];
      double off = 0;
      for (std::size_t l = 0; l < k; ++l)
        if (!in[l]) off -= m.H[j * k + l] * m.x[l];
      rhs[r] = -m.g[j] - off - m.l2[j] * m.x[j] - m.l1[j] * sign[j];
      for (std::size_t c = 0; c < a; ++c)
        M[r * a + c] = m.H[j * k + support[c]];
      M[r * a + r] += m.l2[j];
    }
    linalg::Cholesky cholesky;
    // Singular along directions the model does not see (a multinomial model's common shift of
    // its intercepts, and of coefficients the l1 part holds with fixed signs): any solution will
    // do, and a tiny ridge picks one. Once a system needed it the next ones get it at once (a
    // failed factorization costs as much as one that succeeds).
    const auto add_ridge = [&] {
      double largest = 0;
      for (std::size_t r = 0; r < a; ++r)
        largest = std::max(largest, M[r * a + r]);
      for (std::size_t r = 0; r < a; ++r)
        M[r * a + r] += 1e-12 * largest;
    };
    if (ridge) add_ridge();
    if (!cholesky.factor(M, a)) {
      if (ridge) return false;
      ridge = true;
      add_ridge();
      if (!cholesky.factor(M, a)) return false;
    }
    cholesky.solve(rhs);
    // The first sign change along the segment from u to the solution.
    double t = 1;
    std::size_t blocking = k;
    for (std::size_t r = 0; r < a; ++r) {
      const std::size_t j = support[r];
      const double target = m.x[j] + rhs[r];
      next[j] = target;
      if (m.l1[j] > 0 && !(sign[j] * target > 0)) {
        const double reach = u[j] / (u[j] - target);  // in [0, 1]
        if (reach < t || blocking == k) {
          t = reach;
          blocking = j;
        }
      }
    }
    if (blocking != k) {
      if (blocking == just_added && !(t > 0)) return false;  // would cycle
      for (std::size_t j : support)
        u[j] += t * (next[j] - u[j]);
      u[blocking] = 0;
      in[blocking] = m.l1[blocking] == 0;
      sign[blocking] = 0;
      just_added = k;
      continue;
    }
    for (std::size_t j : support)
      u[j] = next[j];
    for (std::size_t j = 0; j < k; ++j)
      next[j] = in[j] ? u[j] - m.x[j] : -m.x[j];  // Δ
    std::vector<double> product(k);
    multiply(m.H, next, product);
    double worst = 0;
    std::size_t enter = k;
    for (std::size_t j = 0; j < k; ++j) {
      const double v =
          coordinate_violation(m.g[j] + product[j], in[j] ? u[j] : 0.0, m.l1[j], m.l2[j]);
      if (!in[j] && v > worst) {
        worst = v;
        enter = j;
      }
      if (in[j]) worst = std::max(worst, v);
    }
    if (worst <= tolerance) {
      std::copy(next.begin(), next.end(), delta.begin());
      Hd = product;
      return true;
    }
    if (enter == k) return false;  // the support's own equations are not met: rounding
    in[enter] = true;
    sign[enter] = m.g[enter] + product[enter] > 0 ? -1.0 : 1.0;
    u[enter] = 0;
    just_added = enter;
  }
  return false;
}

}  // namespace

double coordinate_violation(double q_j, double u_j, double l1_j, double l2_j) {
  const double q = q_j + l2_j * u_j;
  if (u_j > 0) return std::fabs(q + l1_j);
  if (u_j < 0) return std::fabs(q - l1_j);
  return std::max(0.0, std::fabs(q) - l1_j);
}

ModelStep minimize_penalized_model(const PenalizedModel& m, double tolerance,
                                   std::span<double> delta) {
  const std::size_t k = delta.size();
  std::vector<double> Hd(k, 0.0);
  ModelStep out;
  out.violation = largest_violation(m, delta, Hd);
  // The active-set method from the supports after 8, 32, 128 and 512 sweeps.
  int next_try = kSweepsPerRound;
  while (out.violation > tolerance && out.sweeps < kMaxSweeps) {
    for (int sweep = 0; sweep < kSweepsPerRound; ++sweep, ++out.sweeps) {
      for (std::size_t j = 0; j < k; ++j) {
        const double h = m.H[j * k + j], a = h + m.l2[j];
        if (!(a > 0)) continue;
        const double G = m.g[j] + Hd[j] - h * delta[j];
        const double u = soft_threshold(h * m.x[j] - G, m.l1[j]) / a;
        const double change = (u - m.x[j]) - delta[j];
        if (change == 0) continue;
        delta[j] += change;
        const double* column = m.H.data() + j * k;  // H is symmetric: row j
        for (std::size_t l = 0; l < k; ++l)
          Hd[l] += change * column[l];
      }
    }
    out.violation = largest_violation(m, delta, Hd);
    if (out.violation <= tolerance || out.sweeps < next_try) continue;
    next_try *= 4;
    if (active_set(m, tolerance, delta, Hd)) {
      out.violation = largest_violation(m, delta, Hd);
      out.exact = true;
    }
  }
  multiply(m.H, delta, Hd);  // afresh: no drift from the sweeps' updates
  double gd = 0, quadratic = 0, penalty = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const double x = m.x[j], u = x + delta[j];
    gd += m.g[j] * delta[j];
    quadratic += delta[j] * Hd[j];
    penalty += m.l1[j] * (std::fabs(u) - std::fabs(x)) + 0.5 * m.l2[j] * (u * u - x * x);
  }
  out.linear_change = gd + penalty;
  out.model_change = gd + 0.5 * quadratic + penalty;
  return out;
}

}  // namespace simdlr::detail
