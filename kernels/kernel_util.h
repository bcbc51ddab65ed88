/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kernel_util.h — helpers shared by every kernel: shapes, padding, types, and
 * the prepare/invoke checks (node arity, quantization parameters, fused
 * activation ranges, data presence). The checks report a failure through
 * spry_context_error() and return its status, so that every op words the
 * same problem the same way.
 */
#ifndef SPRY_KERNELS_KERNEL_UTIL_H
#define SPRY_KERNELS_KERNEL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spry/op.h"

/* Marks a function that runs once per node (prepare, weight packing) in a
 * file that also holds per-invoke code: GCC and Clang optimise a cold
 * function for size and keep it apart from the hot code. Whole files of
 * such code are built with -Os instead (the root meson.build). */
#if defined(__GNUC__)
#define SPRY_PREPARE_CODE __attribute__((cold))
#else
#define SPRY_PREPARE_CODE
#endif

/* TFLite's Padding enum. */
typedef enum SpryPadding { SPRY_PADDING_SAME = 0, SPRY_PADDING_VALID = 1 } SpryPadding;

/* Output size of a windowed op along one axis (TFLite's ComputeOutSize);
 * returns -1 for bad arguments (non-positive stride/dilation/filter, unknown
 * padding) and 0 when the window does not fit. */
int32_t spry_conv_output_size(int padding, int32_t in_size, int32_t filter_size, int32_t stride,
                              int32_t dilation);

/* Padding before the first element along one axis and the extra padding
 * after (TFLite's ComputePaddingWithOffset). */
int32_t spry_conv_padding(int32_t stride, int32_t dilation, int32_t in_size, int32_t filter_size,
                          int32_t out_size, int32_t *out_offset);

/* Product of dims (0 for an empty shape with a zero dim), saturating at
 * SIZE_MAX on overflow. */
size_t spry_shape_element_count(int32_t rank, const int32_t *dims);

static inline size_t spry_tensor_elements(const SpryTensor *t) {
  return spry_shape_element_count(t->rank, t->dims);
}

/* Product of dims excluding dimension `skip`. */
size_t spry_shape_element_count_except(int32_t rank, const int32_t *dims, int32_t skip);

static inline bool spry_same_shape(const SpryTensor *a, const SpryTensor *b) {
  if (a->rank != b->rank) return false;
  for (int32_t i = 0; i < a->rank; i++)
    if (a->dims[i] != b->dims[i]) return false;
  return true;
}

/* Integer range of a quantized type. */
bool spry_quantized_type_range(SpryType type, int32_t *out_min, int32_t *out_max);

/* Checks the node has between min_inputs and max_inputs inputs and exactly
 * `outputs` outputs; the first min_inputs inputs and every output must be
 * present. */
SpryStatus spry_op_check_arity(SpryContext *ctx, const SpryNode *node, int32_t min_inputs,
                               int32_t max_inputs, int32_t outputs);

/* A quantized activation tensor (`role` names it in messages) of an 8/16-bit
 * type: per-tensor quantization, a finite positive scale and a zero point
 * inside the type's range; int16 must be symmetric (zero point 0), as TFLite
 * requires. */
SpryStatus spry_op_check_quant(SpryContext *ctx, const char *role, const SpryTensor *t);

/* Input and output of an op that keeps the type (pooling, MEAN): the same
 * type, one of float32, uint8, int8 and int16, quantized ones with valid
 * parameters. *quantized tells the caller whether to set up requantization. */
SpryStatus spry_op_check_same_type(SpryContext *ctx, const SpryTensor *in, const SpryTensor *out,
                                   bool *quantized);

/* Clamp bounds of a fused activation for `output`: floats for float
 * outputs, integers for quantized ones (TFLite's CalculateActivationRange
 * and CalculateActivationRangeQuantized); integer outputs without
 * quantization (int32) get the activation's bounds as integers. The bounds
 * that do not apply are 0. Only NONE, RELU, RELU_N1_TO_1 and RELU6 exist as
 * fused activations. */
SpryStatus spry_op_activation_range(SpryContext *ctx, int activation, const SpryTensor *output,
                                    float *f_min, float *f_max, int32_t *q_min, int32_t *q_max);

/* Fails unless the tensor's buffer holds `elements` elements of its type
 * (a defence against a plan that does not match the shapes). */
SpryStatus spry_op_check_data(SpryContext *ctx, const char *role, const SpryTensor *t,
                              size_t elements);

#endif /* SPRY_KERNELS_KERNEL_UTIL_H */
