#include "tests/bench/golden_figures.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tests/bench/cli_run.h"
#include "tests/support/goldens.h"

namespace vkmoe::test {

ExpectedModel expected_model() {
  auto manifest = nlohmann::json::parse(read_text(golden_path("gguf/MANIFEST.json")));
  auto config = nlohmann::json::parse(read_text(golden_path("hf/qwen3_moe/config.json")));
  double used = config.at("num_experts_per_tok").get<double>();
  double experts = config.at("num_local_experts").get<double>();
  nlohmann::json file;
  for (const auto& f : manifest.at("files")) {
    if (f.at("file") == "qwen3_moe-F16.gguf") file = f;
  }
  if (file.is_null()) throw std::runtime_error("MANIFEST.json has no qwen3_moe-F16.gguf");
  if (!config.at("mlp_only_layers").empty() || config.at("decoder_sparse_step") != 1) {
    throw std::runtime_error("the golden qwen3_moe has dense layers; the expert counts below assume none");
  }
  ExpectedModel e;
  e.n_layer = config.at("num_hidden_layers").get<uint32_t>();
  e.n_expert = config.at("num_local_experts").get<uint32_t>();
  e.n_expert_used = config.at("num_experts_per_tok").get<uint32_t>();
  std::map<std::string, uint64_t> matmul_elements;
  for (const auto& [name, t] : file.at("tensors").items()) {
    uint64_t n = 1;
    for (const auto& d : t.at("ne")) n *= d.get<uint64_t>();
    std::string type = t.at("type");
    uint64_t bytes = n * (type == "F16" ? 2 : type == "F32" ? 4 : 0);
    if (bytes == 0) throw std::runtime_error("unexpected type " + type + " in the manifest");
    bool expert = name.find("_exps.") != std::string::npos;
    e.params_total += n;
    e.bytes += bytes;
    e.params_active += expert ? static_cast<uint64_t>(n * used / experts) : n;
    if (expert) {
      e.active_bytes_per_token += bytes * used / experts;
      e.expert_tensor_bytes += bytes;
      if (name.starts_with("blk.0.")) e.expert_bytes += bytes / t.at("ne")[2].get<uint64_t>();
    } else if (name == "token_embd.weight") {  // output.weight exists: one row is gathered
      e.active_bytes_per_token += static_cast<double>(bytes) / t.at("ne")[1].get<double>();
    } else {
      e.active_bytes_per_token += static_cast<double>(bytes);
    }
    if (t.at("ne").size() >= 2 && name != "token_embd.weight") matmul_elements[type] += n;
  }
  e.weight_type = matmul_elements["F16"] > matmul_elements["F32"] ? "F16" : "F32";
  if (e.expert_tensor_bytes != e.expert_bytes * e.n_expert * e.n_layer) {
    throw std::runtime_error("the golden's expert tensors differ in size between layers");
  }
  return e;
}

}  // namespace vkmoe::test
