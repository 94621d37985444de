// A short scalar-vs-SIMD timing table of the core kernels on this machine (for `simdlr demo`).
// Quick and indicative only: the Google Benchmark suites in bench/ are the measurements.
#pragma once

#include <ostream>

namespace simdlr::cli {

void print_kernel_timing_table(std::ostream& out);

}  // namespace simdlr::cli
