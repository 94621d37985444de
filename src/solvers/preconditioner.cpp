#include "preconditioner.hpp"

#include <algorithm>
#include <cmath>

namespace simdlr::detail {

namespace {

constexpr int kOwnPreconditionerDeferral = 20;

// A sample of rows estimates H₀ well enough to precondition, at a fraction of a Gram pass.
std::size_t sample_rows(std::size_t dimension) {
  return std::max<std::size_t>(50 * dimension, 10000);
}

// For the Hessian of the data's own rows, at most about one pass's worth of Gram work (32 n / m
// rows, by the cost model of worth_after) where that is at least 25 m rows: where X sits in
// cache a pass is cheap, and at 10,000 x 100 the Gram matrix of every row cost as much as six
// passes (3,168 rows: one iteration more, 17 % less time). Where one pass buys fewer rows, the
// full sample, whose cost worth_after weighs: a smaller one there (100,000 x 1,000: 25,025 rows)
// only looks cheap enough to build late in the fit, and costs more than it saves (741 -> 1,273 ms).
std::size_t exact_sample_rows(std::size_t dimension, std::size_t rows) {
  const std::size_t one_pass = 32 * rows / dimension;
  if (rows == 0 || one_pass < 25 * dimension) return sample_rows(dimension);
  return std::min(sample_rows(dimension), one_pass);
}

}  // namespace

bool StartHessian::build_at_point() {
  if (built_ || !options_.precondition) return false;
  own_ = objective_.point_preconditioner(sample_rows(objective_.dimension()), {});
  at_point_ = built_ = active_ = own_ != nullptr;
  return at_point_;
}

int StartHessian::rebuild() {
  if (!at_point_) return 0;
  own_ = objective_.point_preconditioner(sample_rows(objective_.dimension()), {});
  active_ = own_ != nullptr;
  return 1;
}

double StartHessian::exact_cost() const {
  const std::size_t m = objective_.dimension(), rows = objective_.rows();
  if (rows == 0) return 0;
  // In passes of n·m elements read: the sample's Gram matrix (s·m²/2 multiply-adds, which run
  // about 16 times faster per element than a pass reads) and the m³/6 of the Cholesky (about
  // twice as fast per element as a pass), as measured on AVX-512 at m = 100 and 1,000.
  const double n = double(rows), sample = std::min(n, double(exact_sample_rows(m, rows)));
  return sample * double(m) / (32 * n) + double(m) * double(m) / (12 * n);
}

int StartHessian::worth_after() const {
  const std::size_t m = objective_.dimension(), rows = objective_.rows();
  if (!options_.precondition || rows == 0) return 0;
  // An objective's own preconditioner (multinomial: the Hessian at W = 0, from one Gram matrix of
  // the features) is cheap to build but, made where every probability is 1/K, it slows the fit
  // down on well-separated classes (10,000 x 100 Gaussian, 10 classes: 21 iterations against 19
  // without it); on correlated features it is what makes the fit converge at all. So it waits
  // for the solver's progress check, or for this many iterations.
  if (objective_.exact_hessian() == nullptr) return kOwnPreconditionerDeferral;
  if (m > kPreconditionerLimit) return 0;
  const double passes = exact_cost();
  return passes < 2 ? 0 : int(passes);
}

int StartHessian::build() {
  if (built_) return 0;
  built_ = true;
  const std::size_t n = objective_.dimension();
  if (!options_.precondition) return 0;
  const std::size_t sample = sample_rows(n);
  own_ = objective_.preconditioner(sample);
  if (own_) {
    active_ = true;
    return 1;
  }
  ExactHessian* exact = objective_.exact_hessian();
  if (exact == nullptr || n > kPreconditionerLimit) return 0;
  exact_ = true;
  return refresh();
}

int StartHessian::refresh() {
  if (!exact_) return 0;
  const std::size_t n = objective_.dimension();
  std::vector<double> H(n * n);
  objective_.exact_hessian()->sampled_hessian(H, exact_sample_rows(n, objective_.rows()));
  active_ = linalg::factor_regularised(H, n, cholesky_);
  return 1;
}

}  // namespace simdlr::detail
