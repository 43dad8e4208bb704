#pragma once
// The edge of the C API: every entry point runs its body through guarded(), which turns any
// exception into a vkmoe_status and records the message as the handle's last error, so no
// exception ever crosses into the caller's C code.
#include <cstddef>
#include <exception>
#include <mutex>
#include <new>
#include <string>

#include "loader/base/error.h"
#include "vkmoe/vkmoe.h"

namespace vkmoe::api {

vkmoe_status status_of(ErrorCode code);

// The message of a handle's last failed call; readable until the next call on the handle.
class LastError {
 public:
  void set(const std::string& message) {
    std::lock_guard lock(mutex_);
    text_ = message;
  }
  const char* get() const {
    std::lock_guard lock(mutex_);
    return text_.c_str();
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

// An error with a status that has no ErrorCode of the core (invalid state, buffer sizes).
class ApiError : public std::exception {
 public:
  ApiError(vkmoe_status status, std::string message) : status_(status), message_(std::move(message)) {}
  vkmoe_status status() const { return status_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  vkmoe_status status_;
  std::string message_;
};

template <class Body>
vkmoe_status guarded(LastError& error, Body&& body) noexcept {
  try {
    return body();
  } catch (const ApiError& e) {
    error.set(e.what());
    return e.status();
  } catch (const Error& e) {
    error.set(e.what());
    return status_of(e.code());
  } catch (const std::bad_alloc&) {
    error.set("out of host memory");
    return VKMOE_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    error.set(e.what());
    return VKMOE_ERROR_INTERNAL;
  } catch (...) {
    error.set("unknown failure");
    return VKMOE_ERROR_INTERNAL;
  }
}

// Writes `text` into a caller's char buffer, cut to fit and NUL-terminated (nothing when the
// buffer is NULL or empty).
void copy_text(char* dst, size_t capacity, const std::string& text);

// Checks of arguments, thrown as ApiError(VKMOE_ERROR_INVALID_ARGUMENT).
void require(bool condition, const char* message);
// A caller's struct must be at least as large as the first version of it.
void require_struct(uint32_t struct_size, size_t first_version_size, const char* name);

}  // namespace vkmoe::api
