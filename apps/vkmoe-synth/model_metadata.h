#pragma once
// The metadata of a synthetic model under the keys llama.cpp writes (general.*, <arch>.*,
// tokenizer.ggml.*), plus vkmoe.synthetic = true so no one mistakes it for a trained model.
#include <cstdint>

#include "apps/vkmoe-synth/file_type.h"
#include "apps/vkmoe-synth/shape_table.h"
#include "apps/vkmoe-synth/synthetic_vocab.h"
#include "loader/gguf/gguf_writer.h"

namespace vkmoe::synth {

void write_model_metadata(GgufWriter& w, const ShapeConfig& shape, uint32_t n_layer, FileType file_type,
                          const SyntheticVocab& vocab);

}  // namespace vkmoe::synth
