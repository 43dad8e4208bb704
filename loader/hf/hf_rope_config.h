#pragma once
// Rotary embedding settings from config.json, in either convention transformers has used:
// `rope_parameters` {rope_theta, rope_type, factor, ...} (transformers 5), or a top-level
// `rope_theta` with a `rope_scaling` object {type | rope_type, factor, ...} (older files).
#include "loader/hf/hf_json_fields.h"
#include "loader/model/model_config.h"

namespace vkmoe {

struct HfRope {
  RopeConfig rope;              // style and n_rot are left for the caller (they depend on the model)
  float mscale_all_dim = 0.0f;  // DeepSeek: scales the softmax temperature under YaRN; 0 = unset
};

HfRope read_hf_rope(const HfJsonFields& config);

// YaRN's magnitude correction for a context stretched `factor` times: 0.1·m·ln(factor) + 1.
float yarn_mscale(float factor, float m);

}  // namespace vkmoe
