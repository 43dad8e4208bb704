#pragma once
// Little-endian values at any byte offset of a file (GGUF metadata, safetensors tensor data).
// Offsets need not be aligned, so a value is copied out byte-wise, never read through a cast
// pointer; vkmoe runs on little-endian hosts, so the bytes need no swapping.
#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace vkmoe {

static_assert(std::endian::native == std::endian::little, "file values are read as host values");

// The T in p[0, sizeof(T)); the caller has checked that those bytes are in bounds.
template <typename T>
T load_le(const uint8_t* p) {
  static_assert(std::is_trivially_copyable_v<T>);
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace vkmoe
