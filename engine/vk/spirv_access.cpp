#include "engine/vk/spirv_access.h"

#include <map>
#include <set>
#include <string>

#include "loader/base/error.h"

namespace vkmoe::vk {
namespace {

// The few SPIR-V opcodes and decorations the walk needs (SPIR-V specification, 3.32 / 3.20).
constexpr uint32_t kOpTypePointer = 32;
constexpr uint32_t kOpVariable = 59;
constexpr uint32_t kOpDecorate = 71;
constexpr uint32_t kOpMemberDecorate = 72;
constexpr uint32_t kDecorationNonWritable = 24;
constexpr uint32_t kDecorationNonReadable = 25;
constexpr uint32_t kDecorationBinding = 33;
constexpr uint32_t kDecorationDescriptorSet = 34;
constexpr uint32_t kHeaderWords = 5;

// A decoration on a whole variable, or on members of a block type.
struct Decorations {
  bool non_writable = false, non_readable = false;
  std::set<uint32_t> non_writable_members, non_readable_members, members;
};

}  // namespace

std::vector<BindingAccess> shader_binding_access(std::span<const uint32_t> spirv, uint32_t buffer_count) {
  if (spirv.size() < kHeaderWords || spirv[0] != 0x07230203u) throw Error(ErrorCode::kInternal, "not a SPIR-V module");
  std::map<uint32_t, Decorations> decorations;  // id → its decorations
  std::map<uint32_t, uint32_t> binding_of, set_of, pointee_of, type_of_variable;
  for (size_t at = kHeaderWords; at < spirv.size();) {
    const uint32_t words = spirv[at] >> 16, op = spirv[at] & 0xffffu;
    if (words == 0 || at + words > spirv.size()) throw Error(ErrorCode::kInternal, "truncated SPIR-V instruction");
    const uint32_t* w = &spirv[at];
    if (op == kOpDecorate && words >= 3) {
      if (w[2] == kDecorationBinding && words >= 4) binding_of[w[1]] = w[3];
      if (w[2] == kDecorationDescriptorSet && words >= 4) set_of[w[1]] = w[3];
      if (w[2] == kDecorationNonWritable) decorations[w[1]].non_writable = true;
      if (w[2] == kDecorationNonReadable) decorations[w[1]].non_readable = true;
    } else if (op == kOpMemberDecorate && words >= 4) {
      Decorations& d = decorations[w[1]];
      d.members.insert(w[2]);
      if (w[3] == kDecorationNonWritable) d.non_writable_members.insert(w[2]);
      if (w[3] == kDecorationNonReadable) d.non_readable_members.insert(w[2]);
    } else if (op == kOpTypePointer && words >= 4) {
      pointee_of[w[1]] = w[3];
    } else if (op == kOpVariable && words >= 4) {
      type_of_variable[w[2]] = w[1];
    }
    at += words;
  }

  std::vector<BindingAccess> access(buffer_count, BindingAccess{false, false});
  for (const auto& [variable, binding] : binding_of) {
    if (binding >= buffer_count || (set_of.count(variable) != 0 && set_of[variable] != 0)) continue;
    const auto type = type_of_variable.find(variable);
    if (type == type_of_variable.end()) continue;
    const Decorations& var = decorations[variable];
    const Decorations& block = decorations[pointee_of[type->second]];
    // A block qualifier lands on every member; a block with some writable member is written.
    const bool all_non_writable = !block.members.empty() && block.non_writable_members == block.members;
    const bool all_non_readable = !block.members.empty() && block.non_readable_members == block.members;
    access[binding].read = !(var.non_readable || all_non_readable);
    access[binding].written = !(var.non_writable || all_non_writable);
  }
  return access;
}

}  // namespace vkmoe::vk
