/* SPDX-License-Identifier: Apache-2.0 */
/* gemm_dispatch.c — the micro-kernel table of each variant, and its one-row
 * requantization. */
#include "gemm.h"

const SpryGemmKernels *spry_gemm_kernels(SpryIsa isa) {
  switch (isa) {
    case SPRY_ISA_REFERENCE:
    case SPRY_ISA_COUNT:
      return NULL;
#if defined(SPRY_HAVE_AVX2)
    case SPRY_ISA_AVX2:
      return &spry_gemm_avx2;
#endif
#if defined(SPRY_HAVE_AVX512_VNNI)
    case SPRY_ISA_AVX512_VNNI:
      return &spry_gemm_avx512vnni;
#elif defined(SPRY_HAVE_AVX2)
    case SPRY_ISA_AVX512_VNNI: /* no VNNI kernels built: an AVX-512 CPU runs AVX2's */
      return &spry_gemm_avx2;
#endif
#if defined(SPRY_HAVE_NEON)
    case SPRY_ISA_NEON:
      return &spry_gemm_neon;
#endif
#if defined(SPRY_HAVE_NEON_DOT)
    case SPRY_ISA_NEON_DOT:
      return &spry_gemm_neondot;
#elif defined(SPRY_HAVE_NEON)
    case SPRY_ISA_NEON_DOT: /* no dot-product kernels built: a dotprod CPU runs NEON's */
      return &spry_gemm_neon;
#endif
    default:
      return &spry_gemm_portable;
  }
}

SpryQgemmRequantFn spry_qgemm_requant_kernel(SpryIsa isa) {
  switch (isa) {
    case SPRY_ISA_REFERENCE:
    case SPRY_ISA_COUNT:
      return NULL;
#if defined(SPRY_HAVE_AVX2)
    case SPRY_ISA_AVX2:
    case SPRY_ISA_AVX512_VNNI:
      return spry_qgemm_requant_avx2;
#endif
#if defined(SPRY_HAVE_NEON)
    case SPRY_ISA_NEON:
    case SPRY_ISA_NEON_DOT:
      return spry_qgemm_requant_neon;
#endif
    default:
      return spry_qgemm_requant_portable;
  }
}
