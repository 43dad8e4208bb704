// A host application's device: the test creates the instance (with the validation layer and
// its own message counter), the device with what vkmoe_get_device_requirements asks for, and
// a queue, as a game engine would; hands them to vkmoe with queue lock callbacks; generates;
// destroys vkmoe's context; and then still uses its device (a fill and a submit). Any
// validation message, or a device vkmoe destroyed, fails the test.
#include <gtest/gtest.h>
#include <vulkan/vulkan.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "tests/api/api_fixture.h"
#include "tests/support/golden_reference.h"
#include "tests/support/goldens.h"
#include "vkmoe/vkmoe.h"

namespace vkmoe::test {
namespace {

#define ASSERT_VK(call) ASSERT_EQ((call), VK_SUCCESS) << #call

class HostDevice : public ::testing::Test {
 protected:
  void SetUp() override { create_instance(); }

  void TearDown() override {
    if (device_ != VK_NULL_HANDLE) vkDestroyDevice(device_, nullptr);
    if (messenger_ != VK_NULL_HANDLE) {
      auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
          vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
      destroy(instance_, messenger_, nullptr);
    }
    if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
    EXPECT_EQ(messages_.load(), 0) << "validation: " << last_message_;
  }

  static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                                   const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    auto* self = static_cast<HostDevice*>(user);
    std::lock_guard lock(self->message_mutex_);
    self->last_message_ = data->pMessage != nullptr ? data->pMessage : "";
    ++self->messages_;
    return VK_FALSE;
  }

  // vkmoe_context_create on this fixture's device; `message` receives the error text.
  vkmoe_status adopt(vkmoe_context* context, std::string* message) {
    const vkmoe_external_device device = external();
    vkmoe_context_create_info info{};
    info.struct_size = sizeof(info);
    info.external_device = &device;
    char text[512] = "";
    info.error_message = text;
    info.error_message_capacity = sizeof(text);
    const vkmoe_status status = vkmoe_context_create(&info, context);
    *message = text;
    return status;
  }

  // The golden qwen3_moe-F16 loaded on `context`, and a session on it with a float32 KV cache.
  static void open_golden(vkmoe_context context, vkmoe_model* model, vkmoe_session* session) {
    const std::string path = golden_path("gguf/qwen3_moe-F16.gguf");
    vkmoe_model_load_info load{};
    load.struct_size = sizeof(load);
    load.path = path.c_str();
    ASSERT_EQ(vkmoe_model_load(context, &load, model), VKMOE_OK) << vkmoe_context_last_error(context);
    vkmoe_session_create_info session_info{};
    session_info.struct_size = sizeof(session_info);
    session_info.max_ctx = 64;
    session_info.kv_cache_f32 = 1;
    ASSERT_EQ(vkmoe_session_create(*model, &session_info, session), VKMOE_OK) << vkmoe_model_last_error(*model);
  }

  void create_instance() {
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "vkmoe host test";
    app.apiVersion = VK_API_VERSION_1_3;
    const char* layer = "VK_LAYER_KHRONOS_validation";
    const char* extension = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
    VkDebugUtilsMessengerCreateInfoEXT messenger{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT;
    messenger.pfnUserCallback = &HostDevice::on_message;
    messenger.pUserData = this;
    VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
    VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = enables;
    features.pNext = &messenger;
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pNext = &features;
    info.pApplicationInfo = &app;
    info.enabledLayerCount = 1;
    info.ppEnabledLayerNames = &layer;
    info.enabledExtensionCount = 1;
    info.ppEnabledExtensionNames = &extension;
    ASSERT_VK(vkCreateInstance(&info, nullptr, &instance_));
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
    ASSERT_NE(create, nullptr);
    ASSERT_VK(create(instance_, &messenger, nullptr, &messenger_));

    uint32_t count = 0;
    ASSERT_VK(vkEnumeratePhysicalDevices(instance_, &count, nullptr));
    std::vector<VkPhysicalDevice> devices(count);
    ASSERT_VK(vkEnumeratePhysicalDevices(instance_, &count, devices.data()));
    for (VkPhysicalDevice d : devices) {
      requirements_.struct_size = sizeof(requirements_);
      ASSERT_EQ(vkmoe_get_device_requirements(d, &requirements_), VKMOE_OK);
      if (requirements_.usable) {
        physical_ = d;
        break;
      }
    }
    ASSERT_NE(physical_, VK_NULL_HANDLE) << "no device vkmoe can use: " << requirements_.missing;
  }

  // The device as the host creates it: vkmoe's feature chain, and its required and optional
  // extensions when `with_extensions`.
  void create_device(bool with_extensions, const VkPhysicalDeviceFeatures2* features = nullptr) {
    enabled_features_ = features != nullptr ? features : &requirements_.features;
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    family_ = requirements_.compute_queue_family;
    queue.queueFamilyIndex = family_;
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;
    extensions_.clear();
    if (with_extensions) {
      const auto& r = requirements_;
      for (uint32_t i = 0; i < r.required_extension_count; ++i) extensions_.push_back(r.required_extensions[i]);
      for (uint32_t i = 0; i < r.optional_extension_count; ++i) extensions_.push_back(r.optional_extensions[i]);
    }
    VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    info.pNext = enabled_features_;
    info.queueCreateInfoCount = 1;
    info.pQueueCreateInfos = &queue;
    info.enabledExtensionCount = static_cast<uint32_t>(extensions_.size());
    info.ppEnabledExtensionNames = extensions_.data();
    ASSERT_VK(vkCreateDevice(physical_, &info, nullptr, &device_));
    vkGetDeviceQueue(device_, family_, 0, &queue_);
  }

  vkmoe_external_device external() {
    vkmoe_external_device e{};
    e.struct_size = sizeof(e);
    e.instance = instance_;
    e.physical_device = physical_;
    e.device = device_;
    e.compute_queue_family = family_;
    e.compute_queue = queue_;
    e.lock_queue = [](void* user, VkQueue) { static_cast<HostDevice*>(user)->lock(); };
    e.unlock_queue = [](void* user, VkQueue) { static_cast<HostDevice*>(user)->unlock(); };
    e.queue_lock_user_data = this;
    e.enabled_extension_count = static_cast<uint32_t>(extensions_.size());
    e.enabled_extensions = extensions_.data();
    e.enabled_features = enabled_features_;
    e.get_instance_proc_addr = vkGetInstanceProcAddr;
    e.get_device_proc_addr = vkGetDeviceProcAddr;
    return e;
  }

  void lock() {
    queue_mutex_.lock();
    ++locks_;
  }
  void unlock() {
    ++unlocks_;
    queue_mutex_.unlock();
  }

  // The host's own work after vkmoe is gone: fill a buffer on the GPU and read it back.
  void fill_and_check() {
    VkBufferCreateInfo buffer_info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    buffer_info.size = 256;
    buffer_info.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    VkBuffer buffer = VK_NULL_HANDLE;
    ASSERT_VK(vkCreateBuffer(device_, &buffer_info, nullptr, &buffer));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device_, buffer, &req);
    VkPhysicalDeviceMemoryProperties props;
    vkGetPhysicalDeviceMemoryProperties(physical_, &props);
    uint32_t type = UINT32_MAX;
    const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    for (uint32_t t = 0; t < props.memoryTypeCount && type == UINT32_MAX; ++t) {
      if ((req.memoryTypeBits & (1u << t)) && (props.memoryTypes[t].propertyFlags & want) == want) type = t;
    }
    ASSERT_NE(type, UINT32_MAX);
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    ASSERT_VK(vkAllocateMemory(device_, &alloc, nullptr, &memory));
    ASSERT_VK(vkBindBufferMemory(device_, buffer, memory, 0));

    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.queueFamilyIndex = family_;
    VkCommandPool pool = VK_NULL_HANDLE;
    ASSERT_VK(vkCreateCommandPool(device_, &pool_info, nullptr, &pool));
    VkCommandBufferAllocateInfo cmd_info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    cmd_info.commandPool = pool;
    cmd_info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cmd_info.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    ASSERT_VK(vkAllocateCommandBuffers(device_, &cmd_info, &cmd));
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    ASSERT_VK(vkBeginCommandBuffer(cmd, &begin));
    vkCmdFillBuffer(cmd, buffer, 0, 256, 0xC0FFEE11u);
    VkMemoryBarrier to_host{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    to_host.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    to_host.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, nullptr, 0, nullptr);
    ASSERT_VK(vkEndCommandBuffer(cmd));
    VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence = VK_NULL_HANDLE;
    ASSERT_VK(vkCreateFence(device_, &fence_info, nullptr, &fence));
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    ASSERT_VK(vkQueueSubmit(queue_, 1, &submit, fence));
    ASSERT_VK(vkWaitForFences(device_, 1, &fence, VK_TRUE, 10'000'000'000ull));
    void* mapped = nullptr;
    ASSERT_VK(vkMapMemory(device_, memory, 0, 256, 0, &mapped));
    std::vector<uint32_t> words(64);
    std::memcpy(words.data(), mapped, 256);
    vkUnmapMemory(device_, memory);
    EXPECT_EQ(words, std::vector<uint32_t>(64, 0xC0FFEE11u));
    vkDestroyFence(device_, fence, nullptr);
    vkDestroyCommandPool(device_, pool, nullptr);
    vkDestroyBuffer(device_, buffer, nullptr);
    vkFreeMemory(device_, memory, nullptr);
  }

  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t family_ = 0;
  vkmoe_device_requirements requirements_{};
  const VkPhysicalDeviceFeatures2* enabled_features_ = nullptr;
  std::vector<const char*> extensions_;
  std::mutex queue_mutex_;
  std::atomic<int> locks_{0}, unlocks_{0};
  std::atomic<int> messages_{0};
  std::mutex message_mutex_;
  std::string last_message_;
};

TEST_F(HostDevice, RequirementsNameTheExtensionsAndChainTheFeatures) {
  ASSERT_GE(requirements_.required_extension_count, 1u);
  EXPECT_STREQ(requirements_.required_extensions[0], VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
  EXPECT_EQ(requirements_.min_api_version, VK_API_VERSION_1_2);
  EXPECT_EQ(requirements_.features.pNext, &requirements_.features11);
  EXPECT_EQ(requirements_.features11.pNext, &requirements_.features12);
  EXPECT_TRUE(requirements_.features11.storageBuffer16BitAccess);
  EXPECT_TRUE(requirements_.features12.storageBuffer8BitAccess);
  EXPECT_TRUE(requirements_.features12.timelineSemaphore);
}

TEST_F(HostDevice, GeneratesOnTheHostDeviceThenLeavesItWorking) {
  create_device(true);
  const GoldenCase golden{"qwen3_moe", "F16"};
  const Reference ref = read_reference(reference_path(golden));
  {
    std::string message;
    vkmoe_context context = nullptr;
    ASSERT_EQ(adopt(&context, &message), VKMOE_OK) << message;
    vkmoe_context_info context_info{};
    context_info.struct_size = sizeof(context_info);
    ASSERT_EQ(vkmoe_context_get_info(context, &context_info), VKMOE_OK);
    EXPECT_EQ(context_info.owns_device, 0);

    vkmoe_model model = nullptr;
    vkmoe_session session = nullptr;
    ASSERT_NO_FATAL_FAILURE(open_golden(context, &model, &session));

    const vkmoe_turn_info turn = greedy_turn(ref.prompt, 4);
    ASSERT_EQ(vkmoe_session_submit(session, &turn), VKMOE_OK);
    std::vector<uint32_t> got;
    vkmoe_step_result r{};
    r.struct_size = sizeof(r);
    do {
      ASSERT_EQ(vkmoe_session_step(session, 500, &r), VKMOE_OK) << vkmoe_session_last_error(session);
      got.insert(got.end(), r.tokens, r.tokens + r.token_count);
    } while (r.state != VKMOE_STEP_FINISHED);
    EXPECT_EQ(got, std::vector<uint32_t>(ref.greedy.begin(), ref.greedy.begin() + 4));

    // Cancel with work on the GPU, then destroy everything at once: vkmoe waits for its own.
    ASSERT_EQ(vkmoe_session_submit(session, &turn), VKMOE_OK);
    ASSERT_EQ(vkmoe_session_step(session, 1, &r), VKMOE_OK);
    vkmoe_session_destroy(session);
    vkmoe_model_destroy(model);
    vkmoe_context_destroy(context);
  }
  EXPECT_GT(locks_.load(), 0) << "every vkQueueSubmit on the shared queue takes the host's lock";
  EXPECT_EQ(locks_.load(), unlocks_.load());
  fill_and_check();
}

// Only what vkmoe requires, none of the optional features: vkmoe must stay within them.
TEST_F(HostDevice, GeneratesOnADeviceWithOnlyTheRequiredFeatures) {
  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  f12.storageBuffer8BitAccess = VK_TRUE;
  f12.timelineSemaphore = VK_TRUE;
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  f11.storageBuffer16BitAccess = VK_TRUE;
  f11.pNext = &f12;
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.pNext = &f11;
  create_device(true, &features);
  const Reference ref = read_reference(reference_path({"qwen3_moe", "F16"}));
  std::string message;
  vkmoe_context context = nullptr;
  ASSERT_EQ(adopt(&context, &message), VKMOE_OK) << message;
  vkmoe_model model = nullptr;
  vkmoe_session session = nullptr;
  ASSERT_NO_FATAL_FAILURE(open_golden(context, &model, &session));
  const vkmoe_turn_info turn = greedy_turn(ref.prompt, 4);
  ASSERT_EQ(vkmoe_session_submit(session, &turn), VKMOE_OK);
  vkmoe_step_result r{};
  r.struct_size = sizeof(r);
  ASSERT_EQ(vkmoe_session_generate(session, &r), VKMOE_OK) << vkmoe_session_last_error(session);
  const std::vector<uint32_t> want(ref.greedy.begin(), ref.greedy.begin() + 4);
  EXPECT_EQ(std::vector<uint32_t>(r.tokens, r.tokens + r.token_count), want);
  vkmoe_session_destroy(session);
  vkmoe_model_destroy(model);
  vkmoe_context_destroy(context);
}

TEST_F(HostDevice, DeviceWithoutTheRequiredExtensionIsRefused) {
  create_device(false);
  std::string message;
  vkmoe_context context = nullptr;
  EXPECT_EQ(adopt(&context, &message), VKMOE_ERROR_NO_DEVICE);
  EXPECT_EQ(context, nullptr);
  EXPECT_NE(message.find(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME), std::string::npos) << message;
}

}  // namespace
}  // namespace vkmoe::test
