#include "apps/vkmoe-synth/synthetic_vocab.h"

#include <unordered_set>

#include "apps/vkmoe-synth/random_blocks.h"
#include "loader/base/error.h"

namespace vkmoe::synth {
namespace {

constexpr const char* kSpecials[] = {"<|startoftext|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"};
constexpr uint32_t kSpecialCount = 4;

std::string utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// GPT-2's byte alphabet: printable Latin-1 bytes stand for themselves, the other 68 bytes
// for U+0100 upwards in byte order.
std::vector<std::string> byte_alphabet() {
  std::vector<std::string> chars(256);
  uint32_t next = 256;
  for (uint32_t b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
    chars[b] = utf8(printable ? b : next++);
  }
  return chars;
}

}  // namespace

SyntheticVocab make_synthetic_vocab(uint32_t n_tokens, uint64_t seed) {
  if (n_tokens < 256 + kSpecialCount) {
    throw Error(ErrorCode::kInvalidArgument, "a byte-level vocabulary needs at least 260 tokens, not " + std::to_string(n_tokens));
  }
  SyntheticVocab v;
  const std::vector<std::string> bytes = byte_alphabet();
  v.tokens = bytes;
  std::unordered_set<std::string> known(bytes.begin(), bytes.end());

  // Word pieces: tokens that may start a merge (letters, the space mark, earlier merges) and
  // tokens that may continue one (anything without a leading space mark).
  std::vector<uint32_t> starts, continues;
  const std::string space = bytes[' '];
  starts.push_back(' ');
  for (uint32_t b = 'a'; b <= 'z'; ++b) starts.push_back(b), continues.push_back(b);
  for (uint32_t b = 'A'; b <= 'Z'; ++b) starts.push_back(b), continues.push_back(b);

  const auto base_starts = static_cast<uint32_t>(starts.size());
  Rng rng(seed ^ 0x70c3e5);
  const uint32_t n_merged = n_tokens - kSpecialCount;
  while (v.tokens.size() < n_merged) {
    // Half the merges start from a single letter, so short common pairs exist and ordinary
    // text really merges; the rest grow earlier merges into longer words.
    const uint32_t pool = rng.below(2) == 0 ? base_starts : static_cast<uint32_t>(starts.size());
    const uint32_t left = starts[rng.below(pool)];
    const uint32_t right = continues[rng.below(static_cast<uint32_t>(continues.size()))];
    std::string piece = v.tokens[left] + v.tokens[right];
    if (piece.size() > 48 || !known.insert(piece).second) continue;
    v.merges.push_back(v.tokens[left] + " " + v.tokens[right]);
    const auto id = static_cast<uint32_t>(v.tokens.size());
    v.tokens.push_back(std::move(piece));
    starts.push_back(id);
    if (!v.tokens[id].starts_with(space)) continues.push_back(id);
  }
  v.token_types.assign(v.tokens.size(), 1);
  for (const char* special : kSpecials) {
    v.tokens.emplace_back(special);
    v.token_types.push_back(3);
  }
  v.bos = n_merged;
  v.eos = n_merged + 1;
  v.im_start = n_merged + 2;
  v.im_end = n_merged + 3;
  return v;
}

const char* synthetic_chat_template() {
  return "{% for message in messages %}"
         "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
         "{% endfor %}"
         "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
}

}  // namespace vkmoe::synth
