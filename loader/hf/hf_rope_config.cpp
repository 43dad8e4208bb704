#include "loader/hf/hf_rope_config.h"

#include <cmath>

#include "loader/base/error.h"

namespace vkmoe {

float yarn_mscale(float factor, float m) { return factor <= 1.0f ? 1.0f : 0.1f * m * std::log(factor) + 1.0f; }

namespace {

void read_yarn(const HfJsonFields& params, const HfJsonFields& config, HfRope& out) {
  RopeConfig& rope = out.rope;
  rope.scaling = RopeScalingType::kYarn;
  rope.factor = params.f32("factor");
  if (!(rope.factor >= 1.0f)) params.fail("factor", "YaRN needs a factor of at least 1");
  rope.original_context = params.has("original_max_position_embeddings") ? params.u32("original_max_position_embeddings")
                                                                         : config.u32("max_position_embeddings");
  rope.yarn_beta_fast = params.f32_or("beta_fast", 32.0f);
  rope.yarn_beta_slow = params.f32_or("beta_slow", 1.0f);
  rope.yarn_truncate = params.bool_or("truncate", true);

  // transformers scales cos/sin by `attention_factor`, by mscale(f, mscale) / mscale(f,
  // mscale_all_dim) when both are given (DeepSeek), else by mscale(f, 1). The rope kernel
  // applies mscale(f, 1) itself (ggml's convention), so yarn_attn_factor is the ratio.
  float total = yarn_mscale(rope.factor, 1.0f);
  float mscale = params.f32_or("mscale", 0.0f);
  out.mscale_all_dim = params.f32_or("mscale_all_dim", 0.0f);
  if (params.has("attention_factor")) {
    total = params.f32("attention_factor");
  } else if (mscale != 0.0f && out.mscale_all_dim != 0.0f) {
    total = yarn_mscale(rope.factor, mscale) / yarn_mscale(rope.factor, out.mscale_all_dim);
  }
  rope.yarn_attn_factor = total / yarn_mscale(rope.factor, 1.0f);
}

}  // namespace

HfRope read_hf_rope(const HfJsonFields& config) {
  HfRope out;
  std::optional<HfJsonFields> params = config.object("rope_parameters");
  if (!params) params = config.object("rope_scaling");
  out.rope.theta = config.f32_or("rope_theta", 10000.0f);
  if (params) out.rope.theta = params->f32_or("rope_theta", out.rope.theta);
  if (!(out.rope.theta > 0.0f)) {
    throw Error(ErrorCode::kInvalidFile, config.file() + ": rope_theta " + std::to_string(out.rope.theta) + " is not positive");
  }
  if (!params) return out;

  std::string type = params->string_or("rope_type", params->string_or("type", "default"));
  if (type == "linear") {
    out.rope.scaling = RopeScalingType::kLinear;
    out.rope.factor = params->f32("factor");
    if (!(out.rope.factor > 0.0f)) params->fail("factor", "must be positive");
  } else if (type == "yarn") {
    read_yarn(*params, config, out);
  } else if (type != "default") {
    throw Error(ErrorCode::kUnsupported, params->file() + ": rope type '" + type + "' is not supported (default, linear, yarn are)");
  }
  return out;
}

}  // namespace vkmoe
