#pragma once
// A GGUF model opened from disk: one file, or every part of a split set
// (name-00001-of-00003.gguf ...) with the tensor tables merged. Files are memory-mapped and
// tensor bytes are views into the mapping of the part that holds them.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loader/base/mapped_file.h"
#include "loader/gguf/gguf_metadata.h"
#include "loader/gguf/gguf_part.h"

namespace vkmoe {

class GgufFile {
 public:
  // `path` may name any part of a split set; all parts are opened. Throws Error naming the
  // file and the bad field (see parse_gguf_part), or kNotFound for a missing part.
  static GgufFile open(const std::string& path);

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  // The first part's metadata: split sets keep the model's keys there.
  const GgufMetadata& metadata() const { return metadata_; }
  // Every tensor of every part, in part order then file order.
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(std::string_view name) const;
  // The mappings the tensor views point into, one per part.
  const std::vector<std::shared_ptr<MappedFile>>& files() const { return files_; }

 private:
  void add_part(std::shared_ptr<MappedFile> file, GgufPart part);

  std::string path_;
  uint32_t version_ = 0;
  uint32_t alignment_ = 0;
  GgufMetadata metadata_;
  std::vector<GgufTensorInfo> tensors_;
  std::unordered_map<std::string, size_t> index_;
  std::vector<std::shared_ptr<MappedFile>> files_;
};

}  // namespace vkmoe
