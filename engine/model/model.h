#pragma once
// A loaded model: its ModelSpec (hyperparameters, tokenizer data, template) and its weights
// on the device. Loaded once and shared by any number of Sessions.
#include <functional>
#include <memory>
#include <string>

#include "engine/model/model_weights.h"
#include "engine/vk/context.h"
#include "loader/model/model_spec.h"

namespace vkmoe {

class Model {
 public:
  // Reads a .gguf file or a Hugging Face folder and uploads it. Throws Error naming the file
  // and what is wrong (unsupported architecture, tensor type, missing tensor, memory).
  static std::unique_ptr<Model> load(vk::Context& ctx, const std::string& path,
                                     const std::function<void(uint64_t done, uint64_t total)>& progress = {});

  const ModelSpec& spec() const { return spec_; }
  const ModelConfig& config() const { return spec_.config; }
  const ModelWeights& weights() const { return *weights_; }
  vk::Context& context() const { return ctx_; }

 private:
  Model(vk::Context& ctx, ModelSpec spec) : ctx_(ctx), spec_(std::move(spec)) {}
  vk::Context& ctx_;
  ModelSpec spec_;
  std::unique_ptr<ModelWeights> weights_;
};

}  // namespace vkmoe
