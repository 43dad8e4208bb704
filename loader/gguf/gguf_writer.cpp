#include "loader/gguf/gguf_writer.h"

#include <bit>
#include <cerrno>
#include <cstring>

#include "loader/base/error.h"

namespace vkmoe {
namespace {

constexpr uint32_t kVersion = 3;
constexpr size_t kMaxDims = 4;

void append(std::vector<uint8_t>& out, const void* p, size_t n) {
  if (n == 0) return;
  size_t at = out.size();
  out.resize(at + n);
  std::memcpy(out.data() + at, p, n);
}

template <typename T>
void append_pod(std::vector<uint8_t>& out, T v) {
  append(out, &v, sizeof v);
}

void append_string(std::vector<uint8_t>& out, std::string_view s) {
  append_pod<uint64_t>(out, s.size());
  append(out, s.data(), s.size());
}

uint64_t align_up(uint64_t v, uint64_t alignment) { return (v + alignment - 1) / alignment * alignment; }

}  // namespace

void GgufArrayValue::throw_element_size_mismatch(GgufType elem_type, size_t size) {
  throw Error(ErrorCode::kInvalidArgument, "GgufArrayValue: " + std::to_string(size) + "-byte elements given for " +
                                               gguf_type_name(elem_type));
}

GgufArrayValue GgufArrayValue::of_strings(std::span<const std::string> values) {
  GgufArrayValue a;
  a.elem_type_ = GgufType::kString;
  a.count_ = values.size();
  append_pod<uint32_t>(a.bytes_, static_cast<uint32_t>(GgufType::kString));
  append_pod<uint64_t>(a.bytes_, a.count_);
  for (const auto& s : values) append_string(a.bytes_, s);
  return a;
}

GgufArrayValue GgufArrayValue::of_arrays(std::span<const GgufArrayValue> values) {
  GgufArrayValue a;
  a.elem_type_ = GgufType::kArray;
  a.count_ = values.size();
  append_pod<uint32_t>(a.bytes_, static_cast<uint32_t>(GgufType::kArray));
  append_pod<uint64_t>(a.bytes_, a.count_);
  for (const auto& v : values) append(a.bytes_, v.bytes().data(), v.bytes().size());
  return a;
}

GgufWriter::GgufWriter(std::string path, uint32_t alignment) : path_(std::move(path)), alignment_(alignment) {
  if (alignment == 0 || !std::has_single_bit(alignment)) {
    throw Error(ErrorCode::kInvalidArgument,
                path_ + ": alignment " + std::to_string(alignment) + " is not a nonzero power of two");
  }
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) {
    throw Error(ErrorCode::kInvalidArgument, path_ + ": cannot create: " + std::strerror(errno));
  }
  if (alignment != 32) add_u32("general.alignment", alignment);
}

GgufWriter::~GgufWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

void GgufWriter::add_key(std::string_view key, GgufType type, const void* value, size_t size) {
  if (header_written_) throw Error(ErrorCode::kInvalidArgument, path_ + ": metadata '" + std::string(key) + "' added after data");
  append_string(kv_bytes_, key);
  append_pod<uint32_t>(kv_bytes_, static_cast<uint32_t>(type));
  append(kv_bytes_, value, size);
  ++n_kv_;
}

void GgufWriter::add_u8(std::string_view key, uint8_t v) { add_key(key, GgufType::kU8, &v, sizeof v); }
void GgufWriter::add_i8(std::string_view key, int8_t v) { add_key(key, GgufType::kI8, &v, sizeof v); }
void GgufWriter::add_u16(std::string_view key, uint16_t v) { add_key(key, GgufType::kU16, &v, sizeof v); }
void GgufWriter::add_i16(std::string_view key, int16_t v) { add_key(key, GgufType::kI16, &v, sizeof v); }
void GgufWriter::add_u32(std::string_view key, uint32_t v) { add_key(key, GgufType::kU32, &v, sizeof v); }
void GgufWriter::add_i32(std::string_view key, int32_t v) { add_key(key, GgufType::kI32, &v, sizeof v); }
void GgufWriter::add_f32(std::string_view key, float v) { add_key(key, GgufType::kF32, &v, sizeof v); }
void GgufWriter::add_u64(std::string_view key, uint64_t v) { add_key(key, GgufType::kU64, &v, sizeof v); }
void GgufWriter::add_i64(std::string_view key, int64_t v) { add_key(key, GgufType::kI64, &v, sizeof v); }
void GgufWriter::add_f64(std::string_view key, double v) { add_key(key, GgufType::kF64, &v, sizeof v); }

void GgufWriter::add_bool(std::string_view key, bool v) {
  uint8_t b = v ? 1 : 0;
  add_key(key, GgufType::kBool, &b, 1);
}

void GgufWriter::add_string(std::string_view key, std::string_view v) {
  std::vector<uint8_t> bytes;
  append_string(bytes, v);
  add_key(key, GgufType::kString, bytes.data(), bytes.size());
}

void GgufWriter::add_array(std::string_view key, const GgufArrayValue& v) {
  add_key(key, GgufType::kArray, v.bytes().data(), v.bytes().size());
}

uint64_t GgufWriter::add_tensor(std::string_view name, TensorType type, std::span<const uint64_t> ne) {
  std::string what = path_ + ": tensor '" + std::string(name) + "'";
  if (header_written_) throw Error(ErrorCode::kInvalidArgument, what + " declared after data");
  if (ne.empty() || ne.size() > kMaxDims) {
    throw Error(ErrorCode::kInvalidArgument, what + ": " + std::to_string(ne.size()) + " dimensions");
  }
  TensorTypeInfo info = tensor_type_info(type);
  if (ne[0] % info.block_elements != 0) {
    throw Error(ErrorCode::kInvalidArgument, what + ": ne[0] = " + std::to_string(ne[0]) + " is not a multiple of " +
                                                 std::to_string(info.block_elements));
  }
  uint64_t bytes = ne[0] / info.block_elements * info.block_bytes;
  for (size_t d = 1; d < ne.size(); ++d) bytes *= ne[d];
  append_string(info_bytes_, name);
  append_pod<uint32_t>(info_bytes_, static_cast<uint32_t>(ne.size()));
  for (uint64_t n : ne) append_pod<uint64_t>(info_bytes_, n);
  append_pod<uint32_t>(info_bytes_, static_cast<uint32_t>(type));
  append_pod<uint64_t>(info_bytes_, data_end_);
  tensors_.push_back({data_end_, bytes});
  data_end_ = align_up(data_end_ + bytes, alignment_);
  return bytes;
}

void GgufWriter::write_bytes(const void* p, size_t n) {
  if (n != 0 && std::fwrite(p, 1, n, file_) != n) {
    throw Error(ErrorCode::kInvalidArgument, path_ + ": write failed: " + std::strerror(errno));
  }
}

void GgufWriter::write_padding(uint64_t n) {
  static constexpr uint8_t kZeros[64] = {};
  while (n > 0) {
    size_t k = n < sizeof kZeros ? static_cast<size_t>(n) : sizeof kZeros;
    write_bytes(kZeros, k);
    n -= k;
  }
}

void GgufWriter::write_header() {
  std::vector<uint8_t> head;
  append(head, "GGUF", 4);
  append_pod<uint32_t>(head, kVersion);
  append_pod<uint64_t>(head, tensors_.size());
  append_pod<uint64_t>(head, n_kv_);
  write_bytes(head.data(), head.size());
  write_bytes(kv_bytes_.data(), kv_bytes_.size());
  write_bytes(info_bytes_.data(), info_bytes_.size());
  uint64_t end = head.size() + kv_bytes_.size() + info_bytes_.size();
  if (!tensors_.empty()) write_padding(align_up(end, alignment_) - end);
  header_written_ = true;
  kv_bytes_ = {};
  info_bytes_ = {};
  advance_to_next_tensor();
}

// Skips zero-byte tensors, so current_ names the tensor the next byte belongs to.
void GgufWriter::advance_to_next_tensor() {
  while (current_ < tensors_.size() && current_written_ == tensors_[current_].bytes) {
    const TensorEntry& t = tensors_[current_];
    ++current_;
    current_written_ = 0;
    if (current_ < tensors_.size()) write_padding(tensors_[current_].offset - (t.offset + t.bytes));
  }
}

void GgufWriter::write_data(std::span<const uint8_t> chunk) {
  if (file_ == nullptr) throw Error(ErrorCode::kInvalidArgument, path_ + ": write after finish");
  if (!header_written_) write_header();
  while (!chunk.empty()) {
    if (current_ >= tensors_.size()) {
      throw Error(ErrorCode::kInvalidArgument, path_ + ": more tensor data than the declared tensors hold");
    }
    uint64_t left = tensors_[current_].bytes - current_written_;
    size_t n = chunk.size() < left ? chunk.size() : static_cast<size_t>(left);
    write_bytes(chunk.data(), n);
    current_written_ += n;
    chunk = chunk.subspan(n);
    advance_to_next_tensor();
  }
}

void GgufWriter::finish() {
  if (file_ == nullptr) return;
  if (!header_written_) write_header();
  if (current_ < tensors_.size()) {
    throw Error(ErrorCode::kInvalidArgument, path_ + ": finished with tensor " + std::to_string(current_) + " of " +
                                                 std::to_string(tensors_.size()) + " incomplete");
  }
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) throw Error(ErrorCode::kInvalidArgument, path_ + ": close failed: " + std::strerror(errno));
}

}  // namespace vkmoe
