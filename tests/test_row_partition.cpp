// The row-partition hook of the kernels and objectives (<simdlr/row_partition.hpp>), without
// MPI: K parts are K threads of this process, each with its own block of rows and a partition
// whose collective steps meet at barriers. The kernels' sums, an L-BFGS fit with the start
// Hessian and a newton-cholesky fit over K = 1-4 parts equal the single-process ones bit for
// bit, weighted_gram and sum_in_row_blocks take any split, and a block off the chunk boundaries
// is the same error on every part. The fits certify over the partition and equal the plain
// objective's fit. (tests/mpi runs the same over MPI.)
#include <algorithm>
#include <barrier>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "simdlr/partitioned_objective.hpp"
#include "simdlr/row_partition.hpp"
#include "simdlr/simdlr.hpp"

namespace {

using namespace simdlr;

// What the parts post for one collective step.
struct Bus {
  explicit Bus(std::size_t parts) : barrier(std::ptrdiff_t(parts)), posted(parts), counts(parts) {}
  std::barrier<> barrier;
  std::vector<std::vector<std::byte>> posted;
  std::vector<std::vector<std::size_t>> counts;
  std::vector<std::byte> carry;
};

class ThreadPartition final : public RowPartition {
 public:
  ThreadPartition(Bus& bus, std::vector<std::size_t> offsets, std::size_t part)
      : bus_(bus), offsets_(std::move(offsets)), part_(part) {}

  std::size_t parts() const override { return offsets_.size() - 1; }
  std::size_t part() const override { return part_; }
  std::size_t row_offset(std::size_t p) const override { return offsets_[p]; }

  void share_chunks(void* buffer, std::size_t chunk_bytes,
                    std::span<const std::size_t> first_chunk) const override {
    auto* bytes = static_cast<std::byte*>(buffer);
    post(std::span<const std::byte>(bytes + first_chunk[part_] * chunk_bytes,
                                    (first_chunk[part_ + 1] - first_chunk[part_]) * chunk_bytes));
    for (std::size_t p = 0; p < parts(); ++p) {
      const std::vector<std::byte>& theirs = bus_.posted[p];
      if (p != part_ && !theirs.empty())
        std::memcpy(bytes + first_chunk[p] * chunk_bytes, theirs.data(), theirs.size());
    }
    bus_.barrier.arrive_and_wait();
  }

  std::vector<std::byte> gather(std::span<const std::byte> local) const override {
    post(local);
    std::vector<std::byte> all;
    for (const std::vector<std::byte>& theirs : bus_.posted)
      all.insert(all.end(), theirs.begin(), theirs.end());
    bus_.barrier.arrive_and_wait();
    return all;
  }

  void in_order(std::span<std::byte> state,
                const std::function<void(std::span<std::byte>)>& step) const override {
    for (std::size_t p = 0; p < parts(); ++p) {
      if (p == part_) {
        if (p > 0) std::memcpy(state.data(), bus_.carry.data(), state.size());
        step(state);
        bus_.carry.assign(state.begin(), state.end());
      }
      bus_.barrier.arrive_and_wait();
    }
    std::memcpy(state.data(), bus_.carry.data(), state.size());
    bus_.barrier.arrive_and_wait();
  }

  void exchange(std::span<const std::byte> send, std::span<const std::size_t> send_counts,
                std::span<std::byte> receive,
                std::span<const std::size_t> receive_counts) const override {
    bus_.counts[part_].assign(send_counts.begin(), send_counts.end());
    post(send);
    std::size_t at = 0;
    for (std::size_t q = 0; q < parts(); ++q) {
      std::size_t from = 0;  // where q's bytes for this part start in q's buffer
      for (std::size_t p = 0; p < part_; ++p)
        from += bus_.counts[q][p];
      if (bus_.counts[q][part_] != receive_counts[q]) std::abort();  // the two sides disagree
      if (receive_counts[q] > 0)
        std::memcpy(receive.data() + at, bus_.posted[q].data() + from, receive_counts[q]);
      at += receive_counts[q];
    }
    bus_.barrier.arrive_and_wait();
  }

 private:
  // Posts this part's bytes and waits until every part has posted.
  void post(std::span<const std::byte> mine) const {
    bus_.posted[part_].assign(mine.begin(), mine.end());
    bus_.barrier.arrive_and_wait();
  }

  Bus& bus_;
  std::vector<std::size_t> offsets_;
  std::size_t part_;
};

// Runs body(partition, begin, end) on one thread per part of the split `offsets`.
void on_parts(const std::vector<std::size_t>& offsets,
              const std::function<void(const ThreadPartition&, std::size_t, std::size_t)>& body) {
  const std::size_t parts = offsets.size() - 1;
  Bus bus(parts);
  std::vector<std::thread> threads;
  for (std::size_t p = 0; p < parts; ++p) {
    threads.emplace_back([&, p] {
      const ThreadPartition partition(bus, offsets, p);
      body(partition, offsets[p], offsets[p + 1]);
    });
  }
  for (std::thread& t : threads)
    t.join();
}

// Blocks on the boundaries of `size`-row chunks, as evenly as they go.
std::vector<std::size_t> split(std::size_t n, std::size_t size, std::size_t parts) {
  const std::size_t chunks = (n + size - 1) / size;
  std::vector<std::size_t> offsets;
  for (std::size_t p = 0; p <= parts; ++p)
    offsets.push_back(std::min(n, chunks * p / parts * size));
  return offsets;
}

template <class T>
struct Problem {
  std::size_t n, d;
  std::vector<T> X, y, w;
};

template <class T>
Problem<T> problem(std::size_t n, std::size_t d) {
  Problem<T> p{n, d, {}, {}, {}};
  std::mt19937_64 gen(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double v = normal(gen) * double(1 + j % 4);
      p.X.push_back(T(v));
      z += v * (double(j % 3) - 1.0);
    }
    p.y.push_back(z + normal(gen) > 0 ? T(1) : T(0));
    p.w.push_back(T(0.5 + double(i % 7) / 4));
  }
  return p;
}

template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

}  // namespace

TEMPLATE_TEST_CASE("row partition: kernel sums over 1-4 parts equal the single-process sums",
                   "[row_partition]", float, double) {
  using T = TestType;
  const Problem<T> p = problem<T>(20000, 8);
  const std::size_t n = p.n, d = p.d;
  const MatrixView<const T> X(p.X.data(), n, d);
  std::vector<T> beta(d);
  for (std::size_t j = 0; j < d; ++j)
    beta[j] = T(0.1 * double(j) - 0.3);
  std::vector<T> grad(d + 1), gram(d * d), hv(d);
  const double loss = kernels::logistic_loss_grad({.X = X,
                                                   .y = p.y.data(),
                                                   .sample_weight = p.w.data(),
                                                   .w = beta.data(),
                                                   .b = T(0.2),
                                                   .grad_w = grad.data(),
                                                   .grad_b = &grad[d]},
                                                  Threads{2});
  kernels::weighted_gram(X, p.w.data(), gram.data(), Threads{2});
  kernels::hessian_vector(X, p.w.data(), beta.data(), T(1), hv.data(), nullptr, Threads{2});
  const std::size_t size = pass_chunk_rows(n, d, d + 1);
  for (std::size_t parts = 1; parts <= 4; ++parts) {
    INFO(parts << " parts");
    const std::vector<std::size_t> offsets = split(n, size, parts);
    std::vector<int> ok(parts, 0);
    on_parts(offsets, [&](const ThreadPartition& partition, std::size_t begin, std::size_t end) {
      const ScopedRowPartition scope(&partition);
      const MatrixView<const T> block(p.X.data() + begin * d, end - begin, d);
      std::vector<T> g(d + 1), G(d * d), h(d);
      const double l = kernels::logistic_loss_grad({.X = block,
                                                    .y = p.y.data() + begin,
                                                    .sample_weight = p.w.data() + begin,
                                                    .w = beta.data(),
                                                    .b = T(0.2),
                                                    .grad_w = g.data(),
                                                    .grad_b = &g[d]},
                                                   Threads{int(1 + partition.part() % 2)});
      kernels::weighted_gram(block, p.w.data() + begin, G.data(), Threads{1});
      kernels::hessian_vector(block, p.w.data() + begin, beta.data(), T(1), h.data(), nullptr,
                              Threads{2});
      ok[partition.part()] =
          std::memcmp(&l, &loss, sizeof l) == 0 && same(g, grad) && same(G, gram) && same(h, hv);
    });
    for (std::size_t part = 0; part < parts; ++part)
      CHECK(ok[part] == 1);
  }
}

TEST_CASE("row partition: weighted_gram over any split, a block off a chunk boundary elsewhere",
          "[row_partition]") {
  const Problem<double> p = problem<double>(30000, 6);
  const std::size_t n = p.n, d = p.d;
  std::vector<double> gram(d * d);
  kernels::weighted_gram(MatrixView<const double>(p.X.data(), n, d), p.w.data(), gram.data(),
                         Threads{1});
  // Off every boundary, and blocks of a few rows inside one chunk.
  for (const std::vector<std::size_t>& offsets : {std::vector<std::size_t>{0, 7001, 7013, 19999, n},
                                                  std::vector<std::size_t>{0, n - 9, n - 4, n}}) {
    const std::size_t parts = offsets.size() - 1;
    std::vector<int> ok(parts, 0), unaligned(parts, 0);
    on_parts(offsets, [&](const ThreadPartition& partition, std::size_t begin, std::size_t end) {
      const ScopedRowPartition scope(&partition);
      const MatrixView<const double> block(p.X.data() + begin * d, end - begin, d);
      std::vector<double> G(d * d), out(d);
      kernels::weighted_gram(block, p.w.data() + begin, G.data(), Threads{2});
      ok[partition.part()] = same(G, gram);
      // transpose_product needs blocks on its chunk boundaries: the same error everywhere.
      try {
        kernels::transpose_product(block, p.w.data() + begin, out.data(), Threads{1});
      } catch (const InvalidArgument& e) {
        unaligned[partition.part()] =
            std::string(e.what()).find("must start on chunk boundaries") != std::string::npos;
      }
    });
    for (std::size_t part = 0; part < parts; ++part) {
      CHECK(ok[part] == 1);
      CHECK(unaligned[part] == 1);
    }
  }
}

TEMPLATE_TEST_CASE(
    "row partition: certified L-BFGS (start Hessian) and newton-cholesky fits over 1-4 parts",
    "[row_partition]", float, double) {
  using T = TestType;
  const Problem<T> p = problem<T>(20000, 8);
  const std::size_t n = p.n, d = p.d;
  const MatrixView<const T> X(p.X.data(), n, d);
  for (bool cholesky : {false, true}) {
    INFO((cholesky ? "newton-cholesky" : "lbfgs"));
    const auto fit = [&](Objective& objective) {
      std::vector<double> theta(d + 1, 0.0);
      const SolverOptions options{.tol = 1e-8, .max_iter = 50};
      const FitReport report = cholesky ? minimize_newton_cholesky(objective, theta, options)
                                        : minimize_lbfgs(objective, theta, options);
      theta.push_back(double(report.iterations));
      return theta;
    };
    LogisticObjective<T> whole(X, p.y, p.w, 1.0, Penalty::l2, true);
    const std::vector<double> expected = fit(whole);  // the coefficients, then the iterations
    CHECK(expected.back() >= 2);
    PartitionedObjective single(whole, nullptr, true);  // the certificate too
    CHECK(same(fit(single), expected));
    for (std::size_t parts = 1; parts <= 4; ++parts) {
      INFO(parts << " parts");
      std::vector<int> ok(parts, 0);
      on_parts(split(n, pass_chunk_rows(n, d, d + 1), parts),
               [&](const ThreadPartition& partition, std::size_t begin, std::size_t end) {
                 const MatrixView<const T> block(p.X.data() + begin * d, end - begin, d);
                 LogisticObjective<T> local(block,
                                            std::span<const T>(p.y).subspan(begin, end - begin),
                                            std::span<const T>(p.w).subspan(begin, end - begin),
                                            1.0, Penalty::l2, true, Threads{2});
                 PartitionedObjective objective(local, &partition, true);
                 ok[partition.part()] = same(fit(objective), expected);
               });
      for (std::size_t part = 0; part < parts; ++part)
        CHECK(ok[part] == 1);
    }
  }
}

TEST_CASE("row partition: sum_in_row_blocks gives its defined sum over any split and thread count",
          "[row_partition]") {
  // Terms of very different sizes, so that any other order of the additions changes the bits.
  const std::size_t n = 3 * kRowBlockRows + 1234, width = 3;
  std::vector<double> terms(n * width);
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (std::size_t k = 0; k < terms.size(); ++k)
    terms[k] = unit(gen) * std::ldexp(1.0, int(k % 41) - 20);
  // The definition: each block of kRowBlockRows rows summed from zero in row order, the blocks'
  // sums added in block order.
  std::vector<double> expected(width, 0.0);
  for (std::size_t begin = 0; begin < n; begin += kRowBlockRows) {
    std::vector<double> block(width, 0.0);
    for (std::size_t i = begin; i < std::min(n, begin + kRowBlockRows); ++i)
      for (std::size_t j = 0; j < width; ++j)
        block[j] += terms[i * width + j];
    for (std::size_t j = 0; j < width; ++j)
      expected[j] += block[j];
  }
  const auto add_rows = [&](std::size_t offset) {
    return [&terms, offset](std::size_t begin, std::size_t end, double* sum) {
      for (std::size_t i = begin; i < end; ++i)
        for (std::size_t j = 0; j < 3; ++j)
          sum[j] += terms[(offset + i) * 3 + j];
    };
  };
  for (int threads : {1, 2}) {
    std::vector<double> single(width);
    sum_in_row_blocks(n, single, threads, add_rows(0));
    CHECK(same(single, expected));
  }
  // Boundaries on and off the blocks, a part inside one block, empty parts.
  const std::size_t B = kRowBlockRows;
  for (const std::vector<std::size_t>& offsets :
       {std::vector<std::size_t>{0, B, 2 * B, n}, std::vector<std::size_t>{0, 100, B + 7, n},
        std::vector<std::size_t>{0, 0, B + 10, B + 20, B + 20, n},
        std::vector<std::size_t>{0, n, n}}) {
    const std::size_t parts = offsets.size() - 1;
    std::vector<int> ok(parts, 0);
    on_parts(offsets, [&](const ThreadPartition& partition, std::size_t begin, std::size_t end) {
      const ScopedRowPartition scope(&partition);
      std::vector<double> out(width);
      sum_in_row_blocks(end - begin, out, 2, add_rows(begin));
      ok[partition.part()] = same(out, expected);
    });
    for (std::size_t part = 0; part < parts; ++part)
      CHECK(ok[part] == 1);
  }
}
