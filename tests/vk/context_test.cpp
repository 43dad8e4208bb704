// The Vulkan core on the test device: selection, capabilities, memory, transfers, and the
// harness's own validation check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <numeric>
#include <string>

#include "engine/vk/device_caps.h"
#include "engine/vk/device_selection.h"
#include "loader/base/error.h"
#include "engine/vk/timestamp_pool.h"
#include "tests/gpu_support/gpu_test.h"
#include "tests/support/random.h"

namespace vkmoe::test {
namespace {

using VkCoreTest = GpuTest;

TEST_F(VkCoreTest, SelectedDeviceIsUsableAndDescribed) {
  const auto& caps = ctx().caps();
  EXPECT_TRUE(caps.usable());
  EXPECT_GT(caps.subgroup_size, 0u);
  EXPECT_GE(caps.max_storage_buffer_range, 1u << 20);
  EXPECT_NE(vk::describe_device_caps(caps).find(caps.name), std::string::npos);
}

TEST_F(VkCoreTest, SelectorThatMatchesNothingIsAClearError) {
  try {
    vk::select_physical_device(ctx().instance().handle(), "no-such-gpu-xyz");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNoDevice);
    EXPECT_NE(std::string(e.what()).find("no-such-gpu-xyz"), std::string::npos);
  }
}

// VKMOE_GEMV_LAYOUT sets the decode GEMV's layout whatever the device type (the GPU forward
// pass on lavapipe: the gpu_layout/ golden tests); any other value is refused by name.
TEST_F(VkCoreTest, GemvLayoutFromTheEnvironment) {
  VkPhysicalDevice physical = ctx().device().physical();
  const char* before = std::getenv("VKMOE_GEMV_LAYOUT");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("VKMOE_GEMV_LAYOUT", "gpu", 1);
  EXPECT_FALSE(vk::query_device_caps(physical).cpu_gemv_layout());
  ::setenv("VKMOE_GEMV_LAYOUT", "cpu", 1);
  EXPECT_TRUE(vk::query_device_caps(physical).cpu_gemv_layout());
  ::setenv("VKMOE_GEMV_LAYOUT", "tpu", 1);
  try {
    vk::query_device_caps(physical);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("VKMOE_GEMV_LAYOUT expects gpu or cpu, got 'tpu'"), std::string::npos) << e.what();
  }
  ::unsetenv("VKMOE_GEMV_LAYOUT");
  EXPECT_EQ(vk::query_device_caps(physical).cpu_gemv_layout(),
            ctx().caps().type == VK_PHYSICAL_DEVICE_TYPE_CPU && ctx().caps().int64);
  if (before != nullptr) ::setenv("VKMOE_GEMV_LAYOUT", saved.c_str(), 1);
}

TEST_F(VkCoreTest, SelectorByIndexPicksThatDevice) {
  auto devices = vk::enumerate_physical_devices(ctx().instance().handle());
  ASSERT_FALSE(devices.empty());
  for (const auto& d : devices) {
    if (!d.caps.usable()) continue;
    auto chosen = vk::select_physical_device(ctx().instance().handle(), std::to_string(d.index));
    EXPECT_EQ(chosen.index, d.index);
  }
}

TEST_F(VkCoreTest, UploadDownloadRoundTripsAcrossStagingChunks) {
  // 40 MiB crosses the 16 MiB staging buffer twice, with an unaligned tail.
  size_t n = (40u << 20) / 4 + 7;
  std::vector<float> data(n);
  std::iota(data.begin(), data.end(), 0.0f);
  vk::Buffer b = upload_floats(data);
  EXPECT_EQ(download_floats(b, n), data);
  EXPECT_EQ(download_floats(b, 5, n - 5), std::vector<float>(data.end() - 5, data.end()));
}

TEST_F(VkCoreTest, SubAllocatedBuffersDoNotOverlap) {
  auto before = ctx().allocator().stats();
  std::vector<vk::Buffer> buffers;
  for (int i = 0; i < 64; ++i) {
    std::vector<float> v(1000 + i, static_cast<float>(i));
    buffers.push_back(upload_floats(v));
  }
  auto during = ctx().allocator().stats();
  EXPECT_LE(during.allocation_count - before.allocation_count, 2u) << "small buffers should share blocks";
  for (int i = 0; i < 64; ++i) {
    auto v = download_floats(buffers[i], 1000 + i);
    EXPECT_EQ(v, std::vector<float>(1000 + i, static_cast<float>(i))) << "buffer " << i;
  }
  buffers.clear();
  EXPECT_EQ(ctx().allocator().stats().in_use_bytes, before.in_use_bytes);
}

TEST_F(VkCoreTest, ImpossibleAllocationIsOutOfMemoryError) {
  try {
    ctx().create_buffer(VkDeviceSize(1) << 50);
    FAIL() << "expected an out-of-memory error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kOutOfMemory) << e.what();
  }
}

TEST_F(VkCoreTest, TimestampsAdvance) {
  if (!ctx().caps().timestamps) GTEST_FAIL() << "test device has no timestamps";
  auto pool = vk::TimestampPool::create(ctx().device(), 2);
  vk::Buffer b = ctx().create_buffer(1 << 20);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.reset_timestamps(*pool);
    cmd.write_timestamp(*pool, 0);
    cmd.fill(b.range(), 0);
    cmd.write_timestamp(*pool, 1);
  });
  auto ns = pool->read_ns(2);
  EXPECT_GE(ns[1], ns[0]);
}

// The harness must notice validation errors, or every other test proves nothing about them.
TEST_F(VkCoreTest, HarnessCountsValidationErrors) {
  if (!ctx().instance().validation_enabled()) GTEST_FAIL() << "validation layer is not active";
  vk::Buffer b = ctx().create_buffer(64);
  auto cmd = vk::CommandBuffer::create(ctx().device(), ctx().device().compute_queue().family);
  cmd->begin();
  vkCmdFillBuffer(cmd->handle(), b.handle(), 2, 4, 0);  // dstOffset must be a multiple of 4
  cmd->end();
  EXPECT_GT(ctx().instance().validation_message_count(), 0u);
  ctx().instance().reset_validation_messages();
}

}  // namespace
}  // namespace vkmoe::test
