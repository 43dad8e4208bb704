#version 450
// An animated scene that costs the GPU something every frame: layered interference rings and
// a rotating bar field, a few dozen iterations per pixel.
layout(location = 0) in vec2 uv;
layout(location = 0) out vec4 color;

// Mirrors ScenePush in scene_renderer.h.
layout(push_constant) uniform ScenePush {
  float time_s;
  float aspect;
  uint iterations;
} push;

void main() {
  vec2 p = (uv - 0.5) * vec2(push.aspect, 1.0) * 4.0;
  float t = push.time_s;
  float c = 0.0;
  for (uint i = 0u; i < push.iterations; ++i) {
    float k = float(i) * 0.37 + 1.0;
    vec2 q = p * k + vec2(sin(t * 0.7 + k), cos(t * 0.5 - k));
    c += sin(length(q) * 3.0 - t * 2.0) / k;
  }
  float angle = t * 0.8;
  vec2 r = mat2(cos(angle), -sin(angle), sin(angle), cos(angle)) * p;
  float bars = smoothstep(0.45, 0.5, abs(fract(r.x * 1.5) - 0.5));
  color = vec4(0.5 + 0.5 * sin(c + vec3(0.0, 2.1, 4.2)), 1.0) * (0.75 + 0.25 * bars);
}
