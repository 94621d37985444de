// Internal helpers of the io/ layer: a read-only file mapping and the quoting of offending text in
// error messages.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "simdlr/io.hpp"

namespace simdlr::io::detail {

// The whole content of a file, read-only: memory-mapped for a regular non-empty file, otherwise
// (pipes, character devices, empty files) read into an owned buffer. Move-only.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }
  MappedFile& operator=(MappedFile&& other) noexcept {
    if (this != &other) {
      release();
      map_ = std::exchange(other.map_, nullptr);
      map_size_ = std::exchange(other.map_size_, 0);
      buffer_ = std::move(other.buffer_);
      other.buffer_.clear();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() { release(); }

  // Opens `file`; `populate` pre-faults the pages (for a file about to be read in full).
  // Throws ReadError "file: cannot open: reason" / "file: is a folder, not a file".
  static MappedFile open(const std::filesystem::path& file, bool populate) {
    const std::string name = file.string();
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw ReadError(name + ": cannot open: " + std::strerror(errno));
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw ReadError(name + ": cannot stat: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw ReadError(name + ": is a folder, not a file");
    MappedFile result;
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      const auto size = static_cast<std::size_t>(st.st_size);
      void* map =
          ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
      if (map != MAP_FAILED) {
        if (populate) ::madvise(map, size, MADV_SEQUENTIAL);
        result.map_ = map;
        result.map_size_ = size;
        result.data_ = static_cast<const char*>(map);
        result.size_ = size;
        return result;
      }
    }
    // Not mappable: read it.
    std::vector<char> buffer;
    std::size_t used = 0;
    for (;;) {
      if (buffer.size() - used < 65536)
        buffer.resize(std::max<std::size_t>(131072, 2 * buffer.size()));
      const ssize_t got = ::read(fd, buffer.data() + used, buffer.size() - used);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw ReadError(name + ": cannot read: " + std::strerror(errno));
      }
      if (got == 0) break;
      used += static_cast<std::size_t>(got);
    }
    buffer.resize(used);
    result.buffer_ = std::move(buffer);
    result.data_ = result.buffer_.data();
    result.size_ = used;
    return result;
  }

  const char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  void release() noexcept {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    map_ = nullptr;
    map_size_ = 0;
    buffer_.clear();
    buffer_.shrink_to_fit();
    data_ = nullptr;
    size_ = 0;
  }

  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::vector<char> buffer_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// `text` for an error message: in double quotes, control bytes and '"' / '\' escaped, cut after
// about `max_chars` bytes (at a UTF-8 character boundary) with "..." and the full length.
inline std::string quote_found(std::string_view text, std::size_t max_chars = 40) {
  std::string out = "\"";
  std::size_t shown = text.size();
  if (shown > max_chars) {
    shown = max_chars;
    for (int back = 0;
         back < 3 && shown > 0 && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80; ++back)
      --shown;  // do not split a UTF-8 sequence
  }
  static const char* const hex = "0123456789abcdef";
  for (std::size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else if (c >= 0x80) {
      // Keep a valid UTF-8 sequence; escape a byte that does not start one.
      const std::size_t length = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
      bool valid = length > 0 && c < 0xF5 && i + length <= shown;
      for (std::size_t k = 1; valid && k < length; ++k)
        valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      if (valid) {
        out.append(text.data() + i, length);
        i += length - 1;
      } else {
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (shown < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace simdlr::io::detail
