// What vkmoe asks of a device for the cooperative-matrix GEMM, checked without one that has
// it: the shape taken from a driver's list (an H100's, as ../shared/DEVICE.md records it), and
// the extension and features the device recipe enables for it, or leaves out.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "engine/vk/device_caps.h"
#include "engine/vk/device_features.h"

namespace vkmoe::vk {
namespace {

VkCooperativeMatrixPropertiesNV shape(uint32_t m, uint32_t n, uint32_t k, VkComponentTypeNV ab, VkComponentTypeNV cd,
                                      VkScopeNV scope = VK_SCOPE_SUBGROUP_NV) {
  VkCooperativeMatrixPropertiesNV p{VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV};
  p.MSize = m;
  p.NSize = n;
  p.KSize = k;
  p.AType = p.BType = ab;
  p.CType = p.DType = cd;
  p.scope = scope;
  return p;
}

constexpr VkComponentTypeNV kF16 = VK_COMPONENT_TYPE_FLOAT16_NV, kF32 = VK_COMPONENT_TYPE_FLOAT32_NV;

bool same(CoopmatShape a, CoopmatShape b) { return a.m == b.m && a.n == b.n && a.k == b.k; }

TEST(CoopmatShapeChoice, TakesTheLargestHalfShapeWithFloatSums) {
  // An H100 lists f16 with f16 and with f32 sums at 16x16x16 and 16x8x16 (and 16x8x8), and
  // int8 shapes.
  const std::vector<VkCooperativeMatrixPropertiesNV> h100 = {
      shape(16, 8, 16, kF16, kF16),  shape(16, 8, 8, kF16, kF16),  shape(16, 16, 16, kF16, kF16),
      shape(16, 8, 16, kF16, kF32),  shape(16, 8, 8, kF16, kF32),  shape(16, 16, 16, kF16, kF32),
      shape(8, 8, 32, VK_COMPONENT_TYPE_SINT8_NV, VK_COMPONENT_TYPE_SINT32_NV)};
  EXPECT_TRUE(same(choose_coopmat_shape(h100), {16, 16, 16}));
  const std::vector<VkCooperativeMatrixPropertiesNV> narrow = {shape(16, 8, 8, kF16, kF32), shape(16, 8, 16, kF16, kF32)};
  EXPECT_TRUE(same(choose_coopmat_shape(narrow), {16, 8, 16}));
}

TEST(CoopmatShapeChoice, RefusesShapesTheGemmCannotUse) {
  // Half sums, integer types, workgroup scope, and sizes that do not divide the tiles.
  const std::vector<VkCooperativeMatrixPropertiesNV> unusable = {
      shape(16, 16, 16, kF16, kF16), shape(8, 8, 32, VK_COMPONENT_TYPE_SINT8_NV, VK_COMPONENT_TYPE_SINT32_NV),
      shape(16, 16, 16, kF16, kF32, VK_SCOPE_WORKGROUP_NV), shape(32, 8, 16, kF16, kF32), shape(16, 8, 64, kF16, kF32),
      shape(16, 0, 16, kF16, kF32)};
  EXPECT_FALSE(choose_coopmat_shape(unusable).available());
  EXPECT_FALSE(choose_coopmat_shape({}).available());
}

// The structs of a feature chain, by type.
const VkBaseInStructure* find_in_chain(const VkPhysicalDeviceFeatures2* head, VkStructureType type) {
  for (auto* s = static_cast<const VkBaseInStructure*>(head->pNext); s != nullptr; s = s->pNext) {
    if (s->sType == type) return s;
  }
  return nullptr;
}

bool lists(const std::vector<const char*>& names, const char* name) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return std::strcmp(n, name) == 0; });
}

TEST(DeviceRecipe, EnablesCooperativeMatricesOnlyWhenTheGemmUsesThem) {
  DeviceCaps caps;
  caps.float16_arithmetic = true;
  caps.subgroup_size_control = true;
  {
    const DeviceFeatureChain chain(caps);
    EXPECT_EQ(find_in_chain(chain.head(), VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV), nullptr);
    auto* f12 = reinterpret_cast<const VkPhysicalDeviceVulkan12Features*>(
        find_in_chain(chain.head(), VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES));
    ASSERT_NE(f12, nullptr);
    EXPECT_FALSE(f12->vulkanMemoryModel);
    EXPECT_FALSE(lists(optional_device_extensions(caps), VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME));
  }
  caps.coopmat_f16 = {16, 16, 16};
  const DeviceFeatureChain chain(caps);
  auto* coopmat = reinterpret_cast<const VkPhysicalDeviceCooperativeMatrixFeaturesNV*>(
      find_in_chain(chain.head(), VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV));
  ASSERT_NE(coopmat, nullptr);
  EXPECT_TRUE(coopmat->cooperativeMatrix);
  auto* f12 = reinterpret_cast<const VkPhysicalDeviceVulkan12Features*>(
      find_in_chain(chain.head(), VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES));
  ASSERT_NE(f12, nullptr);
  EXPECT_TRUE(f12->vulkanMemoryModel);  // the shaders declare the Vulkan memory model
  EXPECT_TRUE(f12->shaderFloat16);
  // The subgroup-size-control struct stays linked too.
  EXPECT_NE(find_in_chain(chain.head(), VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES), nullptr);
  EXPECT_TRUE(lists(optional_device_extensions(caps), VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME));
}

TEST(DeviceRecipe, AHostDeviceKeepsTheScalarGemm) {
  DeviceCaps caps;
  caps.coopmat_f16 = {16, 16, 16};
  restrict_to_enabled(caps, {VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME}, nullptr);
  EXPECT_FALSE(caps.coopmat_f16.available());
}

}  // namespace
}  // namespace vkmoe::vk
