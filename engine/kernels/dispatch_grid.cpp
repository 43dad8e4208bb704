#include "engine/kernels/dispatch_grid.h"

#include <algorithm>

#include "loader/base/error.h"

namespace vkmoe::kernels {

Grid grid_for_groups(uint64_t groups, const vk::DeviceCaps& caps) {
  uint64_t max_x = std::min<uint64_t>(caps.max_workgroup_count[0], 65535);
  Grid g;
  g.x = static_cast<uint32_t>(std::max<uint64_t>(1, std::min(groups, max_x)));
  uint64_t y = ceil_div(std::max<uint64_t>(groups, 1), g.x);
  if (y > caps.max_workgroup_count[1]) throw Error(ErrorCode::kUnsupported, "dispatch of " + std::to_string(groups) + " workgroups exceeds the device grid");
  g.y = static_cast<uint32_t>(y);
  return g;
}

}  // namespace vkmoe::kernels
