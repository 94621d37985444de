// Arrays of n doubles for a fit's certificate check whose memory is kept per thread for the
// next check. The check needs a few arrays of one value per row (margins, weights, residuals).
// Fresh ones are fresh memory on every fit: the allocator returns large freed blocks to the
// system, and each 4 KiB page then costs a page fault on its first write. Measured on AMD Zen 4
// (a virtual machine): about 12,700 faults and 30 ms of a 124 ms default fit on 10⁶ x 10 float64
// went to the fit's fresh arrays, 8 % of one on 100,000 x 10.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace simdlr::detail {

// Zeroed on construction, as std::vector<double>(n) is. Its memory comes from the calling
// thread's pool when one there is large enough, and goes back to it on destruction: the pool
// keeps at most kPooledArrays arrays of kPooledMin to kPooledMax values (32 MiB per thread in
// all). Smaller ones and larger ones are allocated and freed as usual: below 128 KiB the
// allocator reuses its own free blocks (pooled, they made it fetch new pages for other arrays:
// 55 more page faults per 10,000-row fit), and the largest fits' arrays are not kept.
class PooledRows {
 public:
  static constexpr std::size_t kPooledArrays = 4;
  static constexpr std::size_t kPooledMin = std::size_t(1) << 14;
  static constexpr std::size_t kPooledMax = std::size_t(1) << 20;

  explicit PooledRows(std::size_t n);
  ~PooledRows();
  PooledRows(const PooledRows&) = delete;
  PooledRows& operator=(const PooledRows&) = delete;

  double* data() { return values_.data(); }
  const double* data() const { return values_.data(); }
  std::size_t size() const { return values_.size(); }
  double* begin() { return data(); }
  double* end() { return data() + size(); }
  const double* begin() const { return data(); }
  const double* end() const { return data() + size(); }
  double& operator[](std::size_t i) { return values_[i]; }
  double operator[](std::size_t i) const { return values_[i]; }
  operator std::span<double>() { return values_; }
  operator std::span<const double>() const { return values_; }

 private:
  std::vector<double> values_;
};

}  // namespace simdlr::detail
