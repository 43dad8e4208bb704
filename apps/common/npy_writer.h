#pragma once
// Writes a float32 array as a NumPy .npy file (format version 1.0, little endian, C order).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vkmoe::cli {

void write_npy_f32(const std::string& path, std::span<const float> data, const std::vector<uint64_t>& shape);

}  // namespace vkmoe::cli
