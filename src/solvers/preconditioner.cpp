#include "preconditioner.hpp"

#include <algorithm>
#include <cmath>

namespace simdlr::detail {

bool factor_regularised(std::vector<double>& H, std::size_t n, linalg::Cholesky& cholesky) {
  double largest = 0;
  for (std::size_t i = 0; i < n; ++i)
    largest = std::max(largest, std::fabs(H[i * n + i]));
  double added = 0;
  for (double mu = 1e-10 * largest; !cholesky.factor(H, n); mu *= 10) {
    if (!(mu > 0) || mu > largest || !std::isfinite(mu)) return false;
    for (std::size_t i = 0; i < n; ++i)
      H[i * n + i] += mu - added;
    added = mu;
  }
  return true;
}

StartHessian::StartHessian(Objective& objective, const SolverOptions& options, int& hessians) {
  const std::size_t n = objective.dimension();
  if (!options.precondition) return;
  // A sample of rows estimates H₀ well enough to precondition, at a fraction of a Gram pass.
  const std::size_t sample = std::max<std::size_t>(50 * n, 10000);
  own_ = objective.preconditioner(sample);
  if (own_) {
    hessians += 1;
    active_ = true;
    return;
  }
  ExactHessian* exact = objective.exact_hessian();
  if (exact == nullptr || n > kPreconditionerLimit) return;
  std::vector<double> H(n * n);
  exact->sampled_hessian(H, sample);
  hessians += 1;
  active_ = factor_regularised(H, n, cholesky_);
}

}  // namespace simdlr::detail
