#include "loader/gguf/gguf_shapes.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

struct Expected {
  std::string_view suffix;          // name after "blk.N." (or the whole name for global tensors)
  std::vector<uint64_t> ne;         // ne[0..n_dims)
};

std::string shape_text(const uint64_t* ne, size_t n) {
  std::string s = "{";
  for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "}";
}

// "blk.12.attn_q.weight" → layer 12 and "attn_q.weight"; nullopt for a global tensor.
std::optional<std::pair<uint64_t, std::string_view>> split_layer(std::string_view name) {
  constexpr std::string_view kBlk = "blk.";
  if (!name.starts_with(kBlk)) return std::nullopt;
  auto rest = name.substr(kBlk.size());
  auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  uint64_t layer = 0;
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + dot, layer);
  if (ec != std::errc() || p != rest.data() + dot) return std::nullopt;
  return std::pair{layer, rest.substr(dot + 1)};
}

std::vector<Expected> global_shapes(const ModelConfig& c) {
  return {
      {"token_embd.weight", {c.n_embd, c.n_vocab}},
      {"output.weight", {c.n_embd, c.n_vocab}},
      {"output_norm.weight", {c.n_embd}},
  };
}

std::vector<Expected> layer_shapes(const ModelConfig& c) {
  const uint64_t e = c.n_embd, q = uint64_t{c.n_head} * c.head_dim_k, kv_k = uint64_t{c.n_head_kv} * c.head_dim_k,
                 kv_v = uint64_t{c.n_head_kv} * c.head_dim_v, o = uint64_t{c.n_head} * c.head_dim_v;
  std::vector<Expected> s = {
      {"attn_norm.weight", {e}},
      {"ffn_norm.weight", {e}},
      {"attn_output.weight", {o, e}},
      {"ffn_gate.weight", {e, c.n_ff}},
      {"ffn_up.weight", {e, c.n_ff}},
      {"ffn_down.weight", {c.n_ff, e}},
  };
  if (c.arch != Architecture::kDeepseek2) {
    s.insert(s.end(), {{"attn_q.weight", {e, q}}, {"attn_k.weight", {e, kv_k}}, {"attn_v.weight", {e, kv_v}}});
  }
  if (c.has_qkv_bias) s.insert(s.end(), {{"attn_q.bias", {q}}, {"attn_k.bias", {kv_k}}, {"attn_v.bias", {kv_v}}});
  if (c.n_expert > 0) {
    const uint64_t n = c.n_expert, f = c.n_ff_expert;
    s.insert(s.end(), {{"ffn_gate_inp.weight", {e, n}},
                       {"ffn_gate_exps.weight", {e, f, n}},
                       {"ffn_up_exps.weight", {e, f, n}},
                       {"ffn_down_exps.weight", {f, e, n}}});
  }
  if (c.n_expert_shared > 0) {
    const uint64_t f = c.n_ff_shared;
    s.insert(s.end(), {{"ffn_gate_shexp.weight", {e, f}}, {"ffn_up_shexp.weight", {e, f}}, {"ffn_down_shexp.weight", {f, e}}});
  }
  if (c.arch == Architecture::kGptOss) s.push_back({"attn_sinks.weight", {c.n_head}});
  return s;
}

void check_one(const GgufFile& file, const GgufTensorInfo& t, const Expected& want) {
  bool ok = t.n_dims == want.ne.size();
  for (size_t d = 0; ok && d < want.ne.size(); ++d) ok = t.ne[d] == want.ne[d];
  if (!ok) {
    throw Error(ErrorCode::kInvalidFile, file.path() + ": tensor '" + t.name + "' has shape " +
                                             shape_text(t.ne.data(), t.n_dims) + ", the hyperparameters give " +
                                             shape_text(want.ne.data(), want.ne.size()));
  }
}

}  // namespace

void check_gguf_tensor_shapes(const GgufFile& file, const ModelConfig& c) {
  const auto globals = global_shapes(c);
  const auto layers = layer_shapes(c);
  for (const auto& t : file.tensors()) {
    auto layer = split_layer(t.name);
    if (layer && layer->first >= c.n_layer) {
      throw Error(ErrorCode::kInvalidFile, file.path() + ": tensor '" + t.name + "' names layer " +
                                               std::to_string(layer->first) + " but block_count is " +
                                               std::to_string(c.n_layer));
    }
    std::string_view key = layer ? layer->second : std::string_view(t.name);
    for (const auto& want : layer ? layers : globals) {
      if (want.suffix == key) check_one(file, t, want);
    }
  }
}

}  // namespace vkmoe
