/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv_3d.h — reference float32 CONV_3D and CONV_3D_TRANSPOSE kernels.
 *
 * Layout: input NDHWC [batches, in_d, in_h, in_w, in_c]; output NDHWC
 * [batches, out_d, out_h, out_w, out_c]; bias [out_c] (NULL: none).
 * Filters: CONV_3D [fd, fh, fw, in_c, out_c]; CONV_3D_TRANSPOSE
 * [fd, fh, fw, out_c, in_c]. Axis order in the arrays below is depth,
 * height, width. padding[] is what comes before the first element
 * (TFLite's Padding3DValues without the offsets, which its reference
 * kernels ignore too). No alignment or over-read assumptions.
 *
 * Match TFLite's reference_ops::Conv3D (gather: sum over fd, fh, fw, in_c,
 * then bias and clamp) and reference_ops::Conv3DTranspose (scatter in the
 * order batch, in_d, in_h, in_w, in_c, fd, fh, fw, out_c into a zeroed
 * output, then bias and clamp), float operation for float operation.
 */
#ifndef SPRY_KERNELS_REFERENCE_CONV_3D_H
#define SPRY_KERNELS_REFERENCE_CONV_3D_H

#include <stdint.h>

typedef struct SpryConv3dParams {
  int32_t stride[3];   /* depth, height, width; > 0 */
  int32_t dilation[3]; /* > 0 */
  int32_t padding[3];  /* >= 0 */
  float act_min, act_max;
} SpryConv3dParams;

typedef struct SpryConv3dShape {
  int32_t batches;
  int32_t in[3];     /* input depth, height, width */
  int32_t out[3];    /* output depth, height, width */
  int32_t filter[3]; /* filter depth, height, width */
  int32_t in_c, out_c;
} SpryConv3dShape;

void spry_ref_conv3d_f32(const SpryConv3dParams *p, const SpryConv3dShape *s, const float *input,
                         const float *filter, const float *bias, float *output);

void spry_ref_conv3d_transpose_f32(const SpryConv3dParams *p, const SpryConv3dShape *s,
                                   const float *input, const float *filter, const float *bias,
                                   float *output);

#endif /* SPRY_KERNELS_REFERENCE_CONV_3D_H */
