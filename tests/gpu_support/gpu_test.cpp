#include "tests/gpu_support/gpu_test.h"

#include <cstring>
#include <memory>

namespace vkmoe::test {
namespace {
constexpr uint32_t kNaNBits = 0x7fc00000u;
}

vk::Context& GpuTest::ctx() {
  static std::unique_ptr<vk::Context> context = [] {
    vk::ContextOptions options;
    options.validation = true;
    return vk::Context::create(options);
  }();
  return *context;
}

void GpuTest::SetUp() { ctx().instance().reset_validation_messages(); }

void GpuTest::TearDown() {
  auto& instance = ctx().instance();
  EXPECT_EQ(instance.validation_message_count(), 0u)
      << "Vulkan validation reported problems; last: " << instance.last_validation_message();
}

vk::Buffer GpuTest::upload_floats(std::span<const float> data) {
  return upload_bytes({reinterpret_cast<const uint8_t*>(data.data()), data.size_bytes()});
}

vk::Buffer GpuTest::upload_bytes(std::span<const uint8_t> data) {
  vk::Buffer b = ctx().create_buffer(std::max<size_t>(data.size(), 4));
  ctx().upload(b, 0, data);
  return b;
}

vk::Buffer GpuTest::poisoned_floats(size_t n) {
  vk::Buffer b = ctx().create_buffer(std::max<size_t>(n, 1) * 4);
  ctx().run_and_wait([&](vk::CommandBuffer& cmd) {
    cmd.fill(b.range(), kNaNBits);
    cmd.barrier();
  });
  return b;
}

std::vector<float> GpuTest::download_floats(const vk::Buffer& buffer, size_t n, size_t offset_floats) {
  std::vector<float> out(n);
  ctx().download(buffer, offset_floats * 4, {reinterpret_cast<uint8_t*>(out.data()), n * 4});
  return out;
}

}  // namespace vkmoe::test
