/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unary.h — the one elementwise loop behind every unary op (activations,
 * math functions): a per-element function applied over a flat buffer, in a
 * float32 form and a quantized (uint8/int8/int16) form. Ops differ only in
 * the element function and its parameters.
 */
#ifndef SPRY_KERNELS_REFERENCE_UNARY_H
#define SPRY_KERNELS_REFERENCE_UNARY_H

#include <stddef.h>
#include <stdint.h>

#include "quant_access.h"

/* v modulo 2^16 as an int16: the wrap-around of TFLite's int16 arithmetic,
 * without C's implementation-defined narrowing. */
static inline int16_t spry_wrap_i16(int32_t v) {
  const uint16_t u = (uint16_t)((uint32_t)v & 0xffffu);
  return u >= 0x8000u ? (int16_t)((int32_t)u - 0x10000) : (int16_t)u;
}

typedef float (*SpryUnaryF32Fn)(float x, const void *params);
/* Maps a stored integer to the integer to store (saturated by the loop). */
typedef int32_t (*SpryUnaryQFn)(int32_t q, const void *params);

void spry_ref_unary_f32(SpryUnaryF32Fn fn, const void *params, size_t count, const float *input,
                        float *output);

/* fn over float16 or bfloat16 elements (`type`): each widened to float32,
 * the result rounded back to nearest even. */
void spry_ref_unary_half(SpryUnaryF32Fn fn, const void *params, SpryType type, size_t count,
                         const void *input, void *output);

void spry_ref_unary_q(SpryUnaryQFn fn, const void *params, SpryQType type, size_t count,
                      const void *input, void *output);

#endif /* SPRY_KERNELS_REFERENCE_UNARY_H */
