/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise_portable.c — the binary elementwise kernels in plain C: the
 * reference's element formulas in straight loops, without its per-element
 * broadcast walk and type switches. 8-bit ADD has no entry here: add_q8.c's
 * tables are the faster plain-C form of it.
 */
#include "elementwise.h"
#include "quantization.h"

/* The reference's clamp, std::min(std::max(x, lo), hi), which keeps NaN. */
SPRY_ELT_INLINE float clamp_f32(float x, float lo, float hi) {
  const float y = x < lo ? lo : x;
  return hi < y ? hi : y;
}

SPRY_ELT_INLINE float apply_f32(SpryEltKind kind, float x, float y) {
  switch (kind) {
    case SPRY_ELT_F32_ADD:
      return x + y;
    case SPRY_ELT_F32_SUB:
      return x - y;
    default:
      return x * y;
  }
}

SPRY_ELT_INLINE void f32_kernel(const SpryEltParams *p, const void *a, const void *b, void *out,
                                size_t n, SpryEltKind kind, SpryEltRun run) {
  const float *x = a, *y = b;
  float *o = out;
  for (size_t i = 0; i < n; i++) {
    const float xi = x[run == SPRY_ELT_RUN_SV ? 0 : i], yi = y[run == SPRY_ELT_RUN_VS ? 0 : i];
    o[i] = clamp_f32(apply_f32(kind, xi, yi), p->f_min, p->f_max);
  }
}

SPRY_ELT_INLINE int32_t load_q8(const void *p, size_t i, bool u8) {
  return u8 ? (int32_t)((const uint8_t *)p)[i] : (int32_t)((const int8_t *)p)[i];
}

/* The reference's quantized MUL of one element pair (reference/arithmetic.c). */
SPRY_ELT_INLINE int32_t mul_q8(const SpryAddParams *q, int32_t x, int32_t y) {
  /* Both factors are at most 9 bits wide: the product fits in int32. */
  const int32_t product = (x + q->input1_offset) * (y + q->input2_offset);
  const int32_t raw =
      spry_multiply_by_quantized_multiplier(product, q->output_multiplier, q->output_shift) +
      q->output_offset;
  return spry_clamp_i32(raw, q->q_min, q->q_max);
}

SPRY_ELT_INLINE void mul_q8_kernel(const SpryEltParams *p, const void *a, const void *b, void *out,
                                   size_t n, bool u8, SpryEltRun run) {
  for (size_t i = 0; i < n; i++) {
    const int32_t x = load_q8(a, run == SPRY_ELT_RUN_SV ? 0 : i, u8);
    const int32_t y = load_q8(b, run == SPRY_ELT_RUN_VS ? 0 : i, u8);
    const int32_t v = mul_q8(&p->q, x, y);
    ((uint8_t *)out)[i] = (uint8_t)v; /* int8: its two's complement byte */
  }
}

SPRY_ELT_RUNS(f32_add, f32_kernel, SPRY_ELT_F32_ADD)
SPRY_ELT_RUNS(f32_sub, f32_kernel, SPRY_ELT_F32_SUB)
SPRY_ELT_RUNS(f32_mul, f32_kernel, SPRY_ELT_F32_MUL)
SPRY_ELT_SWAPPING_RUNS(s8_mul, mul_q8_kernel, false)
SPRY_ELT_SWAPPING_RUNS(u8_mul, mul_q8_kernel, true)

const SpryEltKernels spry_elt_add_portable = {.fn = {
    [SPRY_ELT_F32_ADD] = SPRY_ELT_ENTRIES(f32_add),
    [SPRY_ELT_F32_SUB] = SPRY_ELT_ENTRIES(f32_sub),
}};

const SpryEltKernels spry_elt_mul_portable = {.fn = {
    [SPRY_ELT_F32_MUL] = SPRY_ELT_ENTRIES(f32_mul),
    [SPRY_ELT_S8_MUL] = SPRY_ELT_SWAPPING_ENTRIES(s8_mul),
    [SPRY_ELT_U8_MUL] = SPRY_ELT_SWAPPING_ENTRIES(u8_mul),
}};
