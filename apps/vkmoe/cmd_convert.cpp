// `vkmoe convert --model PATH --type F16|Q8_0|F32 --out FILE.gguf`: writes a Hugging Face
// folder (or a float GGUF file) as GGUF, with llama.cpp's layout, so the same model runs in
// vkmoe, llama.cpp and every other GGUF reader.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "loader/base/error.h"
#include "loader/gguf/gguf_export.h"
#include "loader/model/model_spec.h"

namespace vkmoe::cli {
namespace {

TensorType parse_export_type(const std::string& name) {
  if (name == "F32") return TensorType::kF32;
  if (name == "F16") return TensorType::kF16;
  if (name == "Q8_0") return TensorType::kQ8_0;
  throw Error(ErrorCode::kInvalidArgument, "--type: '" + name + "' is not one of F32, F16, Q8_0");
}

int run_convert(const std::vector<std::string>& argv) {
  Args args(argv);
  const std::string model = args.require("model");
  const TensorType type = parse_export_type(args.require("type"));
  const std::string out = args.require("out");
  args.finish();
  if (std::filesystem::exists(out) && std::filesystem::equivalent(out, model)) {
    throw Error(ErrorCode::kInvalidArgument, "--out: " + out + " is the model being read");
  }
  const ModelSpec spec = load_model_spec(model);
  const std::string partial = out + ".partial";
  try {
    export_gguf(spec, type, partial, [](uint64_t written, uint64_t total) {
      std::fprintf(stderr, "\rwriting: %3.0f %%", total ? 100.0 * static_cast<double>(written) / total : 100.0);
    });
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    throw;
  }
  std::filesystem::rename(partial, out);
  std::fprintf(stderr, "\nwrote %s (%.1f MiB)\n", out.c_str(),
               static_cast<double>(std::filesystem::file_size(out)) / (1024.0 * 1024.0));
  return 0;
}

const Command kConvert("convert", "--model PATH --type F16|Q8_0|F32 --out FILE.gguf",
                       "write a Hugging Face folder (or a float GGUF) as a GGUF file in llama.cpp's layout",
                       run_convert,
                       "  --model  a Hugging Face folder (config.json, *.safetensors, tokenizer files) or a float GGUF\n"
                       "  --type   F16 or Q8_0 for every matrix (llama.cpp's Q8_0 rounding), or F32; norms,\n"
                       "           vectors and the expert router stay F32 as llama.cpp keeps them\n"
                       "  --out    the GGUF file to write (written beside it as FILE.partial, renamed when complete)\n"
                       "Architectures: qwen2, qwen2moe, qwen3, qwen3moe, olmoe.\n");

}  // namespace
}  // namespace vkmoe::cli
