/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quantize.h — the fast path of QUANTIZE and DEQUANTIZE between float32 and
 * the 8-bit types, per-tensor quantization only:
 *
 *   float32 -> uint8/int8   per-ISA kernels with the reference's arithmetic:
 *                           x / scale (a division, as the reference's),
 *                           rounded half away from zero, NaN to 0, plus the
 *                           zero point, saturated to the type. Identical.
 *   8-bit -> 8-bit          (requantize) a 256-entry byte table;
 *   8-bit -> float32        (DEQUANTIZE) a 256-entry float table.
 *
 * Both tables are the reference loop (reference/quantize.h) run once, at
 * prepare, over all 256 byte values, so a lookup returns exactly what the
 * reference computes. Per-channel quantization and int16/int32 keep the
 * reference kernels. Work is split over threads in contiguous shares.
 */
#ifndef SPRY_KERNELS_FAST_QUANTIZE_H
#define SPRY_KERNELS_FAST_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_isa.h"
#include "reference/quantize.h"
#include "spry/op.h"

/* out[i] = saturate(round(in[i] / scale) + zero_point) for i < n, as bytes
 * of the 8-bit type. */
typedef void (*SpryQuantizeFn)(float scale, int32_t zero_point, const float *in, uint8_t *out,
                               size_t n);

typedef struct SpryQuantizeKernels {
  SpryQuantizeFn to_s8, to_u8;
} SpryQuantizeKernels;

extern const SpryQuantizeKernels spry_quantize_kernels_portable;
extern const SpryQuantizeKernels spry_quantize_kernels_avx2;
extern const SpryQuantizeKernels spry_quantize_kernels_neon;

/* The kernels of a variant; NULL for SPRY_ISA_REFERENCE. */
const SpryQuantizeKernels *spry_quantize_kernels(SpryIsa isa);

/* A prepared node (persistent memory). */
typedef struct SpryFastQuantize SpryFastQuantize;

/* Sets up the fast path of a QUANTIZE or DEQUANTIZE node whose reference
 * parameters are prepared: `quant` for float32 <-> integer, `requant` for
 * integer -> integer, over `count` elements. *out stays NULL, and SPRY_OK is
 * returned, where the fast path does not apply. */
SpryStatus spry_fast_quantize_prepare(SpryContext *ctx, const SpryQuantizeParams *quant,
                                      const SpryRequantizeParams *requant, SpryType input_type,
                                      SpryType output_type, size_t count,
                                      const SpryFastQuantize **out);

void spry_fast_quantize_run(SpryContext *ctx, const SpryFastQuantize *q, const void *input,
                            void *output);

#endif /* SPRY_KERNELS_FAST_QUANTIZE_H */
