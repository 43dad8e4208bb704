// `vkmoe render-chat --model PATH --messages FILE.json [--no-generation-prompt]`: prints
// the prompt a model's chat template makes of a conversation, byte for byte (nothing is
// appended), as transformers' apply_chat_template(..., tokenize=False) would. Needs no GPU
// and no weights: a tokenizer-only Hugging Face folder is enough.
//
// FILE.json is either a list of messages or an object {"messages": [...], ...} whose other
// members become template variables (tools, enable_thinking, reasoning_effort, ...).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/common/args.h"
#include "apps/common/command.h"
#include "loader/base/error.h"
#include "loader/chat/chat_template.h"
#include "loader/model/model_spec.h"
#include "loader/tokenizer/tokenizer_files.h"

namespace vkmoe::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kInvalidFile, path + ": " + e.what());
  }
}

// tokenizer_config.json writes a special token as a string, as {"content": "..."} (an
// AddedToken), or as null when the tokenizer has none.
std::optional<std::string> config_token(const json& config, const char* key, const std::string& where) {
  const auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("content") && (*it)["content"].is_string()) return (*it)["content"].get<std::string>();
  throw Error(ErrorCode::kInvalidFile, where + ": " + key + " is neither a string nor a token object");
}

std::optional<std::string> vocab_token(const TokenizerVocab& vocab, uint32_t id) {
  if (id >= vocab.tokens.size()) return std::nullopt;
  return vocab.tokens[id];
}

int run_render_chat(const std::vector<std::string>& argv) {
  Args args(argv, {"no-generation-prompt"});
  const std::string model = args.require("model");
  const std::string messages_path = args.require("messages");
  const bool generation_prompt = !args.has_flag("no-generation-prompt");
  args.finish();

  ChatRequest req;
  req.add_generation_prompt = generation_prompt;
  const json input = read_json_file(messages_path);
  if (input.is_array()) {
    req.messages = input;
  } else if (input.is_object() && input.contains("messages") && input["messages"].is_array()) {
    req.messages = input["messages"];
    for (const auto& [key, value] : input.items())
      if (key != "messages") req.extra[key] = value;
  } else {
    throw Error(ErrorCode::kInvalidArgument, messages_path + ": expected a list of messages or an object with \"messages\"");
  }

  std::string source;
  if (fs::is_directory(model)) {
    source = read_chat_template(model);
    const std::string config_path = (fs::path(model) / "tokenizer_config.json").string();
    if (fs::exists(config_path)) {
      const json config = read_json_file(config_path);
      req.bos_token = config_token(config, "bos_token", config_path);
      req.eos_token = config_token(config, "eos_token", config_path);
    }
  } else {
    const ModelSpec spec = load_model_spec(model);
    source = spec.chat_template;
    req.bos_token = vocab_token(spec.vocab, spec.vocab.bos);
    req.eos_token = vocab_token(spec.vocab, spec.vocab.eos);
  }
  if (source.empty()) throw Error(ErrorCode::kNotFound, model + ": the model has no chat template");

  const std::string prompt = render_chat_template(source, req);
  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  return 0;
}

const Command kRenderChat("render-chat", "--model PATH --messages FILE.json [--no-generation-prompt]",
                          "print the prompt the model's chat template makes of a conversation", run_render_chat);

}  // namespace
}  // namespace vkmoe::cli
