#pragma once
// A minimal protobuf wire-format reader (varint, 32-bit, 64-bit, length-delimited fields),
// enough for SentencePiece's ModelProto. Every read is bounds-checked; malformed input
// throws Error(kInvalidFile) naming `context` and the byte offset.
#include <cstdint>
#include <span>
#include <string>

namespace vkmoe {

class ProtoReader {
 public:
  enum Wire { kVarint = 0, kFixed64 = 1, kBytes = 2, kFixed32 = 5 };

  ProtoReader(std::span<const uint8_t> bytes, std::string context) : bytes_(bytes), context_(std::move(context)) {}

  // Reads the next field's key; false at the end of the message.
  bool next();
  uint32_t field() const { return field_; }
  Wire wire() const { return wire_; }

  uint64_t read_varint();
  int64_t read_int();  // int32/int64 fields: negative values are ten-byte varints
  float read_float();
  std::span<const uint8_t> read_bytes();
  std::string read_string() {
    const auto b = read_bytes();
    return std::string(b.begin(), b.end());
  }
  void skip();
  // Throws unless the current field has wire type `w`.
  void expect(Wire w) const;

 private:
  [[noreturn]] void fail(const std::string& why) const;
  uint64_t varint_at_cursor();

  std::span<const uint8_t> bytes_;
  std::string context_;
  size_t pos_ = 0;
  uint32_t field_ = 0;
  Wire wire_ = kVarint;
};

}  // namespace vkmoe
