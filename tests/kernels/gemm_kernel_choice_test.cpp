// Which GEMM kernel kAuto takes, from device capabilities written out by hand: the
// cooperative-matrix one where a shape is listed and its tiles fit shared memory, else the
// scalar one. No device with cooperative matrices is needed to check the choice.
#include <gtest/gtest.h>

#include "engine/kernels/matmul.h"

namespace vkmoe::test {
namespace {

using kernels::GemmKernel;

// An H100 as ../shared/DEVICE.md records it: subgroups of 32, 48 KiB of shared memory.
vk::DeviceCaps h100() {
  vk::DeviceCaps caps;
  caps.subgroup_size = 32;
  caps.max_shared_memory = 48 * 1024;
  caps.max_workgroup_invocations = 1024;
  caps.float16_arithmetic = true;
  caps.coopmat_f16 = {16, 16, 16};
  return caps;
}

TEST(GemmKernelChoice, TensorCoresWhereTheDeviceListsAShape) {
  const vk::DeviceCaps caps = h100();
  for (TensorType t : {TensorType::kF32, TensorType::kF16, TensorType::kQ8_0, TensorType::kQ4_K, TensorType::kQ6_K}) {
    EXPECT_EQ(kernels::resolve_gemm_kernel(caps, t, GemmKernel::kAuto), GemmKernel::kCoopmat) << tensor_type_info(t).name;
  }
  // A request is kept as it is.
  EXPECT_EQ(kernels::resolve_gemm_kernel(caps, TensorType::kQ4_K, GemmKernel::kScalar), GemmKernel::kScalar);
}

TEST(GemmKernelChoice, ScalarWithoutAShapeOrWithTooLittleSharedMemory) {
  vk::DeviceCaps caps = h100();
  caps.coopmat_f16 = {};
  EXPECT_EQ(kernels::resolve_gemm_kernel(caps, TensorType::kQ4_K, GemmKernel::kAuto), GemmKernel::kScalar);
  // 16 KiB holds 32 x 32 tiles of 32-deep slices (hi and lo halves of x and W, 40 halves a
  // row: 10 KiB, plus 4 KiB of fragments on their way out), not of Q4_K's 64-deep ones.
  caps = h100();
  caps.max_shared_memory = 16 * 1024;
  EXPECT_EQ(kernels::resolve_gemm_kernel(caps, TensorType::kQ8_0, GemmKernel::kAuto), GemmKernel::kCoopmat);
  EXPECT_EQ(kernels::resolve_gemm_kernel(caps, TensorType::kQ4_K, GemmKernel::kAuto), GemmKernel::kScalar);
  EXPECT_FALSE(kernels::coopmat_gemm_runs(caps, TensorType::kQ6_K, GemmKernel::kCoopmat));
}

TEST(GemmKernelChoice, LanesNeedHalfArithmetic) {
  vk::DeviceCaps caps = h100();
  caps.coopmat_f16 = {};
  EXPECT_TRUE(kernels::coopmat_gemm_runs(caps, TensorType::kQ6_K, GemmKernel::kCoopmatOnLanes));
  caps.float16_arithmetic = false;
  EXPECT_FALSE(kernels::coopmat_gemm_runs(caps, TensorType::kQ6_K, GemmKernel::kCoopmatOnLanes));
}

}  // namespace
}  // namespace vkmoe::test
