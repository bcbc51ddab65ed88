/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dot_avx512.h — the AVX-512 VNNI multiply-adds as the VNNI kernels use
 * them (include only from files compiled with the avx512vnni library's
 * flags).
 *
 * GCC 12 compiles _mm512_dpbusd_epi32 and _mm512_dpwssd_epi32 in a loop
 * with a copy of each accumulator to another register and back: in the
 * GEMM tile loop 16 moves for 8 VPDPBUSD an iteration, which ran about 28%
 * slower than these statements, whose "+v" keeps the accumulator in place.
 */
#ifndef SPRY_KERNELS_FAST_DOT_AVX512_H
#define SPRY_KERNELS_FAST_DOT_AVX512_H

#include <immintrin.h>

/* VPDPBUSD: acc + the dot products of u's unsigned quads with s's signed
 * ones. */
static inline __m512i dpbusd(__m512i acc, __m512i u, __m512i s) {
#if defined(__GNUC__) && !defined(__clang__)
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "vm"(s));
  return acc;
#else
  return _mm512_dpbusd_epi32(acc, u, s);
#endif
}

/* VPDPWSSD: acc + the sums of each lane's two int16 products of a and b,
 * wrapping in int32. */
static inline __m512i dpwssd(__m512i acc, __m512i a, __m512i b) {
#if defined(__GNUC__) && !defined(__clang__)
  __asm__("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(a), "vm"(b));
  return acc;
#else
  return _mm512_dpwssd_epi32(acc, a, b);
#endif
}

#endif /* SPRY_KERNELS_FAST_DOT_AVX512_H */
