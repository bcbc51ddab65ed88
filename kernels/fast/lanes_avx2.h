/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lanes_avx2.h — the lane mask of a partial vector, which every AVX2
 * kernel with a masked last step (elementwise, activation, quantize,
 * softmax, GEMM, depthwise) shares, and a store of its first lanes.
 * Include it only from files compiled with -mavx2 (the fast AVX2 library).
 */
#ifndef SPRY_KERNELS_FAST_LANES_AVX2_H
#define SPRY_KERNELS_FAST_LANES_AVX2_H

#include <immintrin.h>
#include <stdint.h>

/* Lanes [0, n) of 8 set (none for n <= 0, all for n >= 8), for masked
 * loads and stores: masked-out lanes are neither read nor written. */
static inline __m256i spry_avx2_first_lanes(int32_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Stores lanes [0, n) of v at p (all 8 for n >= 8) and nothing past
 * them, in one store per power of two in n. A masked store would take one
 * instruction, but AMD's Zen cores take about ten times longer over it
 * than over a plain store. */
static inline void spry_avx2_store_first_ps(float *p, __m256 v, int32_t n) {
  if (n >= 8) {
    _mm256_storeu_ps(p, v);
    return;
  }
  __m128 x = _mm256_castps256_ps128(v);
  if (n >= 4) {
    _mm_storeu_ps(p, x);
    x = _mm256_extractf128_ps(v, 1);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    _mm_storel_epi64((__m128i *)(void *)p, _mm_castps_si128(x));
    x = _mm_movehl_ps(x, x);
    p += 2;
    n -= 2;
  }
  if (n >= 1) _mm_store_ss(p, x);
}

#endif /* SPRY_KERNELS_FAST_LANES_AVX2_H */
