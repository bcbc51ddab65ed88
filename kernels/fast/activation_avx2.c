/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activation_avx2.c — AVX2 unary float kernels (compiled with -mavx2 -mfma,
 * run only when the CPU has both): 8 lanes per step, the last partial step
 * through masked loads and stores. No FMA: every operation rounds as the
 * reference's (and the portable exp's) does.
 *
 * MAXPS/MINPS(a, b) are exactly a > b ? a : b and a < b ? a : b, NaN going
 * to b, so they spell the reference's comparisons where the operand order
 * is kept; NaN inputs that the reference returns as they are get them back
 * by a final select. 8-bit tables have no vector lookup here (a byte
 * shuffle covers 16 entries, not 256): they use lut.h's loop.
 */
#include <immintrin.h>

#include "activation.h"
#include "elementwise.h"
#include "lanes_avx2.h"
#include "lut.h"

static inline __m256 splat(float x) { return _mm256_set1_ps(x); }

/* x where x is NaN, else y. */
static inline __m256 keep_nan(__m256 x, __m256 y) {
  return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

/* exp(t) for t <= 0, see activation.h (NaN lanes give garbage: callers
 * replace them). */
static inline __m256 exp_nonpositive(__m256 t) {
  t = _mm256_max_ps(t, splat(SPRY_EXP_MIN));
  const __m256 n =
      _mm256_floor_ps(_mm256_add_ps(_mm256_mul_ps(t, splat(SPRY_EXP_LOG2E)), splat(0.5f)));
  __m256 r = _mm256_sub_ps(t, _mm256_mul_ps(n, splat(SPRY_EXP_LN2_HI)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(n, splat(SPRY_EXP_LN2_LO)));
  __m256 p = _mm256_add_ps(splat(SPRY_EXP_C6), _mm256_mul_ps(r, splat(SPRY_EXP_C7)));
  p = _mm256_add_ps(splat(SPRY_EXP_C5), _mm256_mul_ps(r, p));
  p = _mm256_add_ps(splat(SPRY_EXP_C4), _mm256_mul_ps(r, p));
  p = _mm256_add_ps(splat(SPRY_EXP_C3), _mm256_mul_ps(r, p));
  p = _mm256_add_ps(splat(SPRY_EXP_C2), _mm256_mul_ps(r, p));
  p = _mm256_add_ps(splat(1.0f), _mm256_mul_ps(r, p));
  p = _mm256_add_ps(splat(1.0f), _mm256_mul_ps(r, p));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

static inline __m256 abs_ps(__m256 x) { return _mm256_andnot_ps(splat(-0.0f), x); }

SPRY_ELT_INLINE __m256 apply(SpryActKind kind, const SpryActF32Params *p, __m256 x) {
  switch (kind) {
    case SPRY_ACT_CLAMP: {
      /* lower = x > lo ? x : lo; lower < hi ? lower : hi. */
      const __m256 lower = _mm256_max_ps(x, splat(p->lo));
      return keep_nan(x, _mm256_min_ps(lower, splat(p->hi)));
    }
    case SPRY_ACT_LEAKY_RELU: {
      const __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
      return _mm256_blendv_ps(_mm256_mul_ps(x, splat(p->alpha)), x, positive);
    }
    case SPRY_ACT_HARD_SWISH: {
      /* r > 6 ? 6 : (r > 0 ? r : 0): where r > 6 the inner value is r, so
       * the outer choice is min(6, inner). */
      const __m256 r = _mm256_add_ps(x, splat(3.0f));
      const __m256 relu6 = _mm256_min_ps(splat(6.0f), _mm256_max_ps(r, _mm256_setzero_ps()));
      return _mm256_div_ps(_mm256_mul_ps(x, relu6), splat(6.0f));
    }
    case SPRY_ACT_LOGISTIC: {
      const __m256 e = exp_nonpositive(_mm256_or_ps(x, splat(-0.0f)));
      const __m256 positive = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
      const __m256 num = _mm256_blendv_ps(e, splat(1.0f), positive);
      return keep_nan(x, _mm256_div_ps(num, _mm256_add_ps(splat(1.0f), e)));
    }
    default: { /* SPRY_ACT_TANH */
      const __m256 ax = abs_ps(x);
      const __m256 e = exp_nonpositive(_mm256_mul_ps(splat(-2.0f), ax));
      const __m256 t = _mm256_div_ps(_mm256_sub_ps(splat(1.0f), e), _mm256_add_ps(splat(1.0f), e));
      const __m256 signed_t = _mm256_or_ps(t, _mm256_and_ps(x, splat(-0.0f)));
      /* Tiny and NaN lanes are x itself (NaN fails the comparison). */
      const __m256 big = _mm256_cmp_ps(ax, splat(SPRY_TANH_TINY), _CMP_GE_OQ);
      return _mm256_blendv_ps(x, signed_t, big);
    }
  }
}

SPRY_ELT_INLINE void act_kernel(const SpryActF32Params *p, const float *in, float *out, size_t n,
                                SpryActKind kind) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, apply(kind, p, _mm256_loadu_ps(in + i)));
  if (i < n) {
    const __m256i mask = spry_avx2_first_lanes((int32_t)(n - i));
    _mm256_maskstore_ps(out + i, mask, apply(kind, p, _mm256_maskload_ps(in + i, mask)));
  }
}

SPRY_ACT_KERNELS(act_kernel)

const SpryActKernels spry_act_kernels_avx2 = {
    .fn = SPRY_ACT_ENTRIES(act_kernel),
    .lut8 = spry_lut8_apply,
};
