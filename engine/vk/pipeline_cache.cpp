#include "engine/vk/pipeline_cache.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "engine/vk/check.h"
#include "engine/vk/device.h"

namespace vkmoe::vk {
namespace {

std::string cache_dir() {
  if (const char* d = std::getenv("VKMOE_CACHE_DIR"); d != nullptr && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x) return std::string(x) + "/vkmoe";
  if (const char* h = std::getenv("HOME"); h != nullptr && *h) return std::string(h) + "/.cache/vkmoe";
  return "";
}

// Drivers should reject foreign data themselves, but a truncated or stale file must never
// reach one that does not: check the standard header against this device first.
bool header_matches(const std::vector<char>& data, const VkPhysicalDeviceProperties& props) {
  if (data.size() < sizeof(VkPipelineCacheHeaderVersionOne)) return false;
  VkPipelineCacheHeaderVersionOne h{};
  std::memcpy(&h, data.data(), sizeof(h));
  return h.headerSize >= sizeof(h) && h.headerVersion == VK_PIPELINE_CACHE_HEADER_VERSION_ONE &&
         h.vendorID == props.vendorID && h.deviceID == props.deviceID &&
         std::memcmp(h.pipelineCacheUUID, props.pipelineCacheUUID, VK_UUID_SIZE) == 0;
}

}  // namespace

PipelineCache::PipelineCache(Device& device) : device_(device) {
  VkPhysicalDeviceProperties props{};
  vkGetPhysicalDeviceProperties(device.physical(), &props);
  const char* enabled = std::getenv("VKMOE_PIPELINE_CACHE");
  std::string dir = cache_dir();
  if (!(enabled != nullptr && std::strcmp(enabled, "0") == 0) && !dir.empty()) {
    char uuid[2 * VK_UUID_SIZE + 1];
    for (unsigned i = 0; i < VK_UUID_SIZE; ++i) std::snprintf(uuid + 2 * i, 3, "%02x", props.pipelineCacheUUID[i]);
    char ids[32];
    std::snprintf(ids, sizeof(ids), "%04x-%04x", props.vendorID, props.deviceID);
    path_ = dir + "/pipelines-" + ids + "-" + uuid + ".bin";
  }
  std::vector<char> data;
  if (!path_.empty()) {
    std::ifstream in(path_, std::ios::binary);
    if (in) data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!data.empty() && !header_matches(data, props)) {
      spdlog::warn("ignoring pipeline cache {}: it was written for another device or driver", path_);
      data.clear();
    }
  }
  VkPipelineCacheCreateInfo info{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  info.initialDataSize = data.size();
  info.pInitialData = data.empty() ? nullptr : data.data();
  VKMOE_VK_CHECK(vkCreatePipelineCache(device.handle(), &info, nullptr, &cache_));
}

PipelineCache::~PipelineCache() {
  try {
    save();
  } catch (const std::exception& e) {
    spdlog::warn("pipeline cache not saved: {}", e.what());
  }
  vkDestroyPipelineCache(device_.handle(), cache_, nullptr);
}

void PipelineCache::save() const {
  if (path_.empty()) return;
  size_t size = 0;
  VKMOE_VK_CHECK(vkGetPipelineCacheData(device_.handle(), cache_, &size, nullptr));
  std::vector<char> data(size);
  VKMOE_VK_CHECK(vkGetPipelineCacheData(device_.handle(), cache_, &size, data.data()));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  std::string tmp = path_ + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;  // a read-only home is not an error: the cache is an optimisation
    out.write(data.data(), static_cast<std::streamsize>(size));
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path_, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace vkmoe::vk
