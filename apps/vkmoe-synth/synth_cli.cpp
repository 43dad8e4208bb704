#include "apps/vkmoe-synth/synth_cli.h"

#include <cstdint>
#include <cstdio>

#include "apps/common/args.h"
#include "loader/base/error.h"

namespace vkmoe::synth {
namespace {

constexpr int64_t kAllLayers = INT64_MIN;  // --layers not given

}  // namespace

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

SynthOptions parse_synth_options(const std::vector<std::string>& argv) {
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

}  // namespace vkmoe::synth

