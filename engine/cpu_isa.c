/* SPDX-License-Identifier: Apache-2.0 */
/* cpu_isa.c — run-time choice of the kernel variants (see cpu_isa.h). */
#include "cpu_isa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
#endif

static const char *const isa_names[SPRY_ISA_COUNT] = {
    [SPRY_ISA_REFERENCE] = "reference", [SPRY_ISA_PORTABLE] = "portable",
    [SPRY_ISA_AVX2] = "avx2",           [SPRY_ISA_NEON] = "neon",
    [SPRY_ISA_NEON_DOT] = "neondot",
};

const char *spry_isa_name(SpryIsa isa) {
  return (unsigned)isa < SPRY_ISA_COUNT ? isa_names[isa] : NULL;
}

bool spry_isa_supported(SpryIsa isa) {
  switch (isa) {
    case SPRY_ISA_REFERENCE:
    case SPRY_ISA_PORTABLE:
      return true;
    case SPRY_ISA_AVX2:
#if defined(__x86_64__) && defined(__GNUC__)
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
      return false;
#endif
    case SPRY_ISA_NEON:
#if defined(__aarch64__)
      return true; /* Advanced SIMD is part of the aarch64 base architecture */
#else
      return false;
#endif
    case SPRY_ISA_NEON_DOT:
#if defined(__aarch64__) && defined(__linux__)
      return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#else
      return false;
#endif
    case SPRY_ISA_COUNT:
      break;
  }
  return false;
}

SpryIsa spry_isa_best(void) {
  for (int isa = SPRY_ISA_COUNT - 1; isa > SPRY_ISA_PORTABLE; isa--)
    if (spry_isa_supported((SpryIsa)isa)) return (SpryIsa)isa;
  return SPRY_ISA_PORTABLE;
}

SpryStatus spry_isa_select(SpryIsa *out) {
  *out = spry_isa_best();
  const char *wanted = getenv("SPRY_ISA");
  if (!wanted || !*wanted) return SPRY_OK;
  char supported[96] = "";
  size_t used = 0;
  for (int isa = 0; isa < SPRY_ISA_COUNT; isa++) {
    if (strcmp(wanted, isa_names[isa]) == 0 && spry_isa_supported((SpryIsa)isa)) {
      *out = (SpryIsa)isa;
      return SPRY_OK;
    }
    if (spry_isa_supported((SpryIsa)isa) && used < sizeof supported) {
      const int n = snprintf(supported + used, sizeof supported - used, "%s%s",
                             used ? ", " : "", isa_names[isa]);
      if (n > 0) used += (size_t)n;
    }
  }
  return spry_set_error(SPRY_ERROR_INVALID_ARGUMENT,
                        "SPRY_ISA=%s: not a kernel variant this CPU runs (it runs: %s)", wanted,
                        supported);
}
