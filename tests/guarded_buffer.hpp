// A test buffer that ends at an unreadable page, for the tests of the vector kernels' tails.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstddef>

namespace simdlr::test {

// n elements of T ending exactly where an unreadable page begins: any read or write past the end
// of the data faults at once (SIGSEGV), which a test of the partial-vector tails would otherwise
// miss because reading a few bytes past a heap block rarely crashes.
template <class T>
class GuardedBuffer {
 public:
  explicit GuardedBuffer(std::size_t n) {
    const std::size_t page = std::size_t(sysconf(_SC_PAGESIZE));
    const std::size_t data_pages = (n * sizeof(T) + page - 1) / page + 1;
    size_ = (data_pages + 1) * page;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(p != MAP_FAILED);
    base_ = static_cast<char*>(p);
    REQUIRE(mprotect(base_ + data_pages * page, page, PROT_NONE) == 0);
    data_ = reinterpret_cast<T*>(base_ + data_pages * page) - n;
  }
  ~GuardedBuffer() { munmap(base_, size_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;
  T* data() const { return data_; }

 private:
  char* base_ = nullptr;
  std::size_t size_ = 0;
  T* data_ = nullptr;
};

}  // namespace simdlr::test
