#pragma once
// A model load that runs on the caller's thread or on a worker thread of its own, with a
// progress fraction the caller polls, a cancel that stops it between tensors, and the loaded
// model and tokenizer once it is done.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/api/api_guard.h"
#include "engine/model/model.h"
#include "loader/tokenizer/tokenizer.h"

namespace vkmoe::api {

struct LoadRequest {
  std::string path;
  ModelOptions options;
  std::function<void(float fraction)> on_progress;   // may be empty
  std::function<void(vkmoe_status status)> on_done;  // may be empty; asynchronous loads only
};

class AsyncModelLoad {
 public:
  AsyncModelLoad() = default;
  ~AsyncModelLoad();  // cancels a running load and waits for it
  AsyncModelLoad(const AsyncModelLoad&) = delete;
  AsyncModelLoad& operator=(const AsyncModelLoad&) = delete;

  // Loads on the calling thread; throws what the load throws.
  void run(vk::Context& ctx, const LoadRequest& request);
  // Loads on a worker thread; `error` receives the failure's message before on_done runs.
  void start(vk::Context& ctx, LoadRequest request, LastError& error);

  // VKMOE_OK, VKMOE_NOT_READY, or the failure's status.
  vkmoe_status status() const { return status_.load(std::memory_order_acquire); }
  vkmoe_status wait();
  float progress() const { return progress_.load(); }
  void cancel() { cancel_ = true; }

  // The loaded model; ApiError(VKMOE_ERROR_INVALID_STATE) until status() is VKMOE_OK.
  Model& model() const;
  // The model's tokenizer; ApiError(VKMOE_ERROR_NOT_FOUND) when the model carries none.
  const Tokenizer& tokenizer() const;

 private:
  void load(vk::Context& ctx, const LoadRequest& request);
  std::unique_ptr<Model> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::atomic<vkmoe_status> status_{VKMOE_NOT_READY};
  std::atomic<float> progress_{0.0f};
  std::atomic<bool> cancel_{false};
  std::thread worker_;
  std::mutex wait_mutex_;
};

}  // namespace vkmoe::api
