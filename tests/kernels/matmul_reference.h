#pragma once
// CPU side of the matmul tests: a block dequantizer for every weight format written from
// the block layouts in shared/goldens/quant/README.md (checked bit for bit against ggml's
// decoder by matmul_quant_golden_test.cpp), seeded random weights in those formats, and the
// naive double-precision matmul that serves as the specification.
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "engine/kernels/matmul.h"
#include "loader/model/tensor_type.h"

namespace vkmoe {

// gtest prints a format by its ggml name, not its bytes; it finds this by ADL, so it lives in
// TensorType's namespace.
inline void PrintTo(TensorType type, std::ostream* os) { *os << tensor_type_info(type).name; }

}  // namespace vkmoe

namespace vkmoe::test {

// W is (n, k) as GGUF stores it; returns n * k floats, row-major.
std::vector<float> dequantize_rows(TensorType type, std::span<const uint8_t> bytes, uint32_t k, uint32_t n);

// n rows of k elements in `type`, random but with scales in a range that keeps values finite.
std::vector<uint8_t> random_weight_bytes(TensorType type, uint32_t k, uint32_t n, uint32_t seed);

// y (t, n) = x (t, k) · w (n, k)^T + bias (n, empty for none), accumulated in double.
std::vector<float> matmul_reference(std::span<const float> w, std::span<const float> x, uint32_t t, uint32_t k,
                                    uint32_t n, std::span<const float> bias = {});

// Why this device cannot run `choice` on `type` (nothing when it can): the cooperative-matrix
// GEMM needs a fragment shape (shaderFloat16 on lanes) and tiles that fit. Tests skip such
// cases with the reason.
std::optional<std::string> why_not_run(const vk::DeviceCaps& caps, TensorType type, const kernels::MatmulChoice& choice);
// A test-name suffix for a GEMM kernel: _gemm, _gemm_coopmat_lanes, _gemm_coopmat.
std::string gemm_kernel_suffix(kernels::GemmKernel kernel);

// The expert GEMV's row tiles for these expert offsets, as record_moe_dispatch must list them:
// kGemvMaxTokens rows of one expert each (its last ones fewer), as (expert, first row) pairs
// in expert order, then (kNoTile, 0) up to `capacity` tiles.
std::vector<uint32_t> reference_gemv_tiles(std::span<const uint32_t> offsets, uint32_t capacity);

}  // namespace vkmoe::test
