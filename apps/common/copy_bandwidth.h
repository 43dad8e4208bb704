#pragma once
// Two yardsticks, both timed by GPU timestamps around vkCmdCopyBuffer: the device's memory
// bandwidth as a device-to-device copy sees it (turns a decode speed into a fraction of what
// the memory could feed), and the host-to-device bandwidth that streamed experts cross.
#include <cstdint>
#include <string>

#include "engine/vk/context.h"

namespace vkmoe::cli {

struct CopyBandwidth {
  uint64_t buffer_bytes = 0;     // size of the copied buffer
  double seconds = 0;            // the fastest copy
  double bytes_per_second = 0;   // device copy: (read + written) / seconds = 2 * buffer_bytes / seconds;
                                 // upload: buffer_bytes / seconds (each byte crosses the bus once)
  std::string timer;             // "GPU timestamps", or "wall clock" on a device without them
  uint32_t runs = 0;
};

// Copies one device-local buffer into another `runs` times (after one untimed copy) and keeps
// the fastest. The buffer is 256 MiB, less where the device cannot allocate that much.
CopyBandwidth measure_copy_bandwidth(vk::Context& ctx, uint32_t runs = 5);
// The same with the source in host-visible memory of the kind the streamed experts live in
// (MemoryUsage::kHostShared, pinned by the driver), copied into device-local memory.
CopyBandwidth measure_upload_bandwidth(vk::Context& ctx, uint32_t runs = 5);

}  // namespace vkmoe::cli
