/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv_common.h — prepare-time helpers shared by CONV_2D, DEPTHWISE_CONV_2D
 * and FULLY_CONNECTED: node tensors, kernel selection, quantization checks,
 * TFLite's multiplier derivations and window geometry. All of them report failures
 * through spry_context_error() and return its status.
 */
#ifndef SPRY_KERNELS_CONV_COMMON_H
#define SPRY_KERNELS_CONV_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "reference/conv_params.h"
#include "spry/op.h"

/* Largest multiplier exponent TFLite's 64-bit requantization accepts. */
#define SPRY_ACC64_MAX_SHIFT 7

/* The reference kernel variants the three ops share, picked in prepare from
 * the tensor types. */
typedef enum SpryConvKernel {
  SPRY_CONV_KERNEL_F32,
  SPRY_CONV_KERNEL_U8,
  SPRY_CONV_KERNEL_S8,
  SPRY_CONV_KERNEL_S16,        /* int16 activations, int64 bias and accumulator */
  SPRY_CONV_KERNEL_S16_BIAS32, /* int16 activations, int32 bias and accumulator */
} SpryConvKernel;

/* A node's input, filter (weights), optional bias and output. */
typedef struct SpryConvTensors {
  const SpryTensor *input, *filter, *bias;
  SpryTensor *output;
} SpryConvTensors;

/* Prepare state of the windowed ops (CONV_2D, DEPTHWISE_CONV_2D): strides
 * and dilations come from the options, the rest from prepare. */
typedef struct SpryWindowedOp {
  int padding;
  int activation;
  SpryConvKernel kernel;
  SpryConvParams params;
  SpryConvShapes shapes;
} SpryWindowedOp;

/* A bit per SpryType, for the sets of types below. */
#define SPRY_CONV_TYPE_BIT(type) (1u << (type))

/* The packed sub-byte weights an op takes (subbyte.h), as TFLite's kernel
 * pairs them: the weight types and the activation types that may meet them
 * (SPRY_CONV_TYPE_BIT sets). */
typedef struct SpryConvSubbyteWeights {
  uint32_t weights;
  uint32_t inputs;
} SpryConvSubbyteWeights;

/* Node arity (2 or 3 inputs, 1 output) and its tensors; input, filter
 * (named `filter_role` in messages) and output must be present. Sub-byte
 * weights are unpacked into `unpacked_filter` (owned by the op's data, see
 * subbyte.h), which takes the filter's place in `t`; they are refused with
 * the type combination named unless `subbyte` pairs the weights' type with
 * the input's. */
SpryStatus spry_conv_prepare_tensors(SpryContext *ctx, const SpryNode *node,
                                     const char *filter_role, SpryConvSubbyteWeights subbyte,
                                     SpryTensor *unpacked_filter, SpryConvTensors *t);

/* The node's tensors at invoke time, with data, sub-byte weights replaced
 * by the `unpacked_filter` prepare filled. Sets *empty (and returns SPRY_OK)
 * when the output has no elements, so there is nothing to compute. */
SpryStatus spry_conv_invoke_tensors(SpryContext *ctx, const SpryNode *node,
                                    const SpryTensor *unpacked_filter, SpryConvTensors *t,
                                    bool *empty);

/* Picks the kernel from the (input, filter, output, bias) types and checks
 * the bias type. int16 activations accumulate in the bias type, as in
 * TFLite: int32 only where `flags` has SPRY_CONV_ALLOW_BIAS32 (without a
 * bias the quantized_bias_type option decides), int64 otherwise. int16
 * weights with int16 activations (SPRY_CONV_ALLOW_FILTER16, FULLY_CONNECTED
 * only) take the same kernels, the caller reading the weights as int16. */
#define SPRY_CONV_ALLOW_BIAS32 (1u << 0)
#define SPRY_CONV_ALLOW_FILTER16 (1u << 1)
SpryStatus spry_conv_select_kernel(SpryContext *ctx, const SpryConvTensors *t, uint32_t flags,
                                   int quantized_bias_type, SpryConvKernel *kernel);

/* The bias has one element per output channel (`channel_noun` names them in
 * messages) and every constant operand's data covers its shape. */
SpryStatus spry_conv_check_constants(SpryContext *ctx, const SpryConvTensors *t, int32_t channels,
                                     const char *filter_role, const char *channel_noun);

/* Quantization of input, output and filter (see spry_op_check_quant and
 * spry_conv_check_filter_quant). */
SpryStatus spry_conv_check_quant(SpryContext *ctx, const SpryConvTensors *t, int32_t channels,
                                 int32_t channel_dim, bool require_symmetric);

/* The rest of a windowed op's prepare once its kernel and shapes are set:
 * window geometry, requantization (filter channels along `channel_dim`),
 * activation range, and the output resized to NHWC. */
SpryStatus spry_conv_prepare_windowed(SpryContext *ctx, const SpryConvTensors *t,
                                      SpryWindowedOp *op, int32_t channel_dim,
                                      bool require_symmetric);

/* The filter's quantization: valid scales, either one or `channels` of them
 * along `channel_dim`. uint8 filters must be per-tensor with a zero point in
 * [0, 255]; signed filters with `require_symmetric` must have zero points of
 * 0 (TFLite's CONV_2D requirement; other ops ignore them). */
SpryStatus spry_conv_check_filter_quant(SpryContext *ctx, const SpryTensor *filter,
                                        int32_t channels, int32_t channel_dim,
                                        bool require_symmetric);

/* TFLite's per-tensor multiplier for uint8 kernels
 * (GetQuantizedConvolutionMultipler): the scale product is rounded to float
 * before the division in double. */
SpryStatus spry_conv_legacy_multiplier(SpryContext *ctx, float input_scale, float filter_scale,
                                       float output_scale, int32_t *multiplier, int *shift);

/* Per-channel multipliers as TFLite's PopulateConvolutionQuantizationParams
 * computes them: (double)input_scale * (double)filter_scale[c] /
 * (double)output_scale, a per-tensor filter scale broadcast to all channels.
 * The arrays come from persistent memory. Shifts above `max_shift` are
 * rejected as unsupported. */
SpryStatus spry_conv_channel_multipliers(SpryContext *ctx, const SpryTensor *input,
                                         const SpryTensor *filter, const SpryTensor *output,
                                         int32_t channels, int max_shift, SpryConvParams *params);

/* Output size and leading padding of a windowed op along both axes. */
SpryStatus spry_conv_window(SpryContext *ctx, int padding, const SpryConvShapes *shapes,
                            SpryConvParams *params, int32_t *out_h, int32_t *out_w);

/* A constant tensor's data covers its shape (the reader checks this too; a
 * kernel must never trust a size it did not see checked). */
SpryStatus spry_conv_check_constant_size(SpryContext *ctx, const char *role, const SpryTensor *t);

/* "unsupported type combination: input int8, filter uint8, output int8". */
SpryStatus spry_conv_unsupported_types(SpryContext *ctx, const SpryTensor *input,
                                       const SpryTensor *filter, const SpryTensor *output);

#endif /* SPRY_KERNELS_CONV_COMMON_H */
