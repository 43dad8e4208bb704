#include "loader/tokenizer/hf_tokenizer_json.h"

#include "loader/base/error.h"
#include "loader/base/json_file.h"
#include "loader/tokenizer/json_fields.h"
#include "loader/tokenizer/pre_tokenizer.h"

namespace vkmoe {
namespace {

const std::string kSpaceMarker = "\u2581";
constexpr int64_t kMaxTokenId = (1 << 22) - 1;  // 4M: far past any real vocabulary; bounds the allocation

// What the normalizer, pre-tokenizer and decoder say about the vocabulary's family.
struct Pipeline {
  bool byte_level = false;            // ByteLevel pre-tokenizer or decoder
  std::vector<std::string> regexes;   // Split patterns, with ByteLevel's own when use_regex is on
  bool sentencepiece_style = false;   // ▁ for spaces (Metaspace, Replace, Prepend)
  bool prefix_space = false;          // SentencePiece's dummy prefix
};

Error unsupported(const std::string& what) { return Error(ErrorCode::kUnsupported, what); }

void read_normalizer(const Json& n, const std::string& where, Pipeline& p) {
  if (n.is_null()) return;
  const std::string type = json_string(json_member(n, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = json_member(n, "normalizers", where);
    json_expect(list, Json::value_t::array, where + ".normalizers");
    for (size_t i = 0; i < list.size(); ++i) read_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]", p);
  } else if (type == "Prepend") {
    p.sentencepiece_style = true;
    p.prefix_space = json_string(json_member(n, "prepend", where), where + ".prepend") == kSpaceMarker;
  } else if (type == "Replace") {
    p.sentencepiece_style = true;
  } else if (type != "NFC") {
    // NFC is accepted and not applied: text is almost always composed already.
    throw unsupported(where + ": normalizer '" + type + "' is not supported");
  }
}

void read_pre_tokenizer(const Json& t, const std::string& where, Pipeline& p) {
  if (t.is_null()) return;
  const std::string type = json_string(json_member(t, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = json_member(t, "pretokenizers", where);
    json_expect(list, Json::value_t::array, where + ".pretokenizers");
    for (size_t i = 0; i < list.size(); ++i) read_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]", p);
  } else if (type == "ByteLevel") {
    p.byte_level = true;
    const auto it = t.find("use_regex");
    if (it == t.end() || json_bool(*it, where + ".use_regex")) p.regexes.push_back(kGpt2PreTokenizerRegex);
  } else if (type == "Split") {
    const Json& pattern = json_member(t, "pattern", where);
    const auto regex = pattern.find("Regex");
    if (!pattern.is_object() || regex == pattern.end()) throw unsupported(where + ": only Regex split patterns are supported");
    const auto behavior = t.find("behavior");
    const auto invert = t.find("invert");
    if ((behavior != t.end() && json_string(*behavior, where + ".behavior") != "Isolated") ||
        (invert != t.end() && json_bool(*invert, where + ".invert"))) {
      throw unsupported(where + ": only Isolated, non-inverted splits are supported");
    }
    p.regexes.push_back(json_string(*regex, where + ".pattern.Regex"));
  } else if (type == "Metaspace") {
    p.sentencepiece_style = true;
    const auto scheme = t.find("prepend_scheme");
    const auto legacy = t.find("add_prefix_space");
    if (scheme != t.end()) {
      p.prefix_space = json_string(*scheme, where + ".prepend_scheme") != "never";
    } else {
      p.prefix_space = legacy == t.end() || json_bool(*legacy, where + ".add_prefix_space");
    }
  } else {
    throw unsupported(where + ": pre-tokenizer '" + type + "' is not supported");
  }
}

void read_decoder(const Json& d, const std::string& where, Pipeline& p) {
  if (d.is_null()) return;
  const std::string type = json_string(json_member(d, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = json_member(d, "decoders", where);
    json_expect(list, Json::value_t::array, where + ".decoders");
    for (size_t i = 0; i < list.size(); ++i) read_decoder(list[i], where + ".decoders[" + std::to_string(i) + "]", p);
  } else if (type == "ByteLevel") {
    p.byte_level = true;
  } else if (type == "Metaspace" || type == "Replace") {
    p.sentencepiece_style = true;
  }
}

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
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    const auto it = model.find(key);
    if (it != model.end() && !it->is_null() && !json_string(*it, where + "." + key).empty()) {
      throw unsupported(where + ": BPE " + key + " is not supported");
    }
  }
}

void read_unigram_model(const Json& model, const std::string& where, TokenizerVocab& vocab) {
  const Json& entries = json_member(model, "vocab", where);
  json_expect(entries, Json::value_t::array, where + ".vocab");
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string at = where + ".vocab[" + std::to_string(i) + "]";
    json_expect(entries[i], Json::value_t::array, at);
    if (entries[i].size() != 2) throw Error(ErrorCode::kInvalidFile, at + " is not a [piece, score] pair");
    set_token(vocab, static_cast<int64_t>(i), json_string(entries[i][0], at + "[0]"), TokenAttr::kNormal, at);
    vocab.scores.push_back(static_cast<float>(json_number(entries[i][1], at + "[1]")));
  }
  const auto unk = model.find("unk_id");
  if (unk != model.end() && !unk->is_null()) {
    const int64_t id = json_int(*unk, where + ".unk_id");
    if (id < 0 || id >= static_cast<int64_t>(vocab.tokens.size())) {
      throw Error(ErrorCode::kInvalidFile, where + ".unk_id " + std::to_string(id) + " is out of range");
    }
    vocab.unk = static_cast<uint32_t>(id);
    vocab.attrs[vocab.unk] = TokenAttr::kUnknown;
  }
}

uint32_t id_of(const TokenizerVocab& vocab, const std::string& piece) {
  for (size_t i = 0; i < vocab.tokens.size(); ++i) {
    if (vocab.tokens[i] == piece) return static_cast<uint32_t>(i);
  }
  return UINT32_MAX;
}

// TemplateProcessing that starts (ends) with a special token adds BOS (EOS).
void read_post_processor(const Json& p, const std::string& where, TokenizerVocab& vocab) {
  if (p.is_null() || json_string(json_member(p, "type", where), where + ".type") != "TemplateProcessing") return;
  const Json& single = json_member(p, "single", where);
  json_expect(single, Json::value_t::array, where + ".single");
  const auto special_at = [&](size_t i) -> uint32_t {
    const auto s = single[i].find("SpecialToken");
    if (s == single[i].end()) return UINT32_MAX;
    const std::string at = where + ".single[" + std::to_string(i) + "].SpecialToken";
    const std::string piece = json_string(json_member(*s, "id", at), at + ".id");
    const uint32_t id = id_of(vocab, piece);
    if (id == UINT32_MAX) throw Error(ErrorCode::kInvalidFile, at + ": '" + piece + "' is not in the vocabulary");
    return id;
  };
  if (single.empty()) return;
  for (size_t i = 0; i < single.size(); ++i) json_expect(single[i], Json::value_t::object, where + ".single[" + std::to_string(i) + "]");
  if (uint32_t bos = special_at(0); bos != UINT32_MAX) {
    vocab.add_bos = true;
    vocab.bos = bos;
  }
  if (single.size() > 1) {
    if (uint32_t eos = special_at(single.size() - 1); eos != UINT32_MAX) {
      vocab.add_eos = true;
      vocab.eos = eos;
    }
  }
}

TokenizerVocab read_vocab(const std::string& text, const std::string& name) {
  const Json root = parse_json(text, name);
  json_expect(root, Json::value_t::object, name);
  const Json& model = json_member(root, "model", name);
  const std::string model_where = name + ": model";
  json_expect(model, Json::value_t::object, model_where);
  std::string type = model.contains("type") ? json_string(model["type"], model_where + ".type") : "BPE";

  TokenizerVocab vocab;
  bool byte_fallback = false;
  if (type == "BPE") {
    read_bpe_model(model, model_where, vocab);
    const auto fb = model.find("byte_fallback");
    byte_fallback = fb != model.end() && !fb->is_null() && json_bool(*fb, model_where + ".byte_fallback");
  } else if (type == "Unigram") {
    read_unigram_model(model, model_where, vocab);
    const auto fb = model.find("byte_fallback");
    byte_fallback = fb != model.end() && !fb->is_null() && json_bool(*fb, model_where + ".byte_fallback");
  } else {
    throw unsupported(model_where + ": model type '" + type + "' is not supported");
  }

  if (const auto added = root.find("added_tokens"); added != root.end() && !added->is_null()) {
    json_expect(*added, Json::value_t::array, name + ": added_tokens");
    for (size_t i = 0; i < added->size(); ++i) {
      const std::string at = name + ": added_tokens[" + std::to_string(i) + "]";
      const Json& t = (*added)[i];
      const int64_t id = json_int(json_member(t, "id", at), at + ".id");
      const std::string content = json_string(json_member(t, "content", at), at + ".content");
      const auto special = t.find("special");
      const bool is_special = special != t.end() && json_bool(*special, at + ".special");
      set_token(vocab, id, content, is_special ? TokenAttr::kControl : TokenAttr::kUserDefined, at);
    }
  }
  if (vocab.tokens.empty()) throw Error(ErrorCode::kInvalidFile, name + ": the vocabulary is empty");

  Pipeline p;
  read_normalizer(root.value("normalizer", Json()), name + ": normalizer", p);
  read_pre_tokenizer(root.value("pre_tokenizer", Json()), name + ": pre_tokenizer", p);
  read_decoder(root.value("decoder", Json()), name + ": decoder", p);

  if (type == "BPE" && p.byte_level && !byte_fallback) {
    vocab.kind = TokenizerKind::kBytePairBpe;
    vocab.pre = pre_tokenizer_name_for_regexes(p.regexes);
    if (vocab.pre.empty()) {
      std::string list;
      for (const auto& r : p.regexes) list += (list.empty() ? "" : ", ") + ("'" + r + "'");
      throw unsupported(name + ": pre-tokenizer regexes [" + list + "] are not a family vkmoe knows");
    }
    vocab.add_space_prefix = false;
  } else if (type == "Unigram" || byte_fallback || p.sentencepiece_style) {
    vocab.kind = TokenizerKind::kSentencePiece;
    vocab.add_space_prefix = p.prefix_space;
    vocab.byte_fallback = byte_fallback;
    if (type == "BPE") {
      if (const auto unk = model.find("unk_token"); unk != model.end() && !unk->is_null()) {
        const std::string piece = json_string(*unk, model_where + ".unk_token");
        vocab.unk = id_of(vocab, piece);
        if (vocab.unk == UINT32_MAX) throw Error(ErrorCode::kInvalidFile, model_where + ".unk_token '" + piece + "' is not in the vocabulary");
      }
    }
  } else {
    throw unsupported(name + ": a BPE model that is neither byte-level nor SentencePiece-style is not supported");
  }
  read_post_processor(root.value("post_processor", Json()), name + ": post_processor", vocab);
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