#include "apps/vkmoe-synth/shape_table.h"

#include <algorithm>

namespace vkmoe::synth {
namespace {

// Field order: name, display, arch, vocab, embd, layers, ctx, heads, kv heads, head dim, v head
// dim, ff, experts, used, expert ff, shared experts, dense lead, rope theta, rotated dims, rms
// eps, yarn, sliding window, kv lora, q lora, renormalise top-k, routed scaling.
constexpr ShapeConfig kShapes[] = {
    // Qwen3-MoE layout at toy size: 8 experts top-2 (llama.cpp's 8-expert quant rules apply),
    // rows of 256 so every K-quant is used as in a real file.
    {"tiny", "vkmoe tiny", "qwen3moe", 4096, 256, 3, 4096, 4, 2, 64, 64, 512, 8, 2, 256, 0, 0,
     1000000.0f, 64, 1e-6f, {}, 0, 0, 0, true, 0.0f},
    // huggingface.co/mistralai/Mixtral-8x7B-v0.1/blob/main/config.json
    {"mixtral-8x7b", "Mixtral-8x7B-v0.1", "llama", 32000, 4096, 32, 32768, 32, 8, 128, 128, 14336, 8, 2, 14336, 0, 0,
     1000000.0f, 128, 1e-5f, {}, 0, 0, 0, true, 0.0f},
    // huggingface.co/mistralai/Mixtral-8x22B-v0.1/blob/main/config.json
    {"mixtral-8x22b", "Mixtral-8x22B-v0.1", "llama", 32000, 6144, 56, 65536, 48, 8, 128, 128, 16384, 8, 2, 16384, 0,
     0, 1000000.0f, 128, 1e-5f, {}, 0, 0, 0, true, 0.0f},
    // huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json
    {"qwen3-30b-a3b", "Qwen3-30B-A3B", "qwen3moe", 151936, 2048, 48, 40960, 32, 4, 128, 128, 6144, 128, 8, 768, 0, 0,
     1000000.0f, 128, 1e-6f, {}, 0, 0, 0, true, 0.0f},
    // huggingface.co/Qwen/Qwen3-235B-A22B/blob/main/config.json
    {"qwen3-235b-a22b", "Qwen3-235B-A22B", "qwen3moe", 151936, 4096, 94, 40960, 64, 4, 128, 128, 12288, 128, 8, 1536,
     0, 0, 1000000.0f, 128, 1e-6f, {}, 0, 0, 0, true, 0.0f},
    // huggingface.co/allenai/OLMoE-1B-7B-0924/blob/main/config.json (GGUF's feed_forward_length
    // is the expert width for OLMoE)
    {"olmoe-1b-7b", "OLMoE-1B-7B-0924", "olmoe", 50304, 2048, 16, 4096, 16, 16, 128, 128, 1024, 64, 8, 1024, 0, 0,
     10000.0f, 128, 1e-5f, {}, 0, 0, 0, false, 0.0f},
    // huggingface.co/deepseek-ai/DeepSeek-V2-Lite/blob/main/config.json: MLA with kv_lora_rank
    // 512, no q_lora, qk_nope 128 + qk_rope 64, v_head_dim 128; 64 routed experts top-6, 2
    // shared, first layer dense; YaRN factor 40 over 4096, mscale_all_dim 0.707.
    {"deepseek-v2-lite", "DeepSeek-V2-Lite", "deepseek2", 102400, 2048, 27, 163840, 16, 1, 192, 128, 10944, 64, 6,
     1408, 2, 1, 10000.0f, 64, 1e-6f, {40.0f, 4096, 32.0f, 1.0f, 0.0707f}, 0, 512, 0, false, 1.0f},
    // huggingface.co/openai/gpt-oss-20b/blob/main/config.json
    {"gpt-oss-20b", "gpt-oss-20b", "gpt-oss", 201088, 2880, 24, 131072, 64, 8, 64, 64, 2880, 32, 4, 2880, 0, 0,
     150000.0f, 64, 1e-5f, {32.0f, 4096, 32.0f, 1.0f, 0.0f}, 128, 0, 0, true, 0.0f},
    // huggingface.co/openai/gpt-oss-120b/blob/main/config.json
    {"gpt-oss-120b", "gpt-oss-120b", "gpt-oss", 201088, 2880, 36, 131072, 64, 8, 64, 64, 2880, 128, 4, 2880, 0, 0,
     150000.0f, 64, 1e-5f, {32.0f, 4096, 32.0f, 1.0f, 0.0f}, 128, 0, 0, true, 0.0f},
};

}  // namespace

std::span<const ShapeConfig> all_shapes() { return kShapes; }

const ShapeConfig* find_shape(std::string_view name) {
  auto it = std::find_if(std::begin(kShapes), std::end(kShapes), [&](const ShapeConfig& s) { return s.name == name; });
  return it == std::end(kShapes) ? nullptr : it;
}

std::string shape_names() {
  std::string out;
  for (const auto& s : kShapes) out += std::string(out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

}  // namespace vkmoe::synth
