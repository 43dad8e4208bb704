// `vkmoe info --model PATH`: what a model file holds, without a GPU: architecture,
// hyperparameters, parameter counts, experts, tensor types and the memory a full load needs.
#include <cstdio>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "loader/model/model_spec.h"
#include "loader/model/model_stats.h"

namespace vkmoe::cli {
namespace {

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

std::string human_count(uint64_t n) {
  char buf[32];
  if (n >= 1000000000ull) {
    std::snprintf(buf, sizeof buf, "%.2fB", n / 1e9);
  } else if (n >= 1000000ull) {
    std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
  } else if (n >= 1000ull) {
    std::snprintf(buf, sizeof buf, "%.2fK", n / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  }
  return buf;
}

const char* rope_style_name(RopeStyle s) { return s == RopeStyle::kNormal ? "normal" : "neox"; }

const char* rope_scaling_name(RopeScalingType s) {
  switch (s) {
    case RopeScalingType::kNone: return "none";
    case RopeScalingType::kLinear: return "linear";
    case RopeScalingType::kYarn: return "yarn";
  }
  return "?";
}

void print_config(const ModelSpec& spec) {
  const ModelConfig& c = spec.config;
  std::printf("model:        %s\n", spec.path.c_str());
  std::printf("format:       %s\n", spec.format.c_str());
  std::printf("name:         %s\n", c.name.c_str());
  std::printf("architecture: %s (%s)\n", architecture_name(c.arch), c.arch_name.c_str());
  std::printf("layers:       %u\n", c.n_layer);
  std::printf("embedding:    %u\n", c.n_embd);
  std::printf("vocab:        %u\n", c.n_vocab);
  std::printf("context:      %u\n", c.n_ctx_train);
  std::printf("heads:        %u (kv %u), head dim k %u v %u\n", c.n_head, c.n_head_kv, c.head_dim_k, c.head_dim_v);
  std::printf("rms eps:      %g\n", c.rms_norm_eps);
  std::printf("rope:         %s, theta %g, %u dims, scaling %s", rope_style_name(c.rope.style), c.rope.theta,
              c.rope.n_rot, rope_scaling_name(c.rope.scaling));
  if (c.rope.scaling != RopeScalingType::kNone) {
    std::printf(" x%g (original context %u)", c.rope.factor, c.rope.original_context);
  }
  std::printf("\n");
  if (c.kv_lora_rank > 0) {
    std::printf("mla:          q_lora_rank %u, kv_lora_rank %u, nope %u, rope %u\n", c.q_lora_rank, c.kv_lora_rank,
                c.qk_nope_head_dim, c.qk_rope_head_dim);
  }
  if (c.sliding_window > 0) std::printf("sliding win:  %u\n", c.sliding_window);
  std::printf("attention:    qkv bias %s, q/k norm %s, sinks %s\n", c.has_qkv_bias ? "yes" : "no",
              c.qk_norm_per_head ? "per head" : c.qk_norm_full ? "full" : "none",
              c.has_attention_sinks ? "yes" : "no");
  std::printf("ffn:          %u\n", c.n_ff);
  if (c.n_expert > 0) {
    std::printf("experts:      %u, %u used per token, width %u\n", c.n_expert, c.n_expert_used, c.n_ff_expert);
    if (c.n_expert_shared > 0) std::printf("shared:       %u, width %u\n", c.n_expert_shared, c.n_ff_shared);
    if (c.n_layer_dense_lead > 0) std::printf("dense lead:   %u layers\n", c.n_layer_dense_lead);
    std::printf("router:       %s%s%s, scale %g", c.router.gating == GatingFunction::kSigmoid ? "sigmoid" : "softmax",
                c.router.softmax_after_topk ? " after top-k" : "", c.router.normalize_topk ? ", renormalised" : "",
                c.router.routed_scaling);
    if (c.router.n_group > 0) std::printf(", groups %u of %u", c.router.topk_group, c.router.n_group);
    std::printf("\n");
  }
  std::printf("embeddings:   %s\n", c.tie_embeddings ? "tied" : "separate output");
  std::printf("tokenizer:    %zu tokens%s\n", spec.vocab.tokens.size(), spec.chat_template.empty() ? "" : ", chat template");
}

void print_stats(const ModelStats& s) {
  std::printf("\nparameters:   %s total, %s active per token\n", human_count(s.total_params).c_str(),
              human_count(s.active_params).c_str());
  std::printf("expert bytes: %s, dense bytes %s\n", human_bytes(s.expert_bytes).c_str(), human_bytes(s.dense_bytes).c_str());
  std::printf("full load:    %s\n", human_bytes(s.full_load_bytes).c_str());
  std::printf("\n%-8s %8s %14s %12s\n", "type", "tensors", "elements", "bytes");
  for (const auto& [type, u] : s.by_type) {
    std::printf("%-8s %8u %14llu %12s\n", std::string(tensor_type_info(type).name).c_str(), u.tensors,
                static_cast<unsigned long long>(u.elements), human_bytes(u.bytes).c_str());
  }
}

int run_info(const std::vector<std::string>& argv) {
  Args args(argv, {"metadata"});
  std::string path = args.require("model");
  bool metadata = args.has_flag("metadata");
  args.finish();
  ModelSpec spec = load_model_spec(path);
  print_config(spec);
  print_stats(compute_model_stats(spec));
  if (metadata) {
    std::printf("\nmetadata:\n");
    for (const auto& [key, value] : spec.metadata_summary) std::printf("  %s = %s\n", key.c_str(), value.c_str());
  }
  return 0;
}

const Command kInfo("info", "--model PATH [--metadata]",
                    "Show a model's architecture, hyperparameters, parameter counts and memory needs", run_info);

}  // namespace
}  // namespace vkmoe::cli
