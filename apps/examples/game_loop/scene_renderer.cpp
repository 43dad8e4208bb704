#include "apps/examples/game_loop/scene_renderer.h"

#include <stdexcept>
#include <vector>

namespace {

// SPIR-V of scene.vert and scene.frag, compiled by glslc at build time.
const uint32_t kSceneVert[] = {
#include "scene.vert.spv.inc"
};
const uint32_t kSceneFrag[] = {
#include "scene.frag.spv.inc"
};

using vkmoe_host::check_vk;

VkShaderModule make_module(VkDevice device, const uint32_t* code, size_t bytes) {
  VkShaderModuleCreateInfo info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  info.codeSize = bytes;
  info.pCode = code;
  VkShaderModule module = VK_NULL_HANDLE;
  check_vk(vkCreateShaderModule(device, &info, nullptr, &module), "vkCreateShaderModule");
  return module;
}

}  // namespace

SceneRenderer::SceneRenderer(vkmoe_host::HostDevice& host, uint32_t width, uint32_t height, bool windowed, uint32_t iterations)
    : host_(host), device_(host.device()), extent_{width, height}, windowed_(windowed), iterations_(iterations) {
  if (windowed_) {
    // Unthrottled where the driver allows, so frame times measure the work, not the display.
    swapchain_ = vkmoe_host::create_swapchain(host_, {vkmoe_host::choose_surface_format(host_, {}), extent_, 0, true});
    if (swapchain_.handle == VK_NULL_HANDLE) throw std::runtime_error("the window has no area to draw into");
    format_ = swapchain_.format;
    extent_ = swapchain_.extent;
  } else {
    create_offscreen_image();
  }
  create_pipeline();
  VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = host.family();
  check_vk(vkCreateCommandPool(device_, &pool_info, nullptr, &pool_), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  alloc.commandPool = pool_;
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  check_vk(vkAllocateCommandBuffers(device_, &alloc, &cmd_), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  check_vk(vkCreateFence(device_, &fence_info, nullptr, &fence_), "vkCreateFence");
  VkSemaphoreCreateInfo semaphore_info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  if (windowed_) {
    check_vk(vkCreateSemaphore(device_, &semaphore_info, nullptr, &acquired_), "vkCreateSemaphore");
    rendered_.resize(swapchain_.images.size());
    for (auto& s : rendered_) check_vk(vkCreateSemaphore(device_, &semaphore_info, nullptr, &s), "vkCreateSemaphore");
  }
}

SceneRenderer::~SceneRenderer() {
  vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX);
  vkDestroyFence(device_, fence_, nullptr);
  for (VkSemaphore s : rendered_) vkDestroySemaphore(device_, s, nullptr);
  if (acquired_ != VK_NULL_HANDLE) vkDestroySemaphore(device_, acquired_, nullptr);
  vkDestroyCommandPool(device_, pool_, nullptr);
  vkDestroyPipeline(device_, pipeline_, nullptr);
  vkDestroyPipelineLayout(device_, layout_, nullptr);
  for (VkFramebuffer f : framebuffers_) vkDestroyFramebuffer(device_, f, nullptr);
  vkDestroyRenderPass(device_, render_pass_, nullptr);
  if (offscreen_view_ != VK_NULL_HANDLE) vkDestroyImageView(device_, offscreen_view_, nullptr);
  if (offscreen_ != VK_NULL_HANDLE) vkDestroyImage(device_, offscreen_, nullptr);
  if (offscreen_memory_ != VK_NULL_HANDLE) vkFreeMemory(device_, offscreen_memory_, nullptr);
  vkmoe_host::destroy_swapchain(device_, swapchain_);
}

void SceneRenderer::create_offscreen_image() {
  VkImageCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  info.imageType = VK_IMAGE_TYPE_2D;
  info.format = format_;
  info.extent = {extent_.width, extent_.height, 1};
  info.mipLevels = 1;
  info.arrayLayers = 1;
  info.samples = VK_SAMPLE_COUNT_1_BIT;
  info.tiling = VK_IMAGE_TILING_OPTIMAL;
  info.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT;
  check_vk(vkCreateImage(device_, &info, nullptr, &offscreen_), "vkCreateImage");
  VkMemoryRequirements req;
  vkGetImageMemoryRequirements(device_, offscreen_, &req);
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex =
      host_.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, "device-local memory for the frame image");
  check_vk(vkAllocateMemory(device_, &alloc, nullptr, &offscreen_memory_), "vkAllocateMemory");
  check_vk(vkBindImageMemory(device_, offscreen_, offscreen_memory_, 0), "vkBindImageMemory");
  offscreen_view_ = vkmoe_host::create_color_view(device_, offscreen_, format_);
}

void SceneRenderer::create_pipeline() {
  render_pass_ = vkmoe_host::create_color_pass(
      device_, format_, windowed_ ? VK_IMAGE_LAYOUT_PRESENT_SRC_KHR : VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
  const std::vector<VkImageView> targets = windowed_ ? swapchain_.views : std::vector<VkImageView>{offscreen_view_};
  for (VkImageView view : targets) framebuffers_.push_back(vkmoe_host::create_framebuffer(device_, render_pass_, view, extent_));

  VkPushConstantRange push{VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(ScenePush)};
  VkPipelineLayoutCreateInfo layout{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layout.pushConstantRangeCount = 1;
  layout.pPushConstantRanges = &push;
  check_vk(vkCreatePipelineLayout(device_, &layout, nullptr, &layout_), "vkCreatePipelineLayout");

  VkShaderModule vert = make_module(device_, kSceneVert, sizeof(kSceneVert));
  VkShaderModule frag = make_module(device_, kSceneFrag, sizeof(kSceneFrag));
  VkPipelineShaderStageCreateInfo stages[2] = {{VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO},
                                               {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO}};
  stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
  stages[0].module = vert;
  stages[0].pName = "main";
  stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
  stages[1].module = frag;
  stages[1].pName = "main";
  VkPipelineVertexInputStateCreateInfo vertex_input{VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
  VkPipelineInputAssemblyStateCreateInfo assembly{VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO};
  assembly.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  VkPipelineViewportStateCreateInfo viewport{VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO};
  viewport.viewportCount = 1;
  viewport.scissorCount = 1;
  VkPipelineRasterizationStateCreateInfo raster{VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO};
  raster.polygonMode = VK_POLYGON_MODE_FILL;
  raster.cullMode = VK_CULL_MODE_NONE;
  raster.lineWidth = 1.0f;
  VkPipelineMultisampleStateCreateInfo multisample{VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO};
  multisample.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
  VkPipelineColorBlendAttachmentState blend{};
  blend.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT;
  VkPipelineColorBlendStateCreateInfo blending{VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO};
  blending.attachmentCount = 1;
  blending.pAttachments = &blend;
  const VkDynamicState dynamic_states[] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
  VkPipelineDynamicStateCreateInfo dynamic{VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO};
  dynamic.dynamicStateCount = 2;
  dynamic.pDynamicStates = dynamic_states;
  VkGraphicsPipelineCreateInfo info{VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO};
  info.stageCount = 2;
  info.pStages = stages;
  info.pVertexInputState = &vertex_input;
  info.pInputAssemblyState = &assembly;
  info.pViewportState = &viewport;
  info.pRasterizationState = &raster;
  info.pMultisampleState = &multisample;
  info.pColorBlendState = &blending;
  info.pDynamicState = &dynamic;
  info.layout = layout_;
  info.renderPass = render_pass_;
  const VkResult r = vkCreateGraphicsPipelines(device_, VK_NULL_HANDLE, 1, &info, nullptr, &pipeline_);
  vkDestroyShaderModule(device_, vert, nullptr);
  vkDestroyShaderModule(device_, frag, nullptr);
  check_vk(r, "vkCreateGraphicsPipelines");
}

void SceneRenderer::record(VkFramebuffer framebuffer, float time_s) {
  check_vk(vkResetCommandBuffer(cmd_, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check_vk(vkBeginCommandBuffer(cmd_, &begin), "vkBeginCommandBuffer");
  VkClearValue clear{};
  VkRenderPassBeginInfo pass{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  pass.renderPass = render_pass_;
  pass.framebuffer = framebuffer;
  pass.renderArea = {{0, 0}, extent_};
  pass.clearValueCount = 1;
  pass.pClearValues = &clear;
  vkCmdBeginRenderPass(cmd_, &pass, VK_SUBPASS_CONTENTS_INLINE);
  vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline_);
  const VkViewport viewport{0, 0, float(extent_.width), float(extent_.height), 0, 1};
  const VkRect2D scissor{{0, 0}, extent_};
  vkCmdSetViewport(cmd_, 0, 1, &viewport);
  vkCmdSetScissor(cmd_, 0, 1, &scissor);
  const ScenePush push{time_s, float(extent_.width) / float(extent_.height), iterations_};
  vkCmdPushConstants(cmd_, layout_, VK_SHADER_STAGE_FRAGMENT_BIT, 0, sizeof(push), &push);
  vkCmdDraw(cmd_, 3, 1, 0, 0);
  vkCmdEndRenderPass(cmd_);
  check_vk(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
}

bool SceneRenderer::draw_frame(float time_s) {
  check_vk(vkResetFences(device_, 1, &fence_), "vkResetFences");
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd_;
  if (!windowed_) {
    record(framebuffers_[0], time_s);
    host_.submit(submit, fence_);
    check_vk(vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    return true;
  }
  uint32_t image = 0;
  VkResult r = vkAcquireNextImageKHR(device_, swapchain_.handle, UINT64_MAX, acquired_, VK_NULL_HANDLE, &image);
  if (r == VK_ERROR_OUT_OF_DATE_KHR) return false;
  if (r != VK_SUBOPTIMAL_KHR) check_vk(r, "vkAcquireNextImageKHR");
  record(framebuffers_[image], time_s);
  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = &acquired_;
  submit.pWaitDstStageMask = &wait_stage;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &rendered_[image];
  host_.submit(submit, fence_);
  VkPresentInfoKHR present{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  present.waitSemaphoreCount = 1;
  present.pWaitSemaphores = &rendered_[image];
  present.swapchainCount = 1;
  present.pSwapchains = &swapchain_.handle;
  present.pImageIndices = &image;
  r = host_.present(present);
  check_vk(vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  if (r == VK_ERROR_OUT_OF_DATE_KHR) return false;
  if (r != VK_SUBOPTIMAL_KHR) check_vk(r, "vkQueuePresentKHR");
  return true;
}
