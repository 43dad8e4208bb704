#include "loader/tokenizer/hf_tokenizer_json.h"

#include <unordered_map>

#include "loader/base/error.h"
#include "loader/base/json_file.h"
#include "loader/tokenizer/json_fields.h"
#include "loader/tokenizer/pre_tokenizer_families.h"
#include "loader/tokenizer/tokenizer_pipeline.h"

namespace vkmoe {
namespace {

constexpr int64_t kMaxTokenId = (1 << 22) - 1;  // 4M: far past any real vocabulary; bounds the allocation

Error unsupported(const std::string& what) { return Error(ErrorCode::kUnsupported, what); }

// Puts `piece` at `id`, growing the vocabulary as needed.
void set_token(TokenizerVocab& vocab, int64_t id, std::string piece, TokenAttr attr, const std::string& where) {
  if (id < 0 || id > kMaxTokenId) throw Error(ErrorCode::kInvalidFile, where + ": token id " + std::to_string(id) + " is out of range");
  const auto index = static_cast<size_t>(id);
  if (index >= vocab.tokens.size()) {
    vocab.tokens.resize(index + 1);
    vocab.attrs.resize(index + 1, TokenAttr::kUnused);
  }
  vocab.tokens[index] = std::move(piece);
  vocab.attrs[index] = attr;
}

void read_bpe_model(const Json& model, const std::string& where, TokenizerVocab& vocab) {
  const Json& entries = json_member(model, "vocab", where);
  json_expect(entries, Json::value_t::object, where + ".vocab");
  for (const auto& [piece, id] : entries.items()) {
    set_token(vocab, json_int(id, where + ".vocab[\"" + piece + "\"]"), piece, TokenAttr::kNormal, where + ".vocab");
  }
  const Json& merges = json_member(model, "merges", where);
  json_expect(merges, Json::value_t::array, where + ".merges");
  vocab.merges.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const std::string at = where + ".merges[" + std::to_string(i) + "]";
    const Json& m = merges[i];
    if (m.is_string()) {
      vocab.merges.push_back(m.get<std::string>());
    } else if (m.is_array() && m.size() == 2) {
      vocab.merges.push_back(json_string(m[0], at + "[0]") + " " + json_string(m[1], at + "[1]"));
    } else {
      throw Error(ErrorCode::kInvalidFile, at + " is neither \"a b\" nor a pair of strings");
    }
  }
  if (const auto dropout = model.find("dropout"); dropout != model.end() && !dropout->is_null() &&
      json_number(*dropout, where + ".dropout") != 0.0) {
    throw unsupported(where + ".dropout: BPE dropout is not supported (it makes encoding random)");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    const auto it = model.find(key);
    if (it != model.end() && !it->is_null() && !json_string(*it, where + "." + key).empty()) {
      throw unsupported(where + ": BPE " + key + " is not supported");
    }
  }
}

void read_unigram_model(const Json& model, const std::string& where, TokenizerVocab& vocab, std::vector<double>& scores) {
  const Json& entries = json_member(model, "vocab", where);
  json_expect(entries, Json::value_t::array, where + ".vocab");
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string at = where + ".vocab[" + std::to_string(i) + "]";
    json_expect(entries[i], Json::value_t::array, at);
    if (entries[i].size() != 2) throw Error(ErrorCode::kInvalidFile, at + " is not a [piece, score] pair");
    set_token(vocab, static_cast<int64_t>(i), json_string(entries[i][0], at + "[0]"), TokenAttr::kNormal, at);
    scores.push_back(json_number(entries[i][1], at + "[1]"));
  }
  const auto unk = model.find("unk_id");
  if (unk != model.end() && !unk->is_null()) {
    const int64_t id = json_int(*unk, where + ".unk_id");
    if (id < 0 || id >= static_cast<int64_t>(vocab.tokens.size())) {
      throw Error(ErrorCode::kInvalidFile, where + ".unk_id " + std::to_string(id) + " is out of range");
    }
    vocab.unk = static_cast<uint32_t>(id);
  }
}

uint32_t id_of(const TokenizerVocab& vocab, const std::string& piece) {
  for (size_t i = 0; i < vocab.tokens.size(); ++i) {
    if (vocab.tokens[i] == piece) return static_cast<uint32_t>(i);
  }
  return UINT32_MAX;
}

AddedTokenSpec read_added_token_spec(const Json& t, bool special, const std::string& where) {
  AddedTokenSpec spec;
  spec.flags.special = special;
  spec.flags.lstrip = json_optional_bool(t, "lstrip", false, where);
  spec.flags.rstrip = json_optional_bool(t, "rstrip", false, where);
  spec.flags.single_word = json_optional_bool(t, "single_word", false, where);
  spec.normalized = json_optional_bool(t, "normalized", !special, where);
  return spec;
}

void refuse_if_set(const Json& root, const char* key, const std::string& name) {
  const auto it = root.find(key);
  if (it != root.end() && !it->is_null()) {
    throw unsupported(name + ": " + key + " is not supported (vkmoe encodes one sequence at its full length)");
  }
}

TokenizerVocab read_vocab(const std::string& text, const std::string& name) {
  const Json root = parse_json(text, name);
  json_expect(root, Json::value_t::object, name);
  const Json& model = json_member(root, "model", name);
  const std::string model_where = name + ": model";
  json_expect(model, Json::value_t::object, model_where);
  const std::string type = model.contains("type") ? json_string(model["type"], model_where + ".type") : "BPE";
  if (type != "BPE" && type != "Unigram") throw unsupported(model_where + ".type: model type '" + type + "' is not supported");
  refuse_if_set(root, "truncation", name);
  refuse_if_set(root, "padding", name);

  TokenizerVocab vocab;
  auto pipeline = std::make_shared<TokenizerPipeline>();
  vocab.byte_fallback = json_optional_bool(model, "byte_fallback", false, model_where);
  if (type == "Unigram") {
    read_unigram_model(model, model_where, vocab, pipeline->unigram_scores);
    pipeline->unigram = true;
    pipeline->fuse_unk = true;  // the library's Unigram always fuses unknown characters
  } else {
    read_bpe_model(model, model_where, vocab);
    pipeline->fuse_unk = json_optional_bool(model, "fuse_unk", false, model_where);
    pipeline->ignore_merges = json_optional_bool(model, "ignore_merges", false, model_where);
  }

  if (const auto added = root.find("added_tokens"); added != root.end() && !added->is_null()) {
    json_expect(*added, Json::value_t::array, name + ": added_tokens");
    // An added token whose content the model's vocabulary already holds keeps the model's id,
    // whatever id the entry gives, as the library resolves it.
    std::unordered_map<std::string, uint32_t> model_ids;
    for (size_t i = 0; i < vocab.tokens.size(); ++i) {
      if (!vocab.tokens[i].empty()) model_ids.emplace(vocab.tokens[i], static_cast<uint32_t>(i));
    }
    for (size_t i = 0; i < added->size(); ++i) {
      const std::string at = name + ": added_tokens[" + std::to_string(i) + "]";
      const Json& t = (*added)[i];
      json_expect(t, Json::value_t::object, at);
      const int64_t id = json_int(json_member(t, "id", at), at + ".id");
      const std::string content = json_string(json_member(t, "content", at), at + ".content");
      const bool special = json_optional_bool(t, "special", false, at);
      const auto known = model_ids.find(content);
      const int64_t resolved = known != model_ids.end() ? known->second : id;
      set_token(vocab, resolved, content, special ? TokenAttr::kControl : TokenAttr::kUserDefined, at);
      pipeline->added[static_cast<uint32_t>(resolved)] = read_added_token_spec(t, special, at);
    }
  }
  if (vocab.tokens.empty()) throw Error(ErrorCode::kInvalidFile, name + ": the vocabulary is empty");
  if (const auto unk = model.find("unk_token"); !pipeline->unigram && unk != model.end() && !unk->is_null()) {
    const std::string piece = json_string(*unk, model_where + ".unk_token");
    vocab.unk = id_of(vocab, piece);
    if (vocab.unk == UINT32_MAX) throw Error(ErrorCode::kInvalidFile, model_where + ".unk_token '" + piece + "' is not in the vocabulary");
  }

  pipeline->normalizer = Normalizer::from_json(root.value("normalizer", Json()), name + ": normalizer");
  pipeline->pre_tokenizer = PreTokenizer::from_json(root.value("pre_tokenizer", Json()), name + ": pre_tokenizer");
  pipeline->post_processor = PostProcessor::from_json(root.value("post_processor", Json()), name + ": post_processor");
  pipeline->decoder = Decoder::from_json(root.value("decoder", Json()), name + ": decoder");

  // kind and pre describe the vocabulary for callers; the pipeline alone decides encoding.
  const bool byte_level = pipeline->pre_tokenizer.byte_level() || pipeline->decoder.maps_bytes();
  vocab.kind = byte_level ? TokenizerKind::kBytePairBpe : TokenizerKind::kSentencePiece;
  vocab.pre = byte_level ? pre_tokenizer_family_name(pipeline->pre_tokenizer.regexes()) : std::string();
  vocab.add_space_prefix = false;
  const PostProcessor& post = pipeline->post_processor;
  if (post.prefix.size() == 1) {
    vocab.add_bos = true;
    vocab.bos = post.prefix[0];
  }
  if (post.suffix.size() == 1) {
    vocab.add_eos = true;
    vocab.eos = post.suffix[0];
  }
  for (uint32_t id : post.prefix) {
    if (id >= vocab.tokens.size()) throw Error(ErrorCode::kInvalidFile, name + ": post_processor adds token " + std::to_string(id) + ", which is out of range");
  }
  for (uint32_t id : post.suffix) {
    if (id >= vocab.tokens.size()) throw Error(ErrorCode::kInvalidFile, name + ": post_processor adds token " + std::to_string(id) + ", which is out of range");
  }
  vocab.pipeline = std::move(pipeline);
  return vocab;
}

}  // namespace

TokenizerVocab read_hf_tokenizer_json(const std::string& text, const std::string& name) {
  try {
    return read_vocab(text, name);
  } catch (const Json::exception& e) {
    // A type mismatch the field checks above did not foresee; still a bad file, not a crash.
    throw Error(ErrorCode::kInvalidFile, name + ": " + e.what());
  }
}

}  // namespace vkmoe