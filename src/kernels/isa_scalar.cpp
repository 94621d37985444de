// The `scalar` ISA: the plain loops, compiled like the rest of the library.
#include "scalar_body.hpp"

namespace simdlr::detail {
constinit const IsaKernels scalar_kernels{plain::table<float>(), plain::table<double>()};
}  // namespace simdlr::detail
