#include "engine/vk/pipeline_library.h"

#include "engine/vk/embedded_shaders.h"

namespace vkmoe::vk {

const ComputePipeline& PipelineLibrary::get(const PipelineDesc& desc) {
  std::vector<uint32_t> key_spec(desc.spec_constants.begin(), desc.spec_constants.end());
  key_spec.push_back(desc.required_subgroup_size);
  auto key = std::make_pair(desc.name, std::move(key_spec));
  std::lock_guard lock(mutex_);
  auto it = pipelines_.find(key);
  if (it == pipelines_.end()) {
    auto pipeline = ComputePipeline::create(device_, cache_.handle(), desc, embedded_shader(desc.name));
    it = pipelines_.emplace(std::move(key), std::move(pipeline)).first;
  }
  return *it->second;
}

size_t PipelineLibrary::size() const {
  std::lock_guard lock(mutex_);
  return pipelines_.size();
}

}  // namespace vkmoe::vk
