/* SPDX-License-Identifier: Apache-2.0 */
/*
 * small_copy.h — copies and fills of a few bytes, for the fast kernels'
 * gathers: a tap of a few channels is a few bytes, and a libc call per tap
 * would cost more than the copy. Lengths of 4 to 15 are two overlapping
 * fixed-size moves, which compile to single loads and stores.
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
