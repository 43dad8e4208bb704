#pragma once
// The one error type of vkmoe's C++ core. The C API (engine/include/vkmoe/vkmoe.h) turns it
// into a status code plus message, so no exception crosses the public C boundary.
#include <stdexcept>
#include <string>

namespace vkmoe {

enum class ErrorCode {
  kInvalidArgument,   // a caller's value is out of range (token id, shape, option)
  kInvalidFile,       // a model/tokenizer file is malformed, truncated or lies about sizes
  kUnsupported,       // valid input that vkmoe does not handle (architecture, tensor type)
  kNotFound,          // a file, tensor or key that must exist does not
  kOutOfMemory,       // host or device allocation failed
  kNoDevice,          // no usable Vulkan device
  kDeviceLost,        // the GPU was lost; the context must be recreated
  kContextOverflow,   // a session ran past its context length
  kCancelled,         // the caller cancelled the work
  kInternal,          // a Vulkan call failed in a way the caller cannot fix
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace vkmoe
