// The GGUF reader on hand-built bytes (the format as the spec lays it out) and on hostile
// headers: every malformed field must give an Error naming it, never a crash or a huge
// allocation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "loader/gguf/gguf_file.h"
#include "loader/gguf/gguf_part.h"
#include "tests/gguf/gguf_test_util.h"

namespace vkmoe {
namespace {

using test::expect_error;
using test::GgufBytes;

constexpr uint32_t kF32 = 0, kQ4_0 = 2, kIQ2_XXS = 16;

GgufPart parse(const std::vector<uint8_t>& bytes) { return parse_gguf_part(bytes, "t.gguf"); }

void expect_parse_error(const GgufBytes& b, ErrorCode code, const std::string& needle) {
  expect_error([&] { parse(b.bytes); }, code, needle);
}

// One F32 tensor {4, 2} at offset 0 holding 0..7, alignment 32.
GgufBytes one_tensor_file() {
  GgufBytes b;
  b.header(1, 1).kv_string("general.architecture", "llama").tensor("w", {4, 2}, kF32, 0).pad_to(32);
  for (int i = 0; i < 8; ++i) {
    float f = static_cast<float>(i);
    b.raw(&f, 4);
  }
  return b;
}

TEST(GgufReader, HandBuiltFileParses) {
  GgufBytes b = one_tensor_file();
  GgufPart p = parse(b.bytes);
  EXPECT_EQ(p.version, 3u);
  EXPECT_EQ(p.alignment, 32u);
  EXPECT_EQ(p.metadata.get_string("general.architecture"), "llama");
  ASSERT_EQ(p.tensors.size(), 1u);
  const GgufTensorInfo& t = p.tensors[0];
  EXPECT_EQ(t.name, "w");
  EXPECT_EQ(t.n_dims, 2u);
  EXPECT_EQ(t.ne[0], 4u);
  EXPECT_EQ(t.ne[1], 2u);
  EXPECT_EQ(t.ne[2], 1u);
  EXPECT_EQ(t.bytes, 32u);
  EXPECT_EQ(p.data_offset % 32, 0u);
  ASSERT_EQ(t.data.size(), 32u);
  EXPECT_EQ(t.data.data(), b.bytes.data() + b.bytes.size() - 32);  // a view, not a copy
  float last;
  std::memcpy(&last, t.data.data() + 28, 4);
  EXPECT_EQ(last, 7.0f);
}

TEST(GgufReader, EveryValueTypeFromHandBuiltBytes) {
  GgufBytes b;
  b.header(0, 15);
  b.str("u8").u32(0).u8(250);
  b.str("i8").u32(1).u8(0xfe);  // -2
  b.str("u16").u32(2).raw("\x34\x12", 2);
  b.str("i16").u32(3).raw("\xff\xff", 2);  // -1
  b.str("u32").u32(4).u32(4000000000u);
  b.str("i32").u32(5).u32(0xfffffff9u);  // -7
  float f = 0.25f;
  b.str("f32").u32(6).raw(&f, 4);
  b.str("bool").u32(7).u8(1);
  b.str("string").u32(8).str("héllo");
  b.str("u64").u32(10).u64(1ull << 40);
  b.str("i64").u32(11).u64(static_cast<uint64_t>(-5ll));
  double d = -1.5;
  b.str("f64").u32(12).raw(&d, 8);
  b.str("arr_f32").u32(9).u32(6).u64(2).raw(&f, 4).raw(&f, 4);
  b.str("arr_str").u32(9).u32(8).u64(2).str("a").str("bc");
  // [[1, 2], [3]] as u16
  b.str("arr_arr").u32(9).u32(9).u64(2).u32(2).u64(2).raw("\x01\x00\x02\x00", 4).u32(2).u64(1).raw("\x03\x00", 2);
  GgufPart p = parse(b.bytes);
  const GgufMetadata& m = p.metadata;
  EXPECT_EQ(m.get_u32("u8"), 250u);
  EXPECT_EQ(m.get_i64("i8"), -2);
  EXPECT_EQ(m.get_u32("u16"), 0x1234u);
  EXPECT_EQ(m.get_i64("i16"), -1);
  EXPECT_EQ(m.get_u32("u32"), 4000000000u);
  EXPECT_EQ(m.get_i64("i32"), -7);
  EXPECT_EQ(m.get_f32("f32"), 0.25f);
  EXPECT_TRUE(m.get_bool("bool"));
  EXPECT_EQ(m.get_string("string"), "héllo");
  EXPECT_EQ(m.get_u64("u64"), 1ull << 40);
  EXPECT_EQ(m.get_i64("i64"), -5);
  EXPECT_EQ(m.get_f32("f64"), -1.5f);
  EXPECT_EQ(m.get_f32_array("arr_f32"), (std::vector<float>{0.25f, 0.25f}));
  const auto& strs = m.get_string_array("arr_str");
  ASSERT_EQ(strs.size(), 2u);
  EXPECT_EQ(strs[1], "bc");
  const GgufValue& nested = m.get_array("arr_arr");
  EXPECT_EQ(nested.type_description(), "array of array of u16");
  ASSERT_EQ(nested.arrays.size(), 2u);
  EXPECT_EQ(nested.arrays[0].count, 2u);
  EXPECT_EQ(nested.arrays[1].count, 1u);
  EXPECT_EQ(nested.arrays[1].raw[0], 3);
  EXPECT_EQ(GgufMetadata::printable(nested), "[2 items]");
  EXPECT_EQ(GgufMetadata::printable(*m.find("i32")), "-7");
  EXPECT_EQ(GgufMetadata::printable(*m.find("f32")), "0.25");
}

TEST(GgufReader, AccessorsRejectWrongTypes) {
  GgufBytes b;
  b.header(0, 5).kv_string("s", "x").kv_u32("n", 7);
  b.str("neg").u32(5).u32(0xffffffffu);
  b.str("big").u32(10).u64(1ull << 33);
  b.str("flag").u32(7).u8(0);
  GgufPart p = parse(b.bytes);
  const GgufMetadata& m = p.metadata;
  expect_error([&] { m.get_u32("s"); }, ErrorCode::kInvalidFile, "'s' is string, expected an integer");
  expect_error([&] { m.get_string("n"); }, ErrorCode::kInvalidFile, "'n' is u32, expected string");
  expect_error([&] { m.get_f32("flag"); }, ErrorCode::kInvalidFile, "'flag' is bool, expected f32");
  expect_error([&] { m.get_bool("n"); }, ErrorCode::kInvalidFile, "expected bool");
  expect_error([&] { m.get_u32("neg"); }, ErrorCode::kInvalidFile, "-1, expected a non-negative");
  expect_error([&] { m.get_u32("big"); }, ErrorCode::kInvalidFile, "too large for u32");
  expect_error([&] { m.get_string_array("n"); }, ErrorCode::kInvalidFile, "expected an array");
  expect_error([&] { m.get_string("missing"); }, ErrorCode::kNotFound, "'missing' is missing");
  EXPECT_FALSE(m.find_u32("missing").has_value());
  expect_error([&] { m.find_u32("s"); }, ErrorCode::kInvalidFile, "expected an integer");
}

TEST(GgufReader, VersionTwoIsAccepted) {
  GgufBytes b = one_tensor_file();
  b.bytes[4] = 2;
  EXPECT_EQ(parse(b.bytes).version, 2u);
}

TEST(GgufReader, RejectsOtherVersionsAndMagic) {
  GgufBytes b = one_tensor_file();
  b.bytes[4] = 1;
  expect_parse_error(b, ErrorCode::kUnsupported, "GGUF version 1");
  b.bytes[4] = 99;
  expect_parse_error(b, ErrorCode::kUnsupported, "unknown GGUF version 99");
  b.bytes[4] = 0;
  b.bytes[7] = 3;
  expect_parse_error(b, ErrorCode::kUnsupported, "big-endian");
  GgufBytes m = one_tensor_file();
  m.bytes[0] = 'X';
  expect_parse_error(m, ErrorCode::kInvalidFile, "not a GGUF file");
}

TEST(GgufReader, EveryPrefixIsAnError) {
  GgufBytes b = one_tensor_file();
  for (size_t n = 0; n < b.bytes.size(); ++n) {
    std::vector<uint8_t> prefix(b.bytes.begin(), b.bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(parse(prefix), Error) << "prefix of " << n << " bytes";
  }
}

TEST(GgufReader, HostileCountsFailWithoutAllocating) {
  constexpr uint64_t kHuge = 1ull << 63;
  GgufBytes kv;
  kv.header(0, kHuge);
  expect_parse_error(kv, ErrorCode::kInvalidFile, "9223372036854775808 metadata entries");
  GgufBytes tensors;
  tensors.header(kHuge, 0);
  expect_parse_error(tensors, ErrorCode::kInvalidFile, "9223372036854775808 tensors");
  GgufBytes arr;
  arr.header(0, 1).str("a").u32(9).u32(4).u64(kHuge);
  expect_parse_error(arr, ErrorCode::kInvalidFile, "elements of u32 exceed");
  GgufBytes wrap;  // count * 8 wraps to 0 in 64 bits
  wrap.header(0, 1).str("a").u32(9).u32(10).u64(1ull << 61);
  expect_parse_error(wrap, ErrorCode::kInvalidFile, "exceed");
  GgufBytes strs;
  strs.header(0, 1).str("a").u32(9).u32(8).u64(kHuge);
  expect_parse_error(strs, ErrorCode::kInvalidFile, "cannot fit");
  GgufBytes len;
  len.header(0, 1).str("a").u32(8).u64(~0ull).raw("xyz", 3);
  expect_parse_error(len, ErrorCode::kInvalidFile, "18446744073709551615");
  GgufBytes key;
  key.header(0, 1).u64(1000).raw("k", 1).raw("................", 16);
  expect_parse_error(key, ErrorCode::kInvalidFile, "key of length 1000");
}

TEST(GgufReader, RejectsBadValues) {
  GgufBytes type;
  type.header(0, 1).str("a").u32(13).u32(0);
  expect_parse_error(type, ErrorCode::kInvalidFile, "unknown value type id 13");
  GgufBytes elem;
  elem.header(0, 1).str("a").u32(9).u32(77).u64(0);
  expect_parse_error(elem, ErrorCode::kInvalidFile, "unknown array element type id 77");
  GgufBytes boolean;
  boolean.header(0, 1).str("a").u32(7).u8(2);
  expect_parse_error(boolean, ErrorCode::kInvalidFile, "bool value 2");
  GgufBytes dup;
  dup.header(0, 2).kv_u32("k", 1).kv_u32("k", 2);
  expect_parse_error(dup, ErrorCode::kInvalidFile, "duplicate metadata key 'k'");
  GgufBytes deep;  // arrays nested 100 deep
  deep.header(0, 1).str("a").u32(9);
  for (int i = 0; i < 100; ++i) deep.u32(9).u64(1);
  deep.u32(0).u64(0);
  expect_parse_error(deep, ErrorCode::kInvalidFile, "nested deeper");
}

TEST(GgufReader, RejectsBadAlignment) {
  for (uint32_t a : {0u, 48u}) {
    GgufBytes b;
    b.header(0, 1).kv_u32("general.alignment", a);
    expect_parse_error(b, ErrorCode::kInvalidFile, "general.alignment " + std::to_string(a) + " is not");
  }
  GgufBytes s;
  s.header(0, 1).kv_string("general.alignment", "32");
  expect_parse_error(s, ErrorCode::kInvalidFile, "'general.alignment' is string");
}

TEST(GgufReader, HonoursAlignmentKey) {
  GgufBytes b;
  b.header(1, 1).kv_u32("general.alignment", 64).tensor("w", {32}, kQ4_0, 0).pad_to(64);
  b.bytes.resize(b.bytes.size() + 18);
  GgufPart p = parse(b.bytes);
  EXPECT_EQ(p.alignment, 64u);
  EXPECT_EQ(p.data_offset % 64, 0u);
  EXPECT_EQ(p.tensors[0].bytes, 18u);
}

GgufBytes tensor_file(std::vector<uint64_t> ne, uint32_t type, uint64_t offset, size_t data_bytes) {
  GgufBytes b;
  b.header(1, 0).tensor("blk.0.w", std::move(ne), type, offset).pad_to(32);
  b.bytes.resize(b.bytes.size() + data_bytes);
  return b;
}

TEST(GgufReader, RejectsBadTensorInfos) {
  expect_parse_error(tensor_file({4, 1, 1, 1, 1}, kF32, 0, 16), ErrorCode::kInvalidFile, "n_dims 5");
  expect_parse_error(tensor_file({}, kF32, 0, 16), ErrorCode::kInvalidFile, "n_dims 0");
  expect_parse_error(tensor_file({4, 0}, kF32, 0, 16), ErrorCode::kInvalidFile, "ne[1] is 0");
  expect_parse_error(tensor_file({1ull << 32, 1ull << 32}, kF32, 0, 16), ErrorCode::kInvalidFile,
                     "element count overflows");
  expect_parse_error(tensor_file({1ull << 62}, kF32, 0, 16), ErrorCode::kInvalidFile, "byte size overflows");
  expect_parse_error(tensor_file({4}, 77, 0, 16), ErrorCode::kUnsupported,
                     "tensor 'blk.0.w': unknown tensor type id 77");
  expect_parse_error(tensor_file({4}, 4, 0, 16), ErrorCode::kUnsupported, "unknown tensor type id 4");
  expect_parse_error(tensor_file({48}, kQ4_0, 0, 64), ErrorCode::kInvalidFile, "not a multiple of Q4_0's block of 32");
  expect_parse_error(tensor_file({4}, kF32, 16, 64), ErrorCode::kInvalidFile, "offset 16 is not a multiple");
  expect_parse_error(tensor_file({4}, kF32, 0, 15), ErrorCode::kInvalidFile, "exceeds file size");
  expect_parse_error(tensor_file({4}, kF32, 1ull << 40, 16), ErrorCode::kInvalidFile, "exceeds file size");
  expect_parse_error(tensor_file({4}, kF32, ~0ull - 31, 16), ErrorCode::kInvalidFile, "exceeds file size");
  GgufBytes dup;
  dup.header(2, 0).tensor("w", {4}, kF32, 0).tensor("w", {4}, kF32, 32).pad_to(32);
  dup.bytes.resize(dup.bytes.size() + 48);
  expect_parse_error(dup, ErrorCode::kInvalidFile, "duplicate tensor name 'w'");
}

TEST(GgufReader, RecognisesIqTypesByName) {
  GgufPart p = parse(tensor_file({256, 2}, kIQ2_XXS, 0, 132).bytes);
  EXPECT_EQ(p.tensors[0].type, TensorType::kIQ2_XXS);
  EXPECT_EQ(p.tensors[0].bytes, 132u);
  EXPECT_EQ(tensor_type_info(p.tensors[0].type).name, "IQ2_XXS");
}

TEST(GgufReader, OpenReportsMissingFile) {
  expect_error([] { GgufFile::open("/nonexistent/x.gguf"); }, ErrorCode::kNotFound, "/nonexistent/x.gguf");
}

}  // namespace
}  // namespace vkmoe
