#version 450
// Dispatch plan in a single workgroup of (at least) n_expert invocations: invocation e owns
// expert e. The entries (ids, T * k of them) are walked in chunks staged in shared memory;
// pass 1 counts each expert's entries, a serial scan turns counts into offsets, pass 2 hands
// out rows in entry order. No atomics, so the plan depends on the ids alone. The scan also
// lists the GEMV's row tiles, so an expert matmul finds its tile in one read instead of a
// walk over the experts. See engine/kernels/moe_dispatch.h for the outputs.
#include "compute_common.glsl"

layout(std430, binding = 0) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 1) writeonly buffer Offsets { uint offsets[]; };
layout(std430, binding = 2) writeonly buffer Rows { uint rows[]; };
layout(std430, binding = 3) writeonly buffer Sources { uint sources[]; };
layout(std430, binding = 4) writeonly buffer Tiles { uvec2 tiles[]; };

layout(push_constant) uniform Push {
  uint n_entries;
  uint n_expert;
  uint tile_height;    // rows per GEMV tile
  uint tile_capacity;  // entries of `tiles`
} p;

const uint kNoRow = 0xffffffffu;
const uint kNoTile = 0xffffffffu;
const uint kMaxChunk = 1024;

shared uint chunk[kMaxChunk];
const uint kMaxExperts = 256;
shared uint start[kMaxExperts + 1];
shared uint tile_count;

// Stages entries [base, base + len) in `chunk`; returns len. Surrounded by barriers.
uint stage(uint base) {
  uint wg = gl_WorkGroupSize.x;
  barrier();
  uint i = base + gl_LocalInvocationID.x;
  if (i < p.n_entries) chunk[gl_LocalInvocationID.x] = ids[i];
  barrier();
  return min(wg, p.n_entries - base);
}

void main() {
  uint e = gl_LocalInvocationID.x;
  uint wg = gl_WorkGroupSize.x;

  uint count = 0;
  for (uint base = 0; base < p.n_entries; base += wg) {
    uint len = stage(base);
    if (e < p.n_expert) {
      for (uint j = 0; j < len; ++j) count += chunk[j] == e ? 1 : 0;
    }
  }
  if (e < p.n_expert) start[e] = count;
  barrier();
  if (e == 0) {
    uint sum = 0;
    for (uint x = 0; x < p.n_expert; ++x) {
      uint c = start[x];
      start[x] = sum;
      offsets[x] = sum;
      sum += c;
    }
    start[p.n_expert] = sum;
    offsets[p.n_expert] = sum;
    uint n = 0;
    for (uint x = 0; x < p.n_expert; ++x) {
      for (uint r = start[x]; r < start[x + 1] && n < p.tile_capacity; r += p.tile_height) tiles[n++] = uvec2(x, r);
    }
    tile_count = n;
  }
  barrier();
  for (uint i = tile_count + e; i < p.tile_capacity; i += wg) tiles[i] = uvec2(kNoTile, 0u);

  uint total = start[p.n_expert];
  for (uint r = total + e; r < p.n_entries; r += wg) sources[r] = kNoRow;
  uint next = e < p.n_expert ? start[e] : 0;
  for (uint base = 0; base < p.n_entries; base += wg) {
    uint len = stage(base);
    if (e < len && chunk[e] >= p.n_expert) rows[base + e] = kNoRow;
    if (e < p.n_expert) {
      for (uint j = 0; j < len; ++j) {
        if (chunk[j] == e) {
          rows[base + j] = next;
          sources[next] = base + j;
          ++next;
        }
      }
    }
  }
}
