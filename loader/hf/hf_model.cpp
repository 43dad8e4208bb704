#include "loader/hf/hf_model.h"

#include <algorithm>
#include <filesystem>

#include "loader/base/error.h"
#include "loader/hf/expected_tensors.h"
#include "loader/hf/hf_config.h"
#include "loader/hf/hf_tensor_conversions.h"
#include "loader/hf/hf_tensor_names.h"
#include "loader/safetensors/safetensors_checkpoint.h"
#include "loader/tokenizer/tokenizer_files.h"

namespace vkmoe {
namespace {

namespace fs = std::filesystem;
using Kind = HfTensorTarget::Kind;

std::string show_ne(const std::vector<uint64_t>& ne) {
  std::string text = "{";
  for (size_t i = 0; i < ne.size(); ++i) text += (i ? ", " : "") + std::to_string(ne[i]);
  return text + "}";
}

// Builds the tensor table of one folder: views where HF's bytes already have GGUF's layout,
// stacked views for per-expert tensors, owned copies for the few conversions.
class TensorTableBuilder {
 public:
  TensorTableBuilder(ModelSpec& spec, const SafetensorsCheckpoint& checkpoint) : spec_(spec), c_(spec.config) {
    for (const auto& file : checkpoint.files()) spec_.storage.push_back(file->storage());
  }

  void add(const std::string& hf_name, const LocatedTensor& located) {
    const SafetensorsTensor& t = *located.tensor;
    HfTensorTarget target = classify_hf_tensor(hf_name, c_);
    const std::string blk = "blk." + std::to_string(target.layer) + ".";
    switch (target.kind) {
      case Kind::kDirect: add_view(target.gguf_name, located); break;
      case Kind::kExpert: add_expert_slice(target, located); break;
      case Kind::kMlaKvB: add_converted(located, [&] { return split_mla_kv_b(t, blk, c_); }); break;
      case Kind::kGptOssGateUp: add_converted(located, [&] { return split_gpt_oss_gate_up(t, blk, c_); }); break;
      case Kind::kGptOssGateUpBias: add_converted(located, [&] { return split_gpt_oss_gate_up_bias(t, blk, c_); }); break;
      case Kind::kGptOssDown:
        add_converted(located, [&] { return std::vector<ConvertedTensor>{transpose_gpt_oss_down(t, blk, c_)}; });
        break;
      case Kind::kIgnored: break;
      case Kind::kUnknown:
        throw Error(ErrorCode::kUnsupported,
                    located.file->path() + ": tensor '" + hf_name + "' is not part of a " + c_.arch_name + " model vkmoe knows");
    }
  }

  // Stacks the per-expert slices, then checks the table against what the config needs.
  void finish() {
    for (auto& [name, slices] : experts_) stack_experts(name, slices);
    check_against_config();
  }

 private:

  [[noreturn]] void fail(ErrorCode code, const LocatedTensor& located, const std::string& what) const {
    throw Error(code, located.file->path() + ": tensor '" + located.tensor->name + "': " + what);
  }

  TensorType weight_type(const LocatedTensor& located) const {
    SafetensorsDtype dtype = located.tensor->dtype;
    if (dtype != SafetensorsDtype::kF32 && dtype != SafetensorsDtype::kF16 && dtype != SafetensorsDtype::kBF16) {
      fail(ErrorCode::kUnsupported, located, "dtype " + std::string(safetensors_dtype_name(dtype)) + " is not supported for weights");
    }
    return *tensor_type_for(dtype);
  }

  TensorData& insert(const std::string& name, const LocatedTensor& located) {
    auto [it, inserted] = spec_.tensors.try_emplace(name);
    if (!inserted) fail(ErrorCode::kInvalidFile, located, "gives '" + name + "' a second time (from '" + sources_[name] + "' too)");
    sources_[name] = located.tensor->name;
    it->second.name = name;
    return it->second;
  }

  static void set_ne(TensorData& d, const std::vector<uint64_t>& ne) {
    d.n_dims = static_cast<uint32_t>(ne.size());
    d.ne = {1, 1, 1, 1};
    for (size_t i = 0; i < ne.size(); ++i) d.ne[i] = ne[i];
  }

  void add_view(const std::string& name, const LocatedTensor& located) {
    const SafetensorsTensor& t = *located.tensor;
    if (t.shape.size() > 4) fail(ErrorCode::kUnsupported, located, "has more than 4 dimensions");
    TensorData& d = insert(name, located);
    d.type = weight_type(located);
    set_ne(d, std::vector<uint64_t>(t.shape.rbegin(), t.shape.rend()));  // row-major outermost-first → ne innermost-first
    d.bytes = t.bytes.size();
    d.slices = {t.bytes};
  }

  void add_expert_slice(const HfTensorTarget& target, const LocatedTensor& located) {
    if (target.expert >= c_.n_expert) {
      fail(ErrorCode::kInvalidFile, located, "expert " + std::to_string(target.expert) + " is beyond the " + std::to_string(c_.n_expert) +
                                                 " experts of config.json");
    }
    std::vector<LocatedTensor>& slices = experts_[target.gguf_name];
    slices.resize(c_.n_expert);
    slices[target.expert] = located;
  }

  void stack_experts(const std::string& name, const std::vector<LocatedTensor>& slices) {
    // Some slice is present: the group exists because one was added.
    const LocatedTensor* first = &*std::find_if(slices.begin(), slices.end(), [](const LocatedTensor& s) { return s.tensor != nullptr; });
    for (uint32_t e = 0; e < slices.size(); ++e) {
      if (slices[e].tensor == nullptr) fail(ErrorCode::kNotFound, *first, "expert " + std::to_string(e) + " of '" + name + "' is missing");
      const SafetensorsTensor& t = *slices[e].tensor;
      if (t.shape.size() != 2 || t.shape != first->tensor->shape || t.dtype != first->tensor->dtype) {
        fail(ErrorCode::kInvalidFile, slices[e], "not a matrix of the same shape and dtype as the other experts' '" + first->tensor->name + "'");
      }
    }
    TensorData& d = insert(name, *first);
    d.type = weight_type(*first);
    const std::vector<uint64_t>& shape = first->tensor->shape;
    set_ne(d, {shape[1], shape[0], slices.size()});
    for (const LocatedTensor& s : slices) {
      d.slices.push_back(s.tensor->bytes);
      d.bytes += s.tensor->bytes.size();
    }
  }

  template <typename Convert>
  void add_converted(const LocatedTensor& located, Convert convert) {
    std::vector<ConvertedTensor> converted;
    try {
      converted = convert();
    } catch (const Error& e) {
      throw Error(e.code(), located.file->path() + ": " + e.what());  // the conversions name the tensor, not the file
    }
    for (ConvertedTensor& ct : converted) {
      TensorData& d = insert(ct.name, located);
      d.type = weight_type(located);
      set_ne(d, ct.ne);
      auto owned = std::make_shared<std::vector<uint8_t>>(std::move(ct.bytes));
      d.bytes = owned->size();
      d.slices = {std::span<const uint8_t>(owned->data(), owned->size())};
      spec_.storage.push_back(std::move(owned));
    }
  }

  void check_against_config() const {
    std::map<std::string, ExpectedTensor> expected = expected_tensors(c_);
    for (const auto& [name, want] : expected) {
      const TensorData* have = spec_.find(name);
      if (have == nullptr) {
        if (!want.required) continue;
        throw Error(ErrorCode::kNotFound, spec_.path + ": tensor '" + name + "' is missing (a " + c_.arch_name + " model with this config.json needs it)");
      }
      std::vector<uint64_t> ne(have->ne.begin(), have->ne.begin() + have->n_dims);
      if (ne != want.ne) {
        throw Error(ErrorCode::kInvalidFile, spec_.path + ": tensor '" + name + "' (from '" + sources_.at(name) + "') has ne " + show_ne(ne) +
                                                 ", config.json implies " + show_ne(want.ne));
      }
    }
    for (const auto& [name, data] : spec_.tensors) {
      if (!expected.count(name)) {
        throw Error(ErrorCode::kUnsupported, spec_.path + ": tensor '" + sources_.at(name) + "' (" + name + ") is not used by a " +
                                                 c_.arch_name + " model with this config.json");
      }
    }
  }

  ModelSpec& spec_;
  const ModelConfig& c_;
  std::map<std::string, std::vector<LocatedTensor>> experts_;  // stacked name → slice per expert
  std::map<std::string, std::string> sources_;                  // GGUF name → HF name, for messages
};

bool file_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

}  // namespace

ModelSpec load_hf_weights(const std::string& dir) {
  ModelSpec spec;
  spec.path = dir;
  spec.format = "safetensors";
  spec.config = read_hf_config(dir);
  SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint::open_folder(dir);
  // Presence decides: Qwen2 always has q/k/v biases, Llama only with attention_bias.
  spec.config.has_qkv_bias = checkpoint.find("model.layers.0.self_attn.q_proj.bias") != nullptr;

  TensorTableBuilder builder(spec, checkpoint);
  for (const auto& [name, located] : checkpoint.tensors()) {
    // A tied model's lm_head, where a checkpoint keeps it anyway, is token_embd's copy.
    if (name == "lm_head.weight" && spec.config.tie_embeddings) continue;
    builder.add(name, located);
  }
  builder.finish();

  spec.metadata_summary["format"] = "safetensors";
  spec.metadata_summary["architecture"] = spec.config.arch_name;
  spec.metadata_summary["files"] = std::to_string(checkpoint.files().size());
  spec.metadata_summary["tensors"] = std::to_string(spec.tensors.size());
  for (const auto& [key, value] : checkpoint.files().front()->metadata()) spec.metadata_summary["safetensors." + key] = value;
  return spec;
}

ModelSpec load_hf_model_spec(const std::string& dir) {
  ModelSpec spec = load_hf_weights(dir);
  const fs::path folder(dir);
  if (file_exists(folder / "tokenizer.json") || file_exists(folder / "tokenizer.model")) {
    spec.vocab = read_tokenizer_folder(dir);
    // Generation also stops on what the tokenizer marks as end of generation (<|endoftext|>, ...).
    for (uint32_t id : spec.vocab.eog) {
      auto& eos = spec.config.eos_tokens;
      if (std::find(eos.begin(), eos.end(), id) == eos.end()) eos.push_back(id);
    }
  }
  if (file_exists(folder / "tokenizer_config.json") || file_exists(folder / "chat_template.jinja") ||
      file_exists(folder / "chat_template.json")) {
    spec.chat_template = read_chat_template(dir);
  }
  return spec;
}

}  // namespace vkmoe
