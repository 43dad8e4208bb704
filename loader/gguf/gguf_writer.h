#pragma once
// Streaming GGUF (version 3) writer. Metadata and tensor infos are declared first; the
// header is written on the first data call; then tensor bytes are appended in declaration
// order, in chunks of any size, so a multi-gigabyte file is written in constant memory.
//
//   GgufWriter w("out.gguf");
//   w.add_string("general.architecture", "llama");
//   w.add_tensor("token_embd.weight", TensorType::kF16, {n_embd, n_vocab});
//   w.write_data(chunk) ...;   // exactly the declared bytes, tensor after tensor
//   w.finish();
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loader/gguf/gguf_value.h"
#include "loader/model/tensor_type.h"

namespace vkmoe {

// An array value under construction: element type, count and the serialized elements.
class GgufArrayValue {
 public:
  // T must have the element type's size (bool: uint8_t).
  template <typename T>
  static GgufArrayValue of(GgufType elem_type, std::span<const T> values);
  static GgufArrayValue of_strings(std::span<const std::string> values);
  static GgufArrayValue of_arrays(std::span<const GgufArrayValue> values);

  GgufType elem_type() const { return elem_type_; }
  uint64_t count() const { return count_; }
  // Element type id, count, then the elements, as the array appears after its type tag.
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  [[noreturn]] static void throw_element_size_mismatch(GgufType elem_type, size_t size);

  GgufType elem_type_ = GgufType::kU8;
  uint64_t count_ = 0;
  std::vector<uint8_t> bytes_;
};

class GgufWriter {
 public:
  // Throws kInvalidArgument for an alignment that is not a nonzero power of two. Alignments
  // other than 32 are recorded as general.alignment.
  explicit GgufWriter(std::string path, uint32_t alignment = 32);
  ~GgufWriter();
  GgufWriter(const GgufWriter&) = delete;
  GgufWriter& operator=(const GgufWriter&) = delete;

  void add_u8(std::string_view key, uint8_t v);
  void add_i8(std::string_view key, int8_t v);
  void add_u16(std::string_view key, uint16_t v);
  void add_i16(std::string_view key, int16_t v);
  void add_u32(std::string_view key, uint32_t v);
  void add_i32(std::string_view key, int32_t v);
  void add_f32(std::string_view key, float v);
  void add_bool(std::string_view key, bool v);
  void add_string(std::string_view key, std::string_view v);
  void add_u64(std::string_view key, uint64_t v);
  void add_i64(std::string_view key, int64_t v);
  void add_f64(std::string_view key, double v);
  void add_array(std::string_view key, const GgufArrayValue& v);

  // Declares a tensor; ne has 1..4 entries, ne[0] a multiple of the type's block. Returns its
  // byte size.
  uint64_t add_tensor(std::string_view name, TensorType type, std::span<const uint64_t> ne);
  uint64_t add_tensor(std::string_view name, TensorType type, std::initializer_list<uint64_t> ne) {
    return add_tensor(name, type, std::span<const uint64_t>(ne.begin(), ne.size()));
  }

  // Appends tensor bytes; a chunk may span tensor boundaries. Padding between tensors is
  // inserted automatically. Throws kInvalidArgument when more bytes come than were declared.
  void write_data(std::span<const uint8_t> chunk);
  // Writes the header if no data came yet, checks every declared byte was written, closes.
  void finish();

 private:
  void add_key(std::string_view key, GgufType type, const void* value, size_t size);
  void write_header();
  void write_bytes(const void* p, size_t n);
  void write_padding(uint64_t n);
  void advance_to_next_tensor();

  struct TensorEntry {
    uint64_t offset;
    uint64_t bytes;
  };

  std::string path_;
  uint32_t alignment_;
  std::FILE* file_ = nullptr;
  uint64_t n_kv_ = 0;
  std::vector<uint8_t> kv_bytes_;
  std::vector<uint8_t> info_bytes_;
  std::vector<TensorEntry> tensors_;
  uint64_t data_end_ = 0;        // next free offset in the data section
  bool header_written_ = false;
  size_t current_ = 0;           // tensor receiving data
  uint64_t current_written_ = 0;
};

template <typename T>
GgufArrayValue GgufArrayValue::of(GgufType elem_type, std::span<const T> values) {
  if (gguf_type_size(elem_type) != sizeof(T)) {
    throw_element_size_mismatch(elem_type, sizeof(T));
  }
  GgufArrayValue a;
  a.elem_type_ = elem_type;
  a.count_ = values.size();
  uint32_t type_id = static_cast<uint32_t>(elem_type);
  // resize + memcpy rather than vector::insert: GCC 12 at -O3 misreports the latter as an
  // overflow (-Wstringop-overflow).
  a.bytes_.resize(12 + values.size_bytes());
  std::memcpy(a.bytes_.data(), &type_id, 4);
  std::memcpy(a.bytes_.data() + 4, &a.count_, 8);
  if (!values.empty()) std::memcpy(a.bytes_.data() + 12, values.data(), values.size_bytes());
  return a;
}

}  // namespace vkmoe
