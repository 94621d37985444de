#include "simdlr/version.hpp"

namespace simdlr {
std::string_view library_version() noexcept {
  return version_string;
}
}  // namespace simdlr
