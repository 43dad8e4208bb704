#include "engine/vk/timestamp_pool.h"

#include "engine/vk/check.h"
#include "engine/vk/device.h"

namespace vkmoe::vk {

std::unique_ptr<TimestampPool> TimestampPool::create(Device& device, uint32_t capacity) {
  if (!device.caps().timestamps) throw Error(ErrorCode::kUnsupported, device.caps().name + " has no compute-queue timestamps");
  std::unique_ptr<TimestampPool> self(new TimestampPool(device));
  VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = capacity;
  VKMOE_VK_CHECK(vkCreateQueryPool(device.handle(), &info, nullptr, &self->pool_));
  self->capacity_ = capacity;
  return self;
}

TimestampPool::~TimestampPool() {
  if (pool_ != VK_NULL_HANDLE) vkDestroyQueryPool(device_.handle(), pool_, nullptr);
}

std::vector<double> TimestampPool::read_ns(uint32_t count) const {
  std::vector<uint64_t> raw(count);
  VKMOE_VK_CHECK(vkGetQueryPoolResults(device_.handle(), pool_, 0, count, raw.size() * sizeof(uint64_t), raw.data(),
                                       sizeof(uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  std::vector<double> ns(count);
  for (uint32_t i = 0; i < count; ++i) ns[i] = static_cast<double>(raw[i]) * device_.caps().timestamp_period_ns;
  return ns;
}

}  // namespace vkmoe::vk
