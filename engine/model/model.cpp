#include "engine/model/model.h"

#include "engine/kernels/matmul.h"
#include "engine/model/forward_pass.h"
#include "engine/model/kv_cache.h"
#include "engine/vk/memory_budget.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

// Every matrix the forward pass multiplies or gathers rows from (the embedding lookup decodes
// the matmul's formats) must have a decoder; say so at load time, naming the tensor, rather
// than at the first step.
void check_tensor_types(const ModelSpec& spec) {
  for (const auto& [name, t] : spec.tensors) {
    if (t.n_dims < 2 || name.ends_with(".bias")) continue;
    if (!kernels::matmul_supports(t.type)) {
      throw Error(ErrorCode::kUnsupported, spec.path + ": tensor '" + name + "' has type " +
                                               std::string(tensor_type_info(t.type).name) +
                                               ", which vkmoe's matmul kernels do not decode");
    }
  }
}

// KV cache and scratch of the session the budget plans for.
uint64_t session_reserve_bytes(vk::Context& ctx, const ModelConfig& c, const ModelOptions& options, bool streaming) {
  ForwardOptions fo;
  fo.max_ctx = session_max_ctx(c, options.max_ctx);
  fo.max_tokens = options.max_tokens;
  return KvCacheLayout::for_model(c, fo.max_ctx, options.kv_cache_type).bytes() +
         ForwardPass::scratch_bytes(ctx, c, streaming, fo);
}

}  // namespace

ExpertPlacement plan_placement(vk::Context& ctx, const ModelSpec& spec, const ModelOptions& options) {
  // Streaming needs a little more scratch; reserve it whenever the experts might stream.
  const uint64_t reserve = session_reserve_bytes(ctx, spec.config, options, spec.config.n_expert > 0);
  return place_experts(spec, vk::free_device_local_bytes(ctx.device()), reserve, options.experts);
}

std::unique_ptr<Model> Model::load(vk::Context& ctx, const std::string& path, const ModelOptions& options,
                                   const std::function<void(uint64_t, uint64_t)>& progress) {
  std::unique_ptr<Model> model(new Model(ctx, load_model_spec(path)));
  const ModelSpec& spec = model->spec_;
  check_tensor_types(spec);
  model->placement_ = plan_placement(ctx, spec, options);
  const ExpertPlacement& p = model->placement_;
  model->weights_ = std::make_unique<ModelWeights>(ctx, spec, p.streaming, progress);
  if (p.streaming) {
    model->experts_ = std::make_unique<ExpertStore>(ctx, spec.config, *model->weights_, p.n_slots, options.experts);
  }
  return model;
}

}  // namespace vkmoe
