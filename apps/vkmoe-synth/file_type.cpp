#include "apps/vkmoe-synth/file_type.h"

#include <array>
#include <utility>

namespace vkmoe::synth {
namespace {

// llama_ftype numbers from llama.h: MOSTLY_F16 = 1, MOSTLY_Q8_0 = 7, MOSTLY_Q4_K_M = 15,
// MOSTLY_MXFP4_MOE = 38.
constexpr std::array<std::pair<FileType, std::string_view>, 4> kNames = {{
    {FileType::kF16, "F16"}, {FileType::kQ8_0, "Q8_0"}, {FileType::kQ4_K_M, "Q4_K_M"}, {FileType::kMXFP4, "MXFP4"},
}};

}  // namespace

std::optional<FileType> parse_file_type(std::string_view name) {
  for (const auto& [type, text] : kNames) {
    if (text == name) return type;
  }
  return std::nullopt;
}

std::string_view file_type_name(FileType type) {
  for (const auto& [t, text] : kNames) {
    if (t == type) return text;
  }
  return "?";
}

std::string file_type_names() {
  std::string out;
  for (const auto& [type, text] : kNames) out += std::string(out.empty() ? "" : ", ") + std::string(text);
  return out;
}

uint32_t llama_ftype(FileType type) {
  switch (type) {
    case FileType::kF16: return 1;
    case FileType::kQ8_0: return 7;
    case FileType::kQ4_K_M: return 15;
    case FileType::kMXFP4: return 38;
  }
  return 0;
}

bool file_type_fits(FileType type, const ShapeConfig& shape) {
  return type != FileType::kMXFP4 || shape.gguf_arch == "gpt-oss";
}

}  // namespace vkmoe::synth
