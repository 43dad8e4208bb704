// The streaming writer: its files read back (checked against hand-computed layout), data
// arrives in arbitrary chunks, misuse is refused, every prefix of its output is an error,
// and split sets reassemble.
#include <gtest/gtest.h>

#include <numeric>

#include "loader/gguf/gguf_file.h"
#include "loader/gguf/gguf_writer.h"
#include "tests/gguf/gguf_test_util.h"

namespace vkmoe {
namespace {

using test::expect_error;
using test::TempDir;

std::vector<uint8_t> iota_bytes(size_t n, uint8_t start) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

// Metadata of every type plus two tensors (an F32 {3} and a Q8_0 {32, 2}), data 0, 1, 2 ...
void write_small(const std::string& path, uint32_t alignment = 32) {
  GgufWriter w(path, alignment);
  w.add_u8("u8", 1);
  w.add_i8("i8", -1);
  w.add_u16("u16", 2);
  w.add_i16("i16", -2);
  w.add_u32("u32", 3);
  w.add_i32("i32", -3);
  w.add_f32("f32", 0.5f);
  w.add_bool("bool", true);
  w.add_string("str", "text");
  w.add_u64("u64", 4);
  w.add_i64("i64", -4);
  w.add_f64("f64", 0.125);
  std::vector<int32_t> ints = {5, -6};
  std::vector<std::string> strs = {"x", "yz"};
  w.add_array("ints", GgufArrayValue::of<int32_t>(GgufType::kI32, ints));
  w.add_array("strs", GgufArrayValue::of_strings(strs));
  std::vector<GgufArrayValue> inner = {GgufArrayValue::of_strings(strs), GgufArrayValue::of<int32_t>(GgufType::kI32, ints)};
  w.add_array("nested", GgufArrayValue::of_arrays(inner));
  EXPECT_EQ(w.add_tensor("a", TensorType::kF32, {3}), 12u);
  EXPECT_EQ(w.add_tensor("b", TensorType::kQ8_0, {32, 2}), 68u);
  auto data = iota_bytes(80, 0);
  // Chunks that straddle the tensor boundary.
  w.write_data(std::span(data).subspan(0, 5));
  w.write_data(std::span(data).subspan(5, 30));
  w.write_data(std::span(data).subspan(35));
  w.finish();
}

TEST(GgufWriter, FileReadsBack) {
  TempDir dir;
  write_small(dir.file("s.gguf"));
  GgufFile f = GgufFile::open(dir.file("s.gguf"));
  const GgufMetadata& m = f.metadata();
  EXPECT_EQ(f.version(), 3u);
  EXPECT_FALSE(m.has("general.alignment"));  // 32 is the default and not written
  EXPECT_EQ(m.get_i64("i8"), -1);
  EXPECT_EQ(m.get_i64("i16"), -2);
  EXPECT_EQ(m.get_f32("f64"), 0.125f);
  EXPECT_EQ(m.get_string("str"), "text");
  EXPECT_EQ(m.get_int_array("ints"), (std::vector<int64_t>{5, -6}));
  EXPECT_EQ(m.get_string_array("strs")[1], "yz");
  EXPECT_EQ(m.get_array("nested").arrays.size(), 2u);
  EXPECT_EQ(m.get_array("nested").arrays[0].strings[0], "x");
  ASSERT_EQ(f.tensors().size(), 2u);
  const GgufTensorInfo* a = f.find_tensor("a");
  const GgufTensorInfo* b = f.find_tensor("b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->offset, 0u);
  EXPECT_EQ(b->offset, 32u);  // 12 bytes rounded up to the alignment
  EXPECT_EQ(a->data[11], 11);
  EXPECT_EQ(b->data[0], 12);
  EXPECT_EQ(b->data[67], 79);
  auto bytes = test::read_file_bytes(dir.file("s.gguf"));
  // The file ends where b ends: data start + 32 (a, padded) + 68, with no trailing padding.
  size_t data_start = static_cast<size_t>(a->data.data() - f.files()[0]->data());
  EXPECT_EQ(data_start % 32, 0u);
  EXPECT_EQ(bytes.size(), data_start + 32 + 68);
}

TEST(GgufWriter, RecordsNonDefaultAlignment) {
  TempDir dir;
  write_small(dir.file("s.gguf"), 64);
  GgufFile f = GgufFile::open(dir.file("s.gguf"));
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.find_tensor("b")->offset, 64u);
}

TEST(GgufWriter, RefusesMisuse) {
  TempDir dir;
  expect_error([&] { GgufWriter w(dir.file("x.gguf"), 24); }, ErrorCode::kInvalidArgument, "alignment 24");
  GgufWriter w(dir.file("y.gguf"));
  expect_error([&] { w.add_tensor("q", TensorType::kQ4_0, {20}); }, ErrorCode::kInvalidArgument, "not a multiple of 32");
  w.add_tensor("t", TensorType::kF32, {2});
  std::vector<uint8_t> nine(9);
  expect_error([&] { w.write_data(nine); }, ErrorCode::kInvalidArgument, "more tensor data");
  expect_error([&] { w.add_u32("late", 1); }, ErrorCode::kInvalidArgument, "after data");
  GgufWriter short_data(dir.file("z.gguf"));
  short_data.add_tensor("t", TensorType::kF32, {2});
  std::vector<uint8_t> four(4);
  short_data.write_data(four);
  expect_error([&] { short_data.finish(); }, ErrorCode::kInvalidArgument, "incomplete");
}

TEST(GgufWriter, EveryPrefixOfItsOutputIsAnError) {
  TempDir dir;
  write_small(dir.file("s.gguf"));
  auto bytes = test::read_file_bytes(dir.file("s.gguf"));
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_NO_THROW(parse_gguf_part(bytes, "whole"));
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(parse_gguf_part(prefix, "prefix"), Error) << n << " of " << bytes.size() << " bytes";
  }
}

void write_part(const std::string& path, uint16_t no, uint16_t count, const std::string& tensor, uint8_t fill,
                bool with_model_keys) {
  GgufWriter w(path);
  if (with_model_keys) w.add_string("general.architecture", "llama");
  w.add_u16("split.no", no);
  w.add_u16("split.count", count);
  w.add_i32("split.tensors.count", 2);
  w.add_tensor(tensor, TensorType::kF32, {8});
  std::vector<uint8_t> data(32, fill);
  w.write_data(data);
  w.finish();
}

TEST(GgufSplit, TwoPartsMerge) {
  TempDir dir;
  write_part(dir.file("m-00001-of-00002.gguf"), 0, 2, "first", 0x11, true);
  write_part(dir.file("m-00002-of-00002.gguf"), 1, 2, "second", 0x22, false);
  for (const char* name : {"m-00001-of-00002.gguf", "m-00002-of-00002.gguf"}) {
    GgufFile f = GgufFile::open(dir.file(name));
    EXPECT_EQ(f.path(), dir.file("m-00001-of-00002.gguf"));
    EXPECT_EQ(f.files().size(), 2u);
    EXPECT_EQ(f.metadata().get_string("general.architecture"), "llama");
    ASSERT_EQ(f.tensors().size(), 2u);
    const GgufTensorInfo* a = f.find_tensor("first");
    const GgufTensorInfo* b = f.find_tensor("second");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->part, 0u);
    EXPECT_EQ(b->part, 1u);
    EXPECT_EQ(a->data[0], 0x11);
    EXPECT_EQ(b->data[31], 0x22);
    // Each view lies inside its own part's mapping.
    const auto& second = *f.files()[1];
    EXPECT_GE(b->data.data(), second.data());
    EXPECT_LE(b->data.data() + b->data.size(), second.data() + second.size());
  }
}

TEST(GgufSplit, BrokenSetsAreErrors) {
  TempDir dir;
  write_part(dir.file("m-00001-of-00002.gguf"), 0, 2, "first", 1, true);
  expect_error([&] { GgufFile::open(dir.file("m-00001-of-00002.gguf")); }, ErrorCode::kNotFound,
               "m-00002-of-00002.gguf");
  write_part(dir.file("m-00002-of-00002.gguf"), 0, 2, "second", 2, false);
  expect_error([&] { GgufFile::open(dir.file("m-00001-of-00002.gguf")); }, ErrorCode::kInvalidFile,
               "metadata says part 1 of 2, the name says 2 of 2");
  write_part(dir.file("m-00002-of-00002.gguf"), 1, 2, "first", 2, false);
  expect_error([&] { GgufFile::open(dir.file("m-00001-of-00002.gguf")); }, ErrorCode::kInvalidFile,
               "tensor 'first' is also in");
  write_part(dir.file("renamed.gguf"), 0, 2, "first", 1, true);
  expect_error([&] { GgufFile::open(dir.file("renamed.gguf")); }, ErrorCode::kInvalidFile, "split.count is 2");
}

}  // namespace
}  // namespace vkmoe
