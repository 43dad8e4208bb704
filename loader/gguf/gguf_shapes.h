#pragma once
// Checks the shapes of the tensors a forward pass reads against the hyperparameters, so a
// file whose metadata and tensors disagree fails at load time with the tensor's name.
#include "loader/gguf/gguf_file.h"
#include "loader/model/model_config.h"

namespace vkmoe {

// Throws kInvalidFile naming the tensor, its shape and the expected one; also for a
// "blk.N." tensor with N >= n_layer.
void check_gguf_tensor_shapes(const GgufFile& file, const ModelConfig& config);

}  // namespace vkmoe
