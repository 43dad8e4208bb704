#pragma once
// The Unigram model's segmentation as Hugging Face's tokenizers computes it: the split of a
// word into vocabulary pieces whose scores sum highest (Viterbi over byte positions, pieces
// tried shortest first so ties keep the shorter), a character no piece starts with costing
// the lowest score minus 10 as the unknown token, consecutive unknown characters fused into
// one piece.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "loader/tokenizer/utf8.h"

namespace vkmoe {

struct UnigramPiece {
  size_t begin = 0, end = 0;  // bytes of the word
  int64_t id = -1;            // -1: unknown text
};

struct UnigramLimits {
  size_t max_piece_bytes = 0;  // the longest piece
  double unknown_score = 0;    // the lowest piece score minus 10
};

// Pieces covering `word` (valid UTF-8) in order. find(std::string_view) gives a piece's id
// or -1; scores[id] its score.
template <class FindPiece>
std::vector<UnigramPiece> unigram_segment(std::string_view word, const std::vector<double>& scores,
                                          const UnigramLimits& limits, FindPiece find) {
  struct Best {
    double score = 0;
    std::optional<size_t> start;  // where the best path's last piece starts
    int64_t id = -1;
  };
  const size_t n = word.size();
  std::vector<Best> best(n + 1);
  const auto offer = [&](size_t start, size_t end, int64_t id, double score) {
    const double total = best[start].score + score;
    if (!best[end].start || total > best[end].score) best[end] = {total, start, id};
  };
  for (size_t start = 0; start < n;) {
    const size_t char_len = utf8_decode(word, start).length;
    bool has_one_char_piece = false;
    for (size_t len = 1; len <= limits.max_piece_bytes && start + len <= n; ++len) {
      const int64_t id = find(word.substr(start, len));
      if (id < 0) continue;
      offer(start, start + len, id, scores[static_cast<size_t>(id)]);
      has_one_char_piece = has_one_char_piece || len == char_len;
    }
    if (!has_one_char_piece) offer(start, start + char_len, -1, limits.unknown_score);
    start += char_len;
  }
  std::vector<UnigramPiece> pieces;
  for (size_t end = n; end > 0;) {
    const Best& b = best[end];
    const size_t start = *b.start;
    if (b.id < 0 && !pieces.empty() && pieces.back().id < 0) {
      pieces.back().begin = start;  // fused with the unknown text after it
    } else {
      pieces.push_back({start, end, b.id});
    }
    end = start;
  }
  std::reverse(pieces.begin(), pieces.end());
  return pieces;
}

}  // namespace vkmoe
