// `vkmoe logits`: next-token logits at every position of a token list, as a NumPy array
// [T, V] of float32 — for comparing vkmoe with other implementations.
#include <cstdio>
#include <string>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "apps/common/expert_args.h"
#include "apps/common/loaded_model.h"
#include "apps/common/npy_writer.h"
#include "engine/model/session.h"
#include "loader/base/error.h"

namespace vkmoe::cli {
namespace {

std::vector<uint32_t> parse_ids(const std::string& text) {
  std::vector<uint32_t> ids;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    try {
      size_t used = 0;
      unsigned long long v = std::stoull(item, &used);
      if (used != item.size() || v > UINT32_MAX) throw std::invalid_argument(item);
      ids.push_back(static_cast<uint32_t>(v));
    } catch (const std::exception&) {
      throw Error(ErrorCode::kInvalidArgument, "--tokens: '" + item + "' is not a token id");
    }
    pos = end + 1;
  }
  return ids;
}

int run_logits(const std::vector<std::string>& argv) {
  Args args(argv);
  std::string path = args.require("model");
  std::vector<uint32_t> ids = parse_ids(args.require("tokens"));
  std::string out = args.require("out");
  std::string precision = args.get_or("precision", "default");
  const ExpertOptions experts = read_expert_args(args);
  args.finish();
  if (precision != "f32" && precision != "default") {
    throw Error(ErrorCode::kInvalidArgument, "--precision must be f32 or default, got '" + precision + "'");
  }
  if (ids.empty()) throw Error(ErrorCode::kInvalidArgument, "--tokens is empty");
  SessionOptions options;
  options.max_ctx = static_cast<uint32_t>(ids.size());
  options.kv_cache_type = precision == "f32" ? kernels::KvCacheType::kF32 : kernels::KvCacheType::kF16;
  LoadedModel loaded = load_model_for_cli(path, model_options_for(options, experts));
  Session session(*loaded.model, options);
  std::vector<float> logits = session.eval(ids, true);
  write_npy_f32(out, logits, {ids.size(), loaded.model->config().n_vocab});
  std::fprintf(stderr, "wrote %s: [%zu, %u] float32\n", out.c_str(), ids.size(), loaded.model->config().n_vocab);
  return 0;
}

const Command kLogits("logits", std::string("--model PATH --tokens 1,2,3 --out FILE.npy [--precision f32|default] ") + kExpertUsage,
                      "write next-token logits at every position as a NumPy [T, V] float32 array", run_logits,
                      kExpertHelp);

}  // namespace
}  // namespace vkmoe::cli
