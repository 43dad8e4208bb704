#pragma once
// Expert streaming: every expert's weights live in host memory (ModelWeights put the stacked
// expert tensors there); a pool of VRAM slots, each holding one expert's gate, up and down
// matrices, keeps the hot ones. The forward pass asks, per MoE layer and step, for the
// experts its tokens were routed to; the store copies the missing ones into slots on the
// transfer queue (timeline semaphores order the copies against the compute that reads and
// later overwrites a slot) and hands back slot tables for the expert matmuls.
//
// A layer's experts are served in waves: one wave when they fit the pool, else waves of at
// most half the pool, so the next wave's copies overlap this wave's compute. A miss for a
// single token may be read from host memory in place (zero-copy) instead of evicting a more
// used expert. Pools larger than maxStorageBufferRange are split into banks; each bank, and
// the host copy, is one dispatch whose slot table marks the other experts kAbsentSlot.
// The arithmetic per output row does not depend on where its expert was read from, so the
// outputs are bitwise identical for every slot count, policy and setting.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/experts/expert_cache.h"
#include "engine/experts/expert_options.h"
#include "engine/experts/expert_stats.h"
#include "engine/experts/slot_tables.h"
#include "engine/kernels/matmul.h"
#include "engine/model/model_weights.h"
#include "engine/vk/command_buffer.h"
#include "engine/vk/context.h"
#include "engine/vk/queue_submit.h"
#include "engine/vk/timeline_semaphore.h"
#include "loader/model/model_config.h"

namespace vkmoe {

enum class ExpertMatrix { kGate, kUp, kDown };
inline constexpr uint32_t kExpertMatrices = 3;
// The stacked tensor of one matrix kind in layer `layer`: "blk.<layer>.ffn_gate_exps.weight".
std::string expert_tensor_name(uint32_t layer, ExpertMatrix which);

// How many consecutive experts of layer `layer` one storage-buffer binding can hold in each of
// its stacked tensors (maxStorageBufferRange, less the offset alignment a window may need), at
// most n_expert. Throws kUnsupported when a single expert matrix is larger than a binding.
uint32_t experts_per_binding(const vk::DeviceCaps& caps, const ModelWeights& weights, uint32_t layer, uint32_t n_expert);

// Bytes between slots in each matrix's pool: that matrix's largest expert over all layers
// (quantization mixes differ per layer), padded. `expert_bytes_of(name)` is 0 for no tensor.
using ExpertBytesOf = std::function<uint64_t(const std::string& tensor_name)>;
std::array<uint64_t, kExpertMatrices> expert_slot_strides(const ModelConfig& config, const ExpertBytesOf& expert_bytes_of);

// Where one dispatch reads its experts from.
struct ExpertSource {
  int32_t bank = 0;             // VRAM bank, or kHostBank for the layer's host copy
  vk::BufferRange slot_table;   // (n_expert) uint32
  uint32_t first_expert = 0;    // host copy: the window of experts bound, slot i = expert first + i
  uint32_t n_experts = 0;
  static constexpr int32_t kHostBank = -1;
};

struct ExpertWave {
  std::vector<ExpertSource> sources;
  std::optional<vk::SemaphorePoint> copies_done;  // the compute must wait for this
};

class ExpertStore {
 public:
  ExpertStore(vk::Context& ctx, const ModelConfig& config, const ModelWeights& weights, uint32_t n_slots,
              const ExpertOptions& options);
  ~ExpertStore();

  uint32_t n_slots() const { return cache_.n_slots(); }
  uint64_t pool_bytes() const { return pool_bytes_; }
  const ExpertOptions& options() const { return options_; }
  const ExpertStats& stats() const { return stats_; }
  void reset_stats();

  // A step begins; every earlier GPU submission has completed.
  void begin_step();
  // The experts layer `layer` needs this step (rows_per_expert[e] > 0); returns the waves.
  uint32_t plan_layer(uint32_t layer, std::span<const uint32_t> rows_per_expert);
  // Places wave `wave` of the planned layer: hits stay, misses are copied (or read in place),
  // and the host waits for its copies. Call in order, after submitting the previous wave.
  ExpertWave stage_wave(uint32_t wave);
  // The compute reading wave `wave` signals `done`; copies into its slots wait for that.
  void wave_submitted(uint32_t wave, const vk::SemaphorePoint& done);
  // Starts copies of layer `layer`'s predicted experts (ids, most likely first) into slots the
  // planned layer does not use. The last planned wave must already be marked submitted.
  void prefetch(uint32_t layer, std::span<const uint32_t> predicted);

  kernels::ExpertWeights matrix(const ExpertSource& source, uint32_t layer, ExpertMatrix which) const;

 private:
  struct Bank {
    vk::Buffer matrices[kExpertMatrices];
    uint32_t first_slot = 0;
    uint32_t n_slots = 0;
  };
  struct SlotState {
    uint64_t ready = 0;                        // transfer timeline value its copy signals
    std::optional<vk::SemaphorePoint> last_read;  // compute that reads it
    bool prefetched = false;                   // arrived by prefetch, not yet used
  };
  struct Copy {
    ExpertKey key;
    uint32_t slot;
  };
  struct TransferBatch {
    std::unique_ptr<vk::CommandBuffer> cmd;
    uint64_t done = 0;
  };

  uint32_t bank_of(uint32_t slot) const { return slot / slots_per_bank_; }
  // Takes a slot for `key` (the cache's choice), counting nothing; nullopt when all are guarded.
  std::optional<uint32_t> take_slot(ExpertKey key);
  // Records and submits the copies; returns the transfer timeline value they signal.
  uint64_t submit_copies(const std::vector<Copy>& copies);
  void wait_for_copies(uint64_t value, ExpertLayerStats& stats);

  vk::Context& ctx_;
  const ModelConfig config_;
  const ModelWeights& weights_;
  ExpertOptions options_;
  ExpertCache cache_;
  uint32_t slots_per_bank_ = 0;
  std::array<uint64_t, kExpertMatrices> strides_{};
  uint64_t pool_bytes_ = 0;
  std::vector<Bank> banks_;
  std::vector<SlotState> slot_states_;
  std::vector<uint64_t> expert_bytes_;  // per layer: gate + up + down of one expert; 0 for dense layers
  std::vector<uint32_t> host_window_;   // per layer: experts of its host copy one binding holds
  SlotTables tables_;

  vk::Queue* copy_queue_ = nullptr;
  std::unique_ptr<vk::TimelineSemaphore> transfer_timeline_;
  uint64_t transfer_value_ = 0;
  std::vector<TransferBatch> batches_;

  // The planned layer.
  uint32_t layer_ = 0;
  std::vector<uint32_t> rows_;
  std::vector<std::vector<uint32_t>> waves_;
  std::vector<std::vector<uint32_t>> wave_slots_;  // VRAM slots each staged wave reads
  ExpertStats stats_;
};

}  // namespace vkmoe
