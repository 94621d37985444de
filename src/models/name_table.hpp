// The names of the models' enumerations (solver, multi-class mode, penalty, linear solver), as
// options, the command line and model files spell them: one small table per enumeration and
// one lookup, both ways, for all of them.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "simdlr/errors.hpp"

namespace simdlr::detail {

// names[i] is the name of Enum(i): the enumerators must be 0, 1, ..., N - 1, in table order.
template <class Enum, std::size_t N>
struct NameTable {
  std::string_view what;  // what the names name, for messages: "solver", "penalty", ...
  std::array<std::string_view, N> names;

  std::string_view name(Enum value) const noexcept {
    const auto index = std::size_t(value);
    return index < N ? names[index] : "unknown";
  }

  // InvalidArgument "unknown <what> '<text>' (expected a, b or c)" for a name not in the table.
  Enum parse(std::string_view text) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == text) return Enum(i);
    }
    std::string expected;
    for (std::size_t i = 0; i < N; ++i) {
      if (i > 0) expected += i + 1 == N ? " or " : ", ";
      expected += names[i];
    }
    throw InvalidArgument("unknown " + std::string(what) + " '" + std::string(text) +
                          "' (expected " + expected + ")");
  }
};

}  // namespace simdlr::detail
