#include "apps/vkmoe-chat/frame_renderer.h"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "apps/host_device/host_device.h"

namespace vkmoe_chat {

namespace {

using vkmoe_host::check_vk;

constexpr uint32_t kFramesInFlight = 2;

void check_imgui_vk(VkResult r) { check_vk(r, "ImGui Vulkan back end"); }

}  // namespace

FrameRenderer::FrameRenderer(vkmoe_host::HostDevice& device, GLFWwindow* window) : device_(device), window_(window) {
  VkDevice d = device_.device();
  VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool.queueFamilyIndex = device_.family();
  check_vk(vkCreateCommandPool(d, &pool, nullptr, &pool_), "vkCreateCommandPool");
  frames_.resize(kFramesInFlight);
  for (Frame& f : frames_) {
    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    check_vk(vkAllocateCommandBuffers(d, &alloc, &f.commands), "vkAllocateCommandBuffers");
    VkFenceCreateInfo fence{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    fence.flags = VK_FENCE_CREATE_SIGNALED_BIT;
    check_vk(vkCreateFence(d, &fence, nullptr, &f.done), "vkCreateFence");
    VkSemaphoreCreateInfo sem{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    check_vk(vkCreateSemaphore(d, &sem, nullptr, &f.acquired), "vkCreateSemaphore");
    check_vk(vkCreateSemaphore(d, &sem, nullptr, &f.drawn), "vkCreateSemaphore");
  }
  // ImGui needs one combined image sampler (its font atlas); a few spare sets cost nothing.
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 16};
  VkDescriptorPoolCreateInfo dp{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dp.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  dp.maxSets = 16;
  dp.poolSizeCount = 1;
  dp.pPoolSizes = &size;
  check_vk(vkCreateDescriptorPool(d, &dp, nullptr, &descriptors_), "vkCreateDescriptorPool");

  format_ = vkmoe_host::choose_surface_format(device_, {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM});
  render_pass_ = vkmoe_host::create_color_pass(d, format_.format, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);
  create_swapchain();
}

FrameRenderer::~FrameRenderer() {
  VkDevice d = device_.device();
  device_.wait_idle();  // on teardown a lost device has nothing left to wait for
  shutdown_imgui();
  destroy_swapchain();
  if (capture_buffer_ != VK_NULL_HANDLE) vkDestroyBuffer(d, capture_buffer_, nullptr);
  if (capture_memory_ != VK_NULL_HANDLE) vkFreeMemory(d, capture_memory_, nullptr);
  for (Frame& f : frames_) {
    vkDestroyFence(d, f.done, nullptr);
    vkDestroySemaphore(d, f.acquired, nullptr);
    vkDestroySemaphore(d, f.drawn, nullptr);
  }
  vkDestroyDescriptorPool(d, descriptors_, nullptr);
  vkDestroyRenderPass(d, render_pass_, nullptr);
  vkDestroyCommandPool(d, pool_, nullptr);
}

void FrameRenderer::create_swapchain() {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  // Transfer source where the surface allows: the script's screenshots copy the drawn image.
  // Presented at the display's rate: the app's frame rate.
  swapchain_ = vkmoe_host::create_swapchain(device_, {format_, {uint32_t(w), uint32_t(h)}, VK_IMAGE_USAGE_TRANSFER_SRC_BIT, false});
  for (VkImageView view : swapchain_.views) {
    framebuffers_.push_back(vkmoe_host::create_framebuffer(device_.device(), render_pass_, view, swapchain_.extent));
  }
  if (imgui_ready_ && swapchain_.handle != VK_NULL_HANDLE) ImGui_ImplVulkan_SetMinImageCount(swapchain_.min_image_count);
}

void FrameRenderer::destroy_swapchain() {
  for (VkFramebuffer f : framebuffers_) vkDestroyFramebuffer(device_.device(), f, nullptr);
  framebuffers_.clear();
  vkmoe_host::destroy_swapchain(device_.device(), swapchain_);
}

void FrameRenderer::init_imgui() {
  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = device_.instance();
  info.PhysicalDevice = device_.physical();
  info.Device = device_.device();
  info.QueueFamily = device_.family();
  info.Queue = device_.queue();
  info.DescriptorPool = descriptors_;
  info.MinImageCount = 2;
  info.ImageCount = std::max<uint32_t>(2, static_cast<uint32_t>(swapchain_.images.size()));
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  info.CheckVkResultFn = check_imgui_vk;
  if (!ImGui_ImplVulkan_Init(&info, render_pass_)) throw std::runtime_error("ImGui's Vulkan back end did not start");
  imgui_ready_ = true;
  // Upload the font atlas with a one-off command buffer, waited on here (start-up only).
  Frame& f = frames_[0];
  check_vk(vkResetCommandBuffer(f.commands, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check_vk(vkBeginCommandBuffer(f.commands, &begin), "vkBeginCommandBuffer");
  ImGui_ImplVulkan_CreateFontsTexture(f.commands);
  check_vk(vkEndCommandBuffer(f.commands), "vkEndCommandBuffer");
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &f.commands;
  check_vk(vkResetFences(device_.device(), 1, &f.done), "vkResetFences");
  device_.submit(submit, f.done);
  check_vk(vkWaitForFences(device_.device(), 1, &f.done, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  ImGui_ImplVulkan_DestroyFontUploadObjects();
}

void FrameRenderer::shutdown_imgui() {
  if (!imgui_ready_) return;
  device_.wait_idle();  // called on teardown, where a lost device has nothing left to wait for
  ImGui_ImplVulkan_Shutdown();
  imgui_ready_ = false;
}

void FrameRenderer::copy_to_capture(VkCommandBuffer cmd, VkImage image) {
  const VkDeviceSize size = VkDeviceSize(swapchain_.extent.width) * swapchain_.extent.height * 4;
  VkDevice d = device_.device();
  if (size != capture_size_) {
    if (capture_buffer_ != VK_NULL_HANDLE) vkDestroyBuffer(d, capture_buffer_, nullptr);
    if (capture_memory_ != VK_NULL_HANDLE) vkFreeMemory(d, capture_memory_, nullptr);
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = size;
    bi.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    check_vk(vkCreateBuffer(d, &bi, nullptr, &capture_buffer_), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(d, capture_buffer_, &req);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = req.size;
    const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    ai.memoryTypeIndex = device_.memory_type(req.memoryTypeBits, host, "host-visible memory type for the screenshot buffer");
    check_vk(vkAllocateMemory(d, &ai, nullptr, &capture_memory_), "vkAllocateMemory");
    check_vk(vkBindBufferMemory(d, capture_buffer_, capture_memory_, 0), "vkBindBufferMemory");
    capture_size_ = size;
  }
  // The render pass left the image in PRESENT_SRC: make it a copy source, then give it back.
  VkImageMemoryBarrier to_src{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  to_src.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  to_src.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  to_src.oldLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
  to_src.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  to_src.srcQueueFamilyIndex = to_src.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  to_src.image = image;
  to_src.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0,
                       nullptr, 1, &to_src);
  VkBufferImageCopy region{};
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageExtent = {swapchain_.extent.width, swapchain_.extent.height, 1};
  vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, capture_buffer_, 1, &region);
  VkImageMemoryBarrier back = to_src;
  back.srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  back.dstAccessMask = 0;
  back.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  back.newLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
  VkBufferMemoryBarrier host{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
  host.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  host.srcQueueFamilyIndex = host.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  host.buffer = capture_buffer_;
  host.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0,
                       0, nullptr, 1, &host, 1, &back);
}

void FrameRenderer::render(ImDrawData* draw_data, Screenshot* capture) {
  VkDevice d = device_.device();
  if (capture != nullptr && (swapchain_.usage & VK_IMAGE_USAGE_TRANSFER_SRC_BIT) == 0) throw std::runtime_error("this window's swapchain images cannot be copied");
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  if (swapchain_.handle == VK_NULL_HANDLE || uint32_t(w) != swapchain_.extent.width || uint32_t(h) != swapchain_.extent.height) {
    check_vk(device_.wait_idle(), "vkQueueWaitIdle");
    destroy_swapchain();
    create_swapchain();
    if (swapchain_.handle == VK_NULL_HANDLE) return;
  }
  Frame& f = frames_[frame_index_];
  frame_index_ = (frame_index_ + 1) % kFramesInFlight;
  check_vk(vkWaitForFences(d, 1, &f.done, VK_TRUE, UINT64_MAX), "vkWaitForFences");
  uint32_t image = 0;
  VkResult acquired = vkAcquireNextImageKHR(d, swapchain_.handle, UINT64_MAX, f.acquired, VK_NULL_HANDLE, &image);
  if (acquired == VK_ERROR_OUT_OF_DATE_KHR) {
    check_vk(device_.wait_idle(), "vkQueueWaitIdle");
    destroy_swapchain();  // rebuilt on the next frame
    return;
  }
  if (acquired != VK_SUBOPTIMAL_KHR) check_vk(acquired, "vkAcquireNextImageKHR");
  check_vk(vkResetFences(d, 1, &f.done), "vkResetFences");
  check_vk(vkResetCommandBuffer(f.commands, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check_vk(vkBeginCommandBuffer(f.commands, &begin), "vkBeginCommandBuffer");
  VkClearValue clear{};
  clear.color = {{0.09f, 0.09f, 0.11f, 1.0f}};
  VkRenderPassBeginInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
  rp.renderPass = render_pass_;
  rp.framebuffer = framebuffers_[image];
  rp.renderArea.extent = swapchain_.extent;
  rp.clearValueCount = 1;
  rp.pClearValues = &clear;
  vkCmdBeginRenderPass(f.commands, &rp, VK_SUBPASS_CONTENTS_INLINE);
  ImGui_ImplVulkan_RenderDrawData(draw_data, f.commands);
  vkCmdEndRenderPass(f.commands);
  if (capture != nullptr) copy_to_capture(f.commands, swapchain_.images[image]);
  check_vk(vkEndCommandBuffer(f.commands), "vkEndCommandBuffer");
  const VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.waitSemaphoreCount = 1;
  submit.pWaitSemaphores = &f.acquired;
  submit.pWaitDstStageMask = &wait_stage;
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &f.commands;
  submit.signalSemaphoreCount = 1;
  submit.pSignalSemaphores = &f.drawn;
  device_.submit(submit, f.done);
  if (capture != nullptr) {
    // A screenshot is a scripted, rare event: waiting for this one frame is fine.
    check_vk(vkWaitForFences(d, 1, &f.done, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    capture->width = swapchain_.extent.width;
    capture->height = swapchain_.extent.height;
    capture->rgba.resize(capture_size_);
    void* mapped = nullptr;
    check_vk(vkMapMemory(d, capture_memory_, 0, capture_size_, 0, &mapped), "vkMapMemory");
    std::memcpy(capture->rgba.data(), mapped, capture_size_);
    vkUnmapMemory(d, capture_memory_);
    if (swapchain_.format == VK_FORMAT_B8G8R8A8_UNORM || swapchain_.format == VK_FORMAT_B8G8R8A8_SRGB) {
      for (size_t i = 0; i < capture->rgba.size(); i += 4) std::swap(capture->rgba[i], capture->rgba[i + 2]);
    }
  }
  VkPresentInfoKHR present{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
  present.waitSemaphoreCount = 1;
  present.pWaitSemaphores = &f.drawn;
  present.swapchainCount = 1;
  present.pSwapchains = &swapchain_.handle;
  present.pImageIndices = &image;
  const VkResult presented = device_.present(present);
  if (presented == VK_ERROR_OUT_OF_DATE_KHR || presented == VK_SUBOPTIMAL_KHR) {
    check_vk(device_.wait_idle(), "vkQueueWaitIdle");
    destroy_swapchain();
  } else {
    check_vk(presented, "vkQueuePresentKHR");
  }
}

}  // namespace vkmoe_chat
