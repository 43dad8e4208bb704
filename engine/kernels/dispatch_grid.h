#pragma once
// Spreads a 1-D count of workgroups over a 2-D grid, since many devices cap each grid
// dimension at 65535. Shaders recover the flat index with flat_group_index().
#include <cstdint>

#include "engine/vk/device_caps.h"

namespace vkmoe::kernels {

struct Grid {
  uint32_t x = 1, y = 1;
};

Grid grid_for_groups(uint64_t groups, const vk::DeviceCaps& caps);

inline uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace vkmoe::kernels
