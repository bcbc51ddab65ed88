/* SPDX-License-Identifier: Apache-2.0 */
/*
 * small_copy.h — copies and fills of a few bytes, for the fast kernels'
 * gathers: a tap of a few channels is a few bytes, and a libc call per tap
 * would cost more than the copy. Lengths of 4 to 15 (spry_copy_run: 4
 * to 64) are two overlapping fixed-size moves, which compile to a few
 * loads and stores: a float filter row of 3 channels is 36 bytes, and a
 * libc call for it cost more than the GEMM step that reads it.
 */
#ifndef SPRY_KERNELS_FAST_SMALL_COPY_H
#define SPRY_KERNELS_FAST_SMALL_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void spry_copy_bytes(uint8_t *dst, const uint8_t *src, size_t n) {
  if (n >= 16) {
    memcpy(dst, src, n);
  } else if (n >= 8) {
    memcpy(dst, src, 8);
    memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4) {
    memcpy(dst, src, 4);
    memcpy(dst + n - 4, src + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
  }
}

/* spry_copy_bytes, with runs of 16 to 64 bytes as two overlapping moves
 * too. Only where it was measured: a copy per call site costs room in
 * the selective build. */
static inline void spry_copy_run(uint8_t *dst, const uint8_t *src, size_t n) {
  if (n > 64 || n < 16) {
    spry_copy_bytes(dst, src, n);
  } else if (n >= 32) {
    memcpy(dst, src, 32);
    memcpy(dst + n - 32, src + n - 32, 32);
  } else {
    memcpy(dst, src, 16);
    memcpy(dst + n - 16, src + n - 16, 16);
  }
}

/* n copies of `value`. */
static inline void spry_fill_bytes(uint8_t *dst, uint8_t value, size_t n) {
  if (n >= 16) {
    memset(dst, value, n);
  } else if (n >= 8) {
    const uint64_t pattern = UINT64_C(0x0101010101010101) * value;
    memcpy(dst, &pattern, 8);
    memcpy(dst + n - 8, &pattern, 8);
  } else {
    for (size_t i = 0; i < n; i++) dst[i] = value;
  }
}

#endif /* SPRY_KERNELS_FAST_SMALL_COPY_H */
