#pragma once
// Writes a model vkmoe has loaded (a Hugging Face folder or a float GGUF file) as a GGUF
// file laid out the way llama.cpp's converter and quantizer lay one out: its metadata keys,
// its tensor names and shapes, vectors / norms / the expert router kept in F32, every other
// matrix in the requested type, and the tokenizer as tokenizer.ggml.* with the chat
// template. llama.cpp's quantize_row_q8_0 rounding is reproduced, so a Q8_0 file holds the
// bytes llama-quantize would write from the same weights.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "loader/model/model_spec.h"
#include "loader/model/tensor_type.h"

namespace vkmoe {

// Called after each tensor with the bytes written so far and the total.
using ExportProgress = std::function<void(uint64_t written, uint64_t total)>;

// `type`: kF32, kF16 or kQ8_0 (a Q8_0 tensor whose rows are not whole 32-element blocks is
// written in F16, as llama-quantize does). The source tensors must be F32, F16 or BF16.
// Throws Error(kUnsupported) for an architecture whose GGUF layout differs from the
// folder's beyond names (llama/Mixtral's permuted q/k rows, DeepSeek's split kv_b, gpt-oss),
// for a quantized source tensor, and for a tokenizer GGUF cannot name.
void export_gguf(const ModelSpec& spec, TensorType type, const std::string& out_path,
                 const ExportProgress& progress = nullptr);

// llama.cpp's converter writes these in F32 and llama-quantize leaves them so: vectors (biases
// included), norms and the expert routers (ffn_gate_inp, ffn_gate_inp_shexp).
bool llama_keeps_float32(std::string_view name, uint32_t n_dims);

// The type a tensor gets in a file whose matrices are `type` (llama_keeps_float32 tensors stay
// F32; rows that are not whole blocks fall back to F16).
TensorType export_tensor_type(const std::string& name, uint32_t n_dims, uint64_t row_elements, TensorType type);

// llama.cpp's general.file_type (llama_ftype) of a file whose matrices are `type`.
uint32_t llama_file_type(TensorType type);

}  // namespace vkmoe
