#include "loader/tokenizer/tokenizer_files.h"

#include <algorithm>
#include <filesystem>

#include "loader/base/error.h"
#include "loader/base/json_file.h"
#include "loader/base/mapped_file.h"
#include "loader/tokenizer/hf_tokenizer_json.h"
#include "loader/tokenizer/json_fields.h"
#include "loader/tokenizer/sentencepiece_model.h"

namespace vkmoe {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  const auto file = MappedFile::open(path);
  return std::string(reinterpret_cast<const char*>(file->data()), file->size());
}

// Parsed JSON of dir/name, or null when the file does not exist.
Json read_optional_json(const std::string& dir, const std::string& name) {
  const std::string path = (fs::path(dir) / name).string();
  if (!fs::exists(path)) return Json();
  Json j = read_json_file(path);
  json_expect(j, Json::value_t::object, path);
  return j;
}

uint32_t find_piece(const TokenizerVocab& vocab, const std::string& piece) {
  const auto it = std::find(vocab.tokens.begin(), vocab.tokens.end(), piece);
  return it == vocab.tokens.end() ? UINT32_MAX : static_cast<uint32_t>(it - vocab.tokens.begin());
}

// A special token written as "text", {"content": "text", ...} or null.
std::optional<std::string> token_text(const Json& v, const std::string& where) {
  if (v.is_null()) return std::nullopt;
  if (v.is_object()) return json_string(json_member(v, "content", where), where + ".content");
  return json_string(v, where);
}

void apply_tokenizer_config(const Json& config, const std::string& path, TokenizerVocab& vocab) {
  if (config.is_null()) return;
  // added_tokens_decoder: {"151643": {"content": "<|endoftext|>", "special": true, ...}}
  if (const auto added = config.find("added_tokens_decoder"); added != config.end()) {
    json_expect(*added, Json::value_t::object, path + ": added_tokens_decoder");
    for (const auto& [key, entry] : added->items()) {
      const std::string at = path + ": added_tokens_decoder[\"" + key + "\"]";
      char* end = nullptr;
      const unsigned long id = std::strtoul(key.c_str(), &end, 10);
      if (key.empty() || *end != '\0' || id >= vocab.tokens.size() + (1u << 20)) {
        throw Error(ErrorCode::kInvalidFile, at + ": '" + key + "' is not a token id");
      }
      const std::string content = json_string(json_member(entry, "content", at), at + ".content");
      const auto special = entry.find("special");
      const bool is_special = special != entry.end() && json_bool(*special, at + ".special");
      if (id >= vocab.tokens.size()) {
        vocab.tokens.resize(id + 1);
        if (!vocab.scores.empty()) vocab.scores.resize(id + 1, 0.0f);
      }
      if (vocab.attrs.size() < vocab.tokens.size()) vocab.attrs.resize(vocab.tokens.size(), TokenAttr::kNormal);
      vocab.tokens[id] = content;
      vocab.attrs[id] = is_special ? TokenAttr::kControl : TokenAttr::kUserDefined;
    }
  }
  const auto special = [&](const char* key, uint32_t& id) {
    const auto it = config.find(key);
    if (it == config.end()) return;
    const std::string where = path + ": " + key;
    const std::optional<std::string> text = token_text(*it, where);
    if (!text) return;
    id = find_piece(vocab, *text);
    if (id == UINT32_MAX) throw Error(ErrorCode::kInvalidFile, where + " '" + *text + "' is not in the vocabulary");
  };
  special("bos_token", vocab.bos);
  special("eos_token", vocab.eos);
  special("unk_token", vocab.unk);
  special("pad_token", vocab.pad);
  if (const auto it = config.find("add_bos_token"); it != config.end() && !it->is_null()) {
    vocab.add_bos = json_bool(*it, path + ": add_bos_token");
  }
  if (const auto it = config.find("add_eos_token"); it != config.end() && !it->is_null()) {
    vocab.add_eos = json_bool(*it, path + ": add_eos_token");
  }
}

// eos_token_id of config.json / generation_config.json: an id or a list of ids.
void add_eos_ids(const Json& config, const std::string& path, TokenizerVocab& vocab) {
  if (config.is_null()) return;
  const auto it = config.find("eos_token_id");
  if (it == config.end() || it->is_null()) return;
  const std::string where = path + ": eos_token_id";
  std::vector<int64_t> ids;
  if (it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) ids.push_back(json_int((*it)[i], where + "[" + std::to_string(i) + "]"));
  } else {
    ids.push_back(json_int(*it, where));
  }
  for (int64_t id : ids) {
    if (id < 0 || id >= static_cast<int64_t>(vocab.tokens.size())) {
      throw Error(ErrorCode::kInvalidFile, where + " " + std::to_string(id) + " is out of range (" +
                                               std::to_string(vocab.tokens.size()) + " tokens)");
    }
    vocab.eog.push_back(static_cast<uint32_t>(id));
    if (vocab.eos == UINT32_MAX) vocab.eos = static_cast<uint32_t>(id);
  }
}

TokenizerVocab read_folder(const std::string& dir) {
  const std::string json_path = (fs::path(dir) / "tokenizer.json").string();
  const std::string model_path = (fs::path(dir) / "tokenizer.model").string();
  TokenizerVocab vocab;
  if (fs::exists(json_path)) {
    vocab = read_hf_tokenizer_json(read_text(json_path), json_path);
  } else if (fs::exists(model_path)) {
    const auto file = MappedFile::open(model_path);
    vocab = read_sentencepiece_model(file->bytes(), model_path);
  } else {
    throw Error(ErrorCode::kNotFound, dir + ": no tokenizer.json or tokenizer.model");
  }
  const std::string config_path = (fs::path(dir) / "tokenizer_config.json").string();
  apply_tokenizer_config(read_optional_json(dir, "tokenizer_config.json"), config_path, vocab);
  for (const char* name : {"generation_config.json", "config.json"}) {
    add_eos_ids(read_optional_json(dir, name), (fs::path(dir) / name).string(), vocab);
  }
  if (vocab.eos != UINT32_MAX) vocab.eog.push_back(vocab.eos);
  std::sort(vocab.eog.begin(), vocab.eog.end());
  vocab.eog.erase(std::unique(vocab.eog.begin(), vocab.eog.end()), vocab.eog.end());
  return vocab;
}

}  // namespace

TokenizerVocab read_tokenizer_folder(const std::string& dir) {
  try {
    return read_folder(dir);
  } catch (const Json::exception& e) {
    throw Error(ErrorCode::kInvalidFile, dir + ": " + e.what());
  }
}

std::string read_chat_template(const std::string& dir) {
  try {
    const std::string config_path = (fs::path(dir) / "tokenizer_config.json").string();
    const Json config = read_optional_json(dir, "tokenizer_config.json");
    if (!config.is_null()) {
      if (const auto it = config.find("chat_template"); it != config.end() && !it->is_null()) {
        const std::string where = config_path + ": chat_template";
        if (it->is_string()) return it->get<std::string>();
        // A list of named templates: [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
        json_expect(*it, Json::value_t::array, where);
        for (size_t i = 0; i < it->size(); ++i) {
          const std::string at = where + "[" + std::to_string(i) + "]";
          if (json_string(json_member((*it)[i], "name", at), at + ".name") == "default") {
            return json_string(json_member((*it)[i], "template", at), at + ".template");
          }
        }
        return {};
      }
    }
    const std::string jinja = (fs::path(dir) / "chat_template.jinja").string();
    if (fs::exists(jinja)) return read_text(jinja);
    const Json standalone = read_optional_json(dir, "chat_template.json");
    if (!standalone.is_null()) {
      const std::string where = (fs::path(dir) / "chat_template.json").string() + ": chat_template";
      return json_string(json_member(standalone, "chat_template", where), where);
    }
    return {};
  } catch (const Json::exception& e) {
    throw Error(ErrorCode::kInvalidFile, dir + ": " + e.what());
  }
}

}  // namespace vkmoe
