// Determinism: the same ISA and the same input give bitwise-identical results for every thread
// count (Threads{1}, {2}, {3}, {4} and the OpenMP default), for every matrix kernel and for dot,
// sigmoid and log_loss, on sizes that span many chunks and on small inputs, float and double,
// under every ISA.
#include <cstring>
#include <functional>
#include <initializer_list>

#include "matrix_support.hpp"

using namespace simdlr;
using namespace simdlr::test;

namespace {

// The bytes of everything a call produced.
using Snapshot = std::vector<unsigned char>;

template <class V>
void append(Snapshot& s, const V* p, std::size_t n) {
  const std::size_t at = s.size();
  s.resize(at + n * sizeof(V));
  if (n > 0) std::memcpy(s.data() + at, p, n * sizeof(V));
}

// Where two snapshots first differ (bytes), or -1.
inline long first_difference(const Snapshot& a, const Snapshot& b) {
  if (a.size() != b.size()) return 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return long(i);
  }
  return -1;
}

template <class T>
struct Problem {
  std::size_t rows, cols, K;
  std::vector<T> X, y, s, w, v, d, W, b, r;
  std::vector<std::int32_t> labels;
  T b0 = T(0.25);

  Problem(std::size_t rows_, std::size_t cols_, std::size_t K_) : rows(rows_), cols(cols_), K(K_) {
    X = normal_vector<T>(rows * cols, shape_seed(rows, cols, 100));
    y = uniform_vector<T>(rows, shape_seed(rows, cols, 101), 0.0, 1.0);
    for (std::size_t i = 0; i < rows; i += 2)
      y[i] = T(i % 4 == 0 ? 1 : 0);
    s = uniform_vector<T>(rows, shape_seed(rows, cols, 102), 0.0, 3.0);
    w = normal_vector<T>(cols, shape_seed(rows, cols, 103), 2.0 / std::sqrt(double(cols)));
    v = normal_vector<T>(cols, shape_seed(rows, cols, 104), 1.0 / std::sqrt(double(cols)));
    d = uniform_vector<T>(rows, shape_seed(rows, cols, 105), 0.0, 0.25);
    W = normal_vector<T>(K * cols, shape_seed(rows, cols, 106), 1.5 / std::sqrt(double(cols)));
    b = normal_vector<T>(K, shape_seed(rows, cols, 107));
    r = uniform_vector<T>(rows, shape_seed(rows, cols, 108), -1.0, 1.0);
    std::mt19937_64 rng(shape_seed(rows, cols, 109));
    labels.resize(rows);
    for (auto& l : labels)
      l = std::int32_t(rng() % K);
  }
  MatrixView<const T> view() const { return {X.data(), rows, cols, cols}; }
};

// One named kernel call producing a snapshot for a thread count.
template <class T>
struct Call {
  const char* name;
  std::function<Snapshot(Threads)> run;
};

template <class T>
std::vector<Call<T>> calls_for(const Problem<T>& p) {
  std::vector<Call<T>> calls;
  const std::size_t n = p.rows, m = p.cols, K = p.K;
  calls.push_back({"margins", [&p, n](Threads t) {
                     std::vector<T> z(n);
                     kernels::margins(p.view(), p.w.data(), p.b0, z.data(), t);
                     Snapshot s;
                     append(s, z.data(), n);
                     return s;
                   }});
  calls.push_back({"transpose_product", [&p, m](Threads t) {
                     std::vector<T> out(m);
                     kernels::transpose_product(p.view(), p.r.data(), out.data(), t);
                     Snapshot s;
                     append(s, out.data(), m);
                     return s;
                   }});
  // X against X with its columns reversed: a cross product whose sums span every chunk.
  calls.push_back({"cross_product", [&p, n, m](Threads t) {
                     std::vector<T> reversed(n * m), out(m * m);
                     for (std::size_t i = 0; i < n; ++i)
                       for (std::size_t j = 0; j < m; ++j)
                         reversed[i * m + j] = p.X[i * m + (m - 1 - j)];
                     kernels::cross_product(p.view(), MatrixView<const T>(reversed.data(), n, m),
                                            out.data(), t);
                     Snapshot s;
                     append(s, out.data(), m * m);
                     return s;
                   }});
  for (bool weighted : {false, true}) {
    calls.push_back({weighted ? "logistic_loss_grad (weights)" : "logistic_loss_grad",
                     [&p, n, m, weighted](Threads t) {
                       std::vector<T> g(m), z(n), h(n);
                       T gb = 0;
                       LogisticPass<T> a;
                       a.X = p.view();
                       a.y = p.y.data();
                       a.sample_weight = weighted ? p.s.data() : nullptr;
                       a.w = p.w.data();
                       a.b = p.b0;
                       a.grad_w = g.data();
                       a.grad_b = &gb;
                       a.margins = z.data();
                       a.hessian_diag = h.data();
                       const double loss = kernels::logistic_loss_grad(a, t);
                       Snapshot s;
                       append(s, &loss, 1);
                       append(s, g.data(), m);
                       append(s, &gb, 1);
                       append(s, z.data(), n);
                       append(s, h.data(), n);
                       return s;
                     }});
    calls.push_back({weighted ? "softmax_loss_grad (weights)" : "softmax_loss_grad",
                     [&p, n, m, K, weighted](Threads t) {
                       std::vector<T> gW(K * m), gb(K), prob(n * K);
                       SoftmaxPass<T> a;
                       a.X = p.view();
                       a.labels = p.labels.data();
                       a.n_classes = K;
                       a.sample_weight = weighted ? p.s.data() : nullptr;
                       a.W = p.W.data();
                       a.b = p.b.data();
                       a.grad_W = gW.data();
                       a.grad_b = gb.data();
                       a.probabilities = prob.data();
                       const double loss = kernels::softmax_loss_grad(a, t);
                       Snapshot s;
                       append(s, &loss, 1);
                       append(s, gW.data(), K * m);
                       append(s, gb.data(), K);
                       append(s, prob.data(), n * K);
                       return s;
                     }});
    calls.push_back(
        {weighted ? "hessian_vector (d)" : "hessian_vector", [&p, m, weighted](Threads t) {
           std::vector<T> out(m);
           T out_b = 0;
           kernels::hessian_vector(p.view(), weighted ? p.d.data() : nullptr, p.v.data(), T(-0.5),
                                   out.data(), &out_b, t);
           Snapshot s;
           append(s, out.data(), m);
           append(s, &out_b, 1);
           return s;
         }});
    calls.push_back(
        {weighted ? "weighted_gram (d)" : "weighted_gram", [&p, m, weighted](Threads t) {
           std::vector<T> out(m * m);
           kernels::weighted_gram(p.view(), weighted ? p.d.data() : nullptr, out.data(), t);
           Snapshot s;
           append(s, out.data(), m * m);
           return s;
         }});
  }
  // The vector kernels over the whole matrix as one long vector (many 8192-element chunks).
  calls.push_back({"dot", [&p](Threads t) {
                     const T value = kernels::dot(p.X.data(), p.X.data() + 1, p.X.size() - 1, t);
                     Snapshot s;
                     append(s, &value, 1);
                     return s;
                   }});
  calls.push_back({"sigmoid", [&p](Threads t) {
                     std::vector<T> out(p.X.size());
                     kernels::sigmoid(p.X.data(), out.data(), out.size(), t);
                     Snapshot s;
                     append(s, out.data(), out.size());
                     return s;
                   }});
  calls.push_back({"log_loss", [&p](Threads t) {
                     // Labels: the matrix itself mapped to [0, 1].
                     std::vector<T> y(p.X.size());
                     for (std::size_t i = 0; i < y.size(); ++i)
                       y[i] = T(i % 3) / T(2);
                     const T value = kernels::log_loss(p.X.data(), y.data(), y.size(), t);
                     Snapshot s;
                     append(s, &value, 1);
                     return s;
                   }});
  return calls;
}

// Threads{1} is the baseline; 0 is OpenMP's default.
template <class T>
void check_deterministic(std::size_t rows, std::size_t cols, std::size_t K,
                         std::initializer_list<int> thread_counts = {2, 3, 4}) {
  const Problem<T> p(rows, cols, K);
  const std::vector<Call<T>> calls = calls_for(p);
  for_each_isa([&](Isa) {
    for (const Call<T>& call : calls) {
      INFO(type_name<T>() << " " << call.name << ", rows " << rows << ", cols " << cols << ", K "
                          << K);
      const Snapshot one = call.run(Threads{1});
      REQUIRE(!one.empty());
      for (int threads : thread_counts) {
        INFO("Threads{" << threads << "} vs Threads{1}");
        const Snapshot other = call.run(Threads{threads});
        const long at = first_difference(one, other);
        INFO("first differing byte " << at << " of " << one.size());
        CHECK(at == -1);
      }
    }
  });
}

}  // namespace

TEMPLATE_TEST_CASE("every kernel is bitwise identical for any thread count: 50000 x 37",
                   "[determinism]", float, double) {
  check_deterministic<TestType>(50000, 37, 3);
}

TEMPLATE_TEST_CASE("every kernel is bitwise identical for any thread count: 3000 x 300",
                   "[determinism]", float, double) {
  check_deterministic<TestType>(3000, 300, 10);
}

TEMPLATE_TEST_CASE("every kernel is bitwise identical for any thread count: small inputs",
                   "[determinism]", float, double) {
  const std::size_t shapes[][3] = {{1, 1, 1},     {2, 3, 2},     {5, 3, 3},
                                   {17, 100, 17}, {130, 17, 10}, {700, 33, 4}};
  for (const auto& shape : shapes) {
    check_deterministic<TestType>(shape[0], shape[1], shape[2], {2, 3, 4, 0});
  }
}

TEMPLATE_TEST_CASE("the scalar twins ignore the thread count", "[determinism]", float, double) {
  using T = TestType;
  const Problem<T> p(5000, 37, 3);
  std::vector<T> a(p.cols * p.cols), b(p.cols * p.cols);
  scalar::weighted_gram(p.view(), p.d.data(), a.data(), Threads{1});
  scalar::weighted_gram(p.view(), p.d.data(), b.data(), Threads{4});
  CHECK(bitwise_equal(a.data(), b.data(), a.size()));
  std::vector<T> za(p.rows), zb(p.rows);
  scalar::margins(p.view(), p.w.data(), p.b0, za.data(), Threads{1});
  scalar::margins(p.view(), p.w.data(), p.b0, zb.data(), Threads{3});
  CHECK(bitwise_equal(za.data(), zb.data(), za.size()));
}

TEMPLATE_TEST_CASE("a negative thread count is rejected", "[determinism][errors]", float, double) {
  using T = TestType;
  const Problem<T> p(10, 4, 2);
  std::vector<T> z(p.rows), out(p.cols * p.cols);
  for_each_isa([&](Isa) {
    CHECK_THROWS_AS(kernels::margins(p.view(), p.w.data(), p.b0, z.data(), Threads{-1}),
                    InvalidArgument);
    CHECK_THROWS_AS(kernels::weighted_gram(p.view(), nullptr, out.data(), Threads{-2}),
                    InvalidArgument);
  });
}
