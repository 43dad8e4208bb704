#include "engine/api/api_guard.h"

#include <algorithm>
#include <cstring>

namespace vkmoe::api {

vkmoe_status status_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return VKMOE_ERROR_INVALID_ARGUMENT;
    case ErrorCode::kInvalidFile: return VKMOE_ERROR_INVALID_FILE;
    case ErrorCode::kUnsupported: return VKMOE_ERROR_UNSUPPORTED;
    case ErrorCode::kNotFound: return VKMOE_ERROR_NOT_FOUND;
    case ErrorCode::kOutOfMemory: return VKMOE_ERROR_OUT_OF_MEMORY;
    case ErrorCode::kNoDevice: return VKMOE_ERROR_NO_DEVICE;
    case ErrorCode::kDeviceLost: return VKMOE_ERROR_DEVICE_LOST;
    case ErrorCode::kContextOverflow: return VKMOE_ERROR_CONTEXT_OVERFLOW;
    case ErrorCode::kCancelled: return VKMOE_ERROR_CANCELLED;
    case ErrorCode::kInternal: return VKMOE_ERROR_INTERNAL;
  }
  return VKMOE_ERROR_INTERNAL;
}

void copy_text(char* dst, size_t capacity, const std::string& text) {
  if (dst == nullptr || capacity == 0) return;
  const size_t n = std::min(capacity - 1, text.size());
  std::memcpy(dst, text.data(), n);
  dst[n] = '\0';
}

void require(bool condition, const char* message) {
  if (!condition) throw ApiError(VKMOE_ERROR_INVALID_ARGUMENT, message);
}

void require_struct(uint32_t struct_size, size_t first_version_size, const char* name) {
  if (struct_size < first_version_size) {
    throw ApiError(VKMOE_ERROR_INVALID_ARGUMENT, std::string(name) + ".struct_size is " + std::to_string(struct_size) +
                                                     "; set it to sizeof(" + name + ")");
  }
}

}  // namespace vkmoe::api

extern "C" const char* vkmoe_status_name(vkmoe_status status) {
  switch (status) {
    case VKMOE_OK: return "VKMOE_OK";
    case VKMOE_NOT_READY: return "VKMOE_NOT_READY";
    case VKMOE_ERROR_INVALID_ARGUMENT: return "VKMOE_ERROR_INVALID_ARGUMENT";
    case VKMOE_ERROR_INVALID_HANDLE: return "VKMOE_ERROR_INVALID_HANDLE";
    case VKMOE_ERROR_INVALID_STATE: return "VKMOE_ERROR_INVALID_STATE";
    case VKMOE_ERROR_BUFFER_TOO_SMALL: return "VKMOE_ERROR_BUFFER_TOO_SMALL";
    case VKMOE_ERROR_INVALID_FILE: return "VKMOE_ERROR_INVALID_FILE";
    case VKMOE_ERROR_NOT_FOUND: return "VKMOE_ERROR_NOT_FOUND";
    case VKMOE_ERROR_UNSUPPORTED: return "VKMOE_ERROR_UNSUPPORTED";
    case VKMOE_ERROR_OUT_OF_MEMORY: return "VKMOE_ERROR_OUT_OF_MEMORY";
    case VKMOE_ERROR_NO_DEVICE: return "VKMOE_ERROR_NO_DEVICE";
    case VKMOE_ERROR_DEVICE_LOST: return "VKMOE_ERROR_DEVICE_LOST";
    case VKMOE_ERROR_CONTEXT_OVERFLOW: return "VKMOE_ERROR_CONTEXT_OVERFLOW";
    case VKMOE_ERROR_CANCELLED: return "VKMOE_ERROR_CANCELLED";
    case VKMOE_ERROR_INTERNAL: return "VKMOE_ERROR_INTERNAL";
  }
  return "unknown vkmoe_status";
}
