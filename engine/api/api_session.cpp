// The C API's sessions: turns submitted, then advanced frame by frame within a GPU budget or
// run to their end; cancellation, rewinding and statistics.
#include <algorithm>
#include <cmath>

#include "engine/api/handles.h"

using namespace vkmoe;
using namespace vkmoe::api;

namespace {

SamplingParams sampling_params(const vkmoe_sampling& s) {
  SamplingParams p;
  p.temperature = s.temperature;
  p.top_k = s.top_k;
  p.top_p = s.top_p;
  p.min_p = s.min_p;
  p.repetition_penalty = s.repetition_penalty;
  p.seed = s.seed;
  return p;
}

TurnSettings turn_settings(vkmoe_session_T& h, const vkmoe_turn_info& t) {
  require_struct(t.struct_size, sizeof(vkmoe_turn_info), "vkmoe_turn_info");
  TurnSettings s;
  if (t.tokens != nullptr) {
    s.input.assign(t.tokens, t.tokens + t.token_count);
  } else {
    require(t.text != nullptr, "vkmoe_turn_info: give tokens or text");
    s.input = h.owner->load.tokenizer().encode(std::string_view(t.text, t.text_length), t.add_special != 0, true);
  }
  require(!s.input.empty(), "vkmoe_turn_info: the input is empty (no tokens, or text that encodes to none)");
  s.max_new_tokens = t.max_new_tokens;
  s.sampling = sampling_params(t.sampling);
  check_sampling_params(s.sampling);
  require(t.stop_strings != nullptr || t.stop_string_count == 0, "vkmoe_turn_info: stop_strings is NULL");
  for (size_t i = 0; i < t.stop_string_count; ++i) {
    require(t.stop_strings[i] != nullptr, "vkmoe_turn_info: a stop string is NULL");
    s.stop_strings.emplace_back(t.stop_strings[i]);
  }
  require(t.stop_tokens != nullptr || t.stop_token_count == 0, "vkmoe_turn_info: stop_tokens is NULL");
  s.stop_tokens.assign(t.stop_tokens, t.stop_tokens + t.stop_token_count);
  if (t.on_token != nullptr) {
    s.on_token = [fn = t.on_token, user = t.user_data](uint32_t token, std::string_view piece) {
      return fn(user, token, piece.data(), piece.size()) != 0;
    };
  }
  return s;
}

void fill_result(const StepOutput& o, vkmoe_step_result* out) {
  const uint32_t size = out->struct_size;
  *out = vkmoe_step_result{};
  out->struct_size = size;
  out->state = o.state;
  out->finish_reason = o.reason;
  out->tokens = o.tokens.data();
  out->token_count = static_cast<uint32_t>(o.tokens.size());
  out->text = o.text.data();
  out->text_length = o.text.size();
  out->gpu_us_submitted = static_cast<uint32_t>(std::lround(std::min(o.gpu_us, 4.0e9)));
  out->layers_submitted = o.units;
}

// A failed step or generate call says so in its result too, when the result can hold it.
vkmoe_status report_error_state(vkmoe_step_result* out, vkmoe_status status) {
  if (status < 0 && out != nullptr && out->struct_size >= sizeof(vkmoe_step_result)) {
    const uint32_t size = out->struct_size;
    *out = vkmoe_step_result{};
    out->struct_size = size;
    out->state = VKMOE_STEP_ERROR;
    out->finish_reason = VKMOE_FINISH_ERROR;
  }
  return status;
}

Turn& current_turn(vkmoe_session_T& h) {
  if (!h.turn) throw ApiError(VKMOE_ERROR_INVALID_STATE, "no turn was submitted to this session");
  return *h.turn;
}

// A turn that failed part way leaves the session as it was before its unfinished step.
vkmoe_status step_or_fail(vkmoe_session_T& h, double budget_us, bool blocking, StepOutput& out) {
  Turn& turn = current_turn(h);
  try {
    out = turn.step(budget_us, blocking, h.cancel.exchange(false));
  } catch (...) {
    h.turn.reset();
    h.session->rewind(h.session->position());
    throw;
  }
  return VKMOE_OK;
}

}  // namespace

extern "C" {

vkmoe_status vkmoe_session_create(vkmoe_model model, const vkmoe_session_create_info* info, vkmoe_session* out_session) {
  if (!alive(model)) return VKMOE_ERROR_INVALID_HANDLE;
  if (out_session != nullptr) *out_session = nullptr;
  return guarded(model->error, [&] {
    require(out_session != nullptr, "vkmoe_session_create: out_session is NULL");
    require(info != nullptr, "vkmoe_session_create: info is NULL");
    require_struct(info->struct_size, sizeof(vkmoe_session_create_info), "vkmoe_session_create_info");
    Model& m = model->load.model();
    model->load.tokenizer();
    SessionOptions options;
    options.max_ctx = info->max_ctx;
    options.max_tokens = info->max_tokens != 0 ? info->max_tokens : 128;
    if (info->kv_cache_f32 != 0) options.kv_cache_type = kernels::KvCacheType::kF32;
    auto handle = std::make_unique<vkmoe_session_T>();
    handle->owner = model;
    handle->session = std::make_unique<Session>(m, options);
    UnitCosts* costs = nullptr;
    {
      std::lock_guard lock(model->costs_mutex);
      if (!model->costs) model->costs = std::make_unique<UnitCosts>(handle->session->unit_count());
      costs = model->costs.get();
    }
    handle->timings = std::make_unique<UnitTimings>(m.context().device(), *costs, handle->session->unit_count());
    *out_session = handle.release();
    return VKMOE_OK;
  });
}

void vkmoe_session_destroy(vkmoe_session session) {
  if (!alive(session)) return;
  session->tag = HandleTag::kDead;
  delete session;
}

const char* vkmoe_session_last_error(vkmoe_session session) {
  if (!alive(session)) return "invalid vkmoe_session handle";
  return session->error.get();
}

vkmoe_status vkmoe_session_get_position(vkmoe_session session, uint32_t* out_position, uint32_t* out_max_ctx) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  if (out_position == nullptr && out_max_ctx == nullptr) return VKMOE_ERROR_INVALID_ARGUMENT;
  if (out_position != nullptr) *out_position = session->session->position();
  if (out_max_ctx != nullptr) *out_max_ctx = session->session->max_ctx();
  return VKMOE_OK;
}

vkmoe_status vkmoe_session_rewind(vkmoe_session session, uint32_t position) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(session->error, [&] {
    session->session->rewind(position);
    session->turn.reset();
    return VKMOE_OK;
  });
}

vkmoe_sampling vkmoe_sampling_default(void) {
  vkmoe_sampling s{};
  s.temperature = 0.0f;
  s.top_k = 0;
  s.top_p = 1.0f;
  s.min_p = 0.0f;
  s.repetition_penalty = 1.0f;
  s.seed = 0;
  return s;
}

vkmoe_status vkmoe_sampling_validate(const vkmoe_sampling* sampling, char* message, size_t message_capacity) {
  LastError error;
  const vkmoe_status status = guarded(error, [&] {
    require(sampling != nullptr, "vkmoe_sampling_validate: sampling is NULL");
    check_sampling_params(sampling_params(*sampling));
    return VKMOE_OK;
  });
  copy_text(message, message_capacity, status == VKMOE_OK ? "" : error.get());
  return status;
}

vkmoe_status vkmoe_session_submit(vkmoe_session session, const vkmoe_turn_info* turn) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(session->error, [&] {
    require(turn != nullptr, "vkmoe_session_submit: turn is NULL");
    TurnSettings settings = turn_settings(*session, *turn);
    Session& s = *session->session;
    const uint32_t n_vocab = session->owner->load.model().config().n_vocab;
    for (size_t i = 0; i < settings.input.size(); ++i) {
      if (settings.input[i] >= n_vocab) {
        throw Error(ErrorCode::kInvalidArgument, "token id " + std::to_string(settings.input[i]) + " at index " + std::to_string(i) +
                                                     " is outside the vocabulary of " + std::to_string(n_vocab));
      }
    }
    if (settings.input.size() > s.max_ctx() - s.position()) {
      throw Error(ErrorCode::kContextOverflow, "context overflow: " + std::to_string(s.position()) + " tokens held + " +
                                                   std::to_string(settings.input.size()) + " new exceed the context of " +
                                                   std::to_string(s.max_ctx()));
    }
    session->turn.reset();
    s.rewind(s.position());  // a half-recorded step of the turn replaced is dropped
    session->cancel = false;
    session->turn = std::make_unique<Turn>(s, session->owner->load.tokenizer(), *session->timings, session->stats,
                                           std::move(settings));
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_session_step(vkmoe_session session, uint32_t budget_us, vkmoe_step_result* out_result) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  return report_error_state(out_result, guarded(session->error, [&] {
    require(out_result != nullptr, "vkmoe_session_step: out_result is NULL");
    require_struct(out_result->struct_size, sizeof(vkmoe_step_result), "vkmoe_step_result");
    require(budget_us > 0, "vkmoe_session_step: a budget of 0 microseconds can never submit work; give at least 1");
    if (session->owner->load.model().experts() != nullptr) {
      throw ApiError(VKMOE_ERROR_UNSUPPORTED,
                     "this model streams its experts, which needs the host to wait for each MoE layer's routing; "
                     "step it with vkmoe_session_generate, or load it with a VRAM budget that holds every expert");
    }
    const vkmoe_status status = step_or_fail(*session, budget_us, false, session->last_output);
    fill_result(session->last_output, out_result);
    return status;
  }));
}

vkmoe_status vkmoe_session_generate(vkmoe_session session, vkmoe_step_result* out_result) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  return report_error_state(out_result, guarded(session->error, [&] {
    if (out_result != nullptr) require_struct(out_result->struct_size, sizeof(vkmoe_step_result), "vkmoe_step_result");
    StepOutput& out = session->last_output;
    do {
      step_or_fail(*session, 0.0, true, out);
    } while (out.state != VKMOE_STEP_FINISHED);
    const Turn& turn = *session->turn;
    out.tokens = turn.generated();
    out.text = turn.text();
    if (out_result != nullptr) fill_result(out, out_result);
    return VKMOE_OK;
  }));
}

vkmoe_status vkmoe_session_cancel(vkmoe_session session) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  session->cancel = true;
  return VKMOE_OK;
}

vkmoe_status vkmoe_session_get_stats(vkmoe_session session, vkmoe_stats* out) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(session->error, [&] {
    require(out != nullptr, "vkmoe_session_get_stats: out is NULL");
    require_struct(out->struct_size, sizeof(vkmoe_stats), "vkmoe_stats");
    const TurnStats& t = session->stats;
    const uint32_t size = out->struct_size;
    *out = vkmoe_stats{};
    out->struct_size = size;
    out->prompt_tokens = t.prompt_tokens;
    out->prompt_seconds = t.prompt_seconds;
    out->generated_tokens = t.generated_tokens;
    out->generation_seconds = t.generation_seconds;
    out->prompt_tokens_per_second = t.prompt_seconds > 0 ? t.prompt_tokens / t.prompt_seconds : 0.0;
    // The first token comes with the prompt; the generation time covers the ones after it.
    out->generation_tokens_per_second =
        t.generation_seconds > 0 && t.generated_tokens > 1 ? (t.generated_tokens - 1) / t.generation_seconds : 0.0;
    out->gpu_ms_per_token = session->timings->last_token_us() / 1000.0;
    const Model& m = session->owner->load.model();
    if (const ExpertStore* store = m.experts()) {
      const ExpertLayerStats total = store->stats().total();
      out->expert_uses = total.uses;
      out->expert_hits = total.hits;
      out->expert_misses = total.misses;
      out->expert_bytes_copied = total.bytes_copied;
      out->expert_bytes_zero_copy = total.bytes_zero_copy;
    }
    out->vram_used_bytes = m.context().allocator().stats().device_local_bytes;
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_session_reset_stats(vkmoe_session session) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(session->error, [&] {
    session->stats = TurnStats{};
    session->session->reset_expert_usage();
    if (ExpertStore* store = session->owner->load.model().experts()) store->reset_stats();
    return VKMOE_OK;
  });
}

vkmoe_status vkmoe_session_get_expert_usage(vkmoe_session session, uint64_t* counts, size_t capacity, size_t* out_length) {
  if (!alive(session)) return VKMOE_ERROR_INVALID_HANDLE;
  return guarded(session->error, [&] {
    require(out_length != nullptr, "vkmoe_session_get_expert_usage: out_length is NULL");
    const std::span<const uint64_t> usage = session->session->expert_usage();
    *out_length = usage.size();
    if (usage.size() > capacity || (!usage.empty() && counts == nullptr)) {
      throw ApiError(VKMOE_ERROR_BUFFER_TOO_SMALL, "vkmoe_session_get_expert_usage: the output needs " +
                                                       std::to_string(usage.size()) + " counts; capacity is " +
                                                       std::to_string(capacity));
    }
    std::copy(usage.begin(), usage.end(), counts);
    return VKMOE_OK;
  });
}

}  // extern "C"
