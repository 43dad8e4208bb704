#pragma once
// Writes one synthetic GGUF model, tensor after tensor in bounded memory.
#include <cstdint>
#include <string>

#include "apps/vkmoe-synth/file_type.h"
#include "apps/vkmoe-synth/shape_table.h"

namespace vkmoe::synth {

struct SynthOptions {
  const ShapeConfig* shape = nullptr;
  FileType file_type = FileType::kF16;
  uint32_t n_layer = 0;  // 1..shape->n_layer
  uint64_t seed = 1;
  std::string out_path;
  bool progress = true;
};

// Returns the bytes of tensor data written. Throws vkmoe::Error; a partly written file is
// removed.
uint64_t write_synthetic_model(const SynthOptions& options);

}  // namespace vkmoe::synth
