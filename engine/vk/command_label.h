#pragma once
// What the commands recorded next are, for a profiler (command_profiler.h): an id the caller
// gives meaning to, and bound ranges of which the commands touch only part, so their bytes
// are not overstated (an expert pool of which only the routed experts are read; a KV cache
// of which only the valid rows are read).
#include <array>
#include <cstdint>

#include "engine/vk/buffer.h"

namespace vkmoe::vk {

struct PartialUse {
  BufferRange range;   // a bound range overlapping this one is charged at most `bytes`
  uint64_t bytes = 0;
};

struct CommandLabel {
  static constexpr uint32_t kNone = 0xffffffffu;
  uint32_t id = kNone;
  std::array<PartialUse, 2> partial{};
};

}  // namespace vkmoe::vk
