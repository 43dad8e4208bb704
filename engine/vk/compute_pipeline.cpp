#include "engine/vk/compute_pipeline.h"

#include <vector>

#include "engine/vk/check.h"
#include "engine/vk/device.h"

namespace vkmoe::vk {

std::unique_ptr<ComputePipeline> ComputePipeline::create(Device& device, VkPipelineCache cache, const PipelineDesc& desc,
                                                         std::span<const uint32_t> spirv) {
  if (spirv.empty()) throw Error(ErrorCode::kInternal, "shader '" + desc.name + "' is not embedded in this build");
  if (desc.push_constant_bytes > device.caps().max_push_constants) {
    throw Error(ErrorCode::kUnsupported, "shader '" + desc.name + "' needs " + std::to_string(desc.push_constant_bytes) +
                                             " bytes of push constants; the device allows " +
                                             std::to_string(device.caps().max_push_constants));
  }
  std::unique_ptr<ComputePipeline> self(new ComputePipeline(device));
  self->name_ = desc.name;
  self->buffer_count_ = desc.buffer_count;
  self->push_constant_bytes_ = desc.push_constant_bytes;
  self->access_ = shader_binding_access(spirv, desc.buffer_count);
  VkDevice dev = device.handle();

  std::vector<VkDescriptorSetLayoutBinding> bindings(desc.buffer_count);
  for (uint32_t i = 0; i < desc.buffer_count; ++i) {
    bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  }
  for (const TexelBinding& t : desc.texel_bindings) {
    if (t.binding < desc.buffer_count || t.buffer >= desc.buffer_count) {
      throw Error(ErrorCode::kInternal, "shader '" + desc.name + "': texel binding " + std::to_string(t.binding) +
                                            " overlaps the storage buffers or views a binding it does not have");
    }
    bindings.push_back({t.binding, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr});
  }
  self->texel_bindings_.assign(desc.texel_bindings.begin(), desc.texel_bindings.end());
  VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  set_info.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  set_info.bindingCount = static_cast<uint32_t>(bindings.size());
  set_info.pBindings = bindings.data();
  VKMOE_VK_CHECK(vkCreateDescriptorSetLayout(dev, &set_info, nullptr, &self->set_layout_));

  VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, desc.push_constant_bytes};
  VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &self->set_layout_;
  layout_info.pushConstantRangeCount = desc.push_constant_bytes > 0 ? 1 : 0;
  layout_info.pPushConstantRanges = &push;
  VKMOE_VK_CHECK(vkCreatePipelineLayout(dev, &layout_info, nullptr, &self->layout_));

  VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  module_info.codeSize = spirv.size_bytes();
  module_info.pCode = spirv.data();
  VKMOE_VK_CHECK(vkCreateShaderModule(dev, &module_info, nullptr, &self->module_));

  std::vector<VkSpecializationMapEntry> entries(desc.spec_constants.size());
  for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = {i, i * 4u, 4};
  VkSpecializationInfo spec{static_cast<uint32_t>(entries.size()), entries.data(), desc.spec_constants.size_bytes(),
                            desc.spec_constants.data()};

  VkPipelineShaderStageRequiredSubgroupSizeCreateInfo subgroup{
      VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO};
  subgroup.requiredSubgroupSize = desc.required_subgroup_size;
  VkPipelineShaderStageCreateInfo stage{VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  stage.module = self->module_;
  stage.pName = "main";
  stage.pSpecializationInfo = entries.empty() ? nullptr : &spec;
  if (desc.required_subgroup_size != 0 && device.caps().subgroup_size_control) {
    stage.pNext = &subgroup;
    stage.flags = VK_PIPELINE_SHADER_STAGE_CREATE_REQUIRE_FULL_SUBGROUPS_BIT;
  }
  VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  info.stage = stage;
  info.layout = self->layout_;
  VkResult r = vkCreateComputePipelines(dev, cache, 1, &info, nullptr, &self->pipeline_);
  if (r != VK_SUCCESS) {
    throw Error(r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ? ErrorCode::kOutOfMemory : ErrorCode::kInternal,
                "creating pipeline '" + desc.name + "' failed with " + result_name(r));
  }
  return self;
}

ComputePipeline::~ComputePipeline() {
  VkDevice dev = device_.handle();
  if (pipeline_ != VK_NULL_HANDLE) vkDestroyPipeline(dev, pipeline_, nullptr);
  if (module_ != VK_NULL_HANDLE) vkDestroyShaderModule(dev, module_, nullptr);
  if (layout_ != VK_NULL_HANDLE) vkDestroyPipelineLayout(dev, layout_, nullptr);
  if (set_layout_ != VK_NULL_HANDLE) vkDestroyDescriptorSetLayout(dev, set_layout_, nullptr);
}

}  // namespace vkmoe::vk
