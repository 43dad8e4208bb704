#pragma once
// A read-only memory mapping of a whole file. Tensor bytes are views into it (zero copy), so
// every reader must check offsets and sizes against size() before touching data().
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vkmoe {

class MappedFile {
 public:
  // Throws Error(kNotFound / kInvalidFile) naming the path.
  static std::shared_ptr<MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& path() const { return path_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size) : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace vkmoe
