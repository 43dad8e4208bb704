#pragma once
// One compute pipeline: SPIR-V + specialization constants, its layout of N storage buffers
// (bindings 0..N-1, bound with push descriptors), texel-buffer views of some of them
// (texel_views.h) and a push-constant block.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/vk/spirv_access.h"
#include "engine/vk/texel_views.h"

namespace vkmoe::vk {

class Device;

// A uniform texel buffer at `binding` that views the range bound to storage binding `buffer`
// as `format` texels: dispatch binds it from that range, so callers pass only the storage
// buffers.
struct TexelBinding {
  uint32_t binding;
  uint32_t buffer;
  TexelFormat format;
};

struct PipelineDesc {
  std::string name;                       // embedded shader name, for errors and profiles
  uint32_t buffer_count = 0;              // storage buffers at bindings 0..buffer_count-1
  uint32_t push_constant_bytes = 0;
  std::span<const uint32_t> spec_constants;  // constant_id i gets spec_constants[i]
  uint32_t required_subgroup_size = 0;    // 0: driver's choice
  std::span<const TexelBinding> texel_bindings;
};

class ComputePipeline {
 public:
  static std::unique_ptr<ComputePipeline> create(Device& device, VkPipelineCache cache, const PipelineDesc& desc,
                                                 std::span<const uint32_t> spirv);
  ~ComputePipeline();
  ComputePipeline(const ComputePipeline&) = delete;
  ComputePipeline& operator=(const ComputePipeline&) = delete;

  VkPipeline handle() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  const std::string& name() const { return name_; }
  uint32_t buffer_count() const { return buffer_count_; }
  uint32_t push_constant_bytes() const { return push_constant_bytes_; }
  const std::vector<TexelBinding>& texel_bindings() const { return texel_bindings_; }
  // Per binding, whether the shader reads and writes it (for the profiler's byte counts).
  const std::vector<BindingAccess>& binding_access() const { return access_; }

 private:
  explicit ComputePipeline(Device& device) : device_(device) {}
  Device& device_;
  std::string name_;
  uint32_t buffer_count_ = 0;
  uint32_t push_constant_bytes_ = 0;
  std::vector<TexelBinding> texel_bindings_;
  std::vector<BindingAccess> access_;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkShaderModule module_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

}  // namespace vkmoe::vk
