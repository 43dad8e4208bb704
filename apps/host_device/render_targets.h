#pragma once
// What a host program draws into, beside vkmoe: a window's swapchain with a view per image, a
// one-colour-attachment render pass and its framebuffers. The caller owns every handle these
// return and destroys it (destroy_swapchain for a Swapchain).
#include <vulkan/vulkan.h>

#include <initializer_list>
#include <vector>

#include "apps/host_device/host_device.h"

namespace vkmoe_host {

struct SwapchainRequest {
  VkSurfaceFormatKHR format{};  // choose_surface_format
  VkExtent2D extent{};          // used where the surface leaves the size to the swapchain
  VkImageUsageFlags extra_usage = 0;  // beyond colour attachment, taken only where the surface allows
  bool unthrottled = false;     // IMMEDIATE presentation where offered (frame times measure work), else FIFO
};

struct Swapchain {
  VkSwapchainKHR handle = VK_NULL_HANDLE;  // null when the window is minimised (a zero extent)
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkExtent2D extent{};
  VkImageUsageFlags usage = 0;
  uint32_t min_image_count = 0;
  std::vector<VkImage> images;
  std::vector<VkImageView> views;
};

// The first of `preferred` the surface offers, else its first format.
VkSurfaceFormatKHR choose_surface_format(const HostDevice& host, std::initializer_list<VkFormat> preferred);
Swapchain create_swapchain(const HostDevice& host, const SwapchainRequest& request);
void destroy_swapchain(VkDevice device, Swapchain& swapchain);

VkImageView create_color_view(VkDevice device, VkImage image, VkFormat format);
// One colour attachment, cleared, stored and left in `final_layout`; each pass waits for the
// previous one's colour writes (and a swapchain image's acquire, waited at that stage).
VkRenderPass create_color_pass(VkDevice device, VkFormat format, VkImageLayout final_layout);
VkFramebuffer create_framebuffer(VkDevice device, VkRenderPass pass, VkImageView view, VkExtent2D extent);

}  // namespace vkmoe_host
