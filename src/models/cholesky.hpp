// Solves a symmetric positive definite system A x = b in long double, after scaling A to unit
// diagonal (Jacobi) so features of very different scales do not trip the singularity test.
#pragma once

#include <vector>

namespace simdlr::detail {

// A: m x m row-major (only the lower triangle is read). Throws SingularSystem naming `who` when
// a pivot is not positive or is below m·ε of its diagonal (numerically singular).
std::vector<double> cholesky_solve(const char* who, std::vector<long double> A,
                                   std::vector<long double> b, std::size_t m);

}  // namespace simdlr::detail
