#pragma once
// What a physical device can do, queried once and used to pick shader variants, tile sizes
// and memory strategy. `vkmoe devices` prints it.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vkmoe::vk {

// A subgroup fragment shape of VK_NV_cooperative_matrix with half A and B and float32 C and D:
// the cooperative-matrix GEMM multiplies (m x k) by (k x n) fragments. m == 0: none to use.
struct CoopmatShape {
  uint32_t m = 0, n = 0, k = 0;
  bool available() const { return m != 0; }
};

struct DeviceCaps {
  std::string name;
  std::string driver;            // driver name and version string
  uint32_t vendor_id = 0;
  uint32_t device_id = 0;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t api_version = 0;

  uint32_t subgroup_size = 0;
  uint32_t min_subgroup_size = 0, max_subgroup_size = 0;
  bool subgroup_arithmetic = false;  // subgroupAdd etc. in compute shaders
  bool subgroup_shuffle = false;     // subgroupShuffleXor etc. in compute shaders
  bool subgroup_size_control = false;
  uint32_t max_shared_memory = 0;    // bytes per workgroup
  uint32_t max_workgroup_invocations = 0;
  uint32_t max_workgroup_count[3] = {0, 0, 0};
  uint32_t max_push_constants = 0;
  uint64_t max_storage_buffer_range = 0;
  uint64_t max_memory_allocation_size = 0;
  uint64_t min_storage_buffer_offset_alignment = 0;
  uint32_t max_texel_buffer_elements = 0;
  uint64_t min_texel_buffer_offset_alignment = 0;

  bool storage_16bit = false;    // 16-bit loads/stores from storage buffers (f16/bf16 weights)
  bool storage_8bit = false;     // 8-bit loads (quantized blocks)
  bool float16_arithmetic = false;
  bool int8_arithmetic = false;
  bool int16 = false;
  bool int64 = false;
  // VKMOE_GEMV_LAYOUT from the environment: gpu gives a CPU device the GPU layout of the decode
  // GEMV (the forward pass as a GPU runs it, testable on lavapipe), cpu any device the
  // CPU-driver one; unset, the device type decides (cpu_gemv_layout).
  enum class GemvLayoutSetting { kByDeviceType, kGpu, kCpu };
  GemvLayoutSetting gemv_layout_setting = GemvLayoutSetting::kByDeviceType;
  bool integer_dot_product = false;
  bool cooperative_matrix_nv = false;   // the extension is listed
  bool cooperative_matrix_khr = false;
  // The shape the GEMM uses: the NV extension, its feature, shaderFloat16 and the Vulkan memory
  // model are all there, and a listed shape fits the GEMM's tiles (choose_coopmat_shape).
  CoopmatShape coopmat_f16;
  bool float32_atomic_add = false;
  bool timeline_semaphore = false;
  bool push_descriptor = false;
  bool memory_budget = false;    // VK_EXT_memory_budget
  bool external_memory_host = false;
  bool timestamps = false;       // compute queue supports timestamps
  float timestamp_period_ns = 1.0f;

  uint64_t device_local_bytes = 0;    // largest device-local heap
  bool device_local_host_visible = false;  // resizable BAR / unified memory
  bool unified_memory = false;        // every heap is device local (integrated GPU, lavapipe)

  uint32_t compute_family = UINT32_MAX;
  uint32_t transfer_family = UINT32_MAX;  // a transfer-only family when the device has one

  // Empty when vkmoe can run on this device; otherwise what is missing, for the error message.
  std::vector<std::string> missing;
  // Whether the decode GEMV takes the CPU-driver layout (kernels::GemvLayout::kRowsPerSubgroup,
  // which needs int64): as VKMOE_GEMV_LAYOUT says, else on CPU devices with int64.
  bool cpu_gemv_layout() const;
  bool usable() const { return missing.empty(); }
  bool has_transfer_queue() const { return transfer_family != UINT32_MAX; }
};

// The shape the cooperative-matrix GEMM takes from a device's list: the largest half x half ->
// float32 subgroup shape whose m and n divide 16 and whose k divides 32 (the GEMM's subgroups
// take 16 or 32 rows and columns of a tile; its K slices are multiples of 32). None: m == 0.
CoopmatShape choose_coopmat_shape(std::span<const VkCooperativeMatrixPropertiesNV> listed);

// `instance` lets the cooperative-matrix shapes be listed (an instance-level query); without it,
// or with VKMOE_COOPMAT=0 in the environment, coopmat_f16 stays unavailable. Throws
// kInvalidArgument for a VKMOE_GEMV_LAYOUT other than gpu or cpu.
DeviceCaps query_device_caps(VkPhysicalDevice physical, VkInstance instance = VK_NULL_HANDLE);
const char* device_type_name(VkPhysicalDeviceType type);
// Multi-line, human-readable summary.
std::string describe_device_caps(const DeviceCaps& caps);

}  // namespace vkmoe::vk
