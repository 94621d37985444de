// Calls the public kernels and their scalar twins through the installed package; exits
// non-zero if any result is wrong.
#include <simdlr/simdlr.hpp>

#include <cmath>
#include <cstdio>

int main() {
  const double x[5] = {1, 2, 3, 4, 5};
  const double y[5] = {5, 4, 3, 2, 1};
  const float zf[3] = {-1.0f, 0.0f, 2.0f};
  const float labels[3] = {0.0f, 1.0f, 1.0f};
  int failures = 0;
  auto check = [&](const char* what, double got, double want, double tol) {
    const bool ok = std::fabs(got - want) <= tol;
    std::printf("%-24s %.17g (want %.17g) %s\n", what, got, want, ok ? "ok" : "WRONG");
    failures += ok ? 0 : 1;
  };
  check("kernels::dot", simdlr::kernels::dot(x, y, 5), 35.0, 0.0);
  check("scalar::dot", simdlr::scalar::dot(x, y, 5), 35.0, 0.0);
  float sig[3], sig_twin[3];
  simdlr::kernels::sigmoid(zf, sig, 3);
  simdlr::scalar::sigmoid(zf, sig_twin, 3);
  check("kernels::sigmoid(0)", sig[1], 0.5, 0.0);
  check("kernels::sigmoid(2)", sig[2], 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
  check("scalar::sigmoid(-1)", sig_twin[0], 1.0 / (1.0 + std::exp(1.0)), 1e-6);
  // log(1 + e^-1) + log 2 + log(1 + e^-2)
  const double want = std::log1p(std::exp(-1.0)) + std::log(2.0) + std::log1p(std::exp(-2.0));
  check("kernels::log_loss", simdlr::kernels::log_loss(zf, labels, 3), want, 1e-6);
  check("scalar::log_loss", simdlr::scalar::log_loss(zf, labels, 3), want, 1e-6);
  std::printf("simdlr %s, ISA %s\n", simdlr::library_version().data(),
              simdlr::isa_name(simdlr::active_isa()).data());
  return failures == 0 ? 0 : 1;
}
