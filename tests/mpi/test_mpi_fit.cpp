// The distributed fits under mpirun (any number of ranks): for binary, multinomial and one-vs-rest
// logistic regression and least squares, float and double, with sample weights and balanced
// class weights, on 1 and 2 threads per rank, the coefficients are bitwise identical on every
// rank and bitwise identical to the single-process fit of all rows on rank 0
// (distributed::single_process_fit) and to the model's own fit (LogisticRegression::fit,
// LinearRegression::fit: the certificate runs over the partition too). Also: the kernels'
// sums under a partition, uneven splits (ranks without rows, a short last block), a split off
// the chunk boundaries (the same error on every rank) and the unsupported options' errors.
//
//   mpirun -np K test_mpi_fit            (ctest runs K = 1, 2, 3, 4 with --oversubscribe)
//   test_mpi_fit --write-data DIR        (no MPI run needed: writes X.npy, y.npy, yk.npy, ...
//                                         for the simdlr-mpi tests)
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "simdlr/distributed.hpp"
#include "simdlr/errors.hpp"
#include "simdlr/io.hpp"
#include "simdlr/kernels.hpp"

namespace {

using namespace simdlr;

int rank = 0, ranks = 1, failures = 0;

void fail(const std::string& what) {
  std::fprintf(stderr, "FAIL (rank %d of %d): %s\n", rank, ranks, what.c_str());
  ++failures;
}

// Reproducible data, the same on every rank: X n x d with columns of different scales, labels
// from a noisy linear rule (K classes) and positive weights.
struct Data {
  std::size_t n, d;
  std::vector<double> X, y_binary, y_classes, y_real, weight;
};

Data make_data(std::size_t n, std::size_t d, std::size_t K, unsigned seed) {
  Data s{n, d, {}, {}, {}, {}, {}};
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.25, 2.0);
  s.X.resize(n * d);
  for (std::size_t i = 0; i < n; ++i) {
    double z = 0, zk[8] = {};
    for (std::size_t j = 0; j < d; ++j) {
      const double v = normal(gen) * (1.0 + double(j % 3));
      s.X[i * d + j] = v;
      z += v * (double(j % 5) - 2.0) * 0.3;
      for (std::size_t k = 0; k < K && k < 8; ++k)
        zk[k] += v * std::sin(double(3 * k + j));
    }
    const double noise = normal(gen);
    s.y_binary.push_back(z + noise > 0.2 ? 1.0 : 0.0);
    std::size_t best = 0;
    for (std::size_t k = 1; k < K; ++k)
      if (zk[k] + 0.5 * normal(gen) > zk[best]) best = k;
    s.y_classes.push_back(double(best) * 10 - 5);  // labels -5, 5, 15, ...
    s.y_real.push_back(z + 0.1 * noise + 3.0);
    s.weight.push_back(uniform(gen));
  }
  return s;
}

template <class T>
std::vector<T> as(const std::vector<double>& v) {
  return {v.begin(), v.end()};
}

template <class T>
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Every rank's coefficients equal rank 0's, and rank 0's equal `reference` (rank 0 only).
void check_replicated(const std::string& what, const std::vector<double>& mine,
                      const std::vector<double>& reference) {
  std::vector<double> root(mine);
  MPI_Bcast(root.data(), int(root.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (std::memcmp(root.data(), mine.data(), mine.size() * sizeof(double)) != 0)
    fail(what + ": coefficients differ from rank 0's");
  if (rank == 0 && !same_bits<double>(mine, reference)) {
    double worst = 0;
    for (std::size_t k = 0; k < mine.size() && k < reference.size(); ++k)
      worst = std::max(worst, std::fabs(mine[k] - reference[k]));
    fail(what + ": coefficients differ from the single-process fit (max |diff| " +
         std::to_string(worst) + ")");
  }
}

template <class T>
struct Block {
  std::vector<T> X, w;
  std::vector<double> y;
};

template <class T>
Block<T> block_of(const Data& s, const std::vector<double>& y, distributed::RowRange r,
                  bool weights) {
  Block<T> b;
  b.X.assign(s.X.begin() + std::ptrdiff_t(r.begin * s.d),
             s.X.begin() + std::ptrdiff_t(r.end * s.d));
  b.y.assign(y.begin() + std::ptrdiff_t(r.begin), y.begin() + std::ptrdiff_t(r.end));
  if (weights)
    b.w.assign(s.weight.begin() + std::ptrdiff_t(r.begin),
               s.weight.begin() + std::ptrdiff_t(r.end));
  return b;
}

template <class T>
MatrixView<const T> view_of(const Block<T>& b, std::size_t d) {
  return {b.X.empty() ? nullptr : b.X.data(), b.y.size(), d};
}

std::vector<double> parameters(const LogisticRegression<float>& m) {
  std::vector<double> p = m.coef();
  p.insert(p.end(), m.intercept().begin(), m.intercept().end());
  return p;
}
std::vector<double> parameters(const LogisticRegression<double>& m) {
  std::vector<double> p = m.coef();
  p.insert(p.end(), m.intercept().begin(), m.intercept().end());
  return p;
}
template <class T>
std::vector<double> parameters(const LinearRegression<T>& m) {
  std::vector<double> p = m.coef();
  p.push_back(m.intercept());
  return p;
}

const char* type_name(float) {
  return "float32";
}
const char* type_name(double) {
  return "float64";
}

// One fit: distributed on the split, single-process on all rows (rank 0), compared.
template <class T, class Model, class Options>
void compare_fit(const std::string& name, const Data& s, const std::vector<double>& y,
                 const Options& options, bool weights,
                 const std::function<distributed::RowRange(std::size_t)>& range) {
  const std::string what = name + " " + type_name(T()) + " threads " +
                           std::to_string(options.threads.count) + (weights ? " weighted" : "");
  const Block<T> b = block_of<T>(s, y, range(std::size_t(rank)), weights);
  Model model(options);
  try {
    distributed::fit(model, MPI_COMM_WORLD, view_of(b, s.d), std::span<const double>(b.y),
                     std::span<const T>(b.w));
  } catch (const std::exception& e) {
    fail(what + ": " + e.what());
    return;
  }
  std::vector<double> reference;
  if (rank == 0) {
    const distributed::RowRange all{0, s.n};
    const Block<T> full = block_of<T>(s, y, all, weights);
    Model single(options);
    distributed::single_process_fit(single, view_of(full, s.d), std::span<const double>(full.y),
                                    std::span<const T>(full.w));
    reference = parameters(single);
    if (single.fit_report().iterations != model.fit_report().iterations)
      fail(what + ": iteration counts differ");
    // The certificate runs over the partition too, so the distributed fit is the model's own
    // fit, bit for bit.
    {
      Model plain(options);
      plain.fit(view_of(full, s.d), std::span<const double>(full.y), std::span<const T>(full.w));
      if (!same_bits<double>(parameters(plain), reference))
        fail(what + ": the single-process fit differs from the model's fit");
      if (model.fit_report().certificate_checks == 0)
        fail(what + ": the distributed fit never checked its certificate");
      if (plain.fit_report().converged != model.fit_report().converged)
        fail(what + ": converged differs from the model's fit");
    }
    if (single.fit_report().iterations < 1) fail(what + ": the fit did not iterate");
  }
  check_replicated(what, parameters(model), reference);
}

LogisticRegressionOptions with_solver(Solver solver) {
  LogisticRegressionOptions o;
  o.solver = solver;
  return o;
}

distributed::RowRange even(const Data& s, std::size_t classes, std::size_t r) {
  return distributed::row_range(s.n, s.d, std::size_t(ranks), r, classes);
}

template <class T>
void fits(const Data& binary, const Data& multi) {
  for (int threads : {1, 2}) {
    for (bool weights : {false, true}) {
      LogisticRegressionOptions lo;
      lo.solver = Solver::lbfgs;
      lo.threads = Threads{threads};
      const auto split2 = [&](std::size_t r) { return even(binary, 2, r); };
      compare_fit<T, LogisticRegression<T>>("binary lbfgs", binary, binary.y_binary, lo, weights,
                                            split2);
      LogisticRegressionOptions mo = lo;
      mo.class_weight = ClassWeight::balanced;
      const auto split3 = [&](std::size_t r) { return even(multi, 4, r); };
      compare_fit<T, LogisticRegression<T>>("multinomial lbfgs balanced", multi, multi.y_classes,
                                            mo, weights, split3);
      LinearRegressionOptions ro;
      ro.solver = LinearSolver::lbfgs;
      ro.alpha = 0.5;
      ro.threads = Threads{threads};
      compare_fit<T, LinearRegression<T>>("ridge lbfgs", binary, binary.y_real, ro, weights,
                                          split2);
    }
  }
  // The other solvers and one-vs-rest, once each.
  const auto split2 = [&](std::size_t r) { return even(binary, 2, r); };
  const auto split3 = [&](std::size_t r) { return even(multi, 4, r); };
  LogisticRegressionOptions lo;
  lo.threads = Threads{2};
  lo.solver = Solver::newton;
  compare_fit<T, LogisticRegression<T>>("binary newton", binary, binary.y_binary, lo, true, split2);
  lo.solver = Solver::gd;
  lo.solver_options.max_iter = 30;
  compare_fit<T, LogisticRegression<T>>("binary gd", binary, binary.y_binary, lo, false, split2);
  LogisticRegressionOptions ovr;
  ovr.solver = Solver::automatic;
  ovr.multi_class = MultiClass::ovr;
  ovr.penalty = Penalty::none;
  ovr.solver_options.max_iter = 40;
  ovr.standardize = true;
  compare_fit<T, LogisticRegression<T>>("ovr auto, no penalty, standardize", multi, multi.y_classes,
                                        ovr, false, split3);
  lo = {};
  lo.solver = Solver::newton;
  lo.multi_class = MultiClass::multinomial;
  compare_fit<T, LogisticRegression<T>>("multinomial newton", multi, multi.y_classes, lo, true,
                                        split3);
  lo = {};
  lo.solver = Solver::newton_cholesky;
  lo.threads = Threads{2};
  compare_fit<T, LogisticRegression<T>>("binary newton-cholesky", binary, binary.y_binary, lo, true,
                                        split2);
  lo.solver = Solver::automatic;  // newton-cholesky at this size
  lo.standardize = true;
  lo.threads = Threads{1};
  compare_fit<T, LogisticRegression<T>>("binary auto standardize", binary, binary.y_binary, lo,
                                        false, split2);
  LogisticRegressionOptions so;
  so.standardize = true;
  so.solver = Solver::gd;
  so.solver_options.max_iter = 40;
  so.threads = Threads{2};
  compare_fit<T, LogisticRegression<T>>("binary gd standardize", binary, binary.y_binary, so, true,
                                        split2);
  so.solver = Solver::lbfgs;
  so.multi_class = MultiClass::multinomial;
  so.threads = Threads{1};
  compare_fit<T, LogisticRegression<T>>("multinomial lbfgs standardize", multi, multi.y_classes, so,
                                        false, split3);
  LinearRegressionOptions co;  // the cholesky solver (the default)
  co.threads = Threads{2};
  compare_fit<T, LinearRegression<T>>("least squares cholesky", binary, binary.y_real, co, true,
                                      split2);
  co.alpha = 2.0;
  co.threads = Threads{1};
  compare_fit<T, LinearRegression<T>>("ridge cholesky", binary, binary.y_real, co, false, split2);
  LinearRegressionOptions ro;
  ro.solver = LinearSolver::newton;
  compare_fit<T, LinearRegression<T>>("least squares newton", binary, binary.y_real, ro, true,
                                      split2);
  // l1 and elastic net (prox-newton; cd): Hessian blocks, the duality gap and, for float data,
  // the double-arithmetic passes all run over the partition.
  LogisticRegressionOptions l1;
  l1.penalty = Penalty::l1;
  l1.C = 0.05;
  l1.threads = Threads{2};
  compare_fit<T, LogisticRegression<T>>("binary l1", binary, binary.y_binary, l1, true, split2);
  l1.standardize = true;
  l1.threads = Threads{1};
  compare_fit<T, LogisticRegression<T>>("binary l1 standardize", binary, binary.y_binary, l1, false,
                                        split2);
  LogisticRegressionOptions net;
  net.penalty = Penalty::elasticnet;
  net.l1_ratio = 0.7;
  net.C = 0.1;
  net.multi_class = MultiClass::multinomial;
  compare_fit<T, LogisticRegression<T>>("multinomial elasticnet", multi, multi.y_classes, net, true,
                                        split3);
  net.multi_class = MultiClass::ovr;
  net.standardize = true;
  compare_fit<T, LogisticRegression<T>>("ovr elasticnet standardize", multi, multi.y_classes, net,
                                        false, split3);
  LinearRegressionOptions lasso;
  lasso.penalty = Penalty::l1;
  lasso.alpha = 0.05;
  compare_fit<T, LinearRegression<T>>("lasso", binary, binary.y_real, lasso, true, split2);
}

// The chunk-summing kernels under a partition equal the single-process kernels bit for bit,
// weighted_gram on a split of its own chunks.
template <class T>
void kernels_under_partition(const Data& s) {
  const std::size_t n = s.n, d = s.d;
  const std::vector<T> X = as<T>(s.X), w = as<T>(s.weight);
  std::vector<T> gram_all(d * d), tp_all(d);
  kernels::weighted_gram(MatrixView<const T>(X.data(), n, d), w.data(), gram_all.data(),
                         Threads{2});
  kernels::transpose_product(MatrixView<const T>(X.data(), n, d), w.data(), tp_all.data(),
                             Threads{2});
  // weighted_gram takes any split: its own chunk boundaries, blocks off them, and blocks of a few
  // rows inside one chunk (their rows travel to the part holding the chunk's first row).
  const std::size_t K = std::size_t(ranks), me = std::size_t(rank);
  const std::vector<std::function<std::size_t(std::size_t)>> splits = {
      [&](std::size_t r) {
        const std::size_t size = gram_chunk_rows(n, d), chunks = (n + size - 1) / size;
        return std::min(n, chunks * r / K * size);
      },
      [&](std::size_t r) { return r == K ? n : std::min(n, n * r / K + 13 * r); },
      [&](std::size_t r) { return r == 0 ? 0 : n - 5 * (K - r); }};
  for (std::size_t k = 0; k < splits.size(); ++k) {
    const std::size_t begin = splits[k](me), end = splits[k](me + 1);
    distributed::MpiRowPartition partition(MPI_COMM_WORLD, end - begin);
    std::vector<T> gram(d * d);
    for (int threads : {1, 2}) {
      const ScopedRowPartition scope(&partition);
      kernels::weighted_gram(MatrixView<const T>(X.data() + begin * d, end - begin, d),
                             w.data() + begin, gram.data(), Threads{threads});
      if (std::memcmp(gram.data(), gram_all.data(), gram.size() * sizeof(T)) != 0) {
        fail(std::string("weighted_gram under a partition, ") + type_name(T()) + ", split " +
             std::to_string(k) + ", threads " + std::to_string(threads));
      }
    }
  }
  const distributed::RowRange r =
      distributed::row_range(n, d, std::size_t(ranks), std::size_t(rank));
  distributed::MpiRowPartition rows(MPI_COMM_WORLD, r.end - r.begin);
  std::vector<T> tp(d);
  {
    const ScopedRowPartition scope(&rows);
    kernels::transpose_product(MatrixView<const T>(X.data() + r.begin * d, r.end - r.begin, d),
                               w.data() + r.begin, tp.data(), Threads{2});
  }
  if (std::memcmp(tp.data(), tp_all.data(), tp.size() * sizeof(T)) != 0)
    fail(std::string("transpose_product under a partition, ") + type_name(T()));
}

// Uneven splits: every other rank without rows, and the last block shorter than a chunk.
void uneven_splits(const Data& s) {
  const std::size_t size = pass_chunk_rows(s.n, s.d, s.d + 1);
  const std::size_t chunks = (s.n + size - 1) / size;
  // Ranks 1, 3, ... hold nothing; the even ranks share the chunks; the last rank (if it holds
  // rows) ends with the short last chunk.
  const std::size_t holders = (std::size_t(ranks) + 1) / 2;
  const auto range = [&](std::size_t r) -> distributed::RowRange {
    const std::size_t h = r / 2;
    const auto at = [&](std::size_t k) { return std::min(s.n, chunks * k / holders * size); };
    if (r % 2 == 1) return {at(h + 1), at(h + 1)};
    return {at(h), at(h + 1)};
  };
  LogisticRegressionOptions lo;
  lo.solver = Solver::lbfgs;
  lo.threads = Threads{2};
  compare_fit<double, LogisticRegression<double>>("binary, ranks without rows", s, s.y_binary, lo,
                                                  true, range);
  compare_fit<float, LogisticRegression<float>>("binary, ranks without rows", s, s.y_binary, lo,
                                                true, range);
  // The last rank holds only the last chunk, shorter than the others (fewer rows than a chunk).
  if (s.n % size == 0) fail("uneven splits: the data should end with a short chunk");
  const auto short_last = [&](std::size_t r) -> distributed::RowRange {
    const std::size_t K = std::size_t(ranks);
    if (K == 1) return {0, s.n};
    const auto at = [&](std::size_t k) { return (chunks - 1) * k / (K - 1) * size; };
    if (r == K - 1) return {(chunks - 1) * size, s.n};
    return {at(r), at(r + 1)};
  };
  compare_fit<float, LogisticRegression<float>>("binary, a short last block", s, s.y_binary, lo,
                                                false, short_last);
}

// A split off the chunk boundaries: every rank gets the same InvalidArgument (no hang).
void unaligned_split(const Data& s) {
  if (ranks < 2) return;
  const std::size_t size = pass_chunk_rows(s.n, s.d, s.d + 1);
  const auto range = [&](std::size_t r) -> distributed::RowRange {
    const auto at = [&](std::size_t k) {
      return k == 0 ? 0 : k == std::size_t(ranks) ? s.n : std::min(s.n, k * size + 7);
    };
    return {at(r), at(r + 1)};
  };
  const Block<double> b = block_of<double>(s, s.y_binary, range(std::size_t(rank)), false);
  LogisticRegression<double> model(with_solver(Solver::lbfgs));
  std::string message;
  try {
    distributed::fit(model, MPI_COMM_WORLD, view_of(b, s.d), std::span<const double>(b.y));
  } catch (const InvalidArgument& e) {
    message = e.what();
  }
  if (message.find("chunk boundaries") == std::string::npos)
    fail("unaligned split: expected the chunk-boundary error on every rank, got '" + message + "'");
}

// Unsupported options and bad data on one rank: the same error on every rank.
void errors(const Data& s) {
  const distributed::RowRange r = even(s, 2, std::size_t(rank));
  Block<double> b = block_of<double>(s, s.y_binary, r, false);
  const auto expect = [&](const std::string& what, LogisticRegressionOptions o,
                          const std::string& text) {
    LogisticRegression<double> model(o);
    std::string message;
    try {
      distributed::fit(model, MPI_COMM_WORLD, view_of(b, s.d), std::span<const double>(b.y));
    } catch (const Error& e) {
      message = e.what();
    }
    if (message.find(text) == std::string::npos)
      fail(what + ": expected an error with '" + text + "', got '" + message + "'");
  };

  // A NaN in the last rank's block (if it has rows).
  const std::size_t last = std::size_t(ranks) - 1;
  const distributed::RowRange lr = even(s, 2, last);
  if (lr.end > lr.begin) {
    if (std::size_t(rank) == last) b.X[0] = std::nan("");
    expect("NaN on one rank", LogisticRegressionOptions{},
           "X[" + std::to_string(lr.begin) + ", 0] is not finite");
  }
}

int write_data(const std::string& dir) {
  const Data s = make_data(20000, 8, 3, 7);
  io::write_npy<double>(dir + "/X.npy", s.X.data(), {s.n, s.d});
  const std::vector<float> Xf = as<float>(s.X);
  io::write_npy<float>(dir + "/Xf.npy", Xf.data(), {s.n, s.d});
  io::write_npy<double>(dir + "/y.npy", s.y_binary.data(), {s.n});
  io::write_npy<double>(dir + "/yk.npy", s.y_classes.data(), {s.n});
  io::write_npy<double>(dir + "/yr.npy", s.y_real.data(), {s.n});
  // Shards for 3 ranks on the split of row_range, and a 2-rank split off the chunk boundaries.
  for (std::size_t r = 0; r < 3; ++r) {
    const distributed::RowRange range = distributed::row_range(s.n, s.d, 3, r);
    io::write_npy<double>(dir + "/X-part-" + std::to_string(r) + ".npy",
                          s.X.data() + range.begin * s.d, {range.end - range.begin, s.d});
    io::write_npy<double>(dir + "/y-part-" + std::to_string(r) + ".npy",
                          s.y_binary.data() + range.begin, {range.end - range.begin});
  }
  const std::size_t cut = s.n / 2 + 1;
  io::write_npy<double>(dir + "/X-odd-0.npy", s.X.data(), {cut, s.d});
  io::write_npy<double>(dir + "/y-odd-0.npy", s.y_binary.data(), {cut});
  io::write_npy<double>(dir + "/X-odd-1.npy", s.X.data() + cut * s.d, {s.n - cut, s.d});
  io::write_npy<double>(dir + "/y-odd-1.npy", s.y_binary.data() + cut, {s.n - cut});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--write-data") return write_data(argv[2]);
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  // About 10 chunks of the GLM passes (2048 rows at d = 8) and 7 of the softmax passes (d = 6).
  const Data binary = make_data(20000, 8, 2, 1);
  const Data multi = make_data(19000, 6, 4, 2);
  try {
    kernels_under_partition<float>(binary);
    kernels_under_partition<double>(binary);
    fits<float>(binary, multi);
    fits<double>(binary, multi);
    uneven_splits(binary);
    unaligned_split(binary);
    errors(binary);
  } catch (const std::exception& e) {
    fail(std::string("unexpected exception: ") + e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  int total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf("%s: %d ranks, %d failure(s)\n", total == 0 ? "PASS" : "FAIL", ranks, total);
  MPI_Finalize();
  return total == 0 ? 0 : 1;
}
