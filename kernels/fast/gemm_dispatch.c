/* SPDX-License-Identifier: Apache-2.0 */
/* gemm_dispatch.c — the micro-kernel table of each variant, and its one-row
 * requantization. */
#include "gemm.h"

const SpryGemmKernels *spry_gemm_kernels(SpryIsa isa) {
  static const void *const variants[SPRY_ISA_COUNT] = {
      [SPRY_ISA_PORTABLE] = &spry_gemm_portable,
      [SPRY_ISA_AVX2] = SPRY_AVX2_VARIANT(&spry_gemm_avx2),
      [SPRY_ISA_AVX512_VNNI] = SPRY_AVX512_VNNI_VARIANT(&spry_gemm_avx512vnni),
      [SPRY_ISA_NEON] = SPRY_NEON_VARIANT(&spry_gemm_neon),
      [SPRY_ISA_NEON_DOT] = SPRY_NEON_DOT_VARIANT(&spry_gemm_neondot),
  };
  return spry_isa_variant(isa, variants);
}

SpryQgemmRequantFn spry_qgemm_requant_kernel(SpryIsa isa) {
  static const SpryAnyFn variants[SPRY_ISA_COUNT] = {
      [SPRY_ISA_PORTABLE] = (SpryAnyFn)spry_qgemm_requant_portable,
      [SPRY_ISA_AVX2] = SPRY_AVX2_VARIANT((SpryAnyFn)spry_qgemm_requant_avx2),
      [SPRY_ISA_NEON] = SPRY_NEON_VARIANT((SpryAnyFn)spry_qgemm_requant_neon),
  };
  return (SpryQgemmRequantFn)spry_isa_fn_variant(isa, variants);
}
