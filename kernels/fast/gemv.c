/* SPDX-License-Identifier: Apache-2.0 */
/* gemv.c — picks the matrix x vector table of a variant (see gemv.h). */
#include "gemv.h"

#include <stddef.h>

const SpryMatvecOps *spry_gemv_ops(SpryIsa isa) {
  switch (isa) {
    case SPRY_ISA_REFERENCE:
    case SPRY_ISA_COUNT:
      return NULL;
#if defined(SPRY_HAVE_AVX2)
    case SPRY_ISA_AVX2:
    case SPRY_ISA_AVX512_VNNI: /* one row at a time: AVX2 serves both */
      return &spry_gemv_avx2;
#endif
#if defined(SPRY_HAVE_NEON)
    case SPRY_ISA_NEON:
    case SPRY_ISA_NEON_DOT: /* SDOT would need its own build flags; plain NEON serves both */
      return &spry_gemv_neon;
#endif
    default:
      return &spry_gemv_portable;
  }
}
