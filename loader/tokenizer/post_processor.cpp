#include "loader/tokenizer/post_processor.h"

#include "loader/base/error.h"

namespace vkmoe {
namespace {

uint32_t read_id(const Json& json, const std::string& where) {
  const int64_t id = json_int(json, where);
  if (id < 0 || id > UINT32_MAX - 1) throw Error(ErrorCode::kInvalidFile, where + ": token id " + std::to_string(id) + " is out of range");
  return static_cast<uint32_t>(id);
}

// A [text, id] pair, as RobertaProcessing and BertProcessing write cls and sep.
uint32_t read_pair_id(const Json& json, const std::string& where) {
  json_expect(json, Json::value_t::array, where);
  if (json.size() != 2) throw Error(ErrorCode::kInvalidFile, where + " is not a [token, id] pair");
  return read_id(json[1], where + "[1]");
}

// The ids of special token `name` from the template's "special_tokens" map.
std::vector<uint32_t> template_ids(const Json& processor, const std::string& name, const std::string& where) {
  const std::string map_where = where + ".special_tokens";
  const Json& map = json_member(processor, "special_tokens", where);
  json_expect(map, Json::value_t::object, map_where);
  const auto it = map.find(name);
  if (it == map.end()) throw Error(ErrorCode::kInvalidFile, map_where + " has no \"" + name + "\"");
  const std::string at = map_where + "[\"" + name + "\"].ids";
  const Json& ids = json_member(*it, "ids", map_where + "[\"" + name + "\"]");
  json_expect(ids, Json::value_t::array, at);
  std::vector<uint32_t> out;
  for (size_t i = 0; i < ids.size(); ++i) out.push_back(read_id(ids[i], at + "[" + std::to_string(i) + "]"));
  return out;
}

// The library hands a processor in a Sequence what the previous one made as separate
// encodings, so a second processor that adds tokens treats them as a pair: not supported.
void wrap(PostProcessor& p, const std::vector<uint32_t>& before, const std::vector<uint32_t>& after, const std::string& where) {
  if (p.adds_tokens) throw Error(ErrorCode::kUnsupported, where + ": a second post-processor that adds special tokens is not supported");
  p.adds_tokens = true;
  p.prefix.insert(p.prefix.begin(), before.begin(), before.end());
  p.suffix.insert(p.suffix.end(), after.begin(), after.end());
}

void read_template(const Json& json, const std::string& where, PostProcessor& p) {
  const std::string single_where = where + ".single";
  const Json& single = json_member(json, "single", where);
  json_expect(single, Json::value_t::array, single_where);
  std::vector<uint32_t> before, after;
  bool seen_sequence = false;
  for (size_t i = 0; i < single.size(); ++i) {
    const std::string at = single_where + "[" + std::to_string(i) + "]";
    json_expect(single[i], Json::value_t::object, at);
    if (const auto s = single[i].find("SpecialToken"); s != single[i].end()) {
      const std::vector<uint32_t> ids = template_ids(json, json_string(json_member(*s, "id", at + ".SpecialToken"), at + ".SpecialToken.id"), where);
      (seen_sequence ? after : before).insert((seen_sequence ? after : before).end(), ids.begin(), ids.end());
    } else if (const auto q = single[i].find("Sequence"); q != single[i].end()) {
      const std::string id = json_string(json_member(*q, "id", at + ".Sequence"), at + ".Sequence.id");
      if (id != "A" || seen_sequence) throw Error(ErrorCode::kUnsupported, at + ": a single-sequence template may name sequence A once only");
      seen_sequence = true;
    } else {
      throw Error(ErrorCode::kInvalidFile, at + " is neither a SpecialToken nor a Sequence");
    }
  }
  if (!seen_sequence) throw Error(ErrorCode::kUnsupported, single_where + " does not contain sequence A");
  wrap(p, before, after, where);
}

void add(const Json& json, const std::string& where, PostProcessor& p) {
  if (json.is_null()) return;
  json_expect(json, Json::value_t::object, where);
  p.present = true;
  const std::string type = json_string(json_member(json, "type", where), where + ".type");
  if (type == "Sequence") {
    const Json& list = json_member(json, "processors", where);
    json_expect(list, Json::value_t::array, where + ".processors");
    for (size_t i = 0; i < list.size(); ++i) add(list[i], where + ".processors[" + std::to_string(i) + "]", p);
  } else if (type == "TemplateProcessing") {
    read_template(json, where, p);
  } else if (type == "RobertaProcessing" || type == "BertProcessing") {
    wrap(p, {read_pair_id(json_member(json, "cls", where), where + ".cls")}, {read_pair_id(json_member(json, "sep", where), where + ".sep")}, where);
  } else if (type != "ByteLevel") {
    throw Error(ErrorCode::kUnsupported, where + ": post-processor '" + type + "' is not supported");
  }
}

}  // namespace

PostProcessor PostProcessor::from_json(const Json& json, const std::string& where) {
  PostProcessor p;
  add(json, where, p);
  return p;
}

}  // namespace vkmoe
