#include "loader/safetensors/safetensors_file.h"

#include <gtest/gtest.h>

#include "loader/base/error.h"
#include "loader/safetensors/safetensors_values.h"
#include "tests/safetensors/safetensors_bytes.h"

namespace vkmoe {
namespace {

using test::append_le;
using test::safetensors_bytes;

SafetensorsFile parse(const std::vector<uint8_t>& bytes) { return SafetensorsFile::parse("t.safetensors", bytes, nullptr); }

// Parsing must fail with `code` and a message that mentions `needle`.
void expect_error(const std::vector<uint8_t>& bytes, ErrorCode code, const std::string& needle) {
  try {
    parse(bytes);
    ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("t.safetensors"), std::string::npos) << e.what();
  }
}

void expect_invalid(const std::string& header, const std::vector<uint8_t>& data, const std::string& needle) {
  expect_error(safetensors_bytes(header, data), ErrorCode::kInvalidFile, needle);
}

std::vector<uint8_t> two_tensor_data() {
  std::vector<uint8_t> data;
  append_le(data, 1.5f);
  append_le(data, -2.0f);
  append_le(data, int32_t{7});
  append_le(data, int32_t{-9});
  return data;
}

const std::string kTwoTensorHeader =
    R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
    R"("a":{"dtype":"I32","shape":[1,2],"data_offsets":[8,16]}})";

TEST(SafetensorsFile, ReadsTensorsShapesValuesAndMetadata) {
  auto bytes = safetensors_bytes(kTwoTensorHeader, two_tensor_data());
  SafetensorsFile f = parse(bytes);
  ASSERT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.tensors()[0].name, "a");  // sorted by name
  EXPECT_EQ(f.metadata().at("format"), "pt");

  const SafetensorsTensor& a = f.require("a");
  EXPECT_EQ(a.dtype, SafetensorsDtype::kI32);
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(a.n_elements(), 2u);
  EXPECT_EQ(to_int32_vector(a), (std::vector<int32_t>{7, -9}));
  EXPECT_EQ(a.bytes.data(), bytes.data() + 8 + kTwoTensorHeader.size() + 8);  // a view, not a copy

  EXPECT_EQ(to_float_vector(f.require("b")), (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(f.find("c"), nullptr);
  EXPECT_THROW(f.require("c"), Error);
  EXPECT_THROW(to_float_vector(a), Error);
}

TEST(SafetensorsFile, HalfTypesUnalignedOffsetsEmptyTensorsAndPadding) {
  std::vector<uint8_t> data = {0x05};  // one U8 puts the next tensor at an odd offset
  append_le(data, uint16_t{0x3f80});   // bf16 1.0
  append_le(data, uint16_t{0xc000});   // f16 -2.0
  append_le(data, uint16_t{0x3555});   // f16 0.333251953125
  data.push_back(0x38);                // one float8
  std::string header =
      R"({"u":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"bf":{"dtype":"BF16","shape":[1],"data_offsets":[1,3]},)"
      R"("h":{"dtype":"F16","shape":[2],"data_offsets":[3,7]},"e":{"dtype":"F32","shape":[0,4],"data_offsets":[3,3]},)"
      R"("f8":{"dtype":"F8_E4M3","shape":[],"data_offsets":[7,8]}})";
  header += "    ";  // writers may pad the header with spaces
  auto bytes = safetensors_bytes(header, data);
  SafetensorsFile f = parse(bytes);
  EXPECT_EQ(to_int32_vector(f.require("u")), (std::vector<int32_t>{5}));
  EXPECT_EQ(to_float_vector(f.require("bf")), (std::vector<float>{1.0f}));
  EXPECT_EQ(to_float_vector(f.require("h")), (std::vector<float>{-2.0f, 0.333251953125f}));
  EXPECT_EQ(f.require("e").n_elements(), 0u);
  EXPECT_EQ(f.require("f8").dtype, SafetensorsDtype::kF8E4M3);
  EXPECT_EQ(f.require("f8").n_elements(), 1u);  // a scalar
}

TEST(SafetensorsFile, EmptyHeaderObjectIsAValidFile) {
  auto bytes = safetensors_bytes("{}", {});
  EXPECT_TRUE(parse(bytes).tensors().empty());
}

TEST(SafetensorsFile, EveryTruncationIsAnError) {
  auto full = safetensors_bytes(kTwoTensorHeader, two_tensor_data());
  for (size_t n = 0; n < full.size(); ++n) {
    std::vector<uint8_t> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW(parse(prefix), Error) << "prefix of " << n << " bytes";
  }
  EXPECT_NO_THROW(parse(full));
}

TEST(SafetensorsFile, HeaderLengthBeyondFileOrLimit) {
  auto bytes = safetensors_bytes(kTwoTensorHeader, two_tensor_data());
  auto lying = bytes;
  lying[7] = 0x80;  // 2^63 + ...
  expect_error(lying, ErrorCode::kInvalidFile, "header length");
  lying = bytes;
  uint64_t past_end = bytes.size() - 7;
  for (int i = 0; i < 8; ++i) lying[i] = static_cast<uint8_t>(past_end >> (8 * i));
  expect_error(lying, ErrorCode::kInvalidFile, "exceeds the");
  std::vector<uint8_t> huge(8 + 16, ' ');
  uint64_t over_limit = (100ull << 20) + 1;
  for (int i = 0; i < 8; ++i) huge[i] = static_cast<uint8_t>(over_limit >> (8 * i));
  expect_error(huge, ErrorCode::kInvalidFile, "100 MiB");
}

TEST(SafetensorsFile, HeaderThatIsNotAJsonObject) {
  expect_invalid("not json at all", {}, "not valid JSON");
  expect_invalid(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})", {0, 0, 0, 0}, "not valid JSON");  // unclosed
  expect_invalid("[1,2,3]", {}, "not a JSON object");
  expect_invalid(R"({"a":1} trailing)", {}, "not valid JSON");
  expect_invalid(std::string("{\"a\xff\":{}}"), {}, "not valid JSON");  // not UTF-8
  expect_invalid(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                 {1, 2}, "appears twice");
}

TEST(SafetensorsFile, EntriesWithMissingOrWrongFields) {
  expect_invalid(R"({"a":[1]})", {}, "'a': entry is not an object");
  expect_invalid(R"({"a":{"shape":[1],"data_offsets":[0,1]}})", {0}, "'dtype'");
  expect_invalid(R"({"a":{"dtype":"U8","data_offsets":[0,1]}})", {0}, "'shape'");
  expect_invalid(R"({"a":{"dtype":"U8","shape":[1]}})", {0}, "'data_offsets'");
  expect_invalid(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":1}})", {0}, "unexpected field 'extra'");
  expect_invalid(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}})", {0}, "'data_offsets'");
  expect_invalid(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})", {0}, "'data_offsets'");
  expect_invalid(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1.0]}})", {0}, "'data_offsets'");
  expect_invalid(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[-1,1]}})", {0}, "'data_offsets'");
  expect_invalid(R"({"__metadata__":{"k":1}})", {}, "__metadata__ 'k'");
  expect_invalid(R"({"__metadata__":[]})", {}, "__metadata__ is not an object");
  expect_invalid(R"({"":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", {0}, "empty name");
}

TEST(SafetensorsFile, UnknownDtypeIsUnsupported) {
  expect_error(safetensors_bytes(R"({"w":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}})", {0}), ErrorCode::kUnsupported,
               "tensor 'w': unknown dtype \"F4\"");
  expect_invalid(R"({"w":{"dtype":7,"shape":[2],"data_offsets":[0,1]}})", {0}, "'dtype'");
}

TEST(SafetensorsFile, BadShapes) {
  expect_invalid(R"({"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", {0}, "not a non-negative integer");
  expect_invalid(R"({"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}})", {0}, "not a non-negative integer");
  expect_invalid(R"({"w":{"dtype":"U8","shape":["1"],"data_offsets":[0,1]}})", {0}, "not a non-negative integer");
  expect_invalid(R"({"w":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,1]}})", {0}, "overflows 64 bits");
  expect_invalid(R"({"w":{"dtype":"U8","shape":[18446744073709551615,2],"data_offsets":[0,1]}})", {0}, "overflows 64 bits");
  // The element count fits; times 4 bytes it does not.
  expect_invalid(R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,1]}})", {0}, "overflows 64 bits");
}

TEST(SafetensorsFile, OffsetsOutOfRangeMismatchedOrOverlapping) {
  std::vector<uint8_t> data(8, 0);
  expect_invalid(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", data, "exceeds the data section of 8 bytes");
  expect_invalid(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}})", data, "exceeds the data section");
  expect_invalid(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", data, "end before begin");
  expect_invalid(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", data, "span 8 bytes but shape [1] of F32 needs 4");
  expect_invalid(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data, "needs 12");
  expect_invalid(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})",
                 data, "'a' and 'b' overlap at data offset 2");
  expect_invalid(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[1],"data_offsets":[7,8]}})",
                 data, "overlap");
  expect_invalid(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[3,5]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}})",
                 data, "overlap");
}

TEST(SafetensorsFile, OpenNamesTheMissingFile) {
  try {
    SafetensorsFile::open("/nonexistent/model.safetensors");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.safetensors"), std::string::npos);
  }
}

TEST(SafetensorsValues, Int32RangeIsChecked) {
  std::vector<uint8_t> data;
  append_le(data, int64_t{1} << 40);
  auto bytes = safetensors_bytes(R"({"big":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", data);
  SafetensorsFile f = parse(bytes);
  EXPECT_THROW(to_int32_vector(f.require("big")), Error);
}

}  // namespace
}  // namespace vkmoe
