/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise_avx2.c — AVX2 binary elementwise kernels (compiled with
 * -mavx2 -mfma, run only when the CPU has both).
 *
 * Float: 8 lanes per step, the last partial step through masked loads and
 * stores. MAXPS/MINPS return their second operand when a lane is NaN, so
 * max(lo, x) then min(hi, y) is exactly the reference's clamp, NaN kept.
 *
 * 8-bit: 8 lanes per step, widened to int32; the partial step goes through
 * a small buffer. Each lane gives the reference's fixed-point results: for
 * ADD each input is offset, shifted left and rescaled to the common scale
 * in 32-bit steps (SpryEltAddInput: two VPMULLD instead of the 64-bit
 * rounding multiply, a quarter off tf2's ADD nodes), the sum rescaled to
 * the output (requant_avx2.h); for MUL the product of the offset inputs (at
 * most 17 bits) is rescaled.
 */
#include <immintrin.h>
#include <string.h>

#include "elementwise.h"
#include "lanes_avx2.h"
#include "requant_avx2.h"

/* ---- float ---------------------------------------------------------------------- */

SPRY_ELT_INLINE __m256 apply_f32(SpryEltKind kind, __m256 x, __m256 y) {
  switch (kind) {
    case SPRY_ELT_F32_ADD:
      return _mm256_add_ps(x, y);
    case SPRY_ELT_F32_SUB:
      return _mm256_sub_ps(x, y);
    default:
      return _mm256_mul_ps(x, y);
  }
}

SPRY_ELT_INLINE __m256 clamp_f32(__m256 v, __m256 lo, __m256 hi) {
  return _mm256_min_ps(hi, _mm256_max_ps(lo, v));
}

SPRY_ELT_INLINE void f32_kernel(const SpryEltParams *p, const void *a, const void *b, void *out,
                                size_t n, SpryEltKind kind, SpryEltRun run) {
  const float *x = a, *y = b;
  float *o = out;
  const __m256 lo = _mm256_set1_ps(p->f_min), hi = _mm256_set1_ps(p->f_max);
  const bool x_steps = run != SPRY_ELT_RUN_SV, y_steps = run != SPRY_ELT_RUN_VS;
  const __m256 x0 = _mm256_set1_ps(x[0]), y0 = _mm256_set1_ps(y[0]);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 xv = x_steps ? _mm256_loadu_ps(x + i) : x0;
    const __m256 yv = y_steps ? _mm256_loadu_ps(y + i) : y0;
    _mm256_storeu_ps(o + i, clamp_f32(apply_f32(kind, xv, yv), lo, hi));
  }
  if (i < n) {
    const __m256i mask = spry_avx2_first_lanes((int32_t)(n - i));
    const __m256 xv = x_steps ? _mm256_maskload_ps(x + i, mask) : x0;
    const __m256 yv = y_steps ? _mm256_maskload_ps(y + i, mask) : y0;
    _mm256_maskstore_ps(o + i, mask, clamp_f32(apply_f32(kind, xv, yv), lo, hi));
  }
}

SPRY_ELT_RUNS(f32_add, f32_kernel, SPRY_ELT_F32_ADD)
SPRY_ELT_RUNS(f32_sub, f32_kernel, SPRY_ELT_F32_SUB)
SPRY_ELT_RUNS(f32_mul, f32_kernel, SPRY_ELT_F32_MUL)

/* ---- 8-bit ---------------------------------------------------------------------- */

/* 8 stored values (flipped, see SpryEltParams) as int32 lanes. Widened
 * first: (int8_t)(b ^ 0x80) is (int8_t)b ^ 0xFFFFFF80 in 32 bits, and the
 * widening then reads memory directly. */
SPRY_ELT_INLINE __m256i load_q8(const void *p, __m256i flip32) {
  const __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p));
  return _mm256_xor_si256(v, flip32);
}

/* 8 lanes, already inside int8, stored as bytes (flipped). */
SPRY_ELT_INLINE void store_q8(void *p, __m256i v, __m128i flip) {
  const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64((__m128i *)p, _mm_xor_si128(_mm_packs_epi16(words, words), flip));
}

/* The output offset and the activation clamp. */
SPRY_ELT_INLINE __m256i finish_q8(const SpryAddParams *q, __m256i v) {
  v = _mm256_add_epi32(v, _mm256_set1_epi32(q->output_offset));
  v = _mm256_max_epi32(v, _mm256_set1_epi32(q->q_min));
  return _mm256_min_epi32(v, _mm256_set1_epi32(q->q_max));
}

static inline __m256i rescale(__m256i x, int32_t multiplier, int shift) {
  return multiply_by_quantized_multiplier(x, _mm256_set1_epi32(multiplier),
                                          _mm256_set1_epi32(shift));
}

/* What one input contributes before the two are combined: for ADD,
 * (x + offset) << left_shift at the common scale; for MUL, x + offset. */
SPRY_ELT_INLINE __m256i prepare_input(const SpryEltParams *p, __m256i x, bool add, bool first) {
  const SpryAddParams *q = &p->q;
  x = _mm256_add_epi32(x, _mm256_set1_epi32(first ? q->input1_offset : q->input2_offset));
  if (!add) return x;
  /* spry_elt_add_input, lane by lane. */
  const SpryEltAddInput *in = first ? &p->in1 : &p->in2;
  const __m256i high = _mm256_mullo_epi32(x, _mm256_set1_epi32(in->mul_hi));
  const __m256i low = _mm256_srai_epi32(
      _mm256_add_epi32(_mm256_mullo_epi32(x, _mm256_set1_epi32(in->mul_lo)),
                       _mm256_set1_epi32(in->round)),
      11);
  const __m256i ties = _mm256_and_si256(_mm256_srai_epi32(high, 31), _mm256_set1_epi32(in->ties));
  const __m256i sum = _mm256_add_epi32(_mm256_add_epi32(high, low), ties);
  return _mm256_sra_epi32(sum, _mm_cvtsi32_si128(in->shift));
}

/* 8 outputs: the sum (wrapping, as the reference's) or the product (at most
 * 17 bits) rescaled to the output, offset and clamped. */
SPRY_ELT_INLINE __m256i combine_q8(const SpryAddParams *q, __m256i x, __m256i y, bool add) {
  const __m256i v = add ? _mm256_add_epi32(x, y) : _mm256_mullo_epi32(x, y);
  return finish_q8(q, rescale(v, q->output_multiplier, q->output_shift));
}

/* Steps of 8 elements from a, b (or their one element) to out. The kernels
 * are int8 only: uint8 nodes come flipped (SpryEltParams), which keeps one
 * copy of each run's code. */
SPRY_ELT_INLINE void q8_steps(const SpryEltParams *p, const uint8_t *a, const uint8_t *b,
                              uint8_t *out, size_t steps, bool u8, bool add, SpryEltRun run) {
  (void)u8; /* never set here: the kinds are int8 */
  const SpryAddParams *q = &p->q;
  const __m128i flip = _mm_set1_epi8((char)p->flip);
  const __m256i flip32 = _mm256_set1_epi32((int8_t)p->flip);
  const bool a_steps = run != SPRY_ELT_RUN_SV, b_steps = run != SPRY_ELT_RUN_VS;
  /* An operand that stays is prepared once. */
  const __m256i a0 = prepare_input(p, _mm256_set1_epi32((int8_t)(a[0] ^ p->flip)), add, true);
  const __m256i b0 = prepare_input(p, _mm256_set1_epi32((int8_t)(b[0] ^ p->flip)), add, false);
  for (size_t s = 0; s < steps; s++) {
    const size_t i = s * 8;
    const __m256i x = a_steps ? prepare_input(p, load_q8(a + i, flip32), add, true) : a0;
    const __m256i y = b_steps ? prepare_input(p, load_q8(b + i, flip32), add, false) : b0;
    store_q8(out + i, combine_q8(q, x, y, add), flip);
  }
}

SPRY_ELT_Q8_KERNEL()

SPRY_ELT_SWAPPING_RUNS(s8_add, q8_kernel, SPRY_ELT_S8_ADD)
SPRY_ELT_SWAPPING_RUNS(s8_mul, q8_kernel, SPRY_ELT_S8_MUL)

const SpryEltKernels spry_elt_add_avx2 = {.fn = {
    [SPRY_ELT_F32_ADD] = SPRY_ELT_ENTRIES(f32_add),
    [SPRY_ELT_F32_SUB] = SPRY_ELT_ENTRIES(f32_sub),
    [SPRY_ELT_S8_ADD] = SPRY_ELT_SWAPPING_ENTRIES(s8_add),
}, .split_add = true};

const SpryEltKernels spry_elt_mul_avx2 = {.fn = {
    [SPRY_ELT_F32_MUL] = SPRY_ELT_ENTRIES(f32_mul),
    [SPRY_ELT_S8_MUL] = SPRY_ELT_SWAPPING_ENTRIES(s8_mul),
}};
