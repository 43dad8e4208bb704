#include "apps/common/loaded_model.h"

#include <unistd.h>

#include <cstdio>

namespace vkmoe::cli {

LoadedModel load_model_for_cli(const std::string& path, const ModelOptions& options) {
  LoadedModel out;
  out.context = vk::Context::create({});
  bool tty = ::isatty(STDERR_FILENO) != 0;
  int last_percent = -1;
  auto progress = [&](uint64_t done, uint64_t total) {
    int percent = total > 0 ? static_cast<int>(100 * done / total) : 100;
    if (!tty || percent == last_percent) return;
    last_percent = percent;
    std::fprintf(stderr, "\rloading %s: %3d%%", path.c_str(), percent);
    if (done == total) std::fprintf(stderr, "\n");
  };
  out.model = Model::load(*out.context, path, options, progress);
  std::fprintf(stderr, "vkmoe: %s (%s, %u layers, %u experts, top-%u) on %s\n", path.c_str(),
               architecture_name(out.model->config().arch), out.model->config().n_layer, out.model->config().n_expert,
               out.model->config().n_expert_used, out.context->caps().name.c_str());
  if (out.model->config().n_expert > 0) std::fprintf(stderr, "vkmoe: %s\n", out.model->placement().describe().c_str());
  return out;
}

}  // namespace vkmoe::cli
