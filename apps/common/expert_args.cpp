#include "apps/common/expert_args.h"

#include <cstdint>
#include <optional>
#include <string>

#include "loader/base/error.h"

namespace vkmoe::cli {
namespace {

bool parse_on_off(const std::string& flag, const std::string& text) {
  if (text == "on") return true;
  if (text == "off") return false;
  throw Error(ErrorCode::kInvalidArgument, "--" + flag + " expects on or off, got '" + text + "'");
}

// The engine's parsers name the value; the flag it came from is added in front.
template <typename Parse>
auto parse_flag(const std::string& flag, const std::string& text, Parse parse) {
  try {
    return parse(text);
  } catch (const Error& e) {
    throw Error(e.code(), "--" + flag + ": " + e.what());
  }
}

}  // namespace

ExpertOptions read_expert_args(Args& args) {
  ExpertOptions o;
  std::optional<std::string> budget = args.get("vram-budget");
  int64_t slots = args.get_int("expert-slots", 0);
  if (args.get("expert-slots") && (slots < 1 || slots > int64_t(UINT32_MAX))) {
    throw Error(ErrorCode::kInvalidArgument, "--expert-slots must be at least 1, got " + std::to_string(slots));
  }
  if (budget && slots > 0) {
    throw Error(ErrorCode::kInvalidArgument, "--vram-budget and --expert-slots both set the expert slots; give one");
  }
  if (budget) o.vram_budget = parse_flag("vram-budget", *budget, parse_vram_budget);
  o.expert_slots = static_cast<uint32_t>(slots);
  if (auto policy = args.get("expert-policy")) o.policy = parse_flag("expert-policy", *policy, parse_expert_policy);
  if (auto prefetch = args.get("prefetch")) o.prefetch = parse_on_off("prefetch", *prefetch);
  if (auto zero_copy = args.get("zero-copy")) o.zero_copy = parse_on_off("zero-copy", *zero_copy);
  return o;
}

}  // namespace vkmoe::cli
