/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lanes_avx2.h — the lane mask of a partial vector, which every AVX2
 * kernel with a masked last step (elementwise, activation, quantize,
 * softmax, GEMM, depthwise) shares. Include it only from files compiled
 * with -mavx2 (the fast AVX2 library).
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

#endif /* SPRY_KERNELS_FAST_LANES_AVX2_H */
