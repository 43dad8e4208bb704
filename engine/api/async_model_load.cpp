#include "engine/api/async_model_load.h"

namespace vkmoe::api {

AsyncModelLoad::~AsyncModelLoad() {
  cancel_ = true;
  if (worker_.joinable()) worker_.join();
}

void AsyncModelLoad::load(vk::Context& ctx, const LoadRequest& request) {
  auto progress = [&](uint64_t done, uint64_t total) {
    // Checked between tensors: unwinding from here frees what was uploaded so far.
    if (cancel_) throw Error(ErrorCode::kCancelled, "loading " + request.path + " was cancelled");
    const float fraction = total > 0 ? static_cast<float>(static_cast<double>(done) / static_cast<double>(total)) : 1.0f;
    progress_ = fraction;
    if (request.on_progress) request.on_progress(fraction);
  };
  if (cancel_) throw Error(ErrorCode::kCancelled, "loading " + request.path + " was cancelled");
  auto model = Model::load(ctx, request.path, request.options, progress);
  if (cancel_) throw Error(ErrorCode::kCancelled, "loading " + request.path + " was cancelled");
  if (!model->spec().vocab.empty()) tokenizer_ = std::make_unique<Tokenizer>(model->spec().vocab);
  model_ = std::move(model);
  progress_ = 1.0f;
}

void AsyncModelLoad::run(vk::Context& ctx, const LoadRequest& request) {
  try {
    load(ctx, request);
  } catch (...) {
    status_ = VKMOE_ERROR_INTERNAL;  // the caller's guard reports the real status
    throw;
  }
  status_.store(VKMOE_OK, std::memory_order_release);
}

void AsyncModelLoad::start(vk::Context& ctx, LoadRequest request, LastError& error) {
  worker_ = std::thread([this, &ctx, &error, request = std::move(request)] {
    const vkmoe_status result = guarded(error, [&] {
      load(ctx, request);
      return VKMOE_OK;
    });
    status_.store(result, std::memory_order_release);
    if (request.on_done) request.on_done(result);
  });
}

vkmoe_status AsyncModelLoad::wait() {
  std::lock_guard lock(wait_mutex_);
  if (worker_.joinable()) worker_.join();
  return status();
}

Model& AsyncModelLoad::model() const {
  const vkmoe_status s = status();
  if (s == VKMOE_NOT_READY) throw ApiError(VKMOE_ERROR_INVALID_STATE, "the model is still loading");
  if (s != VKMOE_OK) throw ApiError(VKMOE_ERROR_INVALID_STATE, "the model failed to load");
  return *model_;
}

const Tokenizer& AsyncModelLoad::tokenizer() const {
  model();
  if (!tokenizer_) throw ApiError(VKMOE_ERROR_NOT_FOUND, "the model carries no tokenizer");
  return *tokenizer_;
}

}  // namespace vkmoe::api
