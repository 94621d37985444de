#include "preconditioner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "simdlr/kernels.hpp"

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

// The conditioning probe's sample: a few rows per parameter. Its Hessian and the estimate below
// took 0.28 ms at 10,000 x 100 float64 (the start Hessian, of 3,168 rows: 1.1-1.3 ms).
constexpr std::size_t kProbeRowsPerParameter = 4;
// Below this estimated condition number L-BFGS converges as fast without a start Hessian as with
// it (Gaussian columns, probe estimates 2-4: the same iteration counts at 10,000 to 200,000 x
// 100, one more at d = 10), so its Gram matrix and Cholesky would be spent for nothing. The
// correlated benchmark problems estimate above 10⁵.
constexpr double kWellConditioned = 10;

// An estimate of λ_max / λ_min of the symmetric positive definite m x m matrix H (row-major): the
// power method's Rayleigh quotient for λ_max, and for λ_min the smallest pivot of H's Cholesky
// factorization: the j-th pivot is 1 / (H_j⁻¹)_jj for the leading j x j block H_j, so at least
// λ_min(H_j) ≥ λ_min(H), and near it on sample Gram matrices (Gaussian columns: 0.75 of the unit
// diagonal at 4 rows per parameter). The estimate can err either way; it decides only whether a
// start Hessian is worth its cost, which no bound or result rests on. +∞ when H is not
// numerically positive definite.
double condition_estimate(const std::vector<double>& H, std::size_t m) {
  constexpr int kPowerSteps = 12;
  std::vector<double> U(H);
  double largest_diagonal = 0;
  for (std::size_t j = 0; j < m; ++j)
    largest_diagonal = std::max(largest_diagonal, H[j * m + j]);
  if (!std::isfinite(largest_diagonal) || !(largest_diagonal > 0) ||
      !kernels::cholesky_upper(U.data(), m, 16 * double(m) * 0x1p-52 * largest_diagonal))
    return std::numeric_limits<double>::infinity();
  double smallest_pivot = std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < m; ++j)
    smallest_pivot = std::min(smallest_pivot, U[j * m + j] * U[j * m + j]);
  // A start vector with a component along every eigenvector of a generic H.
  std::vector<double> v(m), w(m);
  for (std::size_t j = 0; j < m; ++j)
    v[j] = 1.0 + 0.5 * std::sin(double(j) + 1.0);
  double largest = 0;
  for (int step = 0; step < kPowerSteps; ++step) {
    double norm = 0;
    for (double e : v)
      norm += e * e;
    norm = 1 / std::sqrt(norm);
    for (double& e : v)
      e *= norm;
    // w = H v as a sum of H's rows (H is symmetric): loops that vectorize, unlike dot products.
    std::fill(w.begin(), w.end(), 0.0);
    for (std::size_t k = 0; k < m; ++k) {
      const double* row = H.data() + k * m;
      for (std::size_t j = 0; j < m; ++j)
        w[j] += row[j] * v[k];
    }
    largest = 0;
    for (std::size_t j = 0; j < m; ++j)
      largest += v[j] * w[j];
    v.swap(w);
  }
  return largest / smallest_pivot;
}

}  // namespace

bool StartHessian::well_conditioned() const {
  const std::size_t m = objective_.dimension(), rows = objective_.rows();
  const std::size_t probe = kProbeRowsPerParameter * m;
  // Only where the probe costs at most a sixth of the start Hessian it may save, which is what
  // it adds where the start Hessian is needed (breast cancer, 569 rows: not probed), and where
  // the start Hessian costs a tenth of a pass or more: below, it is cheaper than the iteration
  // it often saves (100,000 x 10: 6 iterations with it, 7 without, both in the same time).
  if (objective_.exact_hessian() == nullptr || m > kPreconditionerLimit ||
      6 * probe > std::min(rows, exact_sample_rows(m, rows)) || exact_cost() < 0.1)
    return false;
  std::vector<double> H(m * m);
  objective_.exact_hessian()->sampled_hessian(H, probe);
  return condition_estimate(H, m) <= kWellConditioned;
}

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
  const std::size_t n = objective_.dimension();
  if (!options_.precondition) return built_ = true, 0;
  const std::size_t sample = sample_rows(n);
  own_ = objective_.preconditioner(sample);
  if (own_) {
    built_ = active_ = true;
    return 1;
  }
  ExactHessian* exact = objective_.exact_hessian();
  if (exact == nullptr || n > kPreconditionerLimit) return built_ = true, 0;
  // On a well-conditioned problem the first call leaves it unbuilt; a solver that later finds
  // its iterations slow (L-BFGS's progress check) asks again and gets it.
  if (!probed_) {
    probed_ = true;
    if (well_conditioned()) return 0;
  }
  built_ = exact_ = true;
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
