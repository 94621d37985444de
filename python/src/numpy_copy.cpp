// Arrays handed back to Python (coefficients, histories): NumPy arrays owning their copy.
#include <algorithm>

#include "bindings.hpp"

namespace simdlr::python {

nb::ndarray<nb::numpy, double> to_numpy(std::span<const double> values,
                                        std::initializer_list<std::size_t> shape) {
  auto* copy = new double[values.size()];
  std::copy(values.begin(), values.end(), copy);
  nb::capsule owner(copy, [](void* p) noexcept { delete[] static_cast<double*>(p); });
  return nb::ndarray<nb::numpy, double>(copy, shape.size(), shape.begin(), owner);
}

}  // namespace simdlr::python
