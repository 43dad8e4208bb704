#pragma once
// ModelSpec: what the loader hands the engine. A model's hyperparameters plus a tensor
// table keyed by GGUF's canonical names ("token_embd.weight", "blk.3.ffn_up_exps.weight"),
// with GGUF's layouts: ne[0] is the contiguous dimension, a matrix used as y = W x has
// ne = {in, out}, expert tensors are stacked with ne[2] = n_expert.
//
// Bytes are zero-copy views into memory-mapped files wherever the file already has GGUF's
// layout; the few tensors a format stores differently (Hugging Face gpt-oss fused gate_up,
// DeepSeek kv_b) are converted once into storage owned by the ModelSpec.
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "loader/model/model_config.h"
#include "loader/model/tensor_type.h"
#include "loader/tokenizer/tokenizer_vocab.h"

namespace vkmoe {

struct TensorData {
  std::string name;
  TensorType type = TensorType::kF32;
  uint32_t n_dims = 0;
  std::array<uint64_t, 4> ne = {1, 1, 1, 1};
  uint64_t bytes = 0;  // whole tensor
  // One slice for an ordinary tensor; n_expert slices (expert e's bytes each, contiguous)
  // for a stacked expert tensor, because Hugging Face stores every expert separately.
  std::vector<std::span<const uint8_t>> slices;

  uint64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  bool is_stacked() const { return slices.size() > 1; }
};

struct ModelSpec {
  std::string path;              // what the user opened
  std::string format;            // "gguf" or "safetensors"
  ModelConfig config;
  std::map<std::string, TensorData> tensors;
  TokenizerVocab vocab;          // empty tokens when the file carries no tokenizer
  std::string chat_template;     // Jinja source; empty when the model has none
  std::map<std::string, std::string> metadata_summary;  // for `vkmoe info`: key → printable value

  // Keep-alive for the bytes the slices point into (file mappings, converted tensors).
  std::vector<std::shared_ptr<const void>> storage;

  // nullptr when absent; `require` throws kNotFound naming the tensor and file.
  const TensorData* find(const std::string& name) const;
  const TensorData& require(const std::string& name) const;
};

// Opens a .gguf file (also the first of a split set) or a Hugging Face directory.
ModelSpec load_model_spec(const std::string& path);

}  // namespace vkmoe
