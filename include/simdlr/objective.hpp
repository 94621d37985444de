// The interface between objectives and solvers: a smooth function of a parameter vector in
// double precision, plus optional capabilities. Solvers include only this header; they never see
// a matrix or an objective's concrete type.
//
// value_and_gradient is the primary, fused entry point (ensmallen's EvaluateWithGradient):
// objectives compute both in one pass over their data. Everything else an objective may offer is
// an optional capability: today Hessian-vector products (Newton-CG); next, the exact Hessian (a
// Newton-Cholesky solver) and partial sums (a distributed fit combining them across ranks).
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

class Objective {
 public:
  virtual ~Objective() = default;
  virtual std::size_t dimension() const = 0;
  virtual double value_and_gradient(std::span<const double> x, std::span<double> gradient) = 0;
  // Relative rounding level of value_and_gradient's value: the machine epsilon of the arithmetic
  // the data are processed in (float data: 2^-23). Differences of objective values below this
  // times |f| are noise; the line search then decides by the directional derivative alone.
  virtual double value_precision() const { return 0x1p-52; }

  // Capability queries: the capability (usually the objective itself), or nullptr if absent.
  virtual HessianVectorProduct* hessian_vector_product() { return nullptr; }
};

// objective.hessian_vector_product(), or InvalidArgument
// "<who>: the objective provides no Hessian-vector product".
HessianVectorProduct& require_hessian_vector_product(Objective& objective, std::string_view who);

}  // namespace simdlr
