/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hybrid_conv.h — reference hybrid (dynamic-range) convolutions: float32
 * activations quantized to int8 per batch at run time, constant int8
 * filters, int32 window sums scaled back to float, float bias and clamp.
 *
 * Layout as the float kernels (conv_2d.h, depthwise_conv_2d.h,
 * transpose_conv.h): NHWC input and output; CONV_2D and TRANSPOSE_CONV
 * filters OHWI, DEPTHWISE_CONV_2D [1, H, W, output_c]. The input arrives
 * already quantized (spry_ref_quantize_rows_s8, one row per batch), with a
 * scale and a zero point per batch (zero_points NULL: 0). A tap outside the
 * image adds nothing: padding holds the zero point, i.e. the real value 0.
 *
 * channel_scales holds one filter scale per output channel (a per-tensor
 * scale repeated). How the sum becomes a float follows TFLite's kernels,
 * whose order of float operations decides the last bit:
 *   SPRY_HYBRID_SCALE_PRODUCT   sum * (channel_scale * batch_scale)
 *       (EvalHybrid's per-tensor CONV_2D, where the filter scale is folded
 *       into the batch scale first, and DepthwiseConvHybridPerChannel)
 *   SPRY_HYBRID_SCALE_CHANNEL_FIRST  (sum * channel_scale) * batch_scale
 *       (HybridConvPerChannel)
 * then + bias[oc] when there is a bias, then the activation clamp.
 *
 * Window sums accumulate modulo 2^32 like TFLite's int32 accumulators.
 */
#ifndef SPRY_KERNELS_REFERENCE_HYBRID_CONV_H
#define SPRY_KERNELS_REFERENCE_HYBRID_CONV_H

#include <stdint.h>

#include "conv_params.h"

typedef enum SpryHybridScaleOrder {
  SPRY_HYBRID_SCALE_PRODUCT,
  SPRY_HYBRID_SCALE_CHANNEL_FIRST,
} SpryHybridScaleOrder;

/* The run-time quantized input and the constant operands. */
typedef struct SpryHybridConvArgs {
  const int8_t *input;          /* [batches, input_h, input_w, input_c] */
  const float *batch_scales;    /* [batches] */
  const int32_t *zero_points;   /* [batches]; NULL: symmetric (0) */
  const int8_t *filter;
  const float *channel_scales;  /* [output_c] */
  const float *bias;            /* [output_c]; NULL: none */
  SpryHybridScaleOrder order;
} SpryHybridConvArgs;

/* The float output of one int32 window sum of output channel oc in batch
 * b, in the order of TFLite's kernel (shared with the fast path, which must
 * give the same bits). */
static inline float spry_hybrid_conv_output(const SpryConvParams *p, const SpryHybridConvArgs *a,
                                            int32_t sum, int32_t b, int32_t oc) {
  float v;
  if (a->order == SPRY_HYBRID_SCALE_PRODUCT)
    v = (float)sum * (a->channel_scales[oc] * a->batch_scales[b]);
  else
    v = (float)sum * a->channel_scales[oc] * a->batch_scales[b];
  if (a->bias) v += a->bias[oc];
  return spry_clamp_f32(v, p->act_min_f, p->act_max_f);
}

/* CONV_2D, grouped as spry_ref_conv_2d_f32. */
void spry_ref_conv_2d_hybrid(const SpryConvParams *params, const SpryConvShapes *shapes,
                             const SpryHybridConvArgs *args, float *output);

/* DEPTHWISE_CONV_2D: output channel oc reads input channel oc / multiplier,
 * multiplier = output_c / input_c. */
void spry_ref_depthwise_conv_2d_hybrid(const SpryConvParams *params,
                                       const SpryConvShapes *shapes,
                                       const SpryHybridConvArgs *args, float *output);

/* TRANSPOSE_CONV (HybridTransposeConv): every input element scatters into
 * the output window it covers, each product scaled to float on its own,
 * (float)(product) * channel_scale * batch_scale, and added in the order
 * batch, input row, column, channel, filter row, column, output channel;
 * then + bias and the clamp. `order` is not used. */
void spry_ref_transpose_conv_hybrid(const SpryConvParams *params, const SpryConvShapes *shapes,
                                    const SpryHybridConvArgs *args, float *output);

#endif /* SPRY_KERNELS_REFERENCE_HYBRID_CONV_H */
