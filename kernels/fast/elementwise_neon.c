/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise_neon.c — aarch64 Advanced SIMD binary elementwise kernels
 * (part of the aarch64 base architecture, so no extra compiler flags).
 *
 * Float: 4 lanes per step, the last partial step through a small buffer.
 * FMAX/FMIN would turn NaN or -0 differently from the reference's clamp, so
 * the clamp is its two comparisons and selects, lane by lane.
 *
 * 8-bit: 8 lanes per step as two int32x4 halves, the partial step through
 * buffers. Each lane takes the reference's fixed-point steps: SQRDMULH is
 * exactly the doubling high multiply, and the rounding right shift is
 * SRSHL after lowering negative values by one, which turns its ties-up
 * rounding into the reference's ties away from zero (as in gemm_neon.c).
 */
#include <arm_neon.h>
#include <string.h>

#include "elementwise.h"

/* ---- float ---------------------------------------------------------------------- */

SPRY_ELT_INLINE float32x4_t apply_f32(SpryEltKind kind, float32x4_t x, float32x4_t y) {
  switch (kind) {
    case SPRY_ELT_F32_ADD:
      return vaddq_f32(x, y);
    case SPRY_ELT_F32_SUB:
      return vsubq_f32(x, y);
    default:
      return vmulq_f32(x, y);
  }
}

/* y = x < lo ? lo : x; then hi < y ? hi : y. */
SPRY_ELT_INLINE float32x4_t clamp_f32(float32x4_t x, float32x4_t lo, float32x4_t hi) {
  const float32x4_t y = vbslq_f32(vcltq_f32(x, lo), lo, x);
  return vbslq_f32(vcltq_f32(hi, y), hi, y);
}

/* Steps of 4 elements. */
SPRY_ELT_INLINE void f32_steps(const SpryEltParams *p, const float *x, const float *y, float *o,
                               size_t steps, SpryEltKind kind, SpryEltRun run) {
  const float32x4_t lo = vdupq_n_f32(p->f_min), hi = vdupq_n_f32(p->f_max);
  const bool x_steps = run != SPRY_ELT_RUN_SV, y_steps = run != SPRY_ELT_RUN_VS;
  const float32x4_t x0 = vdupq_n_f32(x[0]), y0 = vdupq_n_f32(y[0]);
  for (size_t s = 0; s < steps; s++) {
    const size_t i = s * 4;
    const float32x4_t xv = x_steps ? vld1q_f32(x + i) : x0;
    const float32x4_t yv = y_steps ? vld1q_f32(y + i) : y0;
    vst1q_f32(o + i, clamp_f32(apply_f32(kind, xv, yv), lo, hi));
  }
}

SPRY_ELT_INLINE void f32_kernel(const SpryEltParams *p, const void *a, const void *b, void *out,
                                size_t n, SpryEltKind kind, SpryEltRun run) {
  const float *x = a, *y = b;
  float *o = out;
  const size_t whole = n / 4, done = whole * 4;
  f32_steps(p, x, y, o, whole, kind, run);
  if (done == n) return;
  float xt[4] = {0}, yt[4] = {0}, ot[4];
  const size_t rest = n - done;
  const bool x_steps = run != SPRY_ELT_RUN_SV, y_steps = run != SPRY_ELT_RUN_VS;
  if (x_steps) memcpy(xt, x + done, rest * sizeof *xt);
  if (y_steps) memcpy(yt, y + done, rest * sizeof *yt);
  f32_steps(p, x_steps ? xt : x, y_steps ? yt : y, ot, 1, kind, run);
  memcpy(o + done, ot, rest * sizeof *ot);
}

SPRY_ELT_RUNS(f32_add, f32_kernel, SPRY_ELT_F32_ADD)
SPRY_ELT_RUNS(f32_sub, f32_kernel, SPRY_ELT_F32_SUB)
SPRY_ELT_RUNS(f32_mul, f32_kernel, SPRY_ELT_F32_MUL)

/* ---- 8-bit ---------------------------------------------------------------------- */

/* Eight lanes as two int32x4 halves. */
typedef struct Q8 {
  int32x4_t lo, hi;
} Q8;

SPRY_ELT_INLINE Q8 load_q8(const uint8_t *p, bool u8) {
  const int16x8_t words = u8 ? vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p)))
                             : vmovl_s8(vld1_s8((const int8_t *)p));
  return (Q8){vmovl_s16(vget_low_s16(words)), vmovl_s16(vget_high_s16(words))};
}

SPRY_ELT_INLINE Q8 splat_q8(const uint8_t *p, bool u8) {
  const int32x4_t v = vdupq_n_s32(u8 ? (int32_t)p[0] : (int32_t)(int8_t)p[0]);
  return (Q8){v, v};
}

/* Lanes already inside the output type, stored as bytes. */
SPRY_ELT_INLINE void store_q8(uint8_t *p, Q8 v, bool u8) {
  const int16x8_t words = vcombine_s16(vmovn_s32(v.lo), vmovn_s32(v.hi));
  if (u8)
    vst1_u8(p, vqmovun_s16(words));
  else
    vst1_s8((int8_t *)p, vqmovn_s16(words));
}

/* TFLite's MultiplyByQuantizedMultiplier, shift in [-31, 31]. */
static inline int32x4_t rescale(int32x4_t x, int32_t multiplier, int shift) {
  const int32x4_t left = vdupq_n_s32(shift > 0 ? shift : 0);
  const int32x4_t right = vdupq_n_s32(shift > 0 ? 0 : shift);
  const int32x4_t high = vqrdmulhq_s32(vshlq_s32(x, left), vdupq_n_s32(multiplier));
  /* right < 0 has its sign bit set: -1 where high < 0 and a shift follows. */
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(high, right), 31);
  return vrshlq_s32(vqaddq_s32(high, fixup), right);
}

SPRY_ELT_INLINE Q8 rescale_q8(Q8 v, int32_t multiplier, int shift) {
  return (Q8){rescale(v.lo, multiplier, shift), rescale(v.hi, multiplier, shift)};
}

SPRY_ELT_INLINE Q8 add_const_q8(Q8 v, int32_t c) {
  const int32x4_t k = vdupq_n_s32(c);
  return (Q8){vaddq_s32(v.lo, k), vaddq_s32(v.hi, k)};
}

/* The output offset and the activation clamp. */
SPRY_ELT_INLINE Q8 finish_q8(const SpryAddParams *q, Q8 v) {
  v = add_const_q8(v, q->output_offset);
  const int32x4_t lo = vdupq_n_s32(q->q_min), hi = vdupq_n_s32(q->q_max);
  return (Q8){vminq_s32(vmaxq_s32(v.lo, lo), hi), vminq_s32(vmaxq_s32(v.hi, lo), hi)};
}

/* What one input contributes before the two are combined: for ADD,
 * (x + offset) << left_shift at the common scale; for MUL, x + offset. */
SPRY_ELT_INLINE Q8 prepare_input(const SpryAddParams *q, Q8 x, bool add, bool first) {
  x = add_const_q8(x, first ? q->input1_offset : q->input2_offset);
  if (!add) return x;
  const int32x4_t left = vdupq_n_s32(q->left_shift);
  x = (Q8){vshlq_s32(x.lo, left), vshlq_s32(x.hi, left)};
  return rescale_q8(x, first ? q->input1_multiplier : q->input2_multiplier,
                    first ? q->input1_shift : q->input2_shift);
}

SPRY_ELT_INLINE Q8 combine_q8(const SpryAddParams *q, Q8 x, Q8 y, bool add) {
  const Q8 v = add ? (Q8){vaddq_s32(x.lo, y.lo), vaddq_s32(x.hi, y.hi)}
                   : (Q8){vmulq_s32(x.lo, y.lo), vmulq_s32(x.hi, y.hi)};
  return finish_q8(q, rescale_q8(v, q->output_multiplier, q->output_shift));
}

SPRY_ELT_INLINE void q8_steps(const SpryEltParams *p, const uint8_t *a, const uint8_t *b,
                              uint8_t *out, size_t steps, bool u8, bool add, SpryEltRun run) {
  const SpryAddParams *q = &p->q;
  const bool a_steps = run != SPRY_ELT_RUN_SV, b_steps = run != SPRY_ELT_RUN_VS;
  /* An operand that stays is prepared once. */
  const Q8 a0 = prepare_input(q, splat_q8(a, u8), add, true);
  const Q8 b0 = prepare_input(q, splat_q8(b, u8), add, false);
  for (size_t s = 0; s < steps; s++) {
    const size_t i = s * 8;
    const Q8 x = a_steps ? prepare_input(q, load_q8(a + i, u8), add, true) : a0;
    const Q8 y = b_steps ? prepare_input(q, load_q8(b + i, u8), add, false) : b0;
    store_q8(out + i, combine_q8(q, x, y, add), u8);
  }
}

SPRY_ELT_Q8_KERNEL()

SPRY_ELT_SWAPPING_RUNS(s8_add, q8_kernel, SPRY_ELT_S8_ADD)
SPRY_ELT_SWAPPING_RUNS(u8_add, q8_kernel, SPRY_ELT_U8_ADD)
SPRY_ELT_SWAPPING_RUNS(s8_mul, q8_kernel, SPRY_ELT_S8_MUL)
SPRY_ELT_SWAPPING_RUNS(u8_mul, q8_kernel, SPRY_ELT_U8_MUL)

const SpryEltKernels spry_elt_add_neon = {.fn = {
    [SPRY_ELT_F32_ADD] = SPRY_ELT_ENTRIES(f32_add),
    [SPRY_ELT_F32_SUB] = SPRY_ELT_ENTRIES(f32_sub),
    [SPRY_ELT_S8_ADD] = SPRY_ELT_SWAPPING_ENTRIES(s8_add),
    [SPRY_ELT_U8_ADD] = SPRY_ELT_SWAPPING_ENTRIES(u8_add),
}};

const SpryEltKernels spry_elt_mul_neon = {.fn = {
    [SPRY_ELT_F32_MUL] = SPRY_ELT_ENTRIES(f32_mul),
    [SPRY_ELT_S8_MUL] = SPRY_ELT_SWAPPING_ENTRIES(s8_mul),
    [SPRY_ELT_U8_MUL] = SPRY_ELT_SWAPPING_ENTRIES(u8_mul),
}};
