/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softmax_avx2.c — the float SOFTMAX row on 8 lanes (compiled with -mavx2
 * -mfma, run only when the CPU has both): the portable kernel's passes with
 * the maximum, the exponential (softmax_exp.h, evaluated with FMAs) and the
 * division vectorised; the sum stays in the reference's order
 * (spry_softmax_sum). A last partial vector is loaded and stored under a
 * lane mask.
 */
#include <float.h>
#include <immintrin.h>

#include "lanes_avx2.h"
#include "softmax.h"
#include "softmax_exp.h"

#define LANES 8

static inline __m256 exp8(__m256 x) {
  const __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(SPRY_EXP_MIN), _CMP_LT_OQ);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(SPRY_EXP_LOG2E)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(SPRY_EXP_LN2_HI), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(SPRY_EXP_LN2_LO), r);
  __m256 p = _mm256_set1_ps(SPRY_EXP_C6);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(SPRY_EXP_C5));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(SPRY_EXP_C4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(SPRY_EXP_C3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(SPRY_EXP_C2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  /* 2^n in the exponent bits; lanes below SPRY_EXP_MIN (whose n leaves
   * [-126, 0]) are zeroed, NaN lanes stay NaN through p. */
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_andnot_ps(tiny, _mm256_mul_ps(p, _mm256_castsi256_ps(bits)));
}

static inline float horizontal_max(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

void spry_f32_softmax__avx2(const float *in, float *out, size_t depth, float beta) {
  const size_t whole = depth - depth % LANES;
  /* Masked loads and stores never fault. */
  const __m256i tail = spry_avx2_first_lanes((int32_t)(depth - whole));
  /* MAXPS(x, acc) keeps acc unless x > acc: NaN inputs are skipped as by
   * the reference (no lane ever holds NaN, so the reduction order is free). */
  __m256 vmax = _mm256_set1_ps(-FLT_MAX);
  for (size_t c = 0; c < whole; c += LANES) vmax = _mm256_max_ps(_mm256_loadu_ps(in + c), vmax);
  const __m256 last = _mm256_maskload_ps(in + whole, tail); /* 0 past the row */
  vmax = _mm256_max_ps(_mm256_blendv_ps(vmax, last, _mm256_castsi256_ps(tail)), vmax);
  const __m256 max = _mm256_set1_ps(horizontal_max(vmax)), scale = _mm256_set1_ps(beta);
  for (size_t c = 0; c < whole; c += LANES) {
    const __m256 x = _mm256_loadu_ps(in + c);
    _mm256_storeu_ps(out + c, exp8(_mm256_mul_ps(_mm256_sub_ps(x, max), scale)));
  }
  _mm256_maskstore_ps(out + whole, tail, exp8(_mm256_mul_ps(_mm256_sub_ps(last, max), scale)));
  const __m256 sum = _mm256_set1_ps(spry_softmax_sum(out, depth));
  for (size_t c = 0; c < whole; c += LANES)
    _mm256_storeu_ps(out + c, _mm256_div_ps(_mm256_loadu_ps(out + c), sum));
  _mm256_maskstore_ps(out + whole, tail, _mm256_div_ps(_mm256_maskload_ps(out + whole, tail), sum));
}
