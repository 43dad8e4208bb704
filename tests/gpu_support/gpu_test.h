#pragma once
// Fixture for tests that run shaders: one vk::Context per test process (on VKMOE_DEVICE,
// lavapipe in CI) with the Khronos validation layer on. Any validation message during a
// test fails that test. Helpers move float data in and out and poison outputs with NaN.
#include <gtest/gtest.h>

#include <span>
#include <vector>

#include "engine/vk/context.h"

namespace vkmoe::test {

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  static vk::Context& ctx();

  vk::Buffer upload_floats(std::span<const float> data);
  vk::Buffer upload_bytes(std::span<const uint8_t> data);
  // A device buffer of n floats, every element NaN, so unwritten outputs are visible.
  vk::Buffer poisoned_floats(size_t n);
  std::vector<float> download_floats(const vk::Buffer& buffer, size_t n, size_t offset_floats = 0);
};

}  // namespace vkmoe::test
