#pragma once
// The tensors of a synthetic model, named and shaped as llama.cpp's converter writes them
// (ne[0] contiguous; a matrix used as y = W x has ne = {in, out}; experts stacked in ne[2]).
#include <cstdint>
#include <string>
#include <vector>

#include "apps/vkmoe-synth/file_type.h"
#include "apps/vkmoe-synth/shape_table.h"
#include "loader/model/tensor_type.h"

namespace vkmoe::synth {

enum class Fill {
  kOnes,    // norm weights: 1.0, so the random matrices set the scale
  kRandom,  // weights, biases, router, sinks: small random values of the tensor's type
};

struct PlannedTensor {
  std::string name;
  std::vector<uint64_t> ne;
  TensorType type;
  Fill fill;
};

// n_layer: the depth written (--layers, at most the shape's own).
std::vector<PlannedTensor> plan_tensors(const ShapeConfig& shape, uint32_t n_layer, FileType file_type);

}  // namespace vkmoe::synth
