#pragma once
// A VkPipelineCache persisted on disk, so shader compilation cost is paid once per driver.
// File: $VKMOE_CACHE_DIR, else $XDG_CACHE_HOME/vkmoe, else ~/.cache/vkmoe, named after the
// device and its pipelineCacheUUID. VKMOE_PIPELINE_CACHE=0 disables the file.
#include <vulkan/vulkan.h>

#include <memory>
#include <string>

namespace vkmoe::vk {

class Device;

class PipelineCache {
 public:
  explicit PipelineCache(Device& device);
  ~PipelineCache();  // writes the file (atomically: temp file + rename)
  PipelineCache(const PipelineCache&) = delete;
  PipelineCache& operator=(const PipelineCache&) = delete;

  VkPipelineCache handle() const { return cache_; }
  const std::string& path() const { return path_; }

 private:
  void save() const;
  Device& device_;
  VkPipelineCache cache_ = VK_NULL_HANDLE;
  std::string path_;  // empty when persistence is off
};

}  // namespace vkmoe::vk
