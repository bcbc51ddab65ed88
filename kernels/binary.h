/* SPDX-License-Identifier: Apache-2.0 */
/*
 * binary.h — what the elementwise binary ops (ADD, SUB, MUL, DIV, MAXIMUM,
 * the comparisons, LOGICAL_AND, ...) share: node validation, the broadcast
 * output shape and operand strides, the fused activation clamp, and one
 * broadcast walker that calls a per-element function. An op adds only its
 * quantization parameters and its element functions.
 */
#ifndef SPRY_KERNELS_BINARY_H
#define SPRY_KERNELS_BINARY_H

#include "broadcast.h"
#include "spry/op.h"

/* Field id of fused_activation_function in AddOptions, SubOptions,
 * MulOptions and DivOptions (schema.fbs). */
#define SPRY_BINARY_OPT_ACTIVATION 0

typedef struct SpryBinaryPrep {
  const SpryTensor *input1;
  const SpryTensor *input2;
  SpryTensor *output;
  SpryBroadcast bc;
  /* Fused activation clamp (see spry_op_activation_range). */
  float f_min, f_max;
  int32_t q_min, q_max;
  /* The integer clamp widened to int64 (the full int64 range where the
   * activation leaves a side unbounded), for int64 outputs. */
  int64_t i64_min, i64_max;
} SpryBinaryPrep;

/* Output type meaning "the inputs' type" in SpryBinarySpec. */
#define SPRY_BINARY_SAME_TYPE (-1)

/* What an elementwise binary op accepts. */
typedef struct SpryBinarySpec {
  uint32_t allowed;    /* input types, a bit mask of (1u << SpryType) */
  int32_t output_type; /* SPRY_BINARY_SAME_TYPE or a fixed SpryType (BOOL for comparisons) */
  bool quantized;      /* uint8, int8 and int16 tensors must carry valid quantization */
  int activation;      /* fused activation (SPRY_ACTIVATION_NONE when the op has none) */
  /* With `quantized`: the types among uint8, int8 and int16 that are plain
   * integers when the tensors carry no quantization at all (int16 for ADD
   * and MUL, as in TFLite's versions 5 and 7). */
  uint32_t plain;
} SpryBinarySpec;

/* Two inputs of one type allowed by spec and one output of spec's output
 * type; quantized tensors checked when spec asks for it; broadcast output
 * shape and the activation clamp computed. Unquantized integer outputs get
 * the activation's bounds as integers (TFLite's CalculateActivationRange on
 * the element type: an unsigned type wraps the negative bound of
 * RELU_N1_TO_1, and spry_clamp_i64 then yields its upper bound). */
SpryStatus spry_binary_prepare_spec(SpryContext *ctx, SpryNode *node, const SpryBinarySpec *spec,
                                    SpryBinaryPrep *prep);

/* Whether prepare took `prep`'s tensors as plain integers: a small type
 * listed in spec->plain whose tensors carry no quantization. */
bool spry_binary_is_plain(const SpryBinarySpec *spec, const SpryBinaryPrep *prep);

/* Checks two inputs and one output of one type (rejecting types outside
 * `allowed`, a bit mask of (1u << SpryType)); uint8, int8 and int16 tensors
 * are quantized and must pass spry_op_check_quant (kernel_util.h). Then broadcasts the input
 * shapes, sets the output shape and computes the activation clamp. */
SpryStatus spry_binary_prepare(SpryContext *ctx, SpryNode *node, uint32_t allowed, int activation,
                               SpryBinaryPrep *prep);

/* The node's tensors for invoke, with buffers checked against the prepared
 * broadcast. */
SpryStatus spry_binary_tensors(SpryContext *ctx, const SpryNode *node, const SpryBroadcast *bc,
                               const SpryTensor **input1, const SpryTensor **input2,
                               SpryTensor **output);

/* Elements an operand must hold for the given strides of bc (0 for an empty
 * output): the bound for scanning a whole operand (e.g. for zero divisors). */
size_t spry_binary_operand_extent(const SpryBroadcast *bc, const size_t *strides);

/* One output element: out[io] = f(a[ia], b[ib]) with the op's params. */
typedef void (*SpryBinaryElementFn)(const void *params, const void *a, size_t ia, const void *b,
                                    size_t ib, void *out, size_t io);

/* Calls fn for every output element in row-major order, with the operand
 * offsets of the broadcast (TFLite's BroadcastBinaryFunction*Slow loops). */
void spry_binary_walk(const SpryBroadcast *bc, SpryBinaryElementFn fn, const void *params,
                      const void *a, const void *b, void *out);

#endif /* SPRY_KERNELS_BINARY_H */
