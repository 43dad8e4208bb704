#include "loader/hf/hf_tensor_conversions.h"

#include <cstring>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

// out[b][c][r] = in[b·batch_stride + r·row_stride + c·col_step + col_offset], counted in
// elements; the output is [batches][cols][rows], rows contiguous.
struct Gather {
  size_t batches, rows, cols;
  size_t batch_stride, row_stride, col_step, col_offset;
};

std::vector<uint8_t> gather(const SafetensorsTensor& in, const Gather& g) {
  const size_t elem = safetensors_dtype_size(in.dtype);
  if (g.batches == 0 || g.rows == 0 || g.cols == 0) return {};
  const size_t last = (g.batches - 1) * g.batch_stride + (g.rows - 1) * g.row_stride + (g.cols - 1) * g.col_step + g.col_offset;
  if ((last + 1) * elem > in.bytes.size()) {
    throw Error(ErrorCode::kInternal, "tensor '" + in.name + "': conversion reads outside the tensor");
  }
  std::vector<uint8_t> out(g.batches * g.rows * g.cols * elem);
  uint8_t* dst = out.data();
  for (size_t b = 0; b < g.batches; ++b) {
    for (size_t c = 0; c < g.cols; ++c) {
      for (size_t r = 0; r < g.rows; ++r) {
        std::memcpy(dst, in.bytes.data() + (b * g.batch_stride + r * g.row_stride + c * g.col_step + g.col_offset) * elem, elem);
        dst += elem;
      }
    }
  }
  return out;
}

std::string show_shape(const std::vector<uint64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

void expect_shape(const SafetensorsTensor& t, const std::vector<uint64_t>& shape) {
  if (t.shape != shape) {
    throw Error(ErrorCode::kInvalidFile,
                "tensor '" + t.name + "': shape " + show_shape(t.shape) + ", config.json implies " + show_shape(shape));
  }
}

}  // namespace

std::vector<ConvertedTensor> split_mla_kv_b(const SafetensorsTensor& kv_b, const std::string& blk, const ModelConfig& c) {
  const size_t heads = c.n_head, nope = c.qk_nope_head_dim, v = c.head_dim_v, lora = c.kv_lora_rank;
  expect_shape(kv_b, {heads * (nope + v), lora});
  const size_t head_stride = (nope + v) * lora;
  // k_b[h][r][d] = kv_b[h][d][r] for d < nope: rows d, columns r.
  ConvertedTensor k{blk + "attn_k_b.weight", {nope, lora, heads}, gather(kv_b, {heads, nope, lora, head_stride, lora, 1, 0})};
  // v_b[h][d][r] = kv_b[h][nope + d][r]: the value rows as they are.
  ConvertedTensor val{blk + "attn_v_b.weight", {lora, v, heads}, gather(kv_b, {heads, lora, v, head_stride, 1, lora, nope * lora})};
  return {std::move(k), std::move(val)};
}

std::vector<ConvertedTensor> split_gpt_oss_gate_up(const SafetensorsTensor& gate_up, const std::string& blk, const ModelConfig& c) {
  const size_t experts = c.n_expert, in = c.n_embd, ff = c.n_ff_expert;
  expect_shape(gate_up, {experts, in, 2 * ff});
  // gate[e][j][i] = gate_up[e][i][2j], up[e][j][i] = gate_up[e][i][2j + 1].
  return {
      {blk + "ffn_gate_exps.weight", {in, ff, experts}, gather(gate_up, {experts, in, ff, in * 2 * ff, 2 * ff, 2, 0})},
      {blk + "ffn_up_exps.weight", {in, ff, experts}, gather(gate_up, {experts, in, ff, in * 2 * ff, 2 * ff, 2, 1})},
  };
}

std::vector<ConvertedTensor> split_gpt_oss_gate_up_bias(const SafetensorsTensor& bias, const std::string& blk, const ModelConfig& c) {
  const size_t experts = c.n_expert, ff = c.n_ff_expert;
  expect_shape(bias, {experts, 2 * ff});
  // gate_b[e][j] = bias[e][2j], up_b[e][j] = bias[e][2j + 1]: a single "row" per expert.
  return {
      {blk + "ffn_gate_exps.bias", {ff, experts}, gather(bias, {experts, 1, ff, 2 * ff, 0, 2, 0})},
      {blk + "ffn_up_exps.bias", {ff, experts}, gather(bias, {experts, 1, ff, 2 * ff, 0, 2, 1})},
  };
}

ConvertedTensor transpose_gpt_oss_down(const SafetensorsTensor& down, const std::string& blk, const ModelConfig& c) {
  const size_t experts = c.n_expert, ff = c.n_ff_expert, out = c.n_embd;
  expect_shape(down, {experts, ff, out});
  // d[e][o][j] = down[e][j][o].
  return {blk + "ffn_down_exps.weight", {ff, out, experts}, gather(down, {experts, ff, out, ff * out, out, 1, 0})};
}

}  // namespace vkmoe
