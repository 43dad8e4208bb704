#include "loader/gguf/gguf_export.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "loader/base/error.h"
#include "loader/base/half.h"
#include "loader/gguf/gguf_writer.h"

namespace vkmoe {
namespace {

bool is_neox_layout_arch(Architecture a) {
  return a == Architecture::kQwen2 || a == Architecture::kQwen2Moe || a == Architecture::kQwen3 ||
         a == Architecture::kQwen3Moe || a == Architecture::kOlmoe;
}

void write_architecture(GgufWriter& w, const ModelConfig& c) {
  const std::string a = c.arch_name + ".";
  w.add_u32(a + "block_count", c.n_layer);
  w.add_u32(a + "context_length", c.n_ctx_train);
  w.add_u32(a + "embedding_length", c.n_embd);
  if (c.n_ff > 0) w.add_u32(a + "feed_forward_length", c.n_ff);
  w.add_u32(a + "attention.head_count", c.n_head);
  w.add_u32(a + "attention.head_count_kv", c.n_head_kv);
  w.add_u32(a + "attention.key_length", c.head_dim_k);
  w.add_u32(a + "attention.value_length", c.head_dim_v);
  w.add_f32(a + "attention.layer_norm_rms_epsilon", c.rms_norm_eps);
  w.add_f32(a + "rope.freq_base", c.rope.theta);
  if (c.rope.n_rot != c.head_dim_k) w.add_u32(a + "rope.dimension_count", c.rope.n_rot);
  if (c.rope.scaling == RopeScalingType::kLinear) {
    w.add_string(a + "rope.scaling.type", "linear");
    w.add_f32(a + "rope.scaling.factor", c.rope.factor);
  } else if (c.rope.scaling == RopeScalingType::kYarn) {
    w.add_string(a + "rope.scaling.type", "yarn");
    w.add_f32(a + "rope.scaling.factor", c.rope.factor);
    w.add_u32(a + "rope.scaling.original_context_length", c.rope.original_context);
    w.add_f32(a + "rope.scaling.yarn_beta_fast", c.rope.yarn_beta_fast);
    w.add_f32(a + "rope.scaling.yarn_beta_slow", c.rope.yarn_beta_slow);
  }
  if (c.sliding_window > 0) w.add_u32(a + "attention.sliding_window", c.sliding_window);
  if (c.n_expert == 0) return;
  w.add_u32(a + "expert_count", c.n_expert);
  w.add_u32(a + "expert_used_count", c.n_expert_used);
  w.add_u32(a + "expert_feed_forward_length", c.n_ff_expert);
  w.add_bool(a + "expert_weights_norm", c.router.normalize_topk);
  if (c.n_expert_shared > 0) w.add_u32(a + "expert_shared_feed_forward_length", c.n_ff_shared);
}

void write_tokenizer(GgufWriter& w, const ModelSpec& spec) {
  const TokenizerVocab& v = spec.vocab;
  if (v.empty()) return;
  if (v.kind != TokenizerKind::kBytePairBpe || v.pre.empty()) {
    throw Error(ErrorCode::kUnsupported,
                spec.path + ": only byte-level BPE tokenizers whose pre-tokenizer is a GGUF family (tokenizer.ggml.pre) "
                            "can be written to GGUF");
  }
  w.add_string("tokenizer.ggml.model", "gpt2");
  w.add_string("tokenizer.ggml.pre", v.pre);
  w.add_array("tokenizer.ggml.tokens", GgufArrayValue::of_strings(v.tokens));
  std::vector<int32_t> types(v.tokens.size(), static_cast<int32_t>(TokenAttr::kNormal));
  for (size_t i = 0; i < v.attrs.size() && i < types.size(); ++i) types[i] = static_cast<int32_t>(v.attrs[i]);
  w.add_array("tokenizer.ggml.token_type", GgufArrayValue::of<int32_t>(GgufType::kI32, types));
  w.add_array("tokenizer.ggml.merges", GgufArrayValue::of_strings(v.merges));
  if (v.bos != UINT32_MAX) w.add_u32("tokenizer.ggml.bos_token_id", v.bos);
  if (v.eos != UINT32_MAX) w.add_u32("tokenizer.ggml.eos_token_id", v.eos);
  if (v.pad != UINT32_MAX) w.add_u32("tokenizer.ggml.padding_token_id", v.pad);
  w.add_bool("tokenizer.ggml.add_bos_token", v.add_bos);
  if (!spec.chat_template.empty()) w.add_string("tokenizer.chat_template", spec.chat_template);
}

float source_element(TensorType type, const uint8_t* p, uint64_t i) {
  switch (type) {
    case TensorType::kF32: {
      float f;
      std::memcpy(&f, p + 4 * i, 4);
      return f;
    }
    case TensorType::kF16:
    case TensorType::kBF16: {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      return type == TensorType::kF16 ? f16_to_float(h) : bf16_to_float(h);
    }
    default: return 0.0f;  // export_gguf refuses other source types first
  }
}

// ggml's quantize_row_q8_0_ref: d = max|x| / 127 stored as f16, q = round(x / d) with the
// f32 d, ties away from zero.
void append_q8_0_block(const float* x, std::vector<uint8_t>& out) {
  float amax = 0.0f;
  for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  const uint16_t dh = float_to_f16(d);
  out.push_back(static_cast<uint8_t>(dh & 0xff));
  out.push_back(static_cast<uint8_t>(dh >> 8));
  for (int j = 0; j < 32; ++j) out.push_back(static_cast<uint8_t>(static_cast<int8_t>(std::round(x[j] * id))));
}

// One row of `row` float elements in `type`, appended to out.
void append_row(const std::vector<float>& row, TensorType type, std::vector<uint8_t>& out) {
  switch (type) {
    case TensorType::kF32: {
      const size_t at = out.size();
      out.resize(at + 4 * row.size());
      std::memcpy(out.data() + at, row.data(), 4 * row.size());
      break;
    }
    case TensorType::kF16:
      for (float f : row) {
        const uint16_t h = float_to_f16(f);
        out.push_back(static_cast<uint8_t>(h & 0xff));
        out.push_back(static_cast<uint8_t>(h >> 8));
      }
      break;
    case TensorType::kQ8_0:
      for (size_t b = 0; b < row.size(); b += 32) append_q8_0_block(row.data() + b, out);
      break;
    default: break;
  }
}

std::vector<uint8_t> encode_tensor(const TensorData& t, TensorType type) {
  const uint64_t row_len = t.ne[0];
  std::vector<uint8_t> out;
  std::vector<float> row(row_len);
  for (const auto& slice : t.slices) {
    const uint64_t elements = slice.size() / (t.type == TensorType::kF32 ? 4 : 2);
    for (uint64_t r = 0; r < elements / row_len; ++r) {
      for (uint64_t i = 0; i < row_len; ++i) row[i] = source_element(t.type, slice.data(), r * row_len + i);
      append_row(row, type, out);
    }
  }
  return out;
}

}  // namespace

bool llama_keeps_float32(std::string_view name, uint32_t n_dims) {
  return n_dims < 2 || !name.ends_with(".weight") || name.find("_norm.weight") != std::string_view::npos ||
         name.find("ffn_gate_inp") != std::string_view::npos;
}

TensorType export_tensor_type(const std::string& name, uint32_t n_dims, uint64_t row_elements, TensorType type) {
  if (llama_keeps_float32(name, n_dims)) return TensorType::kF32;
  if (type == TensorType::kQ8_0 && row_elements % 32 != 0) return TensorType::kF16;
  return type;
}

uint32_t llama_file_type(TensorType type) {
  switch (type) {
    case TensorType::kF32: return 0;
    case TensorType::kF16: return 1;
    case TensorType::kQ8_0: return 7;
    default: throw Error(ErrorCode::kInvalidArgument, "GGUF export writes F32, F16 or Q8_0 files");
  }
}

void export_gguf(const ModelSpec& spec, TensorType type, const std::string& out_path, const ExportProgress& progress) {
  const ModelConfig& c = spec.config;
  if (!is_neox_layout_arch(c.arch)) {
    throw Error(ErrorCode::kUnsupported,
                spec.path + ": GGUF export writes qwen2, qwen2moe, qwen3, qwen3moe and olmoe models; '" + c.arch_name +
                    "' stores some tensors differently in GGUF and is not converted yet");
  }
  const uint32_t file_type = llama_file_type(type);
  for (const auto& [name, t] : spec.tensors) {
    if (t.type != TensorType::kF32 && t.type != TensorType::kF16 && t.type != TensorType::kBF16) {
      throw Error(ErrorCode::kUnsupported, spec.path + ": tensor '" + name + "' is " +
                                               std::string(tensor_type_info(t.type).name) +
                                               "; GGUF export reads F32, F16 and BF16 weights");
    }
  }

  GgufWriter w(out_path);
  w.add_string("general.architecture", c.arch_name);
  w.add_string("general.type", "model");
  w.add_string("general.name", c.name);
  w.add_u32("general.file_type", file_type);
  w.add_u32("general.quantization_version", 2);
  write_architecture(w, c);
  write_tokenizer(w, spec);

  uint64_t total = 0;
  std::vector<TensorType> out_types;  // in the map's order, which both loops follow
  for (const auto& [name, t] : spec.tensors) {
    out_types.push_back(export_tensor_type(name, t.n_dims, t.ne[0], type));
    total += w.add_tensor(name, out_types.back(), std::span<const uint64_t>(t.ne.data(), t.n_dims));
  }
  uint64_t written = 0;
  size_t index = 0;
  for (const auto& [name, t] : spec.tensors) {
    const std::vector<uint8_t> bytes = encode_tensor(t, out_types[index++]);
    w.write_data(bytes);
    written += bytes.size();
    if (progress) progress(written, total);
  }
  w.finish();
}

}  // namespace vkmoe
