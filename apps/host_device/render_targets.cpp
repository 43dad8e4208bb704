#include "apps/host_device/render_targets.h"

#include <algorithm>
#include <stdexcept>

namespace vkmoe_host {

VkSurfaceFormatKHR choose_surface_format(const HostDevice& host, std::initializer_list<VkFormat> preferred) {
  uint32_t n = 0;
  check_vk(vkGetPhysicalDeviceSurfaceFormatsKHR(host.physical(), host.surface(), &n, nullptr), "surface formats");
  std::vector<VkSurfaceFormatKHR> formats(n);
  check_vk(vkGetPhysicalDeviceSurfaceFormatsKHR(host.physical(), host.surface(), &n, formats.data()), "surface formats");
  if (formats.empty()) throw std::runtime_error("the window's surface offers no format");
  for (VkFormat want : preferred) {
    for (const VkSurfaceFormatKHR& f : formats) {
      if (f.format == want) return f;
    }
  }
  return formats[0];
}

Swapchain create_swapchain(const HostDevice& host, const SwapchainRequest& request) {
  VkSurfaceCapabilitiesKHR caps;
  check_vk(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(host.physical(), host.surface(), &caps), "surface capabilities");
  Swapchain s;
  s.format = request.format.format;
  s.extent = caps.currentExtent;
  if (s.extent.width == UINT32_MAX) {
    s.extent.width = std::clamp(request.extent.width, caps.minImageExtent.width, caps.maxImageExtent.width);
    s.extent.height = std::clamp(request.extent.height, caps.minImageExtent.height, caps.maxImageExtent.height);
  }
  if (s.extent.width == 0 || s.extent.height == 0) return s;  // minimised: nothing to draw into
  uint32_t n = 0;
  check_vk(vkGetPhysicalDeviceSurfacePresentModesKHR(host.physical(), host.surface(), &n, nullptr), "present modes");
  std::vector<VkPresentModeKHR> modes(n);
  check_vk(vkGetPhysicalDeviceSurfacePresentModesKHR(host.physical(), host.surface(), &n, modes.data()), "present modes");
  const bool immediate =
      request.unthrottled && std::find(modes.begin(), modes.end(), VK_PRESENT_MODE_IMMEDIATE_KHR) != modes.end();
  s.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | (request.extra_usage & caps.supportedUsageFlags);
  s.min_image_count = std::max(caps.minImageCount, 2u);
  if (caps.maxImageCount != 0) s.min_image_count = std::min(s.min_image_count, caps.maxImageCount);

  VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  info.surface = host.surface();
  info.minImageCount = s.min_image_count;
  info.imageFormat = s.format;
  info.imageColorSpace = request.format.colorSpace;
  info.imageExtent = s.extent;
  info.imageArrayLayers = 1;
  info.imageUsage = s.usage;
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = caps.currentTransform;
  info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  info.presentMode = immediate ? VK_PRESENT_MODE_IMMEDIATE_KHR : VK_PRESENT_MODE_FIFO_KHR;
  info.clipped = VK_TRUE;
  check_vk(vkCreateSwapchainKHR(host.device(), &info, nullptr, &s.handle), "vkCreateSwapchainKHR");
  check_vk(vkGetSwapchainImagesKHR(host.device(), s.handle, &n, nullptr), "vkGetSwapchainImagesKHR");
  s.images.resize(n);
  check_vk(vkGetSwapchainImagesKHR(host.device(), s.handle, &n, s.images.data()), "vkGetSwapchainImagesKHR");
  for (VkImage image : s.images) s.views.push_back(create_color_view(host.device(), image, s.format));
  return s;
}

void destroy_swapchain(VkDevice device, Swapchain& swapchain) {
  for (VkImageView v : swapchain.views) vkDestroyImageView(device, v, nullptr);
  if (swapchain.handle != VK_NULL_HANDLE) vkDestroySwapchainKHR(device, swapchain.handle, nullptr);
  swapchain = Swapchain{};
}

VkImageView create_color_view(VkDevice device, VkImage image, VkFormat format) {
  VkImageViewCreateInfo info{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  info.image = image;
  info.viewType = VK_IMAGE_VIEW_TYPE_2D;
  info.format = format;
  info.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
  VkImageView view = VK_NULL_HANDLE;
  check_vk(vkCreateImageView(device, &info, nullptr, &view), "vkCreateImageView");
  return view;
}

VkRenderPass create_color_pass(VkDevice device, VkFormat format, VkImageLayout final_layout) {
  VkAttachmentDescription color{};
  color.format = format;
  color.samples = VK_SAMPLE_COUNT_1_BIT;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
  color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  color.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  color.finalLayout = final_layout;
  VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subpass{};
  subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subpass.colorAttachmentCount = 1;
  subpass.pColorAttachments = &ref;
  VkSubpassDependency dependency{};
  dependency.srcSubpass = VK_SUBPASS_EXTERNAL;
  dependency.dstSubpass = 0;
  dependency.srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dependency.srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  dependency.dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dependency.dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  VkRenderPassCreateInfo info{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  info.attachmentCount = 1;
  info.pAttachments = &color;
  info.subpassCount = 1;
  info.pSubpasses = &subpass;
  info.dependencyCount = 1;
  info.pDependencies = &dependency;
  VkRenderPass pass = VK_NULL_HANDLE;
  check_vk(vkCreateRenderPass(device, &info, nullptr, &pass), "vkCreateRenderPass");
  return pass;
}

VkFramebuffer create_framebuffer(VkDevice device, VkRenderPass pass, VkImageView view, VkExtent2D extent) {
  VkFramebufferCreateInfo info{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
  info.renderPass = pass;
  info.attachmentCount = 1;
  info.pAttachments = &view;
  info.width = extent.width;
  info.height = extent.height;
  info.layers = 1;
  VkFramebuffer framebuffer = VK_NULL_HANDLE;
  check_vk(vkCreateFramebuffer(device, &info, nullptr, &framebuffer), "vkCreateFramebuffer");
  return framebuffer;
}

}  // namespace vkmoe_host
