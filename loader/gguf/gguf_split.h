#pragma once
// Names of split GGUF sets, as llama.cpp's gguf-split writes them:
// "<prefix>-00001-of-00003.gguf" ... "<prefix>-00003-of-00003.gguf".
#include <cstdint>
#include <optional>
#include <string>

namespace vkmoe {

struct GgufSplitName {
  std::string prefix;  // everything before "-NNNNN-of-MMMMM.gguf", folder included
  uint32_t index = 0;  // 1-based, as in the name
  uint32_t count = 0;
};

// nullopt when `path` does not end in "-NNNNN-of-MMMMM.gguf" with 1 <= NNNNN <= MMMMM.
std::optional<GgufSplitName> parse_gguf_split_name(const std::string& path);
// The path of part `index` (1-based) of `count`.
std::string gguf_split_path(const std::string& prefix, uint32_t index, uint32_t count);

}  // namespace vkmoe
