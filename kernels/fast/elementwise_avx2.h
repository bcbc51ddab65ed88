/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise_avx2.h — what the AVX2 elementwise kernels (binary,
 * activation, quantize) share. Include it only from files compiled with
 * -mavx2 (the fast AVX2 library).
 */
#ifndef SPRY_KERNELS_FAST_ELEMENTWISE_AVX2_H
#define SPRY_KERNELS_FAST_ELEMENTWISE_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

/* Lanes [0, n) of 8 set, for the masked loads and stores of a last partial
 * step (n < 8): masked-out lanes are neither read nor written. */
static inline __m256i spry_avx2_tail_mask(size_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)n),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#endif /* SPRY_KERNELS_FAST_ELEMENTWISE_AVX2_H */
