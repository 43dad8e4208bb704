#version 450
// What a sampler needs from one row of logits, so that a sampled decode step reads back the
// tokens that can be drawn instead of the whole vocabulary. Two dispatches over x (n floats),
// 64 invocations a workgroup, workgroup g owning the chunk [g * 4096, (g + 1) * 4096) of which
// invocation i reads x[g * 4096 + i + 64 * j], j < 64. (Few invocations with many logits each:
// a CPU driver pays for every invocation of a workgroup at each barrier.)
//
// STATS: each workgroup writes its chunk's max m_g, its sum s_g = Σ exp((x − m_g) / T) (0 when
// inv_temperature is 0: a top-k draw needs no total) and the maxima of its 16 sub-chunks
// (sub-chunk s: what invocations 4s .. 4s + 3 read). The last
// workgroup to finish (a ticket counter) combines them into
//   max_logit    M = max_g m_g
//   weight_total Z = Σ_g s_g exp((m_g − M) / T)
//   floor          = min(M − margin, the min_count-th largest sub-chunk maximum)
// (min_count distinct sub-chunks reach that maximum, so at least min_count tokens reach the
// floor; −inf when min_count exceeds the sub-chunks), and copies the logits of the window's
// token ids (the repetition penalty's tokens, whose logits the host adjusts).
// LIST: every token with x >= floor is appended as (id, logit), in no particular order;
// `listed` counts them all, and those past `capacity` are not written.
// NaN logits are never the max, never summed and never listed.
//
// Both tickets and the list counter return to 0 by the end of each pair of dispatches, so
// the scratch buffer needs zeroing once, when it is created.
#include "compute_common.glsl"
#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
// partial: chunk maxima [groups], chunk sums [groups], sub-chunk maxima [groups * 16].
layout(std430, binding = 1) coherent buffer Scratch {
  uint stats_ticket;
  uint list_ticket;
  uint list_count;
  float list_floor;
  float partial[];
} scratch;
// words: window ids [window_capacity], window logits [window_capacity] (float bits), then
// (id, logit bits) entries [capacity]. The host writes the window ids before the step.
layout(std430, binding = 2) buffer Result {
  uint listed;
  float max_logit;
  float weight_total;
  float floor_logit;
  uint words[];
} result;

layout(push_constant) uniform Push {
  uint n;
  uint groups;
  float inv_temperature;
  float margin;
  uint min_count;
  uint window_size;
  uint window_capacity;
  uint capacity;
} p;

const uint kWorkgroup = 64;
const uint kPerInvocation = 64;
const uint kChunk = kWorkgroup * kPerInvocation;
const uint kSubChunks = 16;  // per workgroup
const uint kLanesPerSubChunk = kWorkgroup / kSubChunks;
const float kNegInf = -1.0 / 0.0;

#if defined(STATS)
shared float lane_max[kWorkgroup];
shared bool is_last;
shared float kth_sub_max;

// x[index], with NaN and indices past n as −inf.
float logit_at(uint index) {
  if (index >= p.n) return kNegInf;
  float v = x[index];
  return isnan(v) ? kNegInf : v;
}

// An order-preserving key of a float: a < b exactly when key(a) < key(b) (−0 below +0).
uint order_key(float v) {
  uint b = floatBitsToUint(v);
  return (b & 0x80000000u) != 0 ? ~b : b | 0x80000000u;
}

float from_order_key(uint k) { return uintBitsToFloat((k & 0x80000000u) != 0 ? k & 0x7fffffffu : ~k); }

// The k-th largest of the sub-chunk maxima, bit by bit from the top: the largest key with at
// least k maxima at or above it. One subgroup does it, so the 32 rounds need no barrier.
float kth_largest_sub_max(uint k, uint subs) {
  const uint base = 2 * p.groups;
  uint key = 0;
  for (int bit = 31; bit >= 0; --bit) {
    const uint trial = key | (1u << uint(bit));
    uint count = 0;
    for (uint i = gl_SubgroupInvocationID; i < subs; i += gl_SubgroupSize) {
      count += order_key(scratch.partial[base + i]) >= trial ? 1 : 0;
    }
    if (subgroupAdd(count) >= k) key = trial;
  }
  return from_order_key(key);
}

void main() {
  const uint g = flat_group_index();
  const uint lid = gl_LocalInvocationID.x;
  float own_max = kNegInf;
  [[unroll]] for (uint j = 0; j < kPerInvocation; ++j) own_max = max(own_max, logit_at(g * kChunk + lid + kWorkgroup * j));
  lane_max[lid] = own_max;
  const float chunk_max = workgroup_max(own_max);
  // The chunk again (from cache) rather than 64 values held across the reduction.
  float own_sum = 0.0;
  if (chunk_max > kNegInf && p.inv_temperature > 0.0) {
    [[unroll]] for (uint j = 0; j < kPerInvocation; ++j) {
      own_sum += exp((logit_at(g * kChunk + lid + kWorkgroup * j) - chunk_max) * p.inv_temperature);
    }
  }
  const float chunk_sum = workgroup_sum(own_sum);
  barrier();
  if (lid < kSubChunks) {
    float m = kNegInf;
    for (uint q = 0; q < kLanesPerSubChunk; ++q) m = max(m, lane_max[lid * kLanesPerSubChunk + q]);
    scratch.partial[2 * p.groups + g * kSubChunks + lid] = m;
  }
  if (lid == 0) {
    scratch.partial[g] = chunk_max;
    scratch.partial[p.groups + g] = chunk_sum;
  }
  // Publish this workgroup's partials before taking a ticket; the last ticket sees them all.
  memoryBarrierBuffer();
  barrier();
  if (lid == 0) is_last = atomicAdd(scratch.stats_ticket, 1) == p.groups - 1;
  barrier();
  if (!is_last) return;
  memoryBarrierBuffer();

  float m = kNegInf;
  for (uint i = lid; i < p.groups; i += kWorkgroup) m = max(m, scratch.partial[i]);
  const float max_logit = workgroup_max(m);
  float z = 0.0;
  for (uint i = lid; i < p.groups; i += kWorkgroup) {
    const float mg = scratch.partial[i];
    if (mg > kNegInf && p.inv_temperature > 0.0) z += scratch.partial[p.groups + i] * exp((mg - max_logit) * p.inv_temperature);
  }
  const float weight_total = workgroup_sum(z);
  float floor_logit = max_logit - p.margin;
  const uint subs = p.groups * kSubChunks;
  if (p.min_count > 0 && p.min_count <= subs) {
    if (gl_SubgroupID == 0) {
      const float kth = kth_largest_sub_max(p.min_count, subs);
      if (subgroupElect()) kth_sub_max = kth;
    }
    barrier();
    floor_logit = min(floor_logit, kth_sub_max);
  } else if (p.min_count > subs) {
    floor_logit = kNegInf;
  }
  for (uint i = lid; i < p.window_size; i += kWorkgroup) {
    const uint id = result.words[i];
    result.words[p.window_capacity + i] = floatBitsToUint(id < p.n ? x[id] : uintBitsToFloat(0x7fc00000u));
  }
  if (lid == 0) {
    scratch.stats_ticket = 0;
    scratch.list_count = 0;
    scratch.list_floor = floor_logit;
    result.max_logit = max_logit;
    result.weight_total = weight_total;
    result.floor_logit = floor_logit;
  }
}

#elif defined(LIST)
void main() {
  const uint g = flat_group_index();
  const uint lid = gl_LocalInvocationID.x;
  const float floor_logit = scratch.list_floor;
  const uint entries = 2 * p.window_capacity;
  // One atomic per subgroup and round: the subgroup's count reserves its slots, which its
  // passing lanes share out in lane order.
  for (uint j = 0; j < kPerInvocation; ++j) {
    const uint index = g * kChunk + lid + kWorkgroup * j;
    const float v = index < p.n ? x[index] : kNegInf;
    const uint passes = index < p.n && v >= floor_logit ? 1 : 0;
    const uint subgroup_passes = subgroupAdd(passes);
    if (subgroup_passes == 0) continue;
    uint first = 0;
    if (subgroupElect()) first = atomicAdd(scratch.list_count, subgroup_passes);
    const uint slot = subgroupMax(first) + subgroupExclusiveAdd(passes);
    if (passes != 0 && slot < p.capacity) {
      result.words[entries + 2 * slot] = index;
      result.words[entries + 2 * slot + 1] = floatBitsToUint(v);
    }
  }
  memoryBarrierBuffer();
  barrier();
  if (lid == 0 && atomicAdd(scratch.list_ticket, 1) == p.groups - 1) {
    result.listed = atomicAdd(scratch.list_count, 0);
    scratch.list_ticket = 0;
  }
}
#endif
