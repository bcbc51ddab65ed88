/* SPDX-License-Identifier: Apache-2.0 */
/* hybrid_conv.c — hybrid CONV_2D on the GEMM micro-kernels (see hybrid_conv.h). */
#include "hybrid_conv.h"

#include <string.h>

#include "cpu_isa.h"

SpryStatus spry_hybrid_conv_fast_prepare(SpryContext *ctx, SpryHybridConvFast *f,
                                         const SpryConvShapes *s, const SpryTensor *filter) {
  memset(f, 0, sizeof *f);
  const SpryGemmKernels *kernels = spry_gemm_kernels(spry_context_isa(ctx));
  if (!kernels || s->filter_c != s->input_c) return SPRY_OK;
  const int64_t depth = (int64_t)s->filter_h * s->filter_w * s->filter_c;
  /* Sizes past int32 (rows of pairs, positions) stay with the reference. */
  if (depth > INT32_MAX / 2 || (int64_t)s->output_h * s->output_w > INT32_MAX) return SPRY_OK;
  f->depth = (int32_t)depth;
  f->packed = spry_context_alloc_persistent(ctx, spry_qgemm_packed_bytes(s->output_c, f->depth));
  if (!f->packed) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  /* OHWI: column oc is filter row oc; TFLite's hybrid filters have no offset. */
  const SpryGemmLayout layout = {.column_stride = (size_t)f->depth, .depth_stride = 1};
  spry_qgemm_pack(kernels, s->output_c, f->depth, filter->data, layout, 0, 0, f->packed);
  const size_t tile = SPRY_GEMM_MR * spry_qgemm_row_values(f->depth) * sizeof(int16_t);
  SPRY_TRY(spry_context_request_scratch(ctx, tile, &f->scratch));
  f->kernels = kernels;
  return SPRY_OK;
}

/* Output position `pos` of batch b as one A row: every tap's channels
 * widened to input - zero point, taps in the padding 0, zeros past K. */
static void gather_row(const SpryHybridConvFast *f, const SpryConvParams *p,
                       const SpryConvShapes *s, const SpryHybridConvArgs *a, int32_t b,
                       int32_t pos, int16_t *row) {
  const int32_t oy = pos / s->output_w, ox = pos % s->output_w;
  const int32_t zp = a->zero_points ? a->zero_points[b] : 0;
  int16_t *dst = row;
  for (int32_t ky = 0; ky < s->filter_h; ky++) {
    const int64_t iy = spry_conv_tap_coord(oy, p->stride_h, p->pad_h, ky, p->dilation_h,
                                           s->input_h);
    for (int32_t kx = 0; kx < s->filter_w; kx++, dst += s->input_c) {
      const int64_t ix = spry_conv_tap_coord(ox, p->stride_w, p->pad_w, kx, p->dilation_w,
                                             s->input_w);
      if (iy < 0 || ix < 0) {
        memset(dst, 0, (size_t)s->input_c * sizeof *dst);
        continue;
      }
      const size_t at = (((size_t)b * (size_t)s->input_h + (size_t)iy) * (size_t)s->input_w +
                         (size_t)ix) * (size_t)s->input_c;
      f->kernels->qgemm_widen(s->input_c, a->input + at, 0, -zp, dst);
    }
  }
  const size_t values = spry_qgemm_row_values(f->depth);
  for (size_t k = (size_t)f->depth; k < values; k++) row[k] = 0;
}

/* Up to MR output positions from `pos` of batch b: gather, multiply every
 * column block, and turn the sums into floats as the reference does. */
static void run_tile(const SpryHybridConvFast *f, const SpryConvParams *p,
                     const SpryConvShapes *s, const SpryHybridConvArgs *a, int32_t b, int32_t pos,
                     int32_t mr, int16_t *tile, float *output) {
  const size_t stride = spry_qgemm_row_values(f->depth);
  for (int32_t r = 0; r < mr; r++) gather_row(f, p, s, a, b, pos + r, tile + (size_t)r * stride);
  const size_t block = stride * SPRY_GEMM_NR;
  for (int32_t c0 = 0; c0 < s->output_c; c0 += SPRY_GEMM_NR) {
    int32_t acc[SPRY_GEMM_MR][SPRY_GEMM_NR];
    f->kernels->qgemm_acc(mr, (int32_t)(stride / 2), tile, stride,
                          f->packed + (size_t)(c0 / SPRY_GEMM_NR) * block, acc);
    const int32_t nc = s->output_c - c0 < SPRY_GEMM_NR ? s->output_c - c0 : SPRY_GEMM_NR;
    for (int32_t r = 0; r < mr; r++) {
      float *out = output + (size_t)(pos + r) * (size_t)s->output_c + (size_t)c0;
      for (int32_t c = 0; c < nc; c++) out[c] = spry_hybrid_conv_output(p, a, acc[r][c], b, c0 + c);
    }
  }
}

SpryStatus spry_hybrid_conv_fast_run(SpryContext *ctx, const SpryHybridConvFast *f,
                                     const SpryConvParams *p, const SpryConvShapes *s,
                                     const SpryHybridConvArgs *a, float *output) {
  int16_t *tile = spry_context_scratch(ctx, f->scratch);
  if (!tile) return spry_context_error(ctx, SPRY_ERROR_BAD_STATE, "scratch buffer missing");
  const int32_t positions = s->output_h * s->output_w;
  for (int32_t b = 0; b < s->batches; b++) {
    float *out = output + (size_t)b * (size_t)positions * (size_t)s->output_c;
    for (int32_t pos = 0; pos < positions; pos += SPRY_GEMM_MR) {
      const int32_t mr = positions - pos < SPRY_GEMM_MR ? positions - pos : SPRY_GEMM_MR;
      run_tile(f, p, s, a, b, pos, mr, tile, out);
    }
  }
  return SPRY_OK;
}
