#pragma once
// Pipelines created on first use and kept for the context's lifetime, keyed by shader name
// and specialization constants. Kernels ask for what they need; nothing is created twice.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/vk/compute_pipeline.h"
#include "engine/vk/pipeline_cache.h"

namespace vkmoe::vk {

class PipelineLibrary {
 public:
  explicit PipelineLibrary(Device& device) : device_(device), cache_(device) {}

  // Throws if the shader is not embedded or the driver rejects it.
  const ComputePipeline& get(const PipelineDesc& desc);
  size_t size() const;

 private:
  Device& device_;
  PipelineCache cache_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::vector<uint32_t>>, std::unique_ptr<ComputePipeline>> pipelines_;
};

}  // namespace vkmoe::vk
