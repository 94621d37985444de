// logistic_loss_grad's optional column maxima (a fit's input scan folded into its first pass):
// the exact max_i |x_ij| of column_max_abs, on every ISA, shape, layout and thread count, with
// the pass's other results unchanged bit for bit; and the contract that replaces a finiteness
// flag: a NaN or ±inf anywhere in X makes the returned loss NaN or +inf, whatever w (zeros
// included), the labels (0, 1 or fractional) and the weights (zeros included).
#include <cmath>
#include <limits>
#include <vector>

#include "strided_matrix.hpp"
#include "support.hpp"

using namespace simdlr;

namespace {

using Shape = simdlr::test::StridedShape;

template <class T>
struct PassInputs {
  std::vector<T> y, s, w;
};

template <class T>
PassInputs<T> inputs(const Shape& shape, bool zero_w) {
  PassInputs<T> in;
  in.y.resize(shape.rows);
  in.s.resize(shape.rows);
  in.w.resize(shape.cols);
  for (std::size_t i = 0; i < shape.rows; ++i) {
    in.y[i] = i % 5 == 4 ? T(0.25) : T(i % 2);   // mostly labels, some fractional targets
    in.s[i] = i % 7 == 3 ? T(0) : T(1 + i % 3);  // zero weights are allowed
  }
  for (std::size_t j = 0; j < shape.cols; ++j)
    in.w[j] = zero_w ? T(0) : T(0.3) * T(j % 3 == 0 ? -1 : 1) / T(1 + j % 4);
  return in;
}

template <class T>
struct PassResult {
  double loss = 0;
  std::vector<T> grad, maxima;
  T grad_b = 0;
};

template <class T, class Kernel>
PassResult<T> run(const Kernel& kernel, MatrixView<const T> X, const PassInputs<T>& in,
                  bool with_maxima) {
  PassResult<T> out;
  out.grad.assign(X.cols, T(-7));
  out.maxima.assign(with_maxima ? X.cols : 0, T(-7));
  LogisticPass<T> pass;
  pass.X = X;
  pass.y = in.y.data();
  pass.sample_weight = in.s.data();
  pass.w = in.w.data();
  pass.b = T(0.125);
  pass.grad_w = out.grad.data();
  pass.grad_b = &out.grad_b;
  pass.column_max_abs = with_maxima ? out.maxima.data() : nullptr;
  out.loss = kernel(pass);
  return out;
}

template <class T>
void check_maxima(const Shape& s) {
  // NaN in the padding: it must never reach a maximum (nor the loss).
  std::vector<T> X = simdlr::test::patterned_matrix<T>(s, std::numeric_limits<T>::quiet_NaN());
  for (std::size_t j = 0; j < s.cols; ++j) {
    const std::size_t row = (j * 7919 + 3) % s.rows;
    X[row * s.stride + j] = T(j % 2 ? -1 : 1) * T(3 + j % 5);
  }
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  std::vector<T> expected(s.cols, T(0));
  for (std::size_t i = 0; i < s.rows; ++i)
    for (std::size_t j = 0; j < s.cols; ++j)
      expected[j] = std::max(expected[j], std::fabs(X[i * s.stride + j]));
  const PassInputs<T> in = inputs<T>(s, false);
  INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << "), "
                << (sizeof(T) == 4 ? "float" : "double"));
  for (int threads : {1, 2, 3}) {
    INFO(threads << " threads");
    const auto kernel = [&](const LogisticPass<T>& p) {
      return kernels::logistic_loss_grad(p, Threads{threads});
    };
    const PassResult<T> plain = run<T>(kernel, view, in, false);
    const PassResult<T> with = run<T>(kernel, view, in, true);
    CHECK(with.maxima == expected);
    // The maxima change nothing else: the same bits.
    CHECK(with.loss == plain.loss);
    CHECK(with.grad == plain.grad);
    CHECK(with.grad_b == plain.grad_b);
    CHECK(std::isfinite(with.loss));
  }
  const auto twin = [](const LogisticPass<T>& p) { return scalar::logistic_loss_grad(p); };
  const PassResult<T> with = run<T>(twin, view, in, true);
  CHECK(with.maxima == expected);
  CHECK(with.loss == run<T>(twin, view, in, false).loss);
}

template <class T>
void check_non_finite(const Shape& s) {
  std::vector<T> X = simdlr::test::patterned_matrix<T>(s, std::numeric_limits<T>::quiet_NaN());
  const MatrixView<const T> view(X.data(), s.rows, s.cols, s.stride);
  INFO("shape " << s.rows << " x " << s.cols << " (stride " << s.stride << "), "
                << (sizeof(T) == 4 ? "float" : "double"));
  for (bool zero_w : {true, false}) {
    INFO((zero_w ? "w = 0" : "w != 0"));
    const PassInputs<T> in = inputs<T>(s, zero_w);
    const auto simd1 = [](const LogisticPass<T>& p) {
      return kernels::logistic_loss_grad(p, Threads{1});
    };
    const auto simd2 = [](const LogisticPass<T>& p) {
      return kernels::logistic_loss_grad(p, Threads{2});
    };
    const auto twin = [](const LogisticPass<T>& p) { return scalar::logistic_loss_grad(p); };
    CHECK(std::isfinite(run<T>(simd2, view, in, true).loss));
    simdlr::test::for_each_non_finite(X, s, [&] {
      CHECK_FALSE(std::isfinite(run<T>(simd1, view, in, true).loss));
      CHECK_FALSE(std::isfinite(run<T>(simd2, view, in, true).loss));
      CHECK_FALSE(std::isfinite(run<T>(twin, view, in, true).loss));
    });
  }
}

}  // namespace

TEST_CASE("logistic_loss_grad's column maxima are column_max_abs's and change nothing else",
          "[logistic_pass][column_max_abs]") {
  test::for_each_isa([](Isa) {
    for (const Shape& s : simdlr::test::kScanShapes) {
      check_maxima<float>(s);
      check_maxima<double>(s);
    }
  });
}

TEST_CASE("logistic_loss_grad's loss is not finite when X holds a NaN or an infinity",
          "[logistic_pass][column_max_abs]") {
  test::for_each_isa([](Isa) {
    for (const Shape& s : simdlr::test::kScanShapes) {
      check_non_finite<float>(s);
      check_non_finite<double>(s);
    }
  });
}
