#include "apps/vkmoe-synth/synth_writer.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "apps/vkmoe-synth/model_metadata.h"
#include "apps/vkmoe-synth/progress_bar.h"
#include "apps/vkmoe-synth/random_blocks.h"
#include "apps/vkmoe-synth/synthetic_vocab.h"
#include "apps/vkmoe-synth/tensor_plan.h"
#include "loader/gguf/gguf_writer.h"

namespace vkmoe::synth {
namespace {

constexpr size_t kChunkBytes = 4u << 20;

// FNV-1a: each tensor's random stream depends only on the seed and its name.
uint64_t name_hash(const std::string& name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ull;
  return h;
}

// Bytes of one unit that fill_random_blocks fills whole: a block, or one F32/F16 element.
size_t unit_bytes(TensorType type) {
  if (type == TensorType::kF32) return 4;
  if (type == TensorType::kF16) return 2;
  return tensor_type_info(type).block_bytes;
}

void write_tensors(GgufWriter& w, const std::vector<PlannedTensor>& plan, const std::vector<uint64_t>& sizes,
                   uint64_t seed, ProgressBar* progress) {
  std::vector<uint8_t> chunk;
  uint64_t done = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    const PlannedTensor& t = plan[i];
    Rng rng(seed ^ name_hash(t.name));
    const size_t unit = unit_bytes(t.type);
    const size_t chunk_bytes = std::max(unit, kChunkBytes / unit * unit);
    for (uint64_t left = sizes[i]; left > 0;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk_bytes));
      chunk.resize(n);
      fill_random_blocks(t.type, t.fill, rng, chunk);
      w.write_data(chunk);
      left -= n;
      done += n;
      if (progress) progress->update(done);
    }
  }
}

}  // namespace

uint64_t write_synthetic_model(const SynthOptions& o) {
  const ShapeConfig& shape = *o.shape;
  const std::vector<PlannedTensor> plan = plan_tensors(shape, o.n_layer, o.file_type);
  const SyntheticVocab vocab = make_synthetic_vocab(shape.n_vocab, o.seed);
  GgufWriter w(o.out_path);  // throws before touching an existing file it cannot open
  try {
    write_model_metadata(w, shape, o.n_layer, o.file_type, vocab);
    std::vector<uint64_t> sizes;
    uint64_t total = 0;
    for (const auto& t : plan) total += sizes.emplace_back(w.add_tensor(t.name, t.type, t.ne));
    ProgressBar bar(total);
    write_tensors(w, plan, sizes, o.seed, o.progress ? &bar : nullptr);
    w.finish();
    if (o.progress) bar.finish();
    return total;
  } catch (...) {
    // The half-written file is of no use; the writer closes it when it goes out of scope.
    std::error_code ignored;
    std::filesystem::remove(o.out_path, ignored);
    throw;
  }
}

}  // namespace vkmoe::synth
