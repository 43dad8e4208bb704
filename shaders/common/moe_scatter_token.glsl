// One token's weighted scatter back into the residual stream, by one workgroup, shared by
// moe_scatter.comp and the GEMV's scatter epilogue (matmul_gemv.comp):
//   out[t, :] (+)= sum_j weights[t, j] * y[rows[t * k + j], :], j = 0..k-1 in order
// with y (T * k, H) the routed rows' outputs, rows and weights (T, k), out (T, H); rows at or
// past T * k (kNoRow) contribute nothing. SCATTER_NORM adds the next layer's input norm:
//   normed[t, :] = RMSNorm(out[t, :]) * norm_weight
// with the norm kernel's operations in its order. Invocation i takes elements i, i + W, ...
// of a workgroup of W, so a kernel gives these bits for any W it shares with another.
//
// The includer declares scatter_rows, scatter_weights, scatter_out, a function
// scatter_y_at(i) giving element i of y, and, with SCATTER_NORM, scatter_norm_weight and
// scatter_normed, and includes workgroup_reduce.glsl.

// Returns this invocation's share of sum(out[t, :]^2), for scatter_norm.
float scatter_token(uint t, uint n_tokens, uint k, uint hidden, bool accumulate) {
  const uint n_rows = n_tokens * k;
  float sum_sq = 0.0;
  for (uint h = gl_LocalInvocationID.x; h < hidden; h += gl_WorkGroupSize.x) {
    float acc = 0.0;
    for (uint j = 0; j < k; ++j) {
      uint r = scatter_rows[t * k + j];
      if (r < n_rows) acc += scatter_weights[t * k + j] * scatter_y_at(r * hidden + h);
    }
    uint o = t * hidden + h;
    float v = accumulate ? scatter_out[o] + acc : acc;
    scatter_out[o] = v;
    sum_sq += v * v;
  }
  return sum_sq;
}

#if defined(SCATTER_NORM)
// Every invocation of the workgroup calls this (a workgroup reduction); each reads back only
// the elements it wrote in scatter_token.
void scatter_norm(uint t, uint hidden, float eps, float sum_sq) {
  float scale = inversesqrt(workgroup_sum(sum_sq) / float(hidden) + eps);
  for (uint h = gl_LocalInvocationID.x; h < hidden; h += gl_WorkGroupSize.x) {
    uint o = t * hidden + h;
    scatter_normed[o] = scatter_out[o] * scale * scatter_norm_weight[h];
  }
}
#endif
