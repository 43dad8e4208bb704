#pragma once
// A model's tensors in device memory, by GGUF name. Matrices keep their file type (the matmul
// kernels dequantize in registers); vectors (norm weights, biases, sinks, router bias) become
// float32, the type the small kernels read. A stacked expert tensor is one buffer holding
// every expert back to back (expert e at e * expert_bytes), the layout the expert matmul
// reads through its slot table. When experts stream, the stacked expert tensors are placed in
// host-visible memory instead: the ExpertStore copies from them, or reads them in place.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "engine/kernels/matmul.h"
#include "engine/vk/buffer.h"
#include "engine/vk/context.h"
#include "loader/model/model_spec.h"

namespace vkmoe {

struct DeviceTensor {
  vk::Buffer buffer;
  TensorType type = TensorType::kF32;
  std::array<uint64_t, 4> ne = {1, 1, 1, 1};
  uint64_t expert_bytes = 0;  // bytes per expert for stacked tensors, else 0

  vk::BufferRange range() const { return buffer.range(); }
};

// Experts [first, first + count) of a stacked tensor, for the expert matmul: the pool is that
// window, slot i of it is expert first + i; the slot table still has all ne[2] entries.
kernels::ExpertWeights expert_window(const DeviceTensor& t, uint32_t first, uint32_t count);
inline kernels::ExpertWeights expert_window(const DeviceTensor& t) { return expert_window(t, 0, static_cast<uint32_t>(t.ne[2])); }

class ModelWeights {
 public:
  // `progress` (may be empty) is told bytes done / total as tensors upload.
  ModelWeights(vk::Context& ctx, const ModelSpec& spec, bool experts_in_host_memory,
               const std::function<void(uint64_t done, uint64_t total)>& progress = {});

  const DeviceTensor* find(const std::string& name) const;
  const DeviceTensor& get(const std::string& name) const;  // throws kNotFound naming it
  uint64_t device_bytes() const { return device_bytes_; }  // in device-local memory

 private:
  std::string path_;
  std::map<std::string, DeviceTensor> tensors_;
  uint64_t device_bytes_ = 0;
};

}  // namespace vkmoe
