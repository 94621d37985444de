// A fresh folder under the system temporary folder for one test, removed with everything in it.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace simdlr::test {

struct TempDir {
  std::filesystem::path path;

  explicit TempDir(const std::string& prefix = "simdlr-test-") {
    std::random_device device;
    path = std::filesystem::temp_directory_path() /
           (prefix + std::to_string(device()) + std::to_string(device()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path operator/(const std::string& name) const { return path / name; }

  // Writes `bytes` to a file of the folder and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& bytes) const {
    const std::filesystem::path file = path / name;
    std::ofstream out(file, std::ios::binary);
    out << bytes;
    return file;
  }

  // Files and folders directly inside.
  std::size_t entries() const {
    return std::size_t(std::distance(std::filesystem::directory_iterator(path),
                                     std::filesystem::directory_iterator()));
  }
};

}  // namespace simdlr::test
