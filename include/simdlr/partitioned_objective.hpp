// An objective whose passes run over a row partition (<simdlr/row_partition.hpp>): the wrapped
// objective is built on this process's block of rows, and every call into it runs with the
// partition active, so its kernel passes combine the chunk partials of all parts and every part
// sees the same values. MPI-free: the distributed component (<simdlr/distributed.hpp>) wraps its
// objectives in it, with an MPI partition.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "simdlr/objective.hpp"
#include "simdlr/row_partition.hpp"

namespace simdlr {

// It offers what is partitioned so far: the value and gradient (also in double arithmetic),
// Hessian-vector products, the exact Hessian (newton-cholesky) and its blocks (prox-newton), the
// preconditioners (the sampled Hessian and the multinomial class-block preconditioner, from a
// gathered row sample) and, when asked to, the certificate. With a null partition it is the wrapped
// objective with the same capabilities (the single-process twin of a distributed fit).
class PartitionedObjective final : public Objective,
                                   public HessianVectorProduct,
                                   public ExactHessian,
                                   public HessianBlocks,
                                   public CertifiedBound {
 public:
  // certify: offer the inner objective's certificate too (the objectives' certificates run over
  // a partition).
  PartitionedObjective(Objective& inner, const RowPartition* partition, bool certify = false)
      : inner_(inner),
        hv_(inner.hessian_vector_product()),
        exact_(inner.exact_hessian()),
        blocks_(inner.hessian_blocks()),
        bound_(certify ? inner.certified_bound() : nullptr),
        partition_(partition) {}

  std::size_t dimension() const override { return inner_.dimension(); }
  // The rows of all ranks: the solvers weigh a Hessian estimate against the passes it saves by
  // it, and must decide alike on every rank.
  std::size_t rows() const override {
    return partition_ ? partition_->global_rows() : inner_.rows();
  }
  double value_and_gradient(std::span<const double> x, std::span<double> gradient) override {
    const ScopedRowPartition scope(partition_);
    return inner_.value_and_gradient(x, gradient);
  }
  double value_precision() const override { return inner_.value_precision(); }
  bool evaluate_in_double(bool on) override { return inner_.evaluate_in_double(on); }
  HessianVectorProduct* hessian_vector_product() override { return hv_ ? this : nullptr; }
  void hessian_vector(std::span<const double> v, std::span<double> out) override {
    const ScopedRowPartition scope(partition_);
    hv_->hessian_vector(v, out);
  }
  ExactHessian* exact_hessian() override { return exact_ ? this : nullptr; }
  void hessian(std::span<double> H) override {
    const ScopedRowPartition scope(partition_);
    exact_->hessian(H);
  }
  void sampled_hessian(std::span<double> H, std::size_t max_rows) override {
    const ScopedRowPartition scope(partition_);
    exact_->sampled_hessian(H, max_rows);
  }
  HessianBlocks* hessian_blocks() override { return blocks_ ? this : nullptr; }
  void hessian_block(std::span<const std::size_t> index, std::span<double> H) override {
    const ScopedRowPartition scope(partition_);
    blocks_->hessian_block(index, H);
  }
  std::unique_ptr<Preconditioner> preconditioner(std::size_t max_rows) override {
    const ScopedRowPartition scope(partition_);
    return inner_.preconditioner(max_rows);
  }
  std::unique_ptr<Preconditioner> penalized_preconditioner(
      std::size_t max_rows, std::span<const double> coefficient_penalty) override {
    const ScopedRowPartition scope(partition_);
    return inner_.penalized_preconditioner(max_rows, coefficient_penalty);
  }
  std::unique_ptr<Preconditioner> point_preconditioner(
      std::size_t max_rows, std::span<const double> coefficient_penalty) override {
    const ScopedRowPartition scope(partition_);
    return inner_.point_preconditioner(max_rows, coefficient_penalty);
  }
  CertifiedBound* certified_bound() override { return bound_ ? this : nullptr; }
  GapBound certify(std::span<double> x, const CertifyRequest& request) override {
    const ScopedRowPartition scope(partition_);
    return bound_->certify(x, request);
  }
  double gap_estimate(std::span<const double> gradient) const override {
    return bound_->gap_estimate(gradient);
  }
  bool penalised() const override { return bound_->penalised(); }
  std::size_t hessian_dimension_limit() const override { return bound_->hessian_dimension_limit(); }

 private:
  Objective& inner_;
  HessianVectorProduct* hv_;
  ExactHessian* exact_;
  HessianBlocks* blocks_;
  CertifiedBound* bound_;
  const RowPartition* partition_;
};

}  // namespace simdlr
