/*
 * vkmoe.h: the public C API of vkmoe, a Mixture-of-Experts inference engine on Vulkan compute.
 * Plain C99 (also valid C++); the only header an embedder needs. vkmoe.hpp wraps it in RAII
 * classes for C++.
 *
 * Objects: a vkmoe_context (a Vulkan device: vkmoe's own, or the host application's),
 * vkmoe_model (weights loaded on that device), vkmoe_session (a conversation: KV cache,
 * position, sampling). Several sessions may share one model.
 *
 * Errors: every call returns a vkmoe_status. VKMOE_OK (0) is success; negative values are
 * errors; positive values are non-error states (VKMOE_NOT_READY). The readable message of the
 * last error on a handle comes from vkmoe_context_last_error / vkmoe_model_last_error /
 * vkmoe_session_last_error; the pointer stays valid until the next call on that handle. A
 * failed vkmoe_context_create writes its message into the caller's buffer in the create info.
 * No call throws, aborts or exits; a NULL or destroyed handle gives VKMOE_ERROR_INVALID_HANDLE
 * (as far as the memory of a destroyed handle still says so: do not rely on use after free).
 * There is no global state: everything hangs off the handles.
 *
 * Threading:
 * - Handles of different contexts are independent.
 * - A context may be used from any thread; model loads, memory queries and session creation
 *   on one context may run on several threads at once.
 * - A model's tokenizer and template calls (vkmoe_tokenize, vkmoe_detokenize,
 *   vkmoe_token_to_piece, vkmoe_chat_render, vkmoe_model_get_info) are thread-safe.
 * - A session is used by one thread at a time (the caller's "generation thread", usually the
 *   render thread for the frame-budgeted path). The one exception is vkmoe_session_cancel,
 *   which any thread may call at any time.
 * - Sessions of one model may run on different threads, except when the model streams its
 *   experts (vkmoe_model_info.experts_stream): they share the expert cache and must then take
 *   turns (one thread at a time across the model's sessions).
 * - Callbacks (load progress and completion, token callbacks) run on the thread named in
 *   their description and must not call back into the same handle except the getters named
 *   there.
 * - Destroy sessions before their model, and models before their context.
 *
 * Sharing the host's VkDevice: vkmoe_get_device_requirements says which extensions and
 * features to enable when creating the device, and a vkmoe_external_device hands over the
 * instance, device and queue(s). vkmoe never destroys, and never waits idle on, what it did
 * not create: it waits only for its own submissions, through its own timeline semaphores.
 * Vulkan requires external synchronisation of a VkQueue: give vkmoe a queue of its own, or
 * lock/unlock callbacks that vkmoe holds around each vkQueueSubmit it makes on a shared queue.
 * vkmoe calls Vulkan through the system loader (libvulkan) it links; the host's handles must
 * come from a loader in the same process (the usual case). A host's vkGetDeviceProcAddr, when
 * given, resolves the device extension entry points vkmoe loads itself.
 */
#ifndef VKMOE_VKMOE_H_
#define VKMOE_VKMOE_H_

#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VKMOE_API_VERSION 1

typedef enum vkmoe_status {
  VKMOE_OK = 0,
  VKMOE_NOT_READY = 1,                      /* asynchronous work still running; not an error */
  VKMOE_ERROR_INVALID_ARGUMENT = -1,        /* a NULL pointer, a value out of range, a bad struct_size */
  VKMOE_ERROR_INVALID_HANDLE = -2,          /* a NULL, destroyed or wrong-type handle */
  VKMOE_ERROR_INVALID_STATE = -3,           /* not now: no turn submitted, a model still loading */
  VKMOE_ERROR_BUFFER_TOO_SMALL = -4,        /* the size needed was written to the length argument */
  VKMOE_ERROR_INVALID_FILE = -5,            /* a model file is malformed */
  VKMOE_ERROR_NOT_FOUND = -6,               /* a file, tensor or template that must exist does not */
  VKMOE_ERROR_UNSUPPORTED = -7,             /* valid input vkmoe does not handle */
  VKMOE_ERROR_OUT_OF_MEMORY = -8,           /* host or device memory, or a VRAM budget too small */
  VKMOE_ERROR_NO_DEVICE = -9,               /* no usable Vulkan device, or the host's lacks a requirement */
  VKMOE_ERROR_DEVICE_LOST = -10,            /* the GPU was lost: destroy and recreate the context */
  VKMOE_ERROR_CONTEXT_OVERFLOW = -11,       /* a session's context is full; the session stays usable */
  VKMOE_ERROR_CANCELLED = -12,              /* the caller cancelled the work */
  VKMOE_ERROR_INTERNAL = -13                /* anything else; the message says what */
} vkmoe_status;

/* A readable name for a status ("VKMOE_ERROR_INVALID_ARGUMENT"); never NULL. */
const char* vkmoe_status_name(vkmoe_status status);

typedef struct vkmoe_context_T* vkmoe_context;
typedef struct vkmoe_model_T* vkmoe_model;
typedef struct vkmoe_session_T* vkmoe_session;

/* ---------------------------------------------------------------------------------------
 * Device requirements: what a host enables on the VkDevice it will share with vkmoe.
 */
#define VKMOE_MAX_EXTENSIONS 8

typedef struct vkmoe_device_requirements {
  uint32_t struct_size;                        /* sizeof(vkmoe_device_requirements) */
  uint32_t min_api_version;                    /* VK_API_VERSION_1_2 */
  uint32_t required_extension_count;
  const char* required_extensions[VKMOE_MAX_EXTENSIONS];
  /* Extensions this physical device has that vkmoe uses when enabled (memory budget, ...). */
  uint32_t optional_extension_count;
  const char* optional_extensions[VKMOE_MAX_EXTENSIONS];
  /* Every feature vkmoe would enable on its own device: required are storageBuffer16BitAccess,
   * storageBuffer8BitAccess and timelineSemaphore; the rest (shaderFloat16, shaderInt8,
   * shaderInt16, shaderInt64, subgroup size control) are set only where the device has them.
   * `features` heads a pNext chain through the three structs below: pass &features as
   * VkDeviceCreateInfo.pNext. The chain points into this struct: do not copy or move it. */
  VkPhysicalDeviceFeatures2 features;
  VkPhysicalDeviceVulkan11Features features11;
  VkPhysicalDeviceVulkan12Features features12;
  VkPhysicalDeviceSubgroupSizeControlFeatures subgroup_size_control;
  uint32_t compute_queue_family;               /* the family vkmoe would pick (compute, preferably without graphics) */
  uint32_t transfer_queue_family;              /* a transfer-only family, or UINT32_MAX */
  int usable;                                  /* 1 when vkmoe can run on this device */
  char missing[512];                           /* when not usable: what the device lacks */
} vkmoe_device_requirements;

/* Fills `out` for `physical_device` (from the host's instance). out->struct_size must be set. */
vkmoe_status vkmoe_get_device_requirements(VkPhysicalDevice physical_device, vkmoe_device_requirements* out);

/* ---------------------------------------------------------------------------------------
 * Context.
 */
typedef void (*vkmoe_queue_lock_fn)(void* user_data, VkQueue queue);

typedef struct vkmoe_external_device {
  uint32_t struct_size;                        /* sizeof(vkmoe_external_device) */
  VkInstance instance;
  VkPhysicalDevice physical_device;
  VkDevice device;                             /* created with vkmoe's requirements enabled */
  uint32_t compute_queue_family;
  VkQueue compute_queue;                       /* a queue of compute_queue_family */
  uint32_t transfer_queue_family;              /* optional: ignored when transfer_queue is NULL */
  VkQueue transfer_queue;                      /* optional: expert uploads overlap compute on it */
  /* Optional: held around each vkQueueSubmit vkmoe makes, on either queue. Give both or none;
   * without them the queues must be vkmoe's alone. Called on vkmoe's calling thread. */
  vkmoe_queue_lock_fn lock_queue;
  vkmoe_queue_lock_fn unlock_queue;
  void* queue_lock_user_data;
  /* What the host enabled on the device (vkmoe uses no more). NULL features: the required
   * features only. */
  uint32_t enabled_extension_count;
  const char* const* enabled_extensions;
  const VkPhysicalDeviceFeatures2* enabled_features;
  /* Optional. The device extension entry points vkmoe loads itself (VK_KHR_push_descriptor)
   * come through get_device_proc_addr; core calls go through the loader vkmoe links, and
   * get_instance_proc_addr is accepted for the instance-level ones vkmoe may load later. */
  PFN_vkGetInstanceProcAddr get_instance_proc_addr;
  PFN_vkGetDeviceProcAddr get_device_proc_addr;
} vkmoe_external_device;

typedef struct vkmoe_context_create_info {
  uint32_t struct_size;                        /* sizeof(vkmoe_context_create_info) */
  /* NULL: vkmoe creates its own instance and device. */
  const vkmoe_external_device* external_device;
  /* Own device only: index or name substring; NULL or "": VKMOE_DEVICE, then the best one. */
  const char* device_selector;
  int enable_validation;                       /* own device only: Khronos validation layer (also VKMOE_VALIDATION=1) */
  /* Optional: where a failed vkmoe_context_create writes its message (NUL-terminated). */
  char* error_message;
  size_t error_message_capacity;
} vkmoe_context_create_info;

vkmoe_status vkmoe_context_create(const vkmoe_context_create_info* info, vkmoe_context* out_context);
/* Waits for vkmoe's own GPU work only; destroys only what vkmoe created. NULL is ignored. */
void vkmoe_context_destroy(vkmoe_context context);
const char* vkmoe_context_last_error(vkmoe_context context);

typedef struct vkmoe_context_info {
  uint32_t struct_size;                        /* sizeof(vkmoe_context_info) */
  char device_name[256];
  int owns_device;                             /* 0 when the device is the host's */
  uint64_t free_vram_bytes;                    /* device-local memory vkmoe may still take */
  uint64_t vram_allocated_bytes;               /* device-local memory vkmoe holds now */
  uint32_t validation_messages;                /* validation layer messages so far (own device with validation) */
  char last_validation_message[512];
} vkmoe_context_info;

vkmoe_status vkmoe_context_get_info(vkmoe_context context, vkmoe_context_info* out);

/* ---------------------------------------------------------------------------------------
 * Models.
 */
typedef void (*vkmoe_load_progress_fn)(void* user_data, float fraction);
typedef void (*vkmoe_load_done_fn)(void* user_data, vkmoe_status status);

typedef struct vkmoe_model_load_info {
  uint32_t struct_size;                        /* sizeof(vkmoe_model_load_info) */
  const char* path;                            /* a .gguf file or a Hugging Face folder */
  /* VRAM every allocation of this model and its planned session may take (weights, expert
   * slots, KV cache, scratch); 0: all free device-local memory. Experts stream from host
   * memory when they do not all fit. */
  uint64_t vram_budget_bytes;
  /* The session the budget keeps room for: context length (0: the model's, at most 4096) and
   * tokens per GPU step (0: 128). */
  uint32_t max_ctx;
  uint32_t max_tokens;
  /* Optional, called on the loading thread (the caller's for vkmoe_model_load, vkmoe's worker
   * for vkmoe_model_load_async). progress gets fractions in [0, 1]; done gets the final
   * status (async only). They may call vkmoe_model_load_progress and vkmoe_model_last_error. */
  vkmoe_load_progress_fn on_progress;
  vkmoe_load_done_fn on_done;
  void* user_data;
  /* How streamed experts are run (zeros: the defaults; ignored when every expert fits).
   * expert_policy: which slot a miss evicts, "lru" (NULL or "": the default) or "lfu";
   * disable_prefetch: no copying of the next layer's predicted experts ahead of time;
   * disable_zero_copy: a single-token miss is always copied into a slot, never read in place. */
  const char* expert_policy;
  int disable_prefetch;
  int disable_zero_copy;
} vkmoe_model_load_info;

typedef struct vkmoe_model_memory {
  uint32_t struct_size;                        /* sizeof(vkmoe_model_memory) */
  uint64_t total_bytes;                        /* every weight */
  uint64_t dense_bytes;                        /* every weight but the routed experts */
  uint64_t expert_bytes;                       /* the routed experts */
  uint64_t kv_bytes_per_1k_tokens;             /* KV cache of one session, per 1024 tokens of context */
  uint64_t session_reserve_bytes;              /* KV cache + scratch of the planned session */
  uint64_t budget_bytes;                       /* the budget the placement used */
  int experts_stream;                          /* 1 when experts would stream under that budget */
  uint32_t expert_slots;                       /* VRAM slots when streaming */
  uint32_t total_experts;                      /* MoE layers x experts per layer */
  /* What the model is (filled when struct_size covers them; the first version ended above). */
  char architecture[32];                       /* as vkmoe_model_info.architecture */
  uint64_t total_parameters;
  uint64_t active_parameters;                  /* per token: the dense weights and n_expert_used / n_expert of the routed experts */
} vkmoe_model_memory;

/* What `info->path` is and needs, and where its experts would go under info's budget, without
 * loading any weight. A budget too small for the dense part gives VKMOE_ERROR_OUT_OF_MEMORY
 * with the numbers in the context's message. */
vkmoe_status vkmoe_model_query_memory(vkmoe_context context, const vkmoe_model_load_info* info, vkmoe_model_memory* out);

/* Blocking load. On failure *out_model is NULL and the context's last error says why. */
vkmoe_status vkmoe_model_load(vkmoe_context context, const vkmoe_model_load_info* info, vkmoe_model* out_model);
/* Returns at once with a model handle that loads on a worker thread. Poll it with
 * vkmoe_model_load_poll (or wait for on_done); other model calls give VKMOE_ERROR_INVALID_STATE
 * until it is ready. */
vkmoe_status vkmoe_model_load_async(vkmoe_context context, const vkmoe_model_load_info* info, vkmoe_model* out_model);
/* VKMOE_OK once loaded, VKMOE_NOT_READY while loading, else the load's error (message in
 * vkmoe_model_last_error). Never blocks. */
vkmoe_status vkmoe_model_load_poll(vkmoe_model model);
/* Blocks until the load has ended; returns what vkmoe_model_load_poll then returns. */
vkmoe_status vkmoe_model_load_wait(vkmoe_model model);
/* Fraction of the weights uploaded, in [0, 1]. Any thread. */
vkmoe_status vkmoe_model_load_progress(vkmoe_model model, float* out_fraction);
/* Asks the load to stop; it ends soon with VKMOE_ERROR_CANCELLED. Any thread. */
vkmoe_status vkmoe_model_load_cancel(vkmoe_model model);
/* Cancels a running load and waits for it. NULL is ignored. */
void vkmoe_model_destroy(vkmoe_model model);
const char* vkmoe_model_last_error(vkmoe_model model);

typedef struct vkmoe_model_info {
  uint32_t struct_size;                        /* sizeof(vkmoe_model_info) */
  char architecture[32];
  uint32_t n_vocab;
  uint32_t n_layer;
  uint32_t n_expert;
  uint32_t n_expert_used;
  uint32_t n_ctx_train;
  uint32_t bos_token;                          /* UINT32_MAX when the model has none */
  uint32_t eos_token;
  int has_chat_template;
  int experts_stream;
  uint64_t vram_bytes;                         /* weights and expert slots on the device */
} vkmoe_model_info;

vkmoe_status vkmoe_model_get_info(vkmoe_model model, vkmoe_model_info* out);

/* ---------------------------------------------------------------------------------------
 * Text: tokenizer and chat template (thread-safe on a loaded model).
 * Sized outputs: pass a buffer and its capacity; *out_length receives the length needed. A
 * buffer too small (or NULL with capacity 0) gives VKMOE_ERROR_BUFFER_TOO_SMALL, so a first
 * call with capacity 0 asks for the size.
 */
vkmoe_status vkmoe_tokenize(vkmoe_model model, const char* text, size_t text_length, int add_special, int parse_special,
                            uint32_t* tokens, size_t capacity, size_t* out_length);
/* Text of tokens (special tokens rendered); not NUL-terminated. */
vkmoe_status vkmoe_detokenize(vkmoe_model model, const uint32_t* tokens, size_t count, char* text, size_t capacity,
                              size_t* out_length);
/* The raw bytes of one token (may be part of a UTF-8 character). */
vkmoe_status vkmoe_token_to_piece(vkmoe_model model, uint32_t token, char* text, size_t capacity, size_t* out_length);
vkmoe_status vkmoe_token_is_end_of_generation(vkmoe_model model, uint32_t token, int* out_is_eog);

typedef struct vkmoe_chat_message {
  const char* role;                            /* "system", "user", "assistant", ... */
  const char* content;                         /* UTF-8, NUL-terminated */
} vkmoe_chat_message;

/* The model's own chat template rendered for `messages` (as transformers' apply_chat_template
 * renders it), with the generation prompt when add_generation_prompt. Not NUL-terminated. */
vkmoe_status vkmoe_chat_render(vkmoe_model model, const vkmoe_chat_message* messages, size_t count, int add_generation_prompt,
                               char* text, size_t capacity, size_t* out_length);

/* ---------------------------------------------------------------------------------------
 * Sessions and generation.
 */
typedef struct vkmoe_session_create_info {
  uint32_t struct_size;                        /* sizeof(vkmoe_session_create_info) */
  uint32_t max_ctx;                            /* 0: the model's training context, at most 4096 */
  /* Prompt tokens per model step; 0: 128. A layer of a long prompt step can cost more GPU
   * time than a frame's budget: fewer tokens per step cut prompts finer for
   * vkmoe_session_step. */
  uint32_t max_tokens;
  /* 1: keep the KV cache in float32 (reference precision) instead of float16; it takes twice
   * the memory the model's load planned for. */
  int kv_cache_f32;
} vkmoe_session_create_info;

vkmoe_status vkmoe_session_create(vkmoe_model model, const vkmoe_session_create_info* info, vkmoe_session* out_session);
/* Waits for the session's own GPU work, if any. NULL is ignored. */
void vkmoe_session_destroy(vkmoe_session session);
const char* vkmoe_session_last_error(vkmoe_session session);

/* Tokens held in the KV cache. */
vkmoe_status vkmoe_session_get_position(vkmoe_session session, uint32_t* out_position, uint32_t* out_max_ctx);
/* Forgets everything after `position` (keep the prefix a next chat prompt shares); also ends a
 * turn in progress. */
vkmoe_status vkmoe_session_rewind(vkmoe_session session, uint32_t position);

typedef struct vkmoe_sampling {
  float temperature;                           /* 0: greedy; must be >= 0 */
  uint32_t top_k;                              /* 0: off */
  float top_p;                                 /* in (0, 1]; 1: off */
  float min_p;                                 /* in [0, 1]; 0: off */
  float repetition_penalty;                    /* > 0; 1: off */
  uint64_t seed;
} vkmoe_sampling;

/* The defaults: greedy, every filter off. */
vkmoe_sampling vkmoe_sampling_default(void);
/* VKMOE_OK, or VKMOE_ERROR_INVALID_ARGUMENT with the reason in `message` (may be NULL). */
vkmoe_status vkmoe_sampling_validate(const vkmoe_sampling* sampling, char* message, size_t message_capacity);

/* Called on the thread that calls vkmoe_session_step / vkmoe_session_generate, once per
 * generated token; `piece` is its text, complete UTF-8 characters only (bytes of a split
 * character come with a later token), not NUL-terminated. Return nonzero to stop the turn. */
typedef int (*vkmoe_token_fn)(void* user_data, uint32_t token, const char* piece, size_t piece_length);

typedef struct vkmoe_turn_info {
  uint32_t struct_size;                        /* sizeof(vkmoe_turn_info) */
  /* The input appended at the session's position: tokens, or else UTF-8 text that is
   * tokenized (special tokens parsed; BOS added when add_special). */
  const uint32_t* tokens;
  size_t token_count;
  const char* text;
  size_t text_length;
  int add_special;
  uint32_t max_new_tokens;                     /* 0: until end of generation, a stop or the context is full */
  vkmoe_sampling sampling;
  const char* const* stop_strings;             /* the turn ends once its text contains one (kept in the text) */
  size_t stop_string_count;
  const uint32_t* stop_tokens;                 /* besides the model's end-of-generation tokens (not emitted) */
  size_t stop_token_count;
  vkmoe_token_fn on_token;                     /* optional */
  void* user_data;
} vkmoe_turn_info;

typedef enum vkmoe_step_state {
  VKMOE_STEP_WORKING = 0,                      /* work is on the GPU or left to record; call again */
  VKMOE_STEP_TOKEN_READY = 1,                  /* this call returned one or more new tokens; call again */
  VKMOE_STEP_FINISHED = 2,                     /* the turn ended (see finish_reason); submit a new one */
  VKMOE_STEP_ERROR = 3                         /* the turn failed (the call's status and message say why) */
} vkmoe_step_state;

typedef enum vkmoe_finish_reason {
  VKMOE_FINISH_NONE = 0,
  VKMOE_FINISH_END_OF_GENERATION = 1,          /* the model's end token */
  VKMOE_FINISH_STOP_TOKEN = 2,
  VKMOE_FINISH_STOP_STRING = 3,
  VKMOE_FINISH_MAX_TOKENS = 4,
  VKMOE_FINISH_CONTEXT_FULL = 5,
  VKMOE_FINISH_CANCELLED = 6,                  /* vkmoe_session_cancel or the token callback */
  VKMOE_FINISH_ERROR = 7
} vkmoe_finish_reason;

typedef struct vkmoe_step_result {
  uint32_t struct_size;                        /* sizeof(vkmoe_step_result) */
  vkmoe_step_state state;
  vkmoe_finish_reason finish_reason;
  /* Tokens this call produced and their text (complete UTF-8 characters; at FINISHED, also
   * whatever was held back). Valid until the next call on the session. */
  const uint32_t* tokens;
  uint32_t token_count;
  const char* text;
  size_t text_length;
  uint32_t gpu_us_submitted;                   /* estimated GPU time of the work this call submitted */
  uint32_t layers_submitted;                   /* units of work (embedding, layers, output) this call submitted */
} vkmoe_step_result;

/* Starts a turn: validates the input and sampling (VKMOE_ERROR_INVALID_ARGUMENT otherwise) and
 * checks it fits the context (VKMOE_ERROR_CONTEXT_OVERFLOW; the session is unchanged and stays
 * usable). No GPU work is done until vkmoe_session_step or vkmoe_session_generate. A turn in
 * progress is replaced (as if cancelled). */
vkmoe_status vkmoe_session_submit(vkmoe_session session, const vkmoe_turn_info* turn);

/* One frame's share of the turn, never waiting on the GPU: collects finished work (sampling
 * the next token when a model step has ended), then records and submits at most about
 * `budget_us` microseconds of GPU work, cut between layers with per-layer GPU timings
 * measured by timestamps and shared by the model's sessions (the first steps measure: until
 * a layer has been timed, a call submits one layer). At least one layer is submitted whenever
 * nothing is in flight, so a turn always progresses; nothing new is submitted while earlier
 * work is still on the GPU. A budget_us of 0 is refused. Models whose experts stream cannot step without waiting for the
 * GPU: for them this call gives VKMOE_ERROR_UNSUPPORTED; use vkmoe_session_generate. */
vkmoe_status vkmoe_session_step(vkmoe_session session, uint32_t budget_us, vkmoe_step_result* out_result);

/* Runs the submitted turn to its end on the calling thread, waiting on the GPU; tokens go to
 * the turn's on_token. `out_result` (may be NULL) gets the final state, all of the turn's
 * tokens and text. */
vkmoe_status vkmoe_session_generate(vkmoe_session session, vkmoe_step_result* out_result);

/* Ends the turn: the next vkmoe_session_step returns FINISHED with VKMOE_FINISH_CANCELLED
 * without submitting more work. Work already on the GPU finishes on its own; the next turn's
 * step calls submit nothing until it has (they return VKMOE_STEP_WORKING). Any thread. */
vkmoe_status vkmoe_session_cancel(vkmoe_session session);

typedef struct vkmoe_stats {
  uint32_t struct_size;                        /* sizeof(vkmoe_stats) */
  uint64_t prompt_tokens;                      /* over the session's turns since its creation or reset */
  double prompt_seconds;                       /* wall time from a turn's first step to its first token */
  uint64_t generated_tokens;
  double generation_seconds;                   /* wall time from the first token to the turn's end */
  double prompt_tokens_per_second;
  double generation_tokens_per_second;
  double gpu_ms_per_token;                     /* measured GPU time of the last one-token step */
  /* Expert cache of the model (shared by its sessions); zero when every expert is resident. */
  uint64_t expert_uses;
  uint64_t expert_hits;
  uint64_t expert_misses;
  uint64_t expert_bytes_copied;
  uint64_t expert_bytes_zero_copy;
  uint64_t vram_used_bytes;                    /* device-local memory the context holds */
} vkmoe_stats;

vkmoe_status vkmoe_session_get_stats(vkmoe_session session, vkmoe_stats* out);
/* Also zeroes the session's expert usage. */
vkmoe_status vkmoe_session_reset_stats(vkmoe_session session);

/* How many tokens each routed expert served in the session's finished model steps (prompt and
 * generated tokens alike) since its creation or vkmoe_session_reset_stats: counts[layer *
 * n_expert + expert], n_layer x n_expert values (vkmoe_model_info). Dense layers stay 0; a MoE
 * layer's counts sum to its tokens x n_expert_used. A sized output as the text calls: capacity
 * 0 asks for the length (0 for a model without experts). */
vkmoe_status vkmoe_session_get_expert_usage(vkmoe_session session, uint64_t* counts, size_t capacity, size_t* out_length);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* VKMOE_VKMOE_H_ */
