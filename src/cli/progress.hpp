// Per-iteration output of a fit: with --verbose one log line per iteration on stderr; otherwise,
// when stderr is a terminal, a progress line rewritten in place at most five times a second
// (and cleared at the end), so a long fit shows it is alive.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>

#include "simdlr/solvers.hpp"

namespace simdlr::cli {

class IterationPrinter {
 public:
  explicit IterationPrinter(bool verbose)
      : verbose_(verbose), terminal_(isatty(STDERR_FILENO) == 1) {}

  std::function<void(const IterationLog&)> callback() {
    if (!verbose_ && !terminal_) return nullptr;
    return [this](const IterationLog& log) { print(log); };
  }

  void finish() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }

 private:
  void print(const IterationLog& log) {
    if (verbose_) {
      std::fprintf(stderr, "iter %5d  objective %.12g  |grad| %.4e  step %.4e\n", log.iteration,
                   log.objective, log.gradient_norm, log.step);
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    std::fprintf(stderr, "\r\033[Kfitting: iteration %d, objective %.10g, |grad| %.3e",
                 log.iteration, log.objective, log.gradient_norm);
    shown_ = true;
  }

  bool verbose_, terminal_, shown_ = false;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace simdlr::cli
