#include "loader/gguf/gguf_part.h"

#include <bit>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "loader/base/byte_load.h"
#include "loader/base/error.h"

namespace vkmoe {
namespace {

static_assert(std::endian::native == std::endian::little, "GGUF values are read in place as little-endian");

constexpr uint32_t kMaxDims = 4;
// Nesting of arrays inside arrays; real files use none. The bound keeps a hostile file from
// recursing the parser out of stack.
constexpr int kMaxArrayDepth = 8;
constexpr uint64_t kMaxTensorElements = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// Reads little-endian fields from a byte range; every read checks what remains, so no read
// can pass the end whatever the file claims.
class Cursor {
 public:
  Cursor(std::span<const uint8_t> bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return bytes_.size() - pos_; }
  const std::string& name() const { return name_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::kInvalidFile, name_ + ": " + what + " (at byte " + std::to_string(pos_) + ")");
  }

  std::span<const uint8_t> take(uint64_t n, const std::string& what) {
    if (n > remaining()) {
      fail(what + " needs " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) + " remain");
    }
    auto out = bytes_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

  template <typename T>
  T read(const std::string& what) {
    return load_le<T>(take(sizeof(T), what).data());
  }

  std::string_view read_string(const std::string& what) {
    uint64_t len = read<uint64_t>(what + " length");
    auto s = take(len, what + " of length " + std::to_string(len));
    return {reinterpret_cast<const char*>(s.data()), s.size()};
  }

 private:
  std::span<const uint8_t> bytes_;
  const std::string& name_;
  uint64_t pos_ = 0;
};

void check_bools(Cursor& c, std::span<const uint8_t> raw, const std::string& what) {
  for (uint8_t b : raw) {
    if (b > 1) c.fail(what + ": bool value " + std::to_string(b) + " is neither 0 nor 1");
  }
}

GgufValue read_value(Cursor& c, GgufType type, const std::string& what, int depth);

GgufValue read_array(Cursor& c, const std::string& what, int depth) {
  if (depth >= kMaxArrayDepth) c.fail(what + ": arrays nested deeper than " + std::to_string(kMaxArrayDepth));
  GgufValue v;
  v.type = GgufType::kArray;
  uint32_t elem = c.read<uint32_t>(what + " element type");
  if (!gguf_type_is_known(elem)) c.fail(what + ": unknown array element type id " + std::to_string(elem));
  v.elem_type = static_cast<GgufType>(elem);
  v.count = c.read<uint64_t>(what + " element count");
  uint32_t size = gguf_type_size(v.elem_type);
  if (size != 0) {
    if (v.count > c.remaining() / size) {
      c.fail(what + ": " + std::to_string(v.count) + " elements of " + gguf_type_name(v.elem_type) + " exceed the " +
             std::to_string(c.remaining()) + " bytes left");
    }
    v.raw = c.take(v.count * size, what);
    if (v.elem_type == GgufType::kBool) check_bools(c, v.raw, what);
    return v;
  }
  // Variable-size elements: each needs at least its 8-byte length (string) or 12-byte header
  // (array), so a lying count fails on the bytes it lacks; vectors grow only as elements
  // really parse, never from the claimed count.
  uint64_t min_size = v.elem_type == GgufType::kString ? 8 : 12;
  if (v.count > c.remaining() / min_size) {
    c.fail(what + ": " + std::to_string(v.count) + " elements of " + gguf_type_name(v.elem_type) + " cannot fit in the " +
           std::to_string(c.remaining()) + " bytes left");
  }
  for (uint64_t i = 0; i < v.count; ++i) {
    std::string item = what + "[" + std::to_string(i) + "]";
    if (v.elem_type == GgufType::kString) {
      v.strings.push_back(c.read_string(item));
    } else {
      v.arrays.push_back(read_array(c, item, depth + 1));
    }
  }
  return v;
}

GgufValue read_value(Cursor& c, GgufType type, const std::string& what, int depth) {
  if (type == GgufType::kArray) return read_array(c, what, depth);
  GgufValue v;
  v.type = type;
  if (type == GgufType::kString) {
    v.str = c.read_string(what);
    return v;
  }
  v.raw = c.take(gguf_type_size(type), what);
  if (type == GgufType::kBool) check_bools(c, v.raw, what);
  return v;
}

void read_metadata(Cursor& c, uint64_t n_kv, GgufMetadata& metadata) {
  // A key-value pair takes at least 8 (key length) + 1 (key) + 4 (type) + 1 (value) bytes.
  if (n_kv > c.remaining() / 14) {
    c.fail("header claims " + std::to_string(n_kv) + " metadata entries, more than the " +
           std::to_string(c.remaining()) + " bytes left can hold");
  }
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string what = "metadata entry " + std::to_string(i);
    std::string key(c.read_string(what + " key"));
    if (key.empty()) c.fail(what + ": empty key");
    what = "metadata key '" + key + "'";
    uint32_t type = c.read<uint32_t>(what + " type");
    if (!gguf_type_is_known(type)) c.fail(what + ": unknown value type id " + std::to_string(type));
    metadata.insert(std::move(key), read_value(c, static_cast<GgufType>(type), what, 0));
  }
}

uint32_t read_alignment(const GgufMetadata& metadata, const std::string& name) {
  const GgufValue* v = metadata.find("general.alignment");
  if (v == nullptr) return kGgufDefaultAlignment;
  uint32_t a = metadata.get_u32("general.alignment");
  if (a == 0 || !std::has_single_bit(a)) {
    throw Error(ErrorCode::kInvalidFile,
                name + ": general.alignment " + std::to_string(a) + " is not a nonzero power of two");
  }
  return a;
}

// True when a * b does not fit in 64 bits; otherwise `out` holds the product.
bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_mul_overflow(a, b, &out); }

GgufTensorInfo read_tensor_info(Cursor& c, uint64_t index) {
  GgufTensorInfo t;
  t.name = std::string(c.read_string("tensor " + std::to_string(index) + " name"));
  if (t.name.empty()) c.fail("tensor " + std::to_string(index) + ": empty name");
  std::string what = "tensor '" + t.name + "'";
  t.n_dims = c.read<uint32_t>(what + " n_dims");
  if (t.n_dims == 0 || t.n_dims > kMaxDims) {
    c.fail(what + ": n_dims " + std::to_string(t.n_dims) + " is outside 1.." + std::to_string(kMaxDims));
  }
  uint64_t elements = 1;
  for (uint32_t d = 0; d < t.n_dims; ++d) {
    t.ne[d] = c.read<uint64_t>(what + " ne[" + std::to_string(d) + "]");
    if (t.ne[d] == 0) c.fail(what + ": ne[" + std::to_string(d) + "] is 0");
    if (mul_overflows(elements, t.ne[d], elements) || elements > kMaxTensorElements) {
      c.fail(what + ": element count overflows (ne[" + std::to_string(d) + "] = " + std::to_string(t.ne[d]) + ")");
    }
  }
  uint32_t type_id = c.read<uint32_t>(what + " type");
  auto info = tensor_type_info(type_id);
  if (!info) {
    throw Error(ErrorCode::kUnsupported, c.name() + ": " + what + ": unknown tensor type id " + std::to_string(type_id));
  }
  t.type = info->type;
  if (t.ne[0] % info->block_elements != 0) {
    c.fail(what + ": row length ne[0] = " + std::to_string(t.ne[0]) + " is not a multiple of " +
           std::string(info->name) + "'s block of " + std::to_string(info->block_elements));
  }
  uint64_t row_bytes = 0;
  if (mul_overflows(t.ne[0] / info->block_elements, info->block_bytes, row_bytes) ||
      mul_overflows(row_bytes, elements / t.ne[0], t.bytes)) {
    c.fail(what + ": byte size overflows");
  }
  t.offset = c.read<uint64_t>(what + " offset");
  return t;
}

}  // namespace

GgufPart parse_gguf_part(std::span<const uint8_t> bytes, const std::string& name) {
  Cursor c(bytes, name);
  auto magic = c.take(4, "magic");
  if (std::memcmp(magic.data(), "GGUF", 4) != 0) c.fail("not a GGUF file (magic is not 'GGUF')");
  GgufPart part;
  part.metadata = GgufMetadata(name);
  part.version = c.read<uint32_t>("version");
  if (part.version == 1) {
    throw Error(ErrorCode::kUnsupported, name + ": GGUF version 1 (32-bit counts, 2023) is not supported; "
                                                "convert the model again with a current converter");
  }
  if (part.version != 2 && part.version != 3) {
    bool swapped = part.version == 0x02000000u || part.version == 0x03000000u;
    throw Error(ErrorCode::kUnsupported, name + (swapped ? ": big-endian GGUF files are not supported"
                                                         : ": unknown GGUF version " + std::to_string(part.version)));
  }
  uint64_t n_tensors = c.read<uint64_t>("tensor count");
  uint64_t n_kv = c.read<uint64_t>("metadata count");
  read_metadata(c, n_kv, part.metadata);
  part.alignment = read_alignment(part.metadata, name);

  // A tensor info takes at least 8 (name length) + 1 (name) + 4 (n_dims) + 8 (ne[0]) + 4 (type)
  // + 8 (offset) bytes.
  if (n_tensors > c.remaining() / 33) {
    c.fail("header claims " + std::to_string(n_tensors) + " tensors, more than the " + std::to_string(c.remaining()) +
           " bytes left can hold");
  }
  std::unordered_set<std::string> names;
  for (uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensorInfo t = read_tensor_info(c, i);
    if (!names.insert(t.name).second) c.fail("duplicate tensor name '" + t.name + "'");
    if (t.offset % part.alignment != 0) {
      c.fail("tensor '" + t.name + "': offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
             std::to_string(part.alignment));
    }
    part.tensors.push_back(std::move(t));
  }

  uint64_t file_size = bytes.size();
  uint64_t pad = (part.alignment - c.pos() % part.alignment) % part.alignment;
  part.data_offset = c.pos() + pad;  // c.pos() <= file size, far from overflow
  for (auto& t : part.tensors) {
    uint64_t start = 0, end = 0;
    if (__builtin_add_overflow(part.data_offset, t.offset, &start) || __builtin_add_overflow(start, t.bytes, &end) ||
        end > file_size) {
      throw Error(ErrorCode::kInvalidFile, name + ": tensor '" + t.name + "': data offset " +
                                               std::to_string(part.data_offset) + " + offset " +
                                               std::to_string(t.offset) + " + size " + std::to_string(t.bytes) +
                                               " exceeds file size " + std::to_string(file_size));
    }
    t.data = bytes.subspan(start, t.bytes);
  }
  return part;
}

}  // namespace vkmoe
