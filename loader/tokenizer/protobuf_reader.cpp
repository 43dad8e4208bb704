#include "loader/tokenizer/protobuf_reader.h"

#include <cstring>

#include "loader/base/error.h"

namespace vkmoe {

void ProtoReader::fail(const std::string& why) const {
  throw Error(ErrorCode::kInvalidFile, context_ + ": " + why + " at byte " + std::to_string(pos_));
}

uint64_t ProtoReader::varint_at_cursor() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= bytes_.size()) fail("truncated varint");
    const uint8_t b = bytes_[pos_++];
    value |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return value;
  }
  fail("varint longer than ten bytes");
}

bool ProtoReader::next() {
  if (pos_ >= bytes_.size()) return false;
  const uint64_t key = varint_at_cursor();
  const uint64_t wire = key & 7;
  if (wire != kVarint && wire != kFixed64 && wire != kBytes && wire != kFixed32) {
    fail("unsupported wire type " + std::to_string(wire));
  }
  if ((key >> 3) == 0 || (key >> 3) > UINT32_MAX) fail("invalid field number " + std::to_string(key >> 3));
  field_ = static_cast<uint32_t>(key >> 3);
  wire_ = static_cast<Wire>(wire);
  return true;
}

void ProtoReader::expect(Wire w) const {
  if (wire_ != w) {
    fail("field " + std::to_string(field_) + " has wire type " + std::to_string(wire_) + ", expected " + std::to_string(w));
  }
}

uint64_t ProtoReader::read_varint() {
  expect(kVarint);
  return varint_at_cursor();
}

int64_t ProtoReader::read_int() { return static_cast<int64_t>(read_varint()); }

float ProtoReader::read_float() {
  expect(kFixed32);
  if (bytes_.size() - pos_ < 4) fail("truncated float");
  uint32_t bits = static_cast<uint32_t>(bytes_[pos_]) | static_cast<uint32_t>(bytes_[pos_ + 1]) << 8 |
                  static_cast<uint32_t>(bytes_[pos_ + 2]) << 16 | static_cast<uint32_t>(bytes_[pos_ + 3]) << 24;
  pos_ += 4;
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

std::span<const uint8_t> ProtoReader::read_bytes() {
  expect(kBytes);
  const uint64_t length = varint_at_cursor();
  if (length > bytes_.size() - pos_) {
    fail("field " + std::to_string(field_) + " claims " + std::to_string(length) + " bytes, " +
         std::to_string(bytes_.size() - pos_) + " remain");
  }
  const auto out = bytes_.subspan(pos_, static_cast<size_t>(length));
  pos_ += static_cast<size_t>(length);
  return out;
}

void ProtoReader::skip() {
  switch (wire_) {
    case kVarint: varint_at_cursor(); break;
    case kBytes: read_bytes(); break;
    case kFixed32:
    case kFixed64: {
      const size_t n = wire_ == kFixed32 ? 4 : 8;
      if (bytes_.size() - pos_ < n) fail("truncated fixed-size field");
      pos_ += n;
      break;
    }
  }
}

}  // namespace vkmoe
