#pragma once
// What every generating subcommand starts with: a Vulkan context on the chosen device and a
// model loaded onto it, with a progress line on stderr while weights upload.
#include <memory>
#include <string>

#include "engine/model/model.h"
#include "engine/vk/context.h"

namespace vkmoe::cli {

struct LoadedModel {
  std::unique_ptr<vk::Context> context;
  std::unique_ptr<Model> model;
};

// `options` place the experts (VRAM budget, slots, policy) and plan the session's memory.
LoadedModel load_model_for_cli(const std::string& path, const ModelOptions& options = {});

}  // namespace vkmoe::cli
