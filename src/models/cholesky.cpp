#include "cholesky.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "simdlr/errors.hpp"

namespace simdlr::detail {

std::vector<double> cholesky_solve(const char* who, std::vector<long double> A,
                                   std::vector<long double> b, std::size_t m) {
  std::vector<long double> scale(m, 1.0L);
  for (std::size_t i = 0; i < m; ++i) {
    if (A[i * m + i] > 0) scale[i] = 1.0L / std::sqrt(A[i * m + i]);
  }
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < m; ++j)
      A[i * m + j] *= scale[i] * scale[j];
    b[i] *= scale[i];
  }
  // Threshold relative to the unit diagonal: the data are double at best.
  const long double tiny = 16.0L * m * std::numeric_limits<double>::epsilon();
  for (std::size_t j = 0; j < m; ++j) {
    long double pivot = A[j * m + j];
    for (std::size_t k = 0; k < j; ++k)
      pivot -= A[j * m + k] * A[j * m + k];
    if (!(pivot > tiny)) {
      throw SingularSystem(std::string(who) + ": the normal equations are singular (column " +
                           std::to_string(j) +
                           " is a linear combination of the others, or constant); use alpha > 0 "
                           "or remove collinear features");
    }
    const long double l = std::sqrt(pivot);
    A[j * m + j] = l;
    for (std::size_t i = j + 1; i < m; ++i) {
      long double v = A[i * m + j];
      for (std::size_t k = 0; k < j; ++k)
        v -= A[i * m + k] * A[j * m + k];
      A[i * m + j] = v / l;
    }
  }
  for (std::size_t i = 0; i < m; ++i) {  // L z = b
    long double v = b[i];
    for (std::size_t k = 0; k < i; ++k)
      v -= A[i * m + k] * b[k];
    b[i] = v / A[i * m + i];
  }
  for (std::size_t i = m; i-- > 0;) {  // Lᵀ x = z
    long double v = b[i];
    for (std::size_t k = i + 1; k < m; ++k)
      v -= A[k * m + i] * b[k];
    b[i] = v / A[i * m + i];
  }
  std::vector<double> x(m);
  for (std::size_t i = 0; i < m; ++i)
    x[i] = double(b[i] * scale[i]);
  return x;
}

}  // namespace simdlr::detail
