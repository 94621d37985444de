// write_file_atomically: temporary file in the target's folder, fsync, rename.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ostream>
#include <random>
#include <streambuf>
#include <string>
#include <vector>

#include "io_support.hpp"
#include "simdlr/io.hpp"

namespace simdlr::io {
namespace {

using detail::quote_found;

// An output stream buffer writing to a file descriptor; remembers the first write error.
class FdStreamBuf : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!flush_buffer()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const auto room = static_cast<std::streamsize>(epptr() - pptr());
    if (n <= room) {
      std::memcpy(pptr(), s, static_cast<std::size_t>(n));
      pbump(static_cast<int>(n));
      return n;
    }
    if (!flush_buffer()) return 0;
    if (n >= static_cast<std::streamsize>(buffer_.size()))
      return write_all(s, static_cast<std::size_t>(n)) ? n : 0;
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }

  int sync() override { return flush_buffer() ? 0 : -1; }

 private:
  bool flush_buffer() {
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return n == 0 || write_all(buffer_.data(), n);
  }

  bool write_all(const char* s, std::size_t n) {
    if (error_ != 0) return false;
    while (n > 0) {
      const ssize_t written = ::write(fd_, s, n);
      if (written < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      s += written;
      n -= static_cast<std::size_t>(written);
    }
    return true;
  }

  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  static const std::uint64_t seed = [] {
    std::random_device device;
    return (std::uint64_t(device()) << 32) ^ device();
  }();
  const auto now =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::uint64_t x =
      seed ^ now ^ (std::uint64_t(::getpid()) << 20) ^ (std::uint64_t(++counter) << 44);
  x ^= x >> 33;  // mix (splitmix64 finaliser)
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(x));
  return text;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& file,
                           const std::function<void(std::ostream&)>& write) {
  const std::string name = file.string();
  if (!file.has_filename()) {
    throw InvalidArgument("write_file_atomically: " + quote_found(name, 200) +
                          " does not name a file");
  }
  if (!write) throw InvalidArgument("write_file_atomically: no writer function given");
  const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : ".";
  const std::string folder_name = folder.string();

  struct stat folder_stat {};
  if (::stat(folder_name.c_str(), &folder_stat) != 0) {
    const int error = errno;
    if (error == ENOENT) {
      throw WriteError("cannot write " + quote_found(name, 200) + ": the folder " +
                       quote_found(folder_name, 200) + " does not exist");
    }
    throw WriteError("cannot write " + quote_found(name, 200) + ": folder " +
                     quote_found(folder_name, 200) + ": " + std::strerror(error));
  }
  if (!S_ISDIR(folder_stat.st_mode)) {
    throw WriteError("cannot write " + quote_found(name, 200) + ": " +
                     quote_found(folder_name, 200) + " is not a folder");
  }

  // Create the temporary (O_EXCL: never reuse someone else's file).
  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    std::string leaf = ".";  // appended piecewise: GCC 12 -Wrestrict false positive otherwise
    leaf += file.filename().string();
    leaf += ".tmp-";
    leaf += unique_suffix();
    temp = (folder / leaf).string();
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    throw WriteError("cannot write " + quote_found(name, 200) +
                     ": cannot create a temporary file in " + quote_found(folder_name, 200) + ": " +
                     std::strerror(errno));
  }
  const auto discard = [&] {
    if (fd >= 0) ::close(fd);
    fd = -1;
    ::unlink(temp.c_str());
  };
  const auto fail = [&](const std::string& what, int error) {
    discard();
    throw WriteError("cannot write " + quote_found(name, 200) + ": " + what +
                     (error != 0 ? std::string(": ") + std::strerror(error) : std::string()));
  };

  // Keep the permission bits of a file being replaced.
  struct stat old_stat {};
  if (::stat(name.c_str(), &old_stat) == 0 && S_ISREG(old_stat.st_mode))
    ::fchmod(fd, old_stat.st_mode & 07777);

  {
    FdStreamBuf buffer(fd);
    std::ostream out(&buffer);
    try {
      write(out);
      out.flush();
    } catch (...) {
      discard();
      throw;
    }
    if (buffer.error() != 0) fail("write failed", buffer.error());
    if (!out) fail("the writer left the output stream in a failed state", 0);
  }
  if (::fsync(fd) != 0) fail("fsync failed", errno);
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("close failed", errno);
  if (::rename(temp.c_str(), name.c_str()) != 0) fail("rename failed", errno);

  // Make the rename itself durable (best effort).
  const int dir = ::open(folder_name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace simdlr::io
