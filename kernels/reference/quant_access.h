/* SPDX-License-Identifier: Apache-2.0 */
/*
 * quant_access.h — type-erased access to quantized tensor elements, so that
 * one loop body serves every integer type of a reference kernel instead of a
 * copy of the loop per type.
 */
#ifndef SPRY_KERNELS_REFERENCE_QUANT_ACCESS_H
#define SPRY_KERNELS_REFERENCE_QUANT_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "elementwise.h"
#include "quantization.h"

/* Element type of a quantized buffer. */
typedef enum SpryQType { SPRY_Q_U8, SPRY_Q_S8, SPRY_Q_S16 } SpryQType;

/* The loads and stores below are elementwise.h's, so that one type switch
 * serves every reference kernel. Each case passes a constant SpryType, which
 * folds that switch away once inlined: a mapped, non-constant type measured
 * twice as slow in the multiply-accumulate loops. */
static inline int32_t spry_load_q(const void *p, SpryQType t, size_t i) {
  switch (t) {
    case SPRY_Q_U8:
      return (int32_t)spry_load_int(p, SPRY_TYPE_UINT8, i);
    case SPRY_Q_S8:
      return (int32_t)spry_load_int(p, SPRY_TYPE_INT8, i);
    default:
      return (int32_t)spry_load_int(p, SPRY_TYPE_INT16, i);
  }
}

/* Stores v saturated to the type's range. Kernels that already clamp to an
 * activation range (inside the type's) lose nothing; the others need it. */
static inline void spry_store_q(void *p, SpryQType t, size_t i, int32_t v) {
  switch (t) {
    case SPRY_Q_U8:
      spry_store_int(p, SPRY_TYPE_UINT8, i, spry_clamp_i32(v, 0, UINT8_MAX));
      break;
    case SPRY_Q_S8:
      spry_store_int(p, SPRY_TYPE_INT8, i, spry_clamp_i32(v, INT8_MIN, INT8_MAX));
      break;
    default:
      spry_store_int(p, SPRY_TYPE_INT16, i, spry_clamp_i32(v, INT16_MIN, INT16_MAX));
      break;
  }
}

/* The integer operands of a multiply-accumulate kernel: element types and
 * the offsets added to the stored integers (0 where TFLite's kernel for that
 * type ignores them). */
typedef struct SpryQuantDot {
  SpryQType input, filter;
  int32_t input_offset, filter_offset;
} SpryQuantDot;

/* Sum over i < n of (filter[f_at + i] + filter_offset) * (input[in_at + i] +
 * input_offset), modulo 2^64. Products are taken in int64: 16-bit weights
 * with their offset and 16-bit inputs reach 2^32; kernels whose TFLite
 * accumulator is int32 keep the low 32 bits, which is the same two's
 * complement wrap-around (their products fit in int32). */
static inline uint64_t spry_dot_q(const SpryQuantDot *d, const void *input, size_t in_at,
                                  const void *filter, size_t f_at, int32_t n) {
  uint64_t acc = 0;
  for (int32_t i = 0; i < n; i++) {
    const int32_t in = spry_load_q(input, d->input, in_at + (size_t)i) + d->input_offset;
    const int32_t f = spry_load_q(filter, d->filter, f_at + (size_t)i) + d->filter_offset;
    acc += (uint64_t)((int64_t)f * in);
  }
  return acc;
}

#endif /* SPRY_KERNELS_REFERENCE_QUANT_ACCESS_H */
