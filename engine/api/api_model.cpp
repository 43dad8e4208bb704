// The C API's models: what a model needs before loading it, blocking and background loads,
// and what a loaded model is.
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "engine/api/handles.h"
#include "engine/experts/expert_options.h"
#include "engine/model/kv_cache.h"
#include "loader/model/model_stats.h"

using namespace vkmoe;
using namespace vkmoe::api;

namespace {

ModelOptions model_options(const vkmoe_model_load_info& info) {
  ModelOptions o;
  o.experts.vram_budget.bytes = info.vram_budget_bytes;
  // Fields a caller built against an older vkmoe.h did not have keep their defaults.
  if (info.struct_size >= offsetof(vkmoe_model_load_info, disable_zero_copy) + sizeof(int)) {
    if (info.expert_policy != nullptr && info.expert_policy[0] != '\0') o.experts.policy = parse_expert_policy(info.expert_policy);
    o.experts.prefetch = info.disable_prefetch == 0;
    o.experts.zero_copy = info.disable_zero_copy == 0;
  }
  o.max_ctx = info.max_ctx;
  o.max_tokens = info.max_tokens != 0 ? info.max_tokens : 128;
  return o;
}

void check_load_info(const vkmoe_model_load_info* info) {
  require(info != nullptr, "vkmoe_model_load_info is NULL");
  // The first version of the struct ended before expert_policy.
  require_struct(info->struct_size, offsetof(vkmoe_model_load_info, expert_policy), "vkmoe_model_load_info");
  require(info->path != nullptr && info->path[0] != '\0', "vkmoe_model_load_info.path is empty");
}

LoadRequest load_request(const vkmoe_model_load_info& info) {
  LoadRequest r;
  r.path = info.path;
  r.options = model_options(info);
  if (info.on_progress != nullptr) {
    r.on_progress = [fn = info.on_progress, user = info.user_data](float fraction) { fn(user, fraction); };
  }
  if (info.on_done != nullptr) {
    r.on_done = [fn = info.on_done, user = info.user_data](vkmoe_status status) { fn(user, status); };
  }
  return r;
}


}  // namespace

extern "C" {

vkmoe_status vkmoe_model_query_memory(vkmoe_context context, const vkmoe_model_load_info* info, vkmoe_model_memory* out) {
  if (!alive(context)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(context->error, [&] {
    check_load_info(info);
    require(out != nullptr, "vkmoe_model_query_memory: out is NULL");
    require_struct(out->struct_size, offsetof(vkmoe_model_memory, architecture), "vkmoe_model_memory");
    const ModelSpec spec = load_model_spec(info->path);
    const ModelOptions options = model_options(*info);
    const ExpertPlacement p = plan_placement(*context->context, spec, options);
    const uint32_t size = out->struct_size;
    // A caller's struct may be an earlier, shorter version: write within its size only.
    std::memset(out, 0, std::min<size_t>(size, sizeof(vkmoe_model_memory)));
    out->struct_size = size;
    out->dense_bytes = p.dense_bytes;
    out->expert_bytes = p.expert_bytes;
    out->total_bytes = p.dense_bytes + p.expert_bytes;
    out->kv_bytes_per_1k_tokens = KvCacheLayout::for_model(spec.config, 1024, options.kv_cache_type).bytes();
    out->session_reserve_bytes = p.reserve_bytes;
    out->budget_bytes = p.budget_bytes;
    out->experts_stream = p.streaming ? 1 : 0;
    out->expert_slots = p.n_slots;
    out->total_experts = p.total_experts;
    if (size >= offsetof(vkmoe_model_memory, active_parameters) + sizeof(uint64_t)) {
      const ModelStats stats = compute_model_stats(spec);
      copy_text(out->architecture, sizeof(out->architecture), architecture_name(spec.config.arch));
      out->total_parameters = stats.total_params;
      out->active_parameters = stats.active_params;
    }
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_model_load(vkmoe_context context, const vkmoe_model_load_info* info, vkmoe_model* out_model) {
  if (!alive(context)) return VKMOE_ERROR_INVALID_HANDLE;
  if (out_model != nullptr) *out_model = nullptr;
  return guarded(context->error, [&] {
    require(out_model != nullptr, "vkmoe_model_load: out_model is NULL");
    check_load_info(info);
    auto handle = std::make_unique<vkmoe_model_T>();
    handle->owner = context;
    handle->load.run(*context->context, load_request(*info));
    *out_model = handle.release();
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_model_load_async(vkmoe_context context, const vkmoe_model_load_info* info, vkmoe_model* out_model) {
  if (!alive(context)) return VKMOE_ERROR_INVALID_HANDLE;
  if (out_model != nullptr) *out_model = nullptr;
  return guarded(context->error, [&] {
    require(out_model != nullptr, "vkmoe_model_load_async: out_model is NULL");
    check_load_info(info);
    auto handle = std::make_unique<vkmoe_model_T>();
    handle->owner = context;
    handle->load.start(*context->context, load_request(*info), handle->error);
    *out_model = handle.release();
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_model_load_poll(vkmoe_model model) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return model->load.status();
}

vkmoe_status vkmoe_model_load_wait(vkmoe_model model) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return model->load.wait();
}

vkmoe_status vkmoe_model_load_progress(vkmoe_model model, float* out_fraction) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  if (out_fraction == nullptr) return VKMOE_ERROR_INVALID_ARGUMENT;
  *out_fraction = model->load.progress();
  return VKMOE_OK;
}

vkmoe_status vkmoe_model_load_cancel(vkmoe_model model) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  model->load.cancel();
  return VKMOE_OK;
}

void vkmoe_model_destroy(vkmoe_model model) {
  if (!alive(model)) return;
  model->tag = HandleTag::kDead;
  delete model;
}

const char* vkmoe_model_last_error(vkmoe_model model) {
  if (!alive(model)) return "invalid vkmoe_model handle";
  return model->error.get();
}

vkmoe_status vkmoe_model_get_info(vkmoe_model model, vkmoe_model_info* out) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(model->error, [&] {
    require(out != nullptr, "vkmoe_model_get_info: out is NULL");
    require_struct(out->struct_size, sizeof(vkmoe_model_info), "vkmoe_model_info");
    const Model& m = model->load.model();
    const ModelConfig& c = m.config();
    const uint32_t size = out->struct_size;
    *out = vkmoe_model_info{};
    out->struct_size = size;
    copy_text(out->architecture, sizeof(out->architecture), architecture_name(c.arch));
    out->n_vocab = c.n_vocab;
    out->n_layer = c.n_layer;
    out->n_expert = c.n_expert;
    out->n_expert_used = c.n_expert_used;
    out->n_ctx_train = c.n_ctx_train;
    out->bos_token = m.spec().vocab.bos;
    out->eos_token = m.spec().vocab.eos;
    out->has_chat_template = m.spec().chat_template.empty() ? 0 : 1;
    out->experts_stream = m.placement().streaming ? 1 : 0;
    const ExpertPlacement& p = m.placement();
    out->vram_bytes = m.weights().device_bytes() + (p.streaming ? uint64_t(p.n_slots) * p.slot_bytes : 0);
    return VKMOE_OK;
  });
}

}  // extern "C"
