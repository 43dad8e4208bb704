#pragma once
// Which storage-buffer bindings a compute shader reads and which it writes, from the
// NonWritable / NonReadable decorations glslang emits for `readonly` / `writeonly` blocks.
// The profiler charges each dispatch the bytes of its bound ranges by these roles.
#include <cstdint>
#include <span>
#include <vector>

namespace vkmoe::vk {

struct BindingAccess {
  bool read = true;
  bool written = true;
};

// One entry per binding 0..buffer_count-1 of descriptor set 0; a binding the shader does not
// declare reads and writes nothing. Throws Error(kInternal) on SPIR-V it cannot walk.
std::vector<BindingAccess> shader_binding_access(std::span<const uint32_t> spirv, uint32_t buffer_count);

}  // namespace vkmoe::vk
