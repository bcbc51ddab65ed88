/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spry.h — the public C API of libspry, a TensorFlow Lite–compatible
 * inference engine.
 *
 * Overview
 * --------
 * A SpryModel is an immutable, verified view of a .tflite file (memory-mapped
 * or a caller's buffer). Any number of SpryInterpreters may share one model,
 * each on its own thread; one interpreter is used by one thread at a time.
 *
 * Every function that can fail returns a SpryStatus. After a failure,
 * spry_last_error() returns a human-readable message describing it (the
 * message is kept per thread). The library never prints and never aborts on
 * bad input: models are treated as untrusted data.
 *
 * Example:
 *
 *     SpryModel *model = NULL;
 *     SpryInterpreter *interp = NULL;
 *     if (spry_model_open_file("model.tflite", &model) != SPRY_OK ||
 *         spry_interpreter_new(model, NULL, &interp) != SPRY_OK) {
 *       fprintf(stderr, "error: %s\n", spry_last_error());
 *       goto fail;
 *     }
 *     SpryTensor *in = spry_interpreter_input(interp, 0);
 *     memcpy(spry_tensor_data(in), pixels, spry_tensor_byte_size(in));
 *     if (spry_interpreter_invoke(interp) != SPRY_OK) goto fail;
 *     const SpryTensor *out = spry_interpreter_output(interp, 0);
 *     ... read spry_tensor_data(out) ...
 *   fail:
 *     spry_interpreter_free(interp);
 *     spry_model_free(model);
 */
#ifndef SPRY_SPRY_H
#define SPRY_SPRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPRY_VERSION_STRING "0.1.0"

/* Largest tensor rank the engine handles. */
#define SPRY_MAX_RANK 8

typedef enum SpryStatus {
  SPRY_OK = 0,
  SPRY_ERROR_INVALID_ARGUMENT = 1, /* a caller passed a bad argument */
  SPRY_ERROR_INVALID_MODEL = 2,    /* the model file is malformed or inconsistent */
  SPRY_ERROR_UNSUPPORTED = 3,      /* valid model, but an op/type/version is not supported */
  SPRY_ERROR_OUT_OF_MEMORY = 4,
  SPRY_ERROR_IO = 5,               /* a file could not be opened, read or mapped */
  SPRY_ERROR_NOT_FOUND = 6,        /* the requested item does not exist */
  SPRY_ERROR_BAD_STATE = 7,        /* the call is not valid in the object's current state */
  SPRY_ERROR_RUNTIME = 8,          /* a kernel failed while running (e.g. index out of range) */
} SpryStatus;

/* Tensor element types; the numbering is TFLite's TensorType. */
typedef enum SpryType {
  SPRY_TYPE_FLOAT32 = 0,
  SPRY_TYPE_FLOAT16 = 1,
  SPRY_TYPE_INT32 = 2,
  SPRY_TYPE_UINT8 = 3,
  SPRY_TYPE_INT64 = 4,
  SPRY_TYPE_STRING = 5,
  SPRY_TYPE_BOOL = 6,
  SPRY_TYPE_INT16 = 7,
  SPRY_TYPE_COMPLEX64 = 8,
  SPRY_TYPE_INT8 = 9,
  SPRY_TYPE_FLOAT64 = 10,
  SPRY_TYPE_COMPLEX128 = 11,
  SPRY_TYPE_UINT64 = 12,
  SPRY_TYPE_RESOURCE = 13,
  SPRY_TYPE_VARIANT = 14,
  SPRY_TYPE_UINT32 = 15,
  SPRY_TYPE_UINT16 = 16,
  SPRY_TYPE_INT4 = 17,
  SPRY_TYPE_BFLOAT16 = 18,
  SPRY_TYPE_INT2 = 19,
  SPRY_TYPE_UINT4 = 20,
} SpryType;

typedef struct SpryModel SpryModel;
typedef struct SpryInterpreter SpryInterpreter;
typedef struct SpryTensor SpryTensor;          /* layout public in <spry/op.h> */
typedef struct SpryResolver SpryResolver;       /* see <spry/op.h> */
typedef struct SpryDelegate SpryDelegate;       /* see <spry/delegate.h> */

/* ---- Errors -------------------------------------------------------------- */

/* Message of the last failed call on this thread ("" if none). */
const char *spry_last_error(void);
/* Short name of a status ("invalid model", ...). */
const char *spry_status_name(SpryStatus status);
/* Lower-case TFLite type name ("float32", "uint8", ...), "unknown" otherwise. */
const char *spry_type_name(SpryType type);
/* Bytes per element, 0 for types without a fixed size (string, and the
 * sub-byte types, whose values are packed: see spry_packed_bytes()). */
size_t spry_type_size(SpryType type);
/* Values one byte holds for the packed sub-byte types (int4 and uint4: 2,
 * int2: 4), 0 for the other types. */
size_t spry_type_values_per_byte(SpryType type);
/* Bytes that hold `count` packed values of a sub-byte type, ceil(count /
 * values per byte) (the last byte's unused bits are ignored); 0 for the
 * other types. */
size_t spry_packed_bytes(SpryType type, size_t count);

/* ---- Models ---------------------------------------------------------------- */

/* Maps the file read-only and verifies it completely. */
SpryStatus spry_model_open_file(const char *path, SpryModel **out_model);
/* Verifies a model held in memory. The buffer is not copied: it must stay
 * valid and unchanged until spry_model_free(). */
SpryStatus spry_model_open_buffer(const void *data, size_t size, SpryModel **out_model);
/* Accepts NULL. All interpreters of the model must be freed first. */
void spry_model_free(SpryModel *model);

/* Static description of one tensor as stored in the model (or, for an
 * interpreter's tensor, as currently shaped). */
typedef struct SpryTensorInfo {
  const char *name;
  SpryType type;
  int32_t rank;
  int32_t dims[SPRY_MAX_RANK];
  float scale;          /* 0 when not quantized */
  int32_t zero_point;
  int32_t num_channels; /* quantization channels: 0 none, 1 per-tensor, >1 per-channel */
} SpryTensorInfo;

typedef struct SpryOpInfo {
  int32_t builtin_code;    /* TFLite BuiltinOperator; 32 (CUSTOM) for custom ops */
  int32_t version;
  const char *name;        /* builtin name ("CONV_2D") or custom name */
  int custom;              /* nonzero for custom ops */
} SpryOpInfo;

int32_t spry_model_subgraph_count(const SpryModel *model);
/* Operators of subgraph 0 in execution order (0 on NULL). */
int32_t spry_model_operator_count(const SpryModel *model, int32_t subgraph);
SpryStatus spry_model_operator(const SpryModel *model, int32_t subgraph, int32_t index,
                               SpryOpInfo *out_info);
int32_t spry_model_input_count(const SpryModel *model);
int32_t spry_model_output_count(const SpryModel *model);
SpryStatus spry_model_input_info(const SpryModel *model, int32_t index, SpryTensorInfo *out_info);
SpryStatus spry_model_output_info(const SpryModel *model, int32_t index, SpryTensorInfo *out_info);
/* Raw bytes of the named model metadata entry (e.g. "TFLITE_METADATA"). */
SpryStatus spry_model_metadata(const SpryModel *model, const char *name, const void **out_data,
                               size_t *out_size);
/* Labels file (one label per line) attached to output `index` through TFLite
 * model metadata and packed in the zip appended to the model. Returns
 * SPRY_ERROR_NOT_FOUND when the model carries none. The text points into the
 * model and lives as long as it. */
SpryStatus spry_model_output_labels(const SpryModel *model, int32_t index, const char **out_text,
                                    size_t *out_size);

/* How input values are normalised before quantization, from the model
 * metadata's NormalizationOptions: value = (x - mean[c]) / std[c] per
 * channel c (a single value in the metadata is given for every channel). */
#define SPRY_MAX_NORMALIZATION_CHANNELS 16
typedef struct SpryNormalization {
  int32_t channels; /* 1..SPRY_MAX_NORMALIZATION_CHANNELS */
  float mean[SPRY_MAX_NORMALIZATION_CHANNELS];
  float std[SPRY_MAX_NORMALIZATION_CHANNELS]; /* never 0 */
} SpryNormalization;

/* The normalisation the metadata prescribes for input `index`; returns
 * SPRY_ERROR_NOT_FOUND when the model carries none, SPRY_ERROR_INVALID_MODEL
 * when it is malformed (empty, non-finite, zero std). */
SpryStatus spry_model_input_normalization(const SpryModel *model, int32_t index,
                                          SpryNormalization *out);

/* Name of a builtin operator code ("CONV_2D"), or NULL when unknown. */
const char *spry_builtin_op_name(int32_t builtin_code);

/* ---- Interpreters ---------------------------------------------------------- */

typedef struct SpryOptions {
  int32_t num_threads;           /* 0 or 1: single-threaded */
  const SpryResolver *resolver;  /* NULL: every builtin op compiled in. Consulted only
                                  * while spry_interpreter_new() runs. */
  SpryDelegate *const *delegates;
  int32_t num_delegates;
  int32_t profile;               /* nonzero: time every operator (see spry_interpreter_profile) */
  size_t max_arena_bytes;        /* 0: 1 GiB; preparing a larger plan fails cleanly */
} SpryOptions;

/* Fills the defaults. Always call before setting fields. */
void spry_options_init(SpryOptions *options);

/* Creates an interpreter for subgraph 0 of the model, resolves every operator
 * and prepares it (shapes, kernels, arena). The subgraphs that control-flow
 * ops (WHILE, IF, CALL_ONCE) call are resolved and prepared with it; other
 * subgraphs are ignored. `options` may be NULL. */
SpryStatus spry_interpreter_new(const SpryModel *model, const SpryOptions *options,
                                SpryInterpreter **out_interpreter);
/* Accepts NULL. */
void spry_interpreter_free(SpryInterpreter *interpreter);

int32_t spry_interpreter_input_count(const SpryInterpreter *interpreter);
int32_t spry_interpreter_output_count(const SpryInterpreter *interpreter);
/* NULL on a bad index. Data pointers stay valid until the next (re)prepare,
 * except those of dynamic outputs (below): until the next invoke.
 *
 * Dynamic outputs: when an output's shape depends on the input values (WHERE
 * gives one row per true element, and so does anything computed from it),
 * spry_tensor_is_dynamic() is nonzero and its shape, byte size and data are
 * known only after spry_interpreter_invoke(): read them after each invoke,
 * as they may change from one invoke to the next. Before the first invoke
 * the shape is provisional (for WHERE, zero rows). */
SpryTensor *spry_interpreter_input(SpryInterpreter *interpreter, int32_t index);
const SpryTensor *spry_interpreter_output(const SpryInterpreter *interpreter, int32_t index);
/* Output `index` of node `node` (subgraph 0's nodes in execution order,
 * numbered as SpryProfileEntry.node), e.g. to tell which layer a profile
 * entry is: its shape is the one of the last prepare or invoke. The tensor
 * lives as long as the interpreter. Where a float RELU node is carried
 * out by the CONV_2D or DEPTHWISE_CONV_2D before it (not under
 * SPRY_ISA=reference), the RELU's output shares that convolution's output
 * buffer and the convolution's output holds the values after the RELU.
 * SPRY_ERROR_INVALID_ARGUMENT for a NULL
 * argument or a node out of range, SPRY_ERROR_NOT_FOUND when the node has
 * fewer outputs than `index` + 1. */
SpryStatus spry_interpreter_node_output(const SpryInterpreter *interpreter, int32_t node,
                                        int32_t index, const SpryTensor **out_tensor);

/* Changes the shape of input `index`. Only dimensions the model marks dynamic
 * (-1 in its shape signature), or any dimension when the model has no
 * signature, may change. The plan is redone by the next prepare or invoke. */
SpryStatus spry_interpreter_resize_input(SpryInterpreter *interpreter, int32_t index,
                                         int32_t rank, const int32_t *dims);
/* Propagates shapes, prepares kernels and plans the arena if needed. */
SpryStatus spry_interpreter_prepare(SpryInterpreter *interpreter);
/* Runs the model once on the current input data. */
SpryStatus spry_interpreter_invoke(SpryInterpreter *interpreter);
/* Restarts a stream: returns every piece of state kept between invokes to
 * its initial value, as TFLite's ResetVariableTensors plus TFLite Micro's
 * per-op Reset. Variable tensors are filled with zero bytes, int8 ones with
 * their zero point (TFLite's rule); then each op's `reset` callback (see
 * <spry/op.h>) clears its internal state, e.g. the noise estimate of the
 * audio front end's SignalFilterBankSpectralSubtraction. This covers every
 * subgraph that control-flow ops run. Beyond TFLite's ResetVariableTensors,
 * resource variables (VAR_HANDLE) lose their values and CALL_ONCE runs its
 * initialisation subgraph again on the next invoke. Prepares the
 * interpreter first if it needs it. After a reset, invoking a sequence gives
 * the same outputs as a freshly created interpreter. */
SpryStatus spry_interpreter_reset_state(SpryInterpreter *interpreter);

/* Bytes of the planned arena, and the lower bound: the peak of bytes that are
 * live at the same time. A model with control flow (WHILE, IF, CALL_ONCE)
 * has one arena per subgraph that runs: both figures are then the sums over
 * those arenas. */
size_t spry_interpreter_arena_bytes(const SpryInterpreter *interpreter);
size_t spry_interpreter_arena_lower_bound(const SpryInterpreter *interpreter);
/* Bytes of persistent kernel memory (prepacked weights, op data), in every
 * subgraph that runs. */
size_t spry_interpreter_persistent_bytes(const SpryInterpreter *interpreter);

/* The kernel variants the interpreter runs: "avx2", "neon", "neondot",
 * "portable" (fast kernels in plain C) or "reference". Chosen from the CPU
 * when the interpreter is created; the environment variable SPRY_ISA names
 * one instead (for debugging; "reference" turns every fast path off).
 * NULL for a NULL interpreter. */
const char *spry_interpreter_kernel_isa(const SpryInterpreter *interpreter);

/* Per-operator timings of the last invoke (requires options.profile). */
typedef struct SpryProfileEntry {
  int32_t node;
  SpryOpInfo op;
  double ms;
} SpryProfileEntry;
SpryStatus spry_interpreter_profile(const SpryInterpreter *interpreter,
                                    const SpryProfileEntry **out_entries, int32_t *out_count);

/* ---- Tensors --------------------------------------------------------------- */

SpryType spry_tensor_type(const SpryTensor *tensor);
int32_t spry_tensor_rank(const SpryTensor *tensor);
/* Dimension `i` (0 when out of range). */
int32_t spry_tensor_dim(const SpryTensor *tensor, int32_t i);
size_t spry_tensor_byte_size(const SpryTensor *tensor);
size_t spry_tensor_element_count(const SpryTensor *tensor);
void *spry_tensor_data(SpryTensor *tensor);
const void *spry_tensor_data_const(const SpryTensor *tensor);
const char *spry_tensor_name(const SpryTensor *tensor);
/* Fills name, type, shape and (per-tensor) quantization. */
SpryStatus spry_tensor_info(const SpryTensor *tensor, SpryTensorInfo *out_info);
/* Nonzero when the tensor's shape is set at each invoke (see "Dynamic
 * outputs" above); 0 for NULL. */
int spry_tensor_is_dynamic(const SpryTensor *tensor);

#ifdef __cplusplus
}
#endif

#endif /* SPRY_SPRY_H */
