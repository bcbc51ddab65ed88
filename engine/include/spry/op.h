/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op.h — the operator registration API. Builtin kernels and users' custom ops
 * are written against exactly this interface.
 *
 * An op is a SpryOpRegistration: four callbacks and the identity it answers
 * to (builtin code or custom name, and a version range).
 *
 *   init     once per node, before the first prepare: parse options, allocate
 *            op data (returned through *user_data).
 *   prepare  every time shapes may have changed: validate types and shapes,
 *            set output shapes with spry_context_resize_tensor(), precompute
 *            quantization multipliers, prepack weights into persistent
 *            memory, request scratch buffers.
 *   invoke   run: no allocation, no locks, no logging. Scratch buffers are
 *            available through spry_context_scratch().
 *   free     release what init allocated.
 *   reset    optional (ABI version 2): return the op's internal state (e.g. a
 *            running noise estimate kept in persistent memory) to what it was
 *            right after prepare. Called by spry_interpreter_reset_state()
 *            between invokes, never during one; must not allocate.
 *
 * Dynamic tensors: an op whose output shape depends on input *values* (WHERE:
 * one row per true element) marks that output with spry_context_set_dynamic()
 * in prepare and sets its shape with spry_context_resize_tensor() in invoke,
 * before writing it. A dynamic tensor lives outside the arena, in a heap
 * buffer of its own that grows when a resize needs more room (never shrinks:
 * after the first invokes nothing is allocated unless it grows). A node that
 * reads a dynamic tensor cannot be prepared with the rest of the graph: the
 * engine runs its `prepare` right before each of its invokes, with the
 * shapes of that run, and makes its outputs dynamic too. Such a prepare is an
 * ordinary one for the kernel (its scratch comes from a buffer the node owns,
 * its persistent memory lives until the next invoke re-prepares it); it
 * costs a prepare per invoke, so kernels should keep prepare cheap. Outside
 * dynamic tensors, resizing during invoke is an error.
 *
 * Errors: return spry_context_error(...) (or use SPRY_ENSURE), never abort.
 *
 * Example (a custom op that doubles a float tensor):
 *
 *   static SpryStatus twice_prepare(SpryContext *ctx, SpryNode *node) {
 *     const SpryTensor *in = spry_node_input(ctx, node, 0);
 *     SpryTensor *out = spry_node_output(ctx, node, 0);
 *     SPRY_ENSURE(ctx, in && out && in->type == SPRY_TYPE_FLOAT32);
 *     return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
 *   }
 *   static SpryStatus twice_invoke(SpryContext *ctx, SpryNode *node) {
 *     const SpryTensor *in = spry_node_input(ctx, node, 0);
 *     SpryTensor *out = spry_node_output(ctx, node, 0);
 *     const float *x = in->data; float *y = out->data;
 *     for (size_t i = 0; i < in->bytes / sizeof(float); i++) y[i] = 2 * x[i];
 *     return SPRY_OK;
 *   }
 *   static const SpryOpRegistration twice = {
 *     .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = SPRY_BUILTIN_CUSTOM,
 *     .custom_name = "Twice", .min_version = 1, .max_version = 1,
 *     .prepare = twice_prepare, .invoke = twice_invoke,
 *   };
 *   ... spry_resolver_add(resolver, &twice);
 */
#ifndef SPRY_OP_H
#define SPRY_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever SpryOpRegistration, SpryNode or SpryTensor change layout.
 * Version 2 appended `reset` to SpryOpRegistration. Registrations built
 * against version 1 (whose struct ends after `invoke`) are still accepted:
 * the engine reads `reset` only when abi_version >= 2. */
#define SPRY_OP_ABI_VERSION 2

/* TFLite BuiltinOperator code of custom ops. */
#define SPRY_BUILTIN_CUSTOM 32

typedef struct SpryContext SpryContext;

typedef struct SpryQuantization {
  float scale;               /* per-tensor scale (channel 0 when per-channel) */
  int32_t zero_point;
  int32_t num_channels;      /* 0: not quantized; 1: per-tensor; >1: per-channel */
  int32_t quantized_dimension;
  const float *scales;       /* num_channels entries (NULL when 0) */
  const int32_t *zero_points;/* num_channels entries (NULL when 0) */
} SpryQuantization;

typedef enum SpryTensorKind {
  SPRY_TENSOR_ARENA = 0,     /* activation: lives in the planned arena */
  SPRY_TENSOR_CONSTANT = 1,  /* weights: read-only data from the model */
  SPRY_TENSOR_PERSISTENT = 2,/* variable (state) tensor: kept across invokes */
  SPRY_TENSOR_DYNAMIC = 3,   /* shape set at invoke: a heap buffer of its own (see above) */
} SpryTensorKind;

struct SpryTensor {
  SpryType type;
  int32_t rank;
  int32_t dims[SPRY_MAX_RANK];
  void *data;                /* NULL until planned. Constants must not be written. */
  size_t bytes;
  SpryQuantization quant;
  SpryTensorKind kind;
  const char *name;
};

/* Builtin options table of a node; read with spry_option_*(). */
typedef struct SpryOptionsTable SpryOptionsTable;

typedef struct SpryNode {
  int32_t index;                 /* position in execution order */
  const int32_t *inputs;         /* tensor indices; -1 marks an absent optional input */
  int32_t num_inputs;
  const int32_t *outputs;
  int32_t num_outputs;
  const int32_t *intermediates;
  int32_t num_intermediates;
  int32_t builtin_code;
  int32_t version;
  /* NULL when the model stores no options of the type the registration
   * declares (then every spry_option_* read returns its default). */
  const SpryOptionsTable *options;
  const uint8_t *custom_options; /* custom op options (flexbuffer), may be NULL */
  size_t custom_options_size;
  void *user_data;               /* set by init */
} SpryNode;

typedef struct SpryOpRegistration {
  uint32_t abi_version;          /* SPRY_OP_ABI_VERSION */
  int32_t builtin_code;          /* SPRY_BUILTIN_CUSTOM for custom ops */
  const char *custom_name;       /* custom ops only */
  int32_t min_version;
  int32_t max_version;
  /* BuiltinOptions union type the op reads (0: none), e.g. 1 for Conv2DOptions. */
  int32_t builtin_options_type;
  /* Optional callbacks may be NULL; invoke is required. */
  SpryStatus (*init)(SpryContext *ctx, const SpryNode *node, void **user_data);
  void (*free)(SpryContext *ctx, void *user_data);
  SpryStatus (*prepare)(SpryContext *ctx, SpryNode *node);
  SpryStatus (*invoke)(SpryContext *ctx, SpryNode *node);
  /* ABI version 2 and later only (see SPRY_OP_ABI_VERSION); may be NULL. */
  SpryStatus (*reset)(SpryContext *ctx, SpryNode *node);
} SpryOpRegistration;

/* ---- Resolvers --------------------------------------------------------------- */

/* An empty resolver. */
SpryStatus spry_resolver_new(SpryResolver **out_resolver);
/* A resolver holding every builtin op compiled into this build. */
SpryStatus spry_resolver_new_builtin(SpryResolver **out_resolver);
/* Adds a registration (not copied: it must outlive the resolver and every
 * interpreter using it). A later registration for the same op and version
 * takes precedence over an earlier one. */
SpryStatus spry_resolver_add(SpryResolver *resolver, const SpryOpRegistration *registration);
void spry_resolver_free(SpryResolver *resolver);
/* The registration an interpreter would pick for an op: `builtin_code` (with
 * `custom_name` when it is SPRY_BUILTIN_CUSTOM) at `version`. A NULL resolver
 * means every builtin op compiled in, as in SpryOptions. SPRY_ERROR_UNSUPPORTED
 * (spry_last_error() saying why, as interpreter creation would) when none
 * matches; *out_registration is then NULL. */
SpryStatus spry_resolver_lookup(const SpryResolver *resolver, int32_t builtin_code,
                                const char *custom_name, int32_t version,
                                const SpryOpRegistration **out_registration);
/* Registrations in the order they were added (NULL resolver: the builtin
 * ones); spry_resolver_registration() returns NULL for an out-of-range index. */
int32_t spry_resolver_count(const SpryResolver *resolver);
const SpryOpRegistration *spry_resolver_registration(const SpryResolver *resolver, int32_t index);

/* ---- Context: what a kernel may ask of the engine -------------------------- */

/* Tensor by index; NULL for -1 or an out-of-range index. */
SpryTensor *spry_context_tensor(SpryContext *ctx, int32_t index);
/* The node's i-th input/output tensor, NULL when absent or out of range. */
SpryTensor *spry_node_input(SpryContext *ctx, const SpryNode *node, int32_t i);
SpryTensor *spry_node_output(SpryContext *ctx, const SpryNode *node, int32_t i);
/* Sets a (non-constant) tensor's shape during prepare; the byte size is
 * recomputed with overflow checks. During invoke only dynamic tensors may be
 * resized (anything else fails with SPRY_ERROR_BAD_STATE); their buffer then
 * holds at least `bytes` bytes, possibly at a new address, with unspecified
 * contents: resize before writing. */
SpryStatus spry_context_resize_tensor(SpryContext *ctx, SpryTensor *tensor, int32_t rank,
                                      const int32_t *dims);
/* From prepare: makes `tensor`, one of the node's outputs, dynamic (see the
 * header comment): its shape is set during invoke. Until then it keeps the
 * shape it has, a provisional one the kernel may set (WHERE: [0, rank]).
 * Variable tensors cannot be dynamic. */
SpryStatus spry_context_set_dynamic(SpryContext *ctx, SpryTensor *tensor);
/* Memory that lives until the node is prepared again or the interpreter is
 * freed (64-byte aligned, zeroed). From init or prepare only. NULL on failure
 * (the error is recorded). */
void *spry_context_alloc_persistent(SpryContext *ctx, size_t bytes);
/* Requests a scratch buffer in the arena for this node's invoke (prepare only). */
SpryStatus spry_context_request_scratch(SpryContext *ctx, size_t bytes, int32_t *out_index);
/* The scratch buffer during invoke (64-byte aligned). */
void *spry_context_scratch(SpryContext *ctx, int32_t index);
/* Number of threads a kernel may split its work over. */
int32_t spry_context_num_threads(const SpryContext *ctx);
/* Runs fn(arg, i) for i in [0, count), possibly in parallel; returns when all
 * are done. The split must not change results. */
void spry_context_parallel_for(SpryContext *ctx, int32_t count,
                               void (*fn)(void *arg, int32_t i), void *arg);
/* Records an error message (prefixed with the op and node) and returns code. */
SpryStatus spry_context_error(SpryContext *ctx, SpryStatus code, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define SPRY_ENSURE(ctx, cond)                                                          \
  do {                                                                                  \
    if (!(cond))                                                                        \
      return spry_context_error((ctx), SPRY_ERROR_INVALID_MODEL, "%s:%d: check failed: %s", \
                                __FILE__, __LINE__, #cond);                             \
  } while (0)

#define SPRY_ENSURE_MSG(ctx, cond, code, ...)                      \
  do {                                                             \
    if (!(cond)) return spry_context_error((ctx), (code), __VA_ARGS__); \
  } while (0)

/* Propagates a failing status. */
#define SPRY_TRY(expr)                   \
  do {                                   \
    SpryStatus spry_try_status_ = (expr); \
    if (spry_try_status_ != SPRY_OK) return spry_try_status_; \
  } while (0)

/* ---- Builtin options --------------------------------------------------------
 * Fields are addressed by their id in the TFLite schema (the order in which
 * they are declared in the table, from 0). Reads are bounds-checked; a field
 * that is absent (or a NULL table) yields the default. */
bool spry_option_bool(const SpryOptionsTable *table, int field, bool default_value);
int8_t spry_option_i8(const SpryOptionsTable *table, int field, int8_t default_value);
int16_t spry_option_i16(const SpryOptionsTable *table, int field, int16_t default_value);
int32_t spry_option_i32(const SpryOptionsTable *table, int field, int32_t default_value);
int64_t spry_option_i64(const SpryOptionsTable *table, int field, int64_t default_value);
float spry_option_f32(const SpryOptionsTable *table, int field, float default_value);
/* Copies up to `capacity` elements of an int vector field into dst and returns
 * the vector's length, or -1 when the field is absent or malformed. */
int32_t spry_option_i32_vector(const SpryOptionsTable *table, int field, int32_t *dst,
                               int32_t capacity);

#ifdef __cplusplus
}
#endif

#endif /* SPRY_OP_H */
