// The interface between objectives and solvers: a smooth function of a parameter vector in
// double precision, plus optional capabilities. Solvers include only this header; they never see
// a matrix or an objective's concrete type.
//
// value_and_gradient is the primary, fused entry point (ensmallen's EvaluateWithGradient):
// objectives compute both in one pass over their data. Everything else an objective may offer is
// an optional capability: Hessian-vector products (Newton-CG), the exact Hessian (newton-cholesky),
// blocks of it (prox-newton),
// a certified bound on the distance to the optimum (every solver's convergence test); next,
// partial sums (a distributed fit combining them across ranks).
//
// Capabilities are a runtime query, not compile-time concepts. Each capability is a small
// interface of its own, and Objective has one query per capability that returns it, or nullptr
// when absent. Why runtime: solvers are not templates (they take Objective& through this virtual
// interface and are compiled once), the model chooses the solver at run time from its options
// (and a `solver=auto` will choose by what the objective offers), and wrappers such as the
// standardized objective have a capability exactly when the objective they wrap has it, which is
// only known at run time. A solver that needs a capability asks for it once at entry (require_*
// below: a typed InvalidArgument if it is missing) and then calls it through the reference it got
// back, so the use site shows which capability it relies on and cannot reach an absent one.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <string_view>

namespace simdlr {

// Capability: Hessian-vector products, H v at the point of the objective's last
// value_and_gradient call.
class HessianVectorProduct {
 public:
  virtual void hessian_vector(std::span<const double> v, std::span<double> out) = 0;

 protected:
  ~HessianVectorProduct() = default;  // not owned through this interface
};

// Capability: the exact Hessian H at the point of the last value_and_gradient call, dimension²
// values, row-major, full and symmetric (the newton-cholesky solver). One weighted Gram pass over
// the data (plus one pass for the intercept row).
class ExactHessian {
 public:
  virtual void hessian(std::span<double> H) = 0;
  // An estimate for preconditioning: the Hessian of a systematic sample of about max_rows rows
  // (every k-th), its data part scaled to all rows; max_rows = 0: all rows, exactly. Default:
  // the exact Hessian.
  virtual void sampled_hessian(std::span<double> H, std::size_t max_rows) {
    (void)max_rows;
    hessian(H);
  }

 protected:
  ~ExactHessian() = default;
};

// Capability: the Hessian restricted to some parameters, H[index, index] for `index` ascending
// and distinct, |index|² values row-major, at the point of the last value_and_gradient call: the
// proximal Newton solver's model on its working set (a Gram pass over those columns only).
class HessianBlocks {
 public:
  virtual void hessian_block(std::span<const std::size_t> index, std::span<double> H) = 0;

 protected:
  ~HessianBlocks() = default;
};

// An approximate inverse Hessian at the point where it was made, for preconditioning: v ← M⁻¹v.
class Preconditioner {
 public:
  virtual ~Preconditioner() = default;
  virtual void apply(std::span<double> v) const = 0;
};

// Which proof a gap bound rests on (docs/convergence.md, section 2).
enum class Certificate {
  none,              // no bound: F − F* may be anything
  strong_convexity,  // tier 1, l2 penalty: exact intercepts, then strong convexity in w
  hessian,           // tier 2: Newton decrement with (generalized) self-concordance
  quadratic,         // least squares: F − F* = ½ gᵀH⁻¹g exactly
  duality_gap,       // l1 / elastic net: F minus the Fenchel dual at a feasible dual point
};

// A proved bound F(x) − inf F ≤ bound at a point x.
struct GapBound {
  double objective = 0;  // F(x), evaluated in double arithmetic over the data
  double bound = std::numeric_limits<double>::infinity();  // +inf: nothing proved
  Certificate certificate = Certificate::none;
  const char* note = "";  // why there is no bound (static text), empty otherwise
  // The rounding floor: F − F* at or below it is the data's own rounding, so the point is as good
  // as an exact fit in floating point (least squares: ½ Σ s_i (16 ε y_i)², ε = 2⁻⁵²; 0 where F*
  // is never near 0). A bound at or below it counts as converged, whatever F* (solvers.hpp).
  double floor = 0;
  // > 0: the check was deferred, nothing evaluated (CertifyRequest::may_defer): one is worth its
  // cost once the solver's estimate of the gap is below this.
  double retry_below = 0;
};

struct CertifyRequest {
  // May use the Hessian certificate (one weighted Gram pass, a Cholesky and one leverage pass).
  bool hessian_allowed = false;
  // For reparametrizing wrappers: certify data term + ½ Σ_j p_j w_j² instead of the objective's
  // own penalty, p_j given per coefficient (all coefficients, in the objective's layout).
  // Empty: the objective's own penalty.
  std::span<const double> coefficient_penalty = {};
  // With an l1 part: certify data term + Σ_j l1_j |x_j| + ½ Σ_j p_j x_j² (p_j from
  // coefficient_penalty, which must then be given too), one l1_j per parameter (0 for the
  // intercepts, which stay unpenalised), by the duality gap. Empty: no l1 part.
  std::span<const double> l1_penalty = {};
  // The Hessian certificate is skipped when the tier-1 bound is already at or below this.
  double enough = 0;
  // The solver's estimate of F(x) − F* (0: none). A sampled Hessian certificate's bound is about
  // the estimate times the sampling step (every k-th row carries about 1/k of the curvature), so
  // the sample is sized from it.
  double estimate = 0;
  // The tier-1 formula at the solver's last gradient (CertifiedBound::gap_estimate; +inf: none).
  double tier1_estimate = std::numeric_limits<double>::infinity();
  // The certificate may decline a check that would cost more than the solver's next iteration
  // and a check after it are expected to (GapBound::retry_below), e.g. a Hessian sample too dense
  // for the estimate; never where tier 1 may hold (tier1_estimate at or below enough).
  bool may_defer = false;
};

// Capability: a certified bound on the distance to the optimum (see solvers.hpp for how the
// solvers use it). certify may move x's intercepts to their exact minimiser for the given
// coefficients (the bound and objective then refer to the moved x, whose F is not larger up to the
// rounding of its evaluation), and costs one or two passes over the data (tier 1) or the Hessian's
// (tier 2).
class CertifiedBound {
 public:
  virtual GapBound certify(std::span<double> x, const CertifyRequest& request) = 0;
  // A free estimate of F(x) − F* from the gradient of the last evaluation (the tier-1 formula
  // without the exact intercepts), to decide when certify is worth its passes; +inf without a
  // penalty.
  virtual double gap_estimate(std::span<const double> gradient) const = 0;
  // Whether every coefficient carries an l2 penalty, so that tier 1 can hold.
  virtual bool penalised() const = 0;
  // The dimension above which the Hessian certificate is not offered (its Gram pass and
  // Cholesky would cost more than the fit).
  virtual std::size_t hessian_dimension_limit() const { return 512; }

 protected:
  ~CertifiedBound() = default;
};

class Objective {
 public:
  virtual ~Objective() = default;
  virtual std::size_t dimension() const = 0;
  // Rows of data each pass over them reads (0: not known). Lets a solver weigh a once-only cost
  // such as a Hessian estimate against the passes it would save.
  virtual std::size_t rows() const { return 0; }
  virtual double value_and_gradient(std::span<const double> x, std::span<double> gradient) = 0;
  // Relative rounding level of value_and_gradient's value: the machine epsilon of the arithmetic
  // the data are processed in (float data: 2^-23). Differences of objective values below this
  // times |f| are noise; the line search then decides by the directional derivative alone.
  virtual double value_precision() const { return 0x1p-52; }
  // Float data: with on = true, value_and_gradient (and the Hessian's weights) from now on in
  // double arithmetic over the exactly widened data, a few times slower than the float kernels:
  // for a solver's last iterations, where the float pass's rounding would stall it before its
  // certificate can hold (value_precision() then reports double's). Returns whether the
  // objective offers it (not by default, and not for double data, which need it not).
  virtual bool evaluate_in_double(bool on) {
    (void)on;
    return false;
  }

  // Capability queries: the capability (usually the objective itself), or nullptr if absent.
  virtual HessianVectorProduct* hessian_vector_product() { return nullptr; }
  virtual ExactHessian* exact_hessian() { return nullptr; }
  virtual HessianBlocks* hessian_blocks() { return nullptr; }
  // A preconditioner of the objective's own making at the last evaluation point, estimated from
  // about max_rows rows, or nullptr (the solvers then factor the sampled exact Hessian when
  // there is one). For objectives whose Hessian has structure a Cholesky of it would waste.
  virtual std::unique_ptr<Preconditioner> preconditioner(std::size_t max_rows) {
    (void)max_rows;
    return nullptr;
  }
  // The same for the data term + ½ Σ_j p_j w_j² instead of the objective's own penalty (one p_j
  // per coefficient, the objective's layout, as CertifyRequest::coefficient_penalty): for
  // reparametrizing wrappers, whose penalty is another in the objective's coordinates. nullptr
  // if the objective cannot; by default its own preconditioner when no penalty is given.
  virtual std::unique_ptr<Preconditioner> penalized_preconditioner(
      std::size_t max_rows, std::span<const double> coefficient_penalty) {
    return coefficient_penalty.empty() ? preconditioner(max_rows) : nullptr;
  }
  // The Hessian of a row sample of about max_rows rows at the last evaluation point (for the data
  // term + ½ Σ_j p_j w_j² when coefficient_penalty is given, as above), where the objective can
  // build it in a few passes' time; nullptr otherwise (the default). L-BFGS builds it at once and
  // again after its first steps, which makes them those of a sampled Newton method.
  virtual std::unique_ptr<Preconditioner> point_preconditioner(
      std::size_t max_rows, std::span<const double> coefficient_penalty) {
    (void)max_rows;
    (void)coefficient_penalty;
    return nullptr;
  }
  virtual CertifiedBound* certified_bound() { return nullptr; }
};

// objective.hessian_vector_product(), or InvalidArgument
// "<who>: the objective provides no Hessian-vector product".
HessianVectorProduct& require_hessian_vector_product(Objective& objective, std::string_view who);
// objective.exact_hessian(), or InvalidArgument "<who>: the objective provides no exact Hessian".
ExactHessian& require_exact_hessian(Objective& objective, std::string_view who);
// objective.hessian_blocks(), or InvalidArgument "<who>: the objective provides no Hessian blocks".
HessianBlocks& require_hessian_blocks(Objective& objective, std::string_view who);

}  // namespace simdlr
