#include "loader/gguf/gguf_file.h"

#include "loader/base/error.h"
#include "loader/gguf/gguf_split.h"

namespace vkmoe {
namespace {

constexpr const char* kSplitCount = "split.count";
constexpr const char* kSplitIndex = "split.no";  // 0-based
constexpr const char* kSplitTensors = "split.tensors.count";

GgufPart parse_file(const MappedFile& file) { return parse_gguf_part(file.bytes(), file.path()); }

// The part count a file's metadata declares; 1 when it has no split keys.
uint32_t declared_split_count(const GgufPart& part) {
  return part.metadata.find_u32(kSplitCount).value_or(1);
}

}  // namespace

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

void GgufFile::add_part(std::shared_ptr<MappedFile> file, GgufPart part) {
  uint32_t part_index = static_cast<uint32_t>(files_.size());
  for (auto& t : part.tensors) {
    auto [it, inserted] = index_.emplace(t.name, tensors_.size());
    if (!inserted) {
      throw Error(ErrorCode::kInvalidFile, file->path() + ": tensor '" + t.name + "' is also in " +
                                               files_[tensors_[it->second].part]->path());
    }
    t.part = part_index;
    tensors_.push_back(std::move(t));
  }
  files_.push_back(std::move(file));
}

GgufFile GgufFile::open(const std::string& path) {
  GgufFile out;
  auto split = parse_gguf_split_name(path);
  if (!split || split->count == 1) {
    auto file = MappedFile::open(path);
    GgufPart part = parse_file(*file);
    if (uint32_t n = declared_split_count(part); n > 1) {
      throw Error(ErrorCode::kInvalidFile, path + ": " + kSplitCount + " is " + std::to_string(n) +
                                               " but the name does not end in -NNNNN-of-MMMMM.gguf, so the other "
                                               "parts cannot be found");
    }
    out.path_ = path;
    out.version_ = part.version;
    out.alignment_ = part.alignment;
    out.metadata_ = std::move(part.metadata);
    out.add_part(std::move(file), std::move(part));
    return out;
  }

  uint64_t declared_tensors = 0;
  for (uint32_t i = 1; i <= split->count; ++i) {
    std::string part_path = gguf_split_path(split->prefix, i, split->count);
    auto file = MappedFile::open(part_path);
    GgufPart part = parse_file(*file);
    if (!part.metadata.has(kSplitCount) || !part.metadata.has(kSplitIndex)) {
      throw Error(ErrorCode::kInvalidFile, part_path + ": named as part " + std::to_string(i) + " of " +
                                               std::to_string(split->count) + " but has no " + kSplitCount + " / " +
                                               kSplitIndex + " metadata");
    }
    uint32_t count = part.metadata.get_u32(kSplitCount);
    uint32_t index = part.metadata.get_u32(kSplitIndex);
    if (count != split->count || index != i - 1) {
      throw Error(ErrorCode::kInvalidFile, part_path + ": metadata says part " + std::to_string(index + 1) + " of " +
                                               std::to_string(count) + ", the name says " + std::to_string(i) +
                                               " of " + std::to_string(split->count));
    }
    if (i == 1) {
      out.path_ = part_path;
      out.version_ = part.version;
      out.alignment_ = part.alignment;
      if (part.metadata.has(kSplitTensors)) declared_tensors = part.metadata.get_u64(kSplitTensors);
      out.metadata_ = std::move(part.metadata);
    }
    out.add_part(std::move(file), std::move(part));
  }
  if (declared_tensors != 0 && declared_tensors != out.tensors_.size()) {
    throw Error(ErrorCode::kInvalidFile, out.path_ + ": " + kSplitTensors + " is " + std::to_string(declared_tensors) +
                                             " but the " + std::to_string(split->count) + " parts hold " +
                                             std::to_string(out.tensors_.size()) + " tensors");
  }
  return out;
}

}  // namespace vkmoe
