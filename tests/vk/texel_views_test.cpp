// Texel views of buffers (engine/vk/texel_views.h): one per offset and format a buffer is bound at,
// gone with the buffer, and clear errors for ranges the device cannot view. That a shader
// reads the right words through them is what every CPU-layout matmul test checks.
#include <gtest/gtest.h>

#include "engine/vk/device.h"
#include "loader/base/error.h"
#include "tests/gpu_support/gpu_test.h"

namespace vkmoe::test {
namespace {

using TexelViewsTest = GpuTest;

TEST_F(TexelViewsTest, OneViewPerOffsetUntilTheBufferGoes) {
  vk::TexelViews& views = ctx().device().texel_views();
  const size_t before = views.view_count();
  const VkDeviceSize align = std::max<VkDeviceSize>(ctx().caps().min_texel_buffer_offset_alignment, 16);
  {
    vk::Buffer b = ctx().create_buffer(4 * align + 12);
    const VkBufferView whole = views.view(b.range(), vk::TexelFormat::kWords);
    EXPECT_NE(whole, VK_NULL_HANDLE);
    // Ranges of any size at one offset share its view, which reaches to the buffer's end.
    EXPECT_EQ(views.view(b.range(0, 8), vk::TexelFormat::kWords), whole);
    EXPECT_EQ(views.view(b.range(0, 4 * align), vk::TexelFormat::kWords), whole);
    const VkBufferView second = views.view(b.range(align, 3 * align + 12), vk::TexelFormat::kWords);
    EXPECT_NE(second, whole);
    EXPECT_EQ(views.view(b.range(align, 20), vk::TexelFormat::kWords), second);
    // Each texel format has its own view.
    const VkBufferView quads = views.view(b.range(), vk::TexelFormat::kQuads);
    EXPECT_NE(quads, whole);
    EXPECT_EQ(views.view(b.range(0, 16), vk::TexelFormat::kQuads), quads);
    EXPECT_EQ(views.view_count(), before + 3);
  }
  EXPECT_EQ(views.view_count(), before);
}

TEST_F(TexelViewsTest, MisalignedOffsetIsUnsupported) {
  const VkDeviceSize align = ctx().caps().min_texel_buffer_offset_alignment;
  if (align <= 1) GTEST_SKIP() << "every offset is aligned on this device";
  vk::Buffer b = ctx().create_buffer(4 * align);
  try {
    ctx().device().texel_views().view(b.range(align / 2, align), vk::TexelFormat::kWords);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("aligned to " + std::to_string(align)), std::string::npos) << e.what();
  }
}

TEST_F(TexelViewsTest, RangePastTheBufferIsAnInternalError) {
  vk::Buffer b = ctx().create_buffer(256);
  vk::BufferRange outside = b.range();
  outside.size = 512;  // past the buffer's end
  try {
    ctx().device().texel_views().view(outside, vk::TexelFormat::kWords);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace vkmoe::test
