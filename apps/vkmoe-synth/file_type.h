#pragma once
// The --type values: which tensor types a synthetic file holds, named after llama.cpp's file
// types (general.file_type) whose choices they copy.
#include <optional>
#include <string>
#include <string_view>

#include "apps/vkmoe-synth/shape_table.h"

namespace vkmoe::synth {

enum class FileType {
  kF16,     // every matrix F16 (LLAMA_FTYPE_MOSTLY_F16)
  kQ8_0,    // every matrix Q8_0 (LLAMA_FTYPE_MOSTLY_Q8_0)
  kQ4_K_M,  // llama-quantize's Q4_K_M mixture (LLAMA_FTYPE_MOSTLY_Q4_K_M)
  kMXFP4,   // gpt-oss as published: MXFP4 experts, Q8_0 other matrices (LLAMA_FTYPE_MOSTLY_MXFP4_MOE)
};

std::optional<FileType> parse_file_type(std::string_view name);
std::string_view file_type_name(FileType type);
std::string file_type_names();
// general.file_type, llama.cpp's llama_ftype number.
uint32_t llama_ftype(FileType type);
// Whether llama.cpp makes files of this type for the shape's architecture (MXFP4: gpt-oss only).
bool file_type_fits(FileType type, const ShapeConfig& shape);

}  // namespace vkmoe::synth
