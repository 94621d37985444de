// The MPI side of a distributed fit: the row partition of a communicator and the split of the
// rows on chunk boundaries.
#include <algorithm>
#include <climits>
#include <string>

#include "simdlr/distributed.hpp"
#include "simdlr/errors.hpp"

namespace simdlr::distributed {
namespace {

void check_mpi(int code, const char* what) {
  if (code != MPI_SUCCESS) throw Error(std::string("MPI: ") + what + " failed");
}

}  // namespace

RowRange row_range(std::size_t global_rows, std::size_t cols, std::size_t ranks, std::size_t rank,
                   std::size_t classes) {
  if (ranks == 0 || rank >= ranks) {
    throw InvalidArgument("row_range: rank " + std::to_string(rank) + " is not below " +
                          std::to_string(ranks) + " ranks");
  }
  if (global_rows == 0) return {};
  // The GLM passes have d + 1 partials per chunk, transpose_product d, the softmax passes
  // K (d + 1): the same chunk size as long as every one allows the most chunks; otherwise the
  // split must fall on the boundaries of each, and the largest chunk is a multiple of the others
  // only by chance, so the split uses it and the kernels check.
  std::size_t size = std::max(pass_chunk_rows(global_rows, cols, cols + 1),
                              pass_chunk_rows(global_rows, cols, cols));
  if (classes > 2) size = std::max(size, pass_chunk_rows(global_rows, cols, classes * (cols + 1)));
  const std::size_t chunks = (global_rows + size - 1) / size;
  const auto boundary = [&](std::size_t r) {
    return std::min(global_rows, chunks * r / ranks * size);
  };
  return {boundary(rank), boundary(rank + 1)};
}

MpiRowPartition::MpiRowPartition(MPI_Comm comm, std::size_t local_rows) : comm_(comm) {
  int rank = 0, size = 0;
  check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  rank_ = std::size_t(rank);
  std::vector<unsigned long long> rows(std::size_t(size), 0);
  const unsigned long long mine = local_rows;
  check_mpi(
      MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, rows.data(), 1, MPI_UNSIGNED_LONG_LONG, comm),
      "MPI_Allgather");
  offsets_.assign(std::size_t(size) + 1, 0);
  for (std::size_t p = 0; p < std::size_t(size); ++p)
    offsets_[p + 1] = offsets_[p] + std::size_t(rows[p]);
}

void MpiRowPartition::share_chunks(void* buffer, std::size_t chunk_bytes,
                                   std::span<const std::size_t> first_chunk) const {
  const std::size_t n = parts();
  std::vector<int> counts(n), displacements(n);
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t bytes = (first_chunk[p + 1] - first_chunk[p]) * chunk_bytes;
    const std::size_t at = first_chunk[p] * chunk_bytes;
    if (bytes > std::size_t(INT_MAX) || at > std::size_t(INT_MAX))
      throw Error("MpiRowPartition: chunk partials above 2 GiB");
    counts[p] = int(bytes);
    displacements[p] = int(at);
  }
  check_mpi(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buffer, counts.data(),
                           displacements.data(), MPI_BYTE, comm_),
            "MPI_Allgatherv");
}

std::vector<std::byte> MpiRowPartition::gather(std::span<const std::byte> local) const {
  const std::size_t n = parts();
  if (local.size() > std::size_t(INT_MAX)) throw Error("MpiRowPartition: a gather above 2 GiB");
  std::vector<int> counts(n), at(n, 0);
  const int mine = int(local.size());
  check_mpi(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather");
  std::size_t total = 0;
  for (std::size_t p = 0; p < n; ++p) {
    if (total > std::size_t(INT_MAX)) throw Error("MpiRowPartition: a gather above 2 GiB");
    at[p] = int(total);
    total += std::size_t(counts[p]);
  }
  std::vector<std::byte> all(total);
  check_mpi(MPI_Allgatherv(local.data(), mine, MPI_BYTE, all.data(), counts.data(), at.data(),
                           MPI_BYTE, comm_),
            "MPI_Allgatherv");
  return all;
}

void MpiRowPartition::in_order(std::span<std::byte> state,
                               const std::function<void(std::span<std::byte>)>& step) const {
  if (state.size() > std::size_t(INT_MAX)) throw Error("MpiRowPartition: a state above 2 GiB");
  const int bytes = int(state.size()), me = int(rank_), last = int(parts()) - 1;
  if (me > 0) {
    check_mpi(MPI_Recv(state.data(), bytes, MPI_BYTE, me - 1, 0, comm_, MPI_STATUS_IGNORE),
              "MPI_Recv");
  }
  step(state);
  if (me < last) check_mpi(MPI_Send(state.data(), bytes, MPI_BYTE, me + 1, 0, comm_), "MPI_Send");
  check_mpi(MPI_Bcast(state.data(), bytes, MPI_BYTE, last, comm_), "MPI_Bcast");
}

void MpiRowPartition::exchange(std::span<const std::byte> send,
                               std::span<const std::size_t> send_counts,
                               std::span<std::byte> receive,
                               std::span<const std::size_t> receive_counts) const {
  const std::size_t n = parts();
  std::vector<int> sc(n), sd(n), rc(n), rd(n);
  std::size_t s_at = 0, r_at = 0;
  for (std::size_t p = 0; p < n; ++p) {
    if (send_counts[p] > std::size_t(INT_MAX) || receive_counts[p] > std::size_t(INT_MAX) ||
        s_at > std::size_t(INT_MAX) || r_at > std::size_t(INT_MAX))
      throw Error("MpiRowPartition: an exchange above 2 GiB");
    sc[p] = int(send_counts[p]);
    sd[p] = int(s_at);
    rc[p] = int(receive_counts[p]);
    rd[p] = int(r_at);
    s_at += send_counts[p];
    r_at += receive_counts[p];
  }
  check_mpi(MPI_Alltoallv(send.data(), sc.data(), sd.data(), MPI_BYTE, receive.data(), rc.data(),
                          rd.data(), MPI_BYTE, comm_),
            "MPI_Alltoallv");
}

}  // namespace simdlr::distributed
