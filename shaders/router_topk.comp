#version 450
// Router top-k, one workgroup per token; the steps are described in
// engine/kernels/router_topk.h. logits is (T, n_expert); bias is (n_expert); ids and weights
// are (T, k), best choice first. Every ranking counts how many candidates beat a candidate,
// with ties going to the lower index, so the result does not depend on thread timing.
// PLAN_DISPATCH (one token): also writes moe_dispatch.comp's plan for it (offsets, rows,
// sources, GEMV tiles; engine/kernels/moe_dispatch.h), the same values, so a decode step's
// MoE layer needs no dispatch kernel and no barrier before it.
// ROUTER_LOGITS (with PLAN_DISPATCH and WEIGHT_F32, WEIGHT_F16 or WEIGHT_BF16): the router's
// matmul as well. Workgroup g computes logits[e] = W[e, :] · x for experts_per_group experts
// from e = g * experts_per_group, a subgroup per expert (per 4 with TEXEL_READS), its lanes
// over 4-element runs; the last workgroup to finish (a ticket counter) then chooses, so a
// decode step's router is one dispatch with no barrier inside.
// TEXEL_READS (with ROUTER_LOGITS, for CPU drivers): W and x come from texel views of their
// bindings (W as 16-byte quads for F32, 8-byte words for F16 and BF16; x as quads), which such
// a driver fetches for all lanes at once where it loads a storage buffer lane by lane.
#include "compute_common.glsl"
#include "workgroup_reduce.glsl"

#if defined(ROUTER_LOGITS)
layout(std430, binding = 0) coherent buffer Logits { float logits[]; };
#else
layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
#endif
layout(std430, binding = 1) readonly buffer Bias { float bias[]; };
layout(std430, binding = 2) writeonly buffer Ids { uint ids[]; };
layout(std430, binding = 3) writeonly buffer Weights { float weights[]; };
#if defined(PLAN_DISPATCH)
layout(std430, binding = 4) writeonly buffer Offsets { uint offsets[]; };
layout(std430, binding = 5) writeonly buffer Rows { uint rows[]; };
layout(std430, binding = 6) writeonly buffer Sources { uint sources[]; };
layout(std430, binding = 7) writeonly buffer Tiles { uvec2 tiles[]; };
#endif
#if defined(ROUTER_LOGITS)
// W (n_expert, hidden) in its file's float format, 4 elements an entry; x (hidden).
#if defined(TEXEL_READS)
layout(binding = 11) uniform usamplerBuffer router_w_texels;  // binding 8's runs: quads (F32), words
layout(binding = 12) uniform usamplerBuffer x_quads;          // binding 9's runs
#if defined(WEIGHT_F32)
#define ROUTER_W_RUN_BITS(i) texelFetch(router_w_texels, int(i))
#else
#define ROUTER_W_RUN_BITS(i) texelFetch(router_w_texels, int(i)).xy
#endif
vec4 x_run(uint i) { return uintBitsToFloat(texelFetch(x_quads, int(i))); }
#else
#if defined(WEIGHT_F32)
layout(std430, binding = 8) readonly buffer RouterW { uvec4 router_w[]; };
#else
layout(std430, binding = 8) readonly buffer RouterW { uvec2 router_w[]; };
#endif
#define ROUTER_W_RUN_BITS(i) router_w[i]
layout(std430, binding = 9) readonly buffer X { vec4 x4[]; };
vec4 x_run(uint i) { return x4[i]; }
#endif
// Run i of W (4 elements) from its bits: 16 bytes (F32) or 8 (F16, BF16; element 2j in the low
// half of word j).
#if defined(WEIGHT_F32)
vec4 router_w_run(uint i) { return uintBitsToFloat(ROUTER_W_RUN_BITS(i)); }
#elif defined(WEIGHT_F16)
vec4 router_w_run(uint i) {
  uvec2 v = ROUTER_W_RUN_BITS(i);
  return vec4(unpackHalf2x16(v.x), unpackHalf2x16(v.y));
}
#elif defined(WEIGHT_BF16)
vec4 router_w_run(uint i) {
  uvec2 v = ROUTER_W_RUN_BITS(i);
  return uintBitsToFloat(uvec4(v.x << 16, v.x & 0xffff0000u, v.y << 16, v.y & 0xffff0000u));
}
#else
#error "ROUTER_LOGITS needs WEIGHT_F32, WEIGHT_F16 or WEIGHT_BF16"
#endif
layout(std430, binding = 10) coherent buffer Ticket { uint ticket; };
#endif

layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_expert;
  uint k;
  uint score;        // 0 softmax, 1 sigmoid, 2 logits
  uint bias_use;     // 0 none, 1 add to logits, 2 add for selection
  uint norm;         // 0 none, 1 sum to one, 2 softmax over the chosen
  uint n_group;
  uint topk_group;
  uint group_top_n;  // 1 or 2
  float scale;
#if defined(ROUTER_LOGITS)
  uint hidden;             // a multiple of 4
  uint experts_per_group;
#endif
} p;

const uint kMaxExperts = 256;
const uint kMaxK = 16;
const float kNegInf = -1.0 / 0.0;

shared float score[kMaxExperts];       // what the weights are made of
shared float key[kMaxExperts];         // what the selection ranks
shared float group_score[kMaxExperts];
shared uint chosen_id[kMaxK];
shared float chosen_weight[kMaxK];

bool beats(float a, uint ia, float b, uint ib) { return a > b || (a == b && ia < ib); }

void choose_experts(uint token) {
  uint lid = gl_LocalInvocationID.x;
  uint wg = gl_WorkGroupSize.x;
  uint base = token * p.n_expert;

  float local_max = kNegInf;
  for (uint e = lid; e < p.n_expert; e += wg) {
    float x = logits[base + e];
    if (p.bias_use == 1) x += bias[e];
    if (isnan(x)) x = kNegInf;
    score[e] = x;
    local_max = max(local_max, x);
  }
  if (p.score == 0) {
    float m = workgroup_max(local_max);
    for (uint e = lid; e < p.n_expert; e += wg) score[e] = exp(score[e] - m);
    barrier();
    // Every invocation sums in expert order, not through a subgroup reduction, whose order
    // Vulkan leaves to the implementation (lavapipe's differs between shaders at 4 lanes): the
    // one-token router with its matmul and without must choose and weigh to the bit.
    float sum = 0.0;
    for (uint e = 0; e < p.n_expert; ++e) sum += score[e];
    barrier();
    const float inv = 1.0 / sum;
    for (uint e = lid; e < p.n_expert; e += wg) score[e] *= inv;
  } else if (p.score == 1) {
    for (uint e = lid; e < p.n_expert; e += wg) score[e] = 1.0 / (1.0 + exp(-score[e]));
  }
  for (uint e = lid; e < p.n_expert; e += wg) key[e] = p.bias_use == 2 ? score[e] + bias[e] : score[e];
  barrier();

  if (p.n_group > 1) {
    uint group_size = p.n_expert / p.n_group;
    for (uint g = lid; g < p.n_group; g += wg) {
      float best = kNegInf, second = kNegInf;
      for (uint e = g * group_size; e < (g + 1) * group_size; ++e) {
        float v = key[e];
        if (v > best) {
          second = best;
          best = v;
        } else if (v > second) {
          second = v;
        }
      }
      group_score[g] = p.group_top_n == 2 ? best + second : best;
    }
    barrier();
    for (uint e = lid; e < p.n_expert; e += wg) {
      uint g = e / group_size;
      uint rank = 0;
      for (uint h = 0; h < p.n_group; ++h) rank += beats(group_score[h], h, group_score[g], g) ? 1 : 0;
      if (rank >= p.topk_group) key[e] = kNegInf;
    }
    barrier();
  }

  for (uint e = lid; e < p.n_expert; e += wg) {
    float mine = key[e];
    uint rank = 0;
    for (uint f = 0; f < p.n_expert; ++f) rank += beats(key[f], f, mine, e) ? 1 : 0;
    if (rank < p.k) {
      chosen_id[rank] = e;
      chosen_weight[rank] = score[e];
    }
  }
  barrier();

  if (lid == 0) {
    if (p.norm == 2) {
      float m = chosen_weight[0];
      for (uint j = 1; j < p.k; ++j) m = max(m, chosen_weight[j]);
      for (uint j = 0; j < p.k; ++j) chosen_weight[j] = exp(chosen_weight[j] - m);
    }
    float inv = 1.0;
    if (p.norm != 0) {
      float sum = 0.0;
      for (uint j = 0; j < p.k; ++j) sum += chosen_weight[j];
      inv = 1.0 / sum;
    }
    for (uint j = 0; j < p.k; ++j) chosen_weight[j] *= inv * p.scale;
  }
  barrier();
  for (uint j = lid; j < p.k; j += wg) {
    ids[token * p.k + j] = chosen_id[j];
    weights[token * p.k + j] = chosen_weight[j];
  }
#if defined(PLAN_DISPATCH)
  // The only token's k experts are distinct, so in the grouped order each holds one row, the
  // experts ascending, and one GEMV tile: entry j's row is the number of chosen experts below
  // its own.
  for (uint e = lid; e <= p.n_expert; e += wg) {
    uint below = 0u;
    for (uint j = 0u; j < p.k; ++j) below += chosen_id[j] < e ? 1u : 0u;
    offsets[e] = below;
  }
  for (uint j = lid; j < p.k; j += wg) {
    uint row = 0u;
    for (uint i = 0u; i < p.k; ++i) row += chosen_id[i] < chosen_id[j] ? 1u : 0u;
    rows[j] = row;
    sources[row] = j;
    tiles[row] = uvec2(chosen_id[j], row);
  }
#endif
}

#if defined(ROUTER_LOGITS)
shared bool g_last_workgroup;

#if defined(TEXEL_READS)
// A subgroup takes this many experts at once and fetches each run of x once for all of them
// (kTexelExpertsPerSubgroup in router_topk.cpp).
const uint EXPERTS_PER_SUBGROUP = 4u;
#else
const uint EXPERTS_PER_SUBGROUP = 1u;
#endif

void router_logits(uint group) {
  const uint runs = p.hidden / 4;
  const uint end = min((group + 1) * p.experts_per_group, p.n_expert);
  const uint stride = gl_NumSubgroups * EXPERTS_PER_SUBGROUP;
  for (uint first = group * p.experts_per_group + gl_SubgroupID * EXPERTS_PER_SUBGROUP; first < end; first += stride) {
    float s[EXPERTS_PER_SUBGROUP];
    [[unroll]] for (uint j = 0u; j < EXPERTS_PER_SUBGROUP; ++j) s[j] = 0.0;
    for (uint i = gl_SubgroupInvocationID; i < runs; i += gl_SubgroupSize) {
      const vec4 x_i = x_run(i);
      // An expert past the end reads the last one's run again rather than branch.
      [[unroll]] for (uint j = 0u; j < EXPERTS_PER_SUBGROUP; ++j) {
        s[j] += dot(router_w_run(min(first + j, end - 1u) * runs + i), x_i);
      }
    }
    [[unroll]] for (uint j = 0u; j < EXPERTS_PER_SUBGROUP; ++j) {
      const float sum = subgroupAdd(s[j]);
      if (first + j < end && subgroupElect()) logits[first + j] = sum;
    }
  }
}
#endif

void main() {
#if defined(ROUTER_LOGITS)
  router_logits(flat_group_index());
  // Publish this workgroup's logits before taking a ticket; the last ticket sees them all.
  memoryBarrierBuffer();
  barrier();
  if (gl_LocalInvocationIndex == 0) g_last_workgroup = atomicAdd(ticket, 1) == gl_NumWorkGroups.x * gl_NumWorkGroups.y - 1;
  barrier();
  if (!g_last_workgroup) return;
  memoryBarrierBuffer();
  if (gl_LocalInvocationIndex == 0) ticket = 0;
  choose_experts(0);
#else
  uint token = flat_group_index();
  if (token >= p.n_tokens) return;
  choose_experts(token);
#endif
}
