#pragma once
// The game's frame: an animated full-screen scene drawn with a graphics pipeline, into the
// window's swapchain or, headless, into an image of its own. Each frame is recorded,
// submitted on the shared queue and waited for, so a frame's time includes whatever else the
// queue was given before it (vkmoe's work, when it generates).
#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "apps/host_device/host_device.h"
#include "apps/host_device/render_targets.h"

// Mirrors the push-constant block of scene.frag.
struct ScenePush {
  float time_s;
  float aspect;
  uint32_t iterations;  // per pixel: the scene's GPU cost
};
static_assert(sizeof(ScenePush) == 12, "scene.frag's push constants");

class SceneRenderer {
 public:
  SceneRenderer(vkmoe_host::HostDevice& host, uint32_t width, uint32_t height, bool windowed, uint32_t iterations);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // Draws one frame and waits for it; false when the swapchain no longer fits the window.
  bool draw_frame(float time_s);

 private:
  void create_offscreen_image();
  void create_pipeline();
  void record(VkFramebuffer framebuffer, float time_s);

  vkmoe_host::HostDevice& host_;
  VkDevice device_;
  VkExtent2D extent_;
  bool windowed_;
  uint32_t iterations_;
  VkFormat format_ = VK_FORMAT_R8G8B8A8_UNORM;
  vkmoe_host::Swapchain swapchain_;  // windowed
  VkImage offscreen_ = VK_NULL_HANDLE;
  VkDeviceMemory offscreen_memory_ = VK_NULL_HANDLE;
  VkImageView offscreen_view_ = VK_NULL_HANDLE;
  std::vector<VkFramebuffer> framebuffers_;  // one per swapchain image, or the offscreen image's
  std::vector<VkSemaphore> rendered_;  // per swapchain image: the present waits on it
  VkSemaphore acquired_ = VK_NULL_HANDLE;
  VkRenderPass render_pass_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
};
