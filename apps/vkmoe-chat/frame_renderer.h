#pragma once
// Draws ImGui's frames into the window's swapchain on the shared device: swapchain, render
// pass, framebuffers and one command buffer + fence + semaphores per frame in flight. The
// swapchain is rebuilt when the window changes size. A frame can be kept as an RGBA8 image
// (the script's screenshots) by copying the swapchain image after drawing.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>
#include <vector>

#include "apps/host_device/render_targets.h"

struct ImDrawData;
struct GLFWwindow;

namespace vkmoe_chat {


struct Screenshot {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgba;  // (height, width, 4)
};

class FrameRenderer {
 public:
  FrameRenderer(vkmoe_host::HostDevice& device, GLFWwindow* window);
  ~FrameRenderer();
  FrameRenderer(const FrameRenderer&) = delete;
  FrameRenderer& operator=(const FrameRenderer&) = delete;

  // Sets up ImGui's Vulkan back end on this renderer's render pass and uploads the font atlas.
  void init_imgui();
  void shutdown_imgui();
  // Draws `draw_data` and presents it; with `capture`, also copies the frame into it.
  void render(ImDrawData* draw_data, Screenshot* capture);

 private:
  struct Frame {
    VkCommandBuffer commands = VK_NULL_HANDLE;
    VkFence done = VK_NULL_HANDLE;
    VkSemaphore acquired = VK_NULL_HANDLE;
    VkSemaphore drawn = VK_NULL_HANDLE;
  };
  void create_swapchain();
  void destroy_swapchain();
  void copy_to_capture(VkCommandBuffer cmd, VkImage image);

  vkmoe_host::HostDevice& device_;
  GLFWwindow* window_;
  VkSurfaceFormatKHR format_{};
  vkmoe_host::Swapchain swapchain_;
  VkRenderPass render_pass_ = VK_NULL_HANDLE;
  std::vector<VkFramebuffer> framebuffers_;  // one per swapchain image
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkDescriptorPool descriptors_ = VK_NULL_HANDLE;
  std::vector<Frame> frames_;
  uint32_t frame_index_ = 0;
  bool imgui_ready_ = false;
  // Host-visible copy of the last captured frame.
  VkBuffer capture_buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory capture_memory_ = VK_NULL_HANDLE;
  VkDeviceSize capture_size_ = 0;
};

}  // namespace vkmoe_chat
