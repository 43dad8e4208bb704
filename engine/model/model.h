#pragma once
// A loaded model: its ModelSpec (hyperparameters, tokenizer data, template) and its weights
// on the device. Loaded once and shared by any number of Sessions.
#include <functional>
#include <memory>
#include <string>

#include "engine/experts/expert_options.h"
#include "engine/experts/expert_placement.h"
#include "engine/experts/expert_store.h"
#include "engine/kernels/kv_cache_write.h"
#include "engine/model/model_weights.h"
#include "engine/vk/context.h"
#include "loader/model/model_spec.h"

namespace vkmoe {

struct ModelOptions {
  ExpertOptions experts;
  // The session the VRAM budget keeps room for (KV cache and scratch); 0: the default context.
  uint32_t max_ctx = 0;
  uint32_t max_tokens = 128;
  kernels::KvCacheType kv_cache_type = kernels::KvCacheType::kF16;
};

// Where `spec`'s experts would go under `options` on `ctx`'s device (its free VRAM now),
// without uploading anything: what Model::load decides first. Throws as place_experts does.
ExpertPlacement plan_placement(vk::Context& ctx, const ModelSpec& spec, const ModelOptions& options);

class Model {
 public:
  // Reads a .gguf file or a Hugging Face folder and uploads it, placing the experts as the
  // options and the VRAM budget allow. Throws Error naming the file and what is wrong
  // (unsupported architecture, tensor type, missing tensor, memory, a budget too small).
  static std::unique_ptr<Model> load(vk::Context& ctx, const std::string& path, const ModelOptions& options = {},
                                     const std::function<void(uint64_t done, uint64_t total)>& progress = {});

  const ModelSpec& spec() const { return spec_; }
  const ModelConfig& config() const { return spec_.config; }
  const ModelWeights& weights() const { return *weights_; }
  vk::Context& context() const { return ctx_; }
  const ExpertPlacement& placement() const { return placement_; }
  // The expert store when experts stream, else null. Sessions of one model share it (and its
  // statistics), so they must take turns.
  ExpertStore* experts() const { return experts_.get(); }

 private:
  Model(vk::Context& ctx, ModelSpec spec) : ctx_(ctx), spec_(std::move(spec)) {}
  vk::Context& ctx_;
  ModelSpec spec_;
  std::unique_ptr<ModelWeights> weights_;
  ExpertPlacement placement_;
  std::unique_ptr<ExpertStore> experts_;
};

}  // namespace vkmoe
