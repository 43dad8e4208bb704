#version 450
// One triangle that covers the screen; the fragment shader paints the scene.
layout(location = 0) out vec2 uv;

void main() {
  const vec2 corners[3] = vec2[](vec2(-1.0, -1.0), vec2(3.0, -1.0), vec2(-1.0, 3.0));
  gl_Position = vec4(corners[gl_VertexIndex], 0.0, 1.0);
  uv = corners[gl_VertexIndex] * 0.5 + 0.5;
}
