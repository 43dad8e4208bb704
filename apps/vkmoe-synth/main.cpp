// vkmoe-synth: writes a GGUF model with the published shape of a real MoE model (or `tiny`)
// and random weights and vocabulary, for benchmarks and tests without downloads.
//   vkmoe-synth --shape NAME --type TYPE --out FILE.gguf [--seed S] [--layers N]
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "apps/vkmoe-synth/synth_cli.h"
#include "apps/vkmoe-synth/synth_writer.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    vkmoe::synth::print_usage();
    return args.empty() ? 2 : 0;
  }
  try {
    const vkmoe::synth::SynthOptions options = vkmoe::synth::parse_synth_options(args);
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
