/* SPDX-License-Identifier: Apache-2.0 */
/* gemv.c — picks the matrix x vector table of a variant (see gemv.h). */
#include "gemv.h"

#include <stddef.h>

/* One row at a time: neither VNNI nor SDOT (which would need build flags
 * of their own) has kernels here; AVX2's and NEON's serve them. */
const SpryMatvecOps *spry_gemv_ops(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_gemv);
}
