// Shared by the attention shaders: the push block (mirrors kernels::AttentionPush), head
// dims as specialization constants, the cache element type, and which keys a query sees.
//
// q is (T, n_head, HEAD_DIM_K); the caches are K (n_head_kv, max_ctx, HEAD_DIM_K) and
// V (n_head_kv, max_ctx, HEAD_DIM_V); out is (T, n_head, HEAD_DIM_V). Query head h reads kv
// head h / (n_head / n_head_kv).
layout(constant_id = 1) const uint HEAD_DIM_K = 128;
layout(constant_id = 2) const uint HEAD_DIM_V = 128;

#ifdef KV_F16
#define KV_TYPE float16_t
#else
#define KV_TYPE float
#endif

layout(push_constant) uniform Push {
  uint tokens;
  uint n_head;
  uint n_head_kv;
  uint n_kv;       // cache rows 0..n_kv-1 hold keys
  uint max_ctx;    // cache rows per kv head
  uint window;     // 0: full causal; else a query at p sees keys p-window+1..p
  uint has_sinks;  // sinks[h]: one logit per head, added to the softmax denominator only
  uint split_len;  // decode: keys per split
  uint n_splits;
  float scale;
} p;

const float kNegInf = -1.0 / 0.0;

uint kv_head_of(uint h) { return h / (p.n_head / p.n_head_kv); }

// Keys [first, end) visible to a query at `pos`: causal (key <= pos), inside the sliding
// window (key > pos - window, transformers' sliding_window_overlay) and inside the cache.
uint visible_end(uint pos) { return min(pos, p.n_kv - 1u) + 1u; }
uint visible_first(uint pos) { return (p.window != 0u && pos >= p.window) ? pos - p.window + 1u : 0u; }
