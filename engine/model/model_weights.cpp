#include "engine/model/model_weights.h"

#include <cstring>
#include <vector>

#include "engine/experts/expert_placement.h"
#include "loader/base/error.h"
#include "loader/base/half.h"

namespace vkmoe {
namespace {

// Vectors feed the norm, bias and routing kernels, which read float32.
bool becomes_f32(const TensorData& t) { return t.n_dims == 1 || t.name.ends_with(".bias"); }

std::vector<float> to_f32(const TensorData& t) {
  std::vector<float> out(t.n_elements());
  const uint8_t* p = t.slices.front().data();
  switch (t.type) {
    case TensorType::kF32: std::memcpy(out.data(), p, out.size() * 4); break;
    case TensorType::kF16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = f16_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
      break;
    case TensorType::kBF16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = bf16_to_float(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
      break;
    default:
      throw Error(ErrorCode::kUnsupported, "tensor '" + t.name + "' is a vector of type " +
                                               std::string(tensor_type_info(t.type).name) + "; vkmoe reads vectors as F32, F16 or BF16");
  }
  return out;
}

}  // namespace

ModelWeights::ModelWeights(vk::Context& ctx, const ModelSpec& spec, bool experts_in_host_memory,
                           const std::function<void(uint64_t, uint64_t)>& progress) : path_(spec.path) {
  uint64_t total = 0, done = 0;
  for (const auto& [name, t] : spec.tensors) total += t.bytes;
  for (const auto& [name, t] : spec.tensors) {
    DeviceTensor d;
    d.ne = t.ne;
    if (becomes_f32(t) && t.slices.size() == 1) {
      auto values = to_f32(t);
      d.type = TensorType::kF32;
      d.buffer = ctx.create_buffer(values.size() * 4);
      ctx.upload(d.buffer, 0, {reinterpret_cast<const uint8_t*>(values.data()), values.size() * 4});
    } else {
      d.type = t.type;
      const bool in_host = experts_in_host_memory && is_streamed_expert_tensor(name);
      d.buffer = ctx.create_buffer(t.bytes, in_host ? vk::MemoryUsage::kHostShared : vk::MemoryUsage::kDeviceLocal);
      uint64_t offset = 0;
      for (const auto& slice : t.slices) {
        ctx.upload(d.buffer, offset, slice);
        offset += slice.size();
      }
      // Stacked tensors (experts, or DeepSeek's per-head k_b / v_b) are read per matrix.
      if (t.n_dims == 3 && t.ne[2] > 1) d.expert_bytes = t.bytes / t.ne[2];
    }
    if (!experts_in_host_memory || !is_streamed_expert_tensor(name)) device_bytes_ += d.buffer.size();
    done += t.bytes;
    if (progress) progress(done, total);
    tensors_.emplace(name, std::move(d));
  }
}

kernels::ExpertWeights expert_window(const DeviceTensor& t, uint32_t first, uint32_t count) {
  return {t.buffer.range(first * t.expert_bytes, count * t.expert_bytes), t.type, static_cast<uint32_t>(t.ne[0]),
          static_cast<uint32_t>(t.ne[1]), static_cast<uint32_t>(t.ne[2]), static_cast<uint32_t>(t.expert_bytes)};
}

const DeviceTensor* ModelWeights::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

const DeviceTensor& ModelWeights::get(const std::string& name) const {
  const DeviceTensor* t = find(name);
  if (t == nullptr) throw Error(ErrorCode::kNotFound, path_ + ": tensor '" + name + "' is missing");
  return *t;
}

}  // namespace vkmoe
