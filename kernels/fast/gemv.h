/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gemv.h — SIMD matrix x vector products for the recurrent steps (LSTM:
 * float, hybrid and 8x8_16 integer), one table per instruction set in
 * gemv_<isa>.c, in the form kernels/reference/matvec_ops.h defines.
 *
 * Float rows are summed in several lanes and then reduced, so results differ
 * from the reference's left-to-right sum by rounding only. int8 dot products
 * widen each product exactly and add in wrapping int32 lanes: the same sum
 * as the reference modulo 2^32, hence bit-exact.
 */
#ifndef SPRY_KERNELS_FAST_GEMV_H
#define SPRY_KERNELS_FAST_GEMV_H

#include "cpu_isa.h"
#include "reference/matvec_ops.h"

/* The table for a variant; NULL for SPRY_ISA_REFERENCE (keep the reference
 * products). */
const SpryMatvecOps *spry_gemv_ops(SpryIsa isa);

/* The per-ISA tables (gemv_<isa>.c). */
extern const SpryMatvecOps spry_gemv_portable;
#if defined(SPRY_HAVE_AVX2)
extern const SpryMatvecOps spry_gemv_avx2;
#endif
#if defined(SPRY_HAVE_NEON)
extern const SpryMatvecOps spry_gemv_neon;
#endif

#endif /* SPRY_KERNELS_FAST_GEMV_H */
