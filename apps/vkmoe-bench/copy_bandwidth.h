#pragma once
// The device's memory bandwidth as a device-to-device copy sees it: the yardstick that turns a
// decode speed into a fraction of what the memory could feed.
#include <cstdint>
#include <string>

#include "engine/vk/context.h"

namespace vkmoe::bench {

struct CopyBandwidth {
  uint64_t buffer_bytes = 0;     // size of the copied buffer
  double seconds = 0;            // the fastest copy
  double bytes_per_second = 0;   // (read + written) / seconds = 2 * buffer_bytes / seconds
  std::string timer;             // "GPU timestamps", or "wall clock" on a device without them
  uint32_t runs = 0;
};

// Copies one device-local buffer into another `runs` times (after one untimed copy) and keeps
// the fastest. The buffer is 256 MiB, less where the device cannot allocate that much.
CopyBandwidth measure_copy_bandwidth(vk::Context& ctx, uint32_t runs = 5);

}  // namespace vkmoe::bench
