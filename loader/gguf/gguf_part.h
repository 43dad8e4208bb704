#pragma once
// Parsing of one GGUF image (one file of a possibly split set) held in memory: header,
// metadata, tensor infos and the data section, every count, size and offset checked against
// the bytes that are really there. Nothing is copied: values and tensor bytes are views
// into `bytes`, which must outlive the result.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "loader/gguf/gguf_metadata.h"
#include "loader/model/tensor_type.h"

namespace vkmoe {

constexpr uint32_t kGgufDefaultAlignment = 32;

struct GgufTensorInfo {
  std::string name;
  TensorType type = TensorType::kF32;
  uint32_t n_dims = 0;
  std::array<uint64_t, 4> ne = {1, 1, 1, 1};  // ne[0] contiguous; unused dims are 1
  uint64_t offset = 0;                         // from the start of its part's data section
  uint64_t bytes = 0;
  uint32_t part = 0;                           // which file of a split set holds the bytes
  std::span<const uint8_t> data;               // `bytes` bytes inside that file's mapping
};

struct GgufPart {
  uint32_t version = 0;
  uint32_t alignment = kGgufDefaultAlignment;
  uint64_t data_offset = 0;  // where the data section starts in the file
  GgufMetadata metadata;
  std::vector<GgufTensorInfo> tensors;  // file order
};

// Throws Error(kInvalidFile) for malformed input, Error(kUnsupported) for GGUF version 1 or
// an unknown version, a big-endian file, or a tensor type id vkmoe does not know. Messages
// begin with `name`.
GgufPart parse_gguf_part(std::span<const uint8_t> bytes, const std::string& name);

}  // namespace vkmoe
