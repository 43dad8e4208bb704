#include "loader/safetensors/safetensors_file.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "loader/base/error.h"
#include "loader/base/mapped_file.h"

namespace vkmoe {
namespace {

using nlohmann::json;

// The safetensors reference implementation refuses headers above 100 MB; so does vkmoe, which
// also bounds the memory a hostile header can make the JSON parser allocate.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

uint64_t read_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// A JSON value for an error message, cut short so a hostile header cannot flood the log.
std::string show(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 64 ? text.substr(0, 61) + "..." : text;
}

std::string show_shape(const std::vector<uint64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

class HeaderParser {
 public:
  HeaderParser(const std::string& label, std::span<const uint8_t> data) : label_(label), data_(data) {}

  [[noreturn]] void fail(const std::string& what) const { throw Error(ErrorCode::kInvalidFile, label_ + ": " + what); }

  json parse_json(std::span<const uint8_t> header) const {
    // The header must be one JSON object; a repeated tensor name would make nlohmann keep
    // only the last entry silently, so top-level keys are checked as the parser sees them.
    std::set<std::string> keys;
    std::string duplicate;
    json::parser_callback_t check_keys = [&](int depth, json::parse_event_t event, json& parsed) {
      if (event == json::parse_event_t::key && depth == 1 && !keys.insert(parsed.get<std::string>()).second) {
        duplicate = parsed.get<std::string>();
      }
      return true;
    };
    json root;
    try {
      root = json::parse(header.begin(), header.end(), check_keys);
    } catch (const json::exception& e) {
      fail(std::string("header is not valid JSON: ") + e.what());
    }
    if (!root.is_object()) fail("header is not a JSON object");
    if (!duplicate.empty()) fail("tensor '" + duplicate + "' appears twice in the header");
    return root;
  }

  std::map<std::string, std::string> metadata(const json& entry) const {
    if (!entry.is_object()) fail("__metadata__ is not an object: " + show(entry));
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : entry.items()) {
      if (!value.is_string()) fail("__metadata__ '" + key + "' is not a string: " + show(value));
      out[key] = value.get<std::string>();
    }
    return out;
  }

  SafetensorsTensor tensor(const std::string& name, const json& entry, uint64_t& begin) const {
    const std::string where = "tensor '" + name + "'";
    if (name.empty()) fail("a tensor has an empty name");
    if (!entry.is_object()) fail(where + ": entry is not an object: " + show(entry));
    for (const auto& [key, value] : entry.items()) {
      if (key != "dtype" && key != "shape" && key != "data_offsets") fail(where + ": unexpected field '" + key + "'");
    }
    SafetensorsTensor t;
    t.name = name;

    auto dtype = entry.find("dtype");
    if (dtype == entry.end() || !dtype->is_string()) fail(where + ": 'dtype' is missing or not a string");
    auto parsed_dtype = safetensors_dtype_from_name(dtype->get<std::string>());
    if (!parsed_dtype) {
      throw Error(ErrorCode::kUnsupported, label_ + ": " + where + ": unknown dtype " + show(*dtype));
    }
    t.dtype = *parsed_dtype;

    auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array()) fail(where + ": 'shape' is missing or not an array");
    uint64_t n_elements = 1;
    for (const json& dim : *shape) {
      if (!dim.is_number_unsigned()) fail(where + ": shape " + show(*shape) + " has a dimension that is not a non-negative integer");
      uint64_t d = dim.get<uint64_t>();
      t.shape.push_back(d);
      if (__builtin_mul_overflow(n_elements, d, &n_elements)) fail(where + ": shape " + show(*shape) + " overflows 64 bits");
    }
    uint64_t n_bytes = 0;
    if (__builtin_mul_overflow(n_elements, uint64_t{safetensors_dtype_size(t.dtype)}, &n_bytes)) {
      fail(where + ": shape " + show_shape(t.shape) + " of " + std::string(safetensors_dtype_name(t.dtype)) + " overflows 64 bits");
    }

    auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
        !(*offsets)[1].is_number_unsigned()) {
      fail(where + ": 'data_offsets' is not a pair of non-negative integers");
    }
    begin = (*offsets)[0].get<uint64_t>();
    uint64_t end = (*offsets)[1].get<uint64_t>();
    if (begin > end) fail(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] end before begin");
    if (end > data_.size()) {
      fail(where + ": data_offsets end " + std::to_string(end) + " exceeds the data section of " + std::to_string(data_.size()) + " bytes");
    }
    if (end - begin != n_bytes) {
      fail(where + ": data_offsets span " + std::to_string(end - begin) + " bytes but shape " + show_shape(t.shape) + " of " +
           std::string(safetensors_dtype_name(t.dtype)) + " needs " + std::to_string(n_bytes));
    }
    t.bytes = data_.subspan(begin, n_bytes);
    return t;
  }

  // `begins` pairs with `tensors`: each tensor's offset inside the data section.
  void check_no_overlap(const std::vector<SafetensorsTensor>& tensors, const std::vector<uint64_t>& begins) const {
    std::vector<size_t> order(tensors.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return begins[a] < begins[b]; });
    const SafetensorsTensor* previous = nullptr;
    uint64_t previous_end = 0;
    for (size_t i : order) {
      if (tensors[i].bytes.empty()) continue;  // occupies no bytes, overlaps nothing
      if (previous != nullptr && begins[i] < previous_end) {
        fail("tensors '" + previous->name + "' and '" + tensors[i].name + "' overlap at data offset " + std::to_string(begins[i]));
      }
      previous = &tensors[i];
      previous_end = begins[i] + tensors[i].bytes.size();
    }
  }

 private:
  const std::string& label_;
  std::span<const uint8_t> data_;
};

}  // namespace

uint64_t SafetensorsTensor::n_elements() const {
  // Validated when the file was opened: the product fits in 64 bits.
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  std::shared_ptr<MappedFile> file = MappedFile::open(path);
  std::span<const uint8_t> bytes = file->bytes();
  return parse(path, bytes, std::move(file));
}

SafetensorsFile SafetensorsFile::parse(std::string label, std::span<const uint8_t> bytes, std::shared_ptr<const void> keep_alive) {
  auto fail = [&](const std::string& what) { throw Error(ErrorCode::kInvalidFile, label + ": " + what); };
  if (bytes.size() < 8) fail("file of " + std::to_string(bytes.size()) + " bytes is too short for the 8-byte header length");
  uint64_t header_bytes = read_le64(bytes.data());
  if (header_bytes > kMaxHeaderBytes) fail("header length " + std::to_string(header_bytes) + " exceeds the 100 MiB limit");
  if (header_bytes > bytes.size() - 8) {
    fail("header length " + std::to_string(header_bytes) + " exceeds the " + std::to_string(bytes.size() - 8) +
         " bytes that follow it");
  }
  std::span<const uint8_t> header = bytes.subspan(8, header_bytes);
  std::span<const uint8_t> data = bytes.subspan(8 + header_bytes);

  SafetensorsFile out;
  out.path_ = std::move(label);
  HeaderParser parser(out.path_, data);
  json root = parser.parse_json(header);
  std::vector<uint64_t> begins;
  for (const auto& [name, entry] : root.items()) {  // nlohmann orders object keys: tensors_ ends up sorted by name
    if (name == "__metadata__") {
      out.metadata_ = parser.metadata(entry);
      continue;
    }
    uint64_t begin = 0;
    out.tensors_.push_back(parser.tensor(name, entry, begin));
    begins.push_back(begin);
  }
  parser.check_no_overlap(out.tensors_, begins);
  out.keep_alive_ = std::move(keep_alive);
  return out;
}

const SafetensorsTensor* SafetensorsFile::find(const std::string& name) const {
  auto it = std::lower_bound(tensors_.begin(), tensors_.end(), name,
                             [](const SafetensorsTensor& t, const std::string& n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

const SafetensorsTensor& SafetensorsFile::require(const std::string& name) const {
  const SafetensorsTensor* t = find(name);
  if (t == nullptr) throw Error(ErrorCode::kNotFound, path_ + ": tensor '" + name + "' is missing");
  return *t;
}

}  // namespace vkmoe
