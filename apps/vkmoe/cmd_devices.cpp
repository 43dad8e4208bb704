// `vkmoe devices`: every Vulkan device, what it can do, and which one vkmoe would pick.
#include <cstdio>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "engine/vk/device_selection.h"
#include "engine/vk/instance.h"
#include "loader/base/error.h"

namespace vkmoe::cli {
namespace {

int run_devices(const std::vector<std::string>& argv) {
  Args args(argv);
  args.finish();
  auto instance = vk::Instance::create({});
  auto devices = vk::enumerate_physical_devices(instance->handle());
  if (devices.empty()) {
    std::fprintf(stderr, "vkmoe devices: no Vulkan device found\n");
    return 1;
  }
  int chosen = -1;
  try {
    chosen = static_cast<int>(vk::select_physical_device(instance->handle()).index);
  } catch (const Error& e) {
    std::fprintf(stderr, "vkmoe devices: %s\n", e.what());
  }
  for (const auto& d : devices) {
    std::printf("[%u]%s %s", d.index, static_cast<int>(d.index) == chosen ? " *" : "  ",
                vk::describe_device_caps(d.caps).c_str());
  }
  std::printf("\n* = the device vkmoe uses (override with VKMOE_DEVICE=<index or name substring>)\n");
  return chosen >= 0 ? 0 : 1;
}

const Command kDevices("devices", "", "list Vulkan devices and their capabilities", run_devices);

}  // namespace
}  // namespace vkmoe::cli
