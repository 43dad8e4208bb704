#include "loader/gguf/gguf_model.h"

#include "loader/base/error.h"
#include "loader/gguf/gguf_config.h"
#include "loader/gguf/gguf_file.h"
#include "loader/gguf/gguf_shapes.h"
#include "loader/gguf/gguf_vocab.h"

namespace vkmoe {
namespace {

constexpr size_t kSummaryStringChars = 80;

// Stacked expert tensors ("blk.N.ffn_up_exps.weight", their biases) carry n_expert along
// their last dimension; each expert's slice is contiguous.
bool is_expert_stack(const std::string& name) { return name.find("_exps.") != std::string::npos; }

TensorData tensor_data(const GgufTensorInfo& t, const ModelConfig& c, const std::string& path) {
  TensorData d;
  d.name = t.name;
  d.type = t.type;
  d.n_dims = t.n_dims;
  d.ne = t.ne;
  d.bytes = t.bytes;
  if (!is_expert_stack(t.name) || c.n_expert == 0) {
    d.slices.push_back(t.data);
    return d;
  }
  uint64_t last = t.ne[t.n_dims - 1];
  if (t.n_dims < 2 || last != c.n_expert) {
    throw Error(ErrorCode::kInvalidFile, path + ": expert tensor '" + t.name + "' has " + std::to_string(last) +
                                             " entries along its last dimension, expected expert_count " +
                                             std::to_string(c.n_expert));
  }
  uint64_t per_expert = t.bytes / c.n_expert;  // exact: the last dimension multiplies whole rows
  for (uint32_t e = 0; e < c.n_expert; ++e) d.slices.push_back(t.data.subspan(e * per_expert, per_expert));
  return d;
}

std::map<std::string, std::string> summarize(const GgufMetadata& m) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : m.entries()) {
    std::string text = GgufMetadata::printable(value);
    if (value.type == GgufType::kString && text.size() > kSummaryStringChars) {
      text = text.substr(0, kSummaryStringChars) + "... (" + std::to_string(value.str.size()) + " chars)";
    }
    for (char& ch : text) {
      if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    }
    out.emplace(key, std::move(text));
  }
  return out;
}

}  // namespace

ModelSpec load_gguf_model_spec(const std::string& path) {
  auto file = std::make_shared<GgufFile>(GgufFile::open(path));
  ModelSpec spec;
  spec.path = path;
  spec.format = "gguf";
  spec.config = gguf_model_config(*file);
  check_gguf_tensor_shapes(*file, spec.config);
  for (const auto& t : file->tensors()) spec.tensors.emplace(t.name, tensor_data(t, spec.config, file->path()));

  spec.vocab = gguf_tokenizer_vocab(file->metadata(), file->path());
  if (!spec.vocab.empty() && spec.vocab.tokens.size() > spec.config.n_vocab) {
    throw Error(ErrorCode::kInvalidFile, file->path() + ": " + std::to_string(spec.vocab.tokens.size()) +
                                             " tokens but token_embd.weight has only " +
                                             std::to_string(spec.config.n_vocab) + " rows");
  }
  spec.config.bos_token = spec.vocab.bos;
  spec.config.eos_tokens = spec.vocab.eog;
  spec.chat_template = std::string(file->metadata().find_string("tokenizer.chat_template").value_or(""));
  spec.metadata_summary = summarize(file->metadata());
  spec.storage.push_back(file);  // keeps the mappings the tensor views point into
  return spec;
}

}  // namespace vkmoe
