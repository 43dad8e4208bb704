#pragma once
// Greedy pair merging, shared by byte-level BPE (lowest merge rank first) and SentencePiece
// (highest piece score first): repeatedly merge the adjacent pair with the best priority,
// leftmost on ties. Symbols form a linked list and candidate pairs a priority queue, so a
// word of n symbols costs O(n log n), not the O(n^2) of rescanning after every merge.
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace vkmoe {

// The key of a merge rule by the ids of the pair it merges.
inline uint64_t merge_pair_key(uint32_t left, uint32_t right) { return (static_cast<uint64_t>(left) << 32) | right; }

struct MergeSymbol {
  uint32_t begin = 0, end = 0;  // bytes of the word this symbol covers
  int64_t id = -1;              // token id, -1 when the text is not a token
};

struct MergeResult {
  double priority;  // lower merges first
  int64_t id;       // the merged token
};

// find(left, right) → std::optional<MergeResult> for two adjacent symbols.
template <class FindMerge>
std::vector<MergeSymbol> merge_pairs(std::vector<MergeSymbol> symbols, FindMerge find) {
  const int n = static_cast<int>(symbols.size());
  std::vector<int> prev(n), next(n);
  for (int i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  struct Candidate {
    double priority;
    int left, right;
    uint32_t left_end, right_end;  // to recognise candidates made stale by other merges
    int64_t id;
    bool operator>(const Candidate& o) const {
      return priority != o.priority ? priority > o.priority : left > o.left;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  const auto consider = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    if (std::optional<MergeResult> m = find(symbols[left], symbols[right])) {
      queue.push({m->priority, left, right, symbols[left].end, symbols[right].end, m->id});
    }
  };
  for (int i = 0; i + 1 < n; ++i) consider(i, i + 1);

  std::vector<bool> alive(n, true);
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    if (!alive[c.left] || !alive[c.right] || next[c.left] != c.right || symbols[c.left].end != c.left_end ||
        symbols[c.right].end != c.right_end) {
      continue;
    }
    symbols[c.left].end = symbols[c.right].end;
    symbols[c.left].id = c.id;
    alive[c.right] = false;
    next[c.left] = next[c.right];
    if (next[c.right] >= 0) prev[next[c.right]] = c.left;
    consider(prev[c.left], c.left);
    consider(c.left, next[c.left]);
  }

  std::vector<MergeSymbol> out;
  for (int i = n > 0 ? 0 : -1; i >= 0; i = next[i]) out.push_back(symbols[i]);
  return out;
}

}  // namespace vkmoe
