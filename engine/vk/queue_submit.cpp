#include "engine/vk/queue_submit.h"

#include <mutex>
#include <vector>

#include "engine/vk/check.h"

namespace vkmoe::vk {

void submit(Queue& queue, VkCommandBuffer cmd, std::span<const SemaphorePoint> waits, std::span<const SemaphorePoint> signals) {
  std::vector<VkSemaphore> wait_sems, signal_sems;
  std::vector<uint64_t> wait_values, signal_values;
  std::vector<VkPipelineStageFlags> wait_stages;
  for (const auto& w : waits) {
    wait_sems.push_back(w.semaphore);
    wait_values.push_back(w.value);
    wait_stages.push_back(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT);
  }
  for (const auto& s : signals) {
    signal_sems.push_back(s.semaphore);
    signal_values.push_back(s.value);
  }
  VkTimelineSemaphoreSubmitInfo timeline{VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO};
  timeline.waitSemaphoreValueCount = static_cast<uint32_t>(wait_values.size());
  timeline.pWaitSemaphoreValues = wait_values.data();
  timeline.signalSemaphoreValueCount = static_cast<uint32_t>(signal_values.size());
  timeline.pSignalSemaphoreValues = signal_values.data();
  VkSubmitInfo info{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  info.pNext = &timeline;
  info.waitSemaphoreCount = static_cast<uint32_t>(wait_sems.size());
  info.pWaitSemaphores = wait_sems.data();
  info.pWaitDstStageMask = wait_stages.data();
  info.commandBufferCount = 1;
  info.pCommandBuffers = &cmd;
  info.signalSemaphoreCount = static_cast<uint32_t>(signal_sems.size());
  info.pSignalSemaphores = signal_sems.data();
  std::lock_guard lock(*queue.submit_mutex);
  VkResult result;
  if (queue.host_lock.present()) {
    queue.host_lock.lock(queue.host_lock.user, queue.handle);
    result = vkQueueSubmit(queue.handle, 1, &info, VK_NULL_HANDLE);
    queue.host_lock.unlock(queue.host_lock.user, queue.handle);
  } else {
    result = vkQueueSubmit(queue.handle, 1, &info, VK_NULL_HANDLE);
  }
  check(result, "vkQueueSubmit", __FILE__, __LINE__);
}

}  // namespace vkmoe::vk
