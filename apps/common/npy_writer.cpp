#include "apps/common/npy_writer.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "loader/base/error.h"

namespace vkmoe::cli {

void write_npy_f32(const std::string& path, std::span<const float> data, const std::vector<uint64_t>& shape) {
  uint64_t count = 1;
  for (uint64_t d : shape) count *= d;
  if (count != data.size()) throw Error(ErrorCode::kInternal, "write_npy_f32: shape does not match the data size");
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header must be a multiple of 64, ending in '\n'.
  size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kInvalidArgument, path + ": cannot write: " + std::strerror(errno));
  const char magic[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.write(magic, 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size_bytes()));
  if (!out) throw Error(ErrorCode::kInvalidArgument, path + ": write failed");
}

}  // namespace vkmoe::cli
