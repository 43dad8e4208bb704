// vkmoe-synth: writes a GGUF model with the published shape of a real MoE model (or `tiny`)
// and random weights and vocabulary, for benchmarks and tests without downloads.
//   vkmoe-synth --shape NAME --type TYPE --out FILE.gguf [--seed S] [--layers N]
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/vkmoe-synth/file_type.h"
#include "apps/vkmoe-synth/shape_table.h"
#include "apps/vkmoe-synth/synth_writer.h"
#include "loader/base/error.h"

namespace vkmoe::synth {
namespace {

constexpr int64_t kAllLayers = INT64_MIN;  // --layers not given

void print_usage() {
  std::printf(
      "usage: vkmoe-synth --shape NAME --type TYPE --out FILE.gguf [--seed S] [--layers N]\n"
      "Writes a model with a published MoE shape, random weights and a random vocabulary.\n"
      "  --shape   %s\n"
      "  --type    %s (MXFP4: gpt-oss shapes only)\n"
      "  --seed    random seed (default 1); the same seed writes the same file\n"
      "  --layers  write only the first N layers (default: all)\n",
      shape_names().c_str(), file_type_names().c_str());
}

SynthOptions parse_options(const std::vector<std::string>& argv) {
  cli::Args args(argv);
  const std::string shape_name = args.require("shape");
  const std::string type_name = args.require("type");
  SynthOptions o;
  o.out_path = args.require("out");
  const int64_t seed = args.get_int("seed", 1);
  const int64_t layers = args.get_int("layers", kAllLayers);
  args.finish();

  o.shape = find_shape(shape_name);
  if (o.shape == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, "unknown shape '" + shape_name + "' (valid: " + shape_names() + ")");
  }
  const auto type = parse_file_type(type_name);
  if (!type) throw Error(ErrorCode::kInvalidArgument, "unknown type '" + type_name + "' (valid: " + file_type_names() + ")");
  if (!file_type_fits(*type, *o.shape)) {
    throw Error(ErrorCode::kInvalidArgument, "type " + type_name + " does not fit shape " + shape_name +
                                                 " (" + std::string(o.shape->gguf_arch) + "): MXFP4 files are gpt-oss only");
  }
  o.file_type = *type;
  if (layers != kAllLayers && (layers < 1 || layers > o.shape->n_layer)) {
    throw Error(ErrorCode::kInvalidArgument, "--layers " + std::to_string(layers) + " is outside 1.." +
                                                 std::to_string(o.shape->n_layer) + " for " + shape_name);
  }
  o.n_layer = layers == kAllLayers ? o.shape->n_layer : static_cast<uint32_t>(layers);
  o.seed = static_cast<uint64_t>(seed);
  return o;
}

}  // namespace
}  // namespace vkmoe::synth

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    vkmoe::synth::print_usage();
    return args.empty() ? 2 : 0;
  }
  try {
    const vkmoe::synth::SynthOptions options = vkmoe::synth::parse_options(args);
    const uint64_t bytes = vkmoe::synth::write_synthetic_model(options);
    std::fprintf(stderr, "vkmoe-synth: wrote %s (%s %s, %u layers, %.1f MiB of tensors)\n", options.out_path.c_str(),
                 std::string(options.shape->name).c_str(),
                 std::string(vkmoe::synth::file_type_name(options.file_type)).c_str(), options.n_layer,
                 static_cast<double>(bytes) / (1024.0 * 1024.0));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vkmoe-synth: error: %s\n", e.what());
    return 1;
  }
}
