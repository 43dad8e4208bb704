#pragma once
// One .safetensors file: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}},
// then the data section that the offsets index. Every offset, size and shape is checked when
// the file is opened; tensors are zero-copy views into the mapping.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "loader/safetensors/safetensors_dtype.h"

namespace vkmoe {

struct SafetensorsTensor {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::kF32;
  std::vector<uint64_t> shape;      // row-major, outermost first (as PyTorch prints it)
  std::span<const uint8_t> bytes;   // exactly n_elements() * dtype size

  uint64_t n_elements() const;
};

class SafetensorsFile {
 public:
  // Maps and validates `path`. Throws Error(kInvalidFile / kUnsupported / kNotFound) naming it.
  static SafetensorsFile open(const std::string& path);
  // Validates bytes that `keep_alive` owns; `label` names them in errors.
  static SafetensorsFile parse(std::string label, std::span<const uint8_t> bytes, std::shared_ptr<const void> keep_alive);

  const std::string& path() const { return path_; }
  // Sorted by name.
  const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Keeps the bytes the tensors point into alive.
  const std::shared_ptr<const void>& storage() const { return keep_alive_; }

  // nullptr when absent; `require` throws kNotFound naming the tensor and file.
  const SafetensorsTensor* find(const std::string& name) const;
  const SafetensorsTensor& require(const std::string& name) const;

 private:
  SafetensorsFile() = default;
  std::string path_;
  std::shared_ptr<const void> keep_alive_;
  std::vector<SafetensorsTensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace vkmoe
