// Gated activations of one (gate, up) pair, shared by swiglu.comp and the gated GEMV so both
// compute the same bits (engine/kernels/activation.h gives the formulas).
float sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

float swiglu(float g, float u) { return g * sigmoid(g) * u; }

// gpt-oss: alpha 1.702, limit 7.
float clamped_swiglu(float g, float u, float alpha, float limit) {
  g = min(g, limit);
  u = clamp(u, -limit, limit);
  return (u + 1.0) * (g * sigmoid(alpha * g));
}
