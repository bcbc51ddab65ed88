/* SPDX-License-Identifier: Apache-2.0 */
/*
 * softmax_exp.h — the exponential of the SIMD float SOFTMAX kernels, for
 * arguments x <= 0 (and NaN, which it passes on). Every SIMD variant
 * computes it the same way, lane by lane:
 *   x = n ln2 + r with n = round(x / ln2) and |r| <= ln2 / 2 (ln2 split in
 *   a high part with few bits, so n * SPRY_EXP_LN2_HI is exact, and the
 *   rest); exp(r) by its Taylor polynomial of degree 6 (truncation error
 *   below 2e-7 relative on that interval); 2^n built in the exponent bits.
 * Arguments below SPRY_EXP_MIN give 0: there 2^n would leave the normal
 * range, and exp(x) < 1.2e-38 is 0 to the softmax tolerance (an exact 0
 * also keeps a row of -inf at 0/0 = NaN, as the reference's expf does).
 * tests/kernels/test_fast_softmax.c measures each variant's relative error
 * against exp in double over [-87.3, 0] (2.3e-7 for AVX2 and NEON) and
 * requires at most 1e-6.
 */
#ifndef SPRY_KERNELS_FAST_SOFTMAX_EXP_H
#define SPRY_KERNELS_FAST_SOFTMAX_EXP_H

#define SPRY_EXP_MIN (-87.33654f) /* ln(2^-126) */
#define SPRY_EXP_LOG2E 1.44269504f
#define SPRY_EXP_LN2_HI 0.693359375f    /* 355 / 512 */
#define SPRY_EXP_LN2_LO (-2.12194440e-4f) /* ln2 - 355 / 512 */
/* 1/k! for the polynomial 1 + r (1 + r (C2 + r (C3 + r (C4 + r (C5 + r C6))))). */
#define SPRY_EXP_C2 (1.0f / 2)
#define SPRY_EXP_C3 (1.0f / 6)
#define SPRY_EXP_C4 (1.0f / 24)
#define SPRY_EXP_C5 (1.0f / 120)
#define SPRY_EXP_C6 (1.0f / 720)

#endif /* SPRY_KERNELS_FAST_SOFTMAX_EXP_H */
