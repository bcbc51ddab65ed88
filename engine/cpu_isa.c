/* SPDX-License-Identifier: Apache-2.0 */
/* cpu_isa.c — run-time choice of the kernel variants (see cpu_isa.h). */
#include "cpu_isa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
#endif

static const char *const isa_names[SPRY_ISA_COUNT] = {
    [SPRY_ISA_REFERENCE] = "reference", [SPRY_ISA_PORTABLE] = "portable",
    [SPRY_ISA_AVX2] = "avx2",           [SPRY_ISA_NEON] = "neon",
    [SPRY_ISA_NEON_DOT] = "neondot",    [SPRY_ISA_AVX512_VNNI] = "avx512vnni",
};

#if defined(__x86_64__) && defined(__GNUC__)
/* The OS's enabled state components (XCR0); CPUID's OSXSAVE bit says
 * XGETBV may run. */
__attribute__((target("xsave"))) static unsigned long long enabled_state(void) {
  return _xgetbv(0);
}

/* AVX2 and FMA, and an OS that saves the YMM registers, read straight from
 * CPUID (leaf 1: FMA, OSXSAVE, AVX; leaf 7: AVX2). Cheaper in code size than
 * the compiler's feature table, which links a whole CPU model. */
static bool x86_has_avx2_fma(void) {
  unsigned int a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const unsigned int fma = 1u << 12, osxsave = 1u << 27, avx = 1u << 28;
  if ((c & (fma | osxsave | avx)) != (fma | osxsave | avx)) return false;
  if ((enabled_state() & 0x6) != 0x6) return false; /* XMM and YMM state */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return (b & (1u << 5)) != 0; /* AVX2 */
}

/* AVX-512 F, DQ, BW and VL with VNNI (CPUID leaf 7: EBX bits 16, 17, 30,
 * 31; ECX bit 11), an OS that saves the opmask and all 32 ZMM registers
 * (XCR0 bits 5, 6, 7 besides XMM and YMM), and AVX2 + FMA, whose kernels
 * the variant runs wherever it has none of its own. */
static bool x86_has_avx512_vnni(void) {
  if (!x86_has_avx2_fma()) return false; /* also checks that XGETBV may run */
  const unsigned long long zmm_state = 0x6 | 0xE0;
  if ((enabled_state() & zmm_state) != zmm_state) return false;
  unsigned int a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const unsigned int avx512 = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);
  return (b & avx512) == avx512 && (c & (1u << 11)) != 0;
}
#endif

const char *spry_isa_name(SpryIsa isa) {
  return (unsigned)isa < SPRY_ISA_COUNT ? isa_names[isa] : NULL;
}

SpryIsa spry_isa_fallback(SpryIsa isa) {
  switch (isa) {
    case SPRY_ISA_AVX512_VNNI: return SPRY_ISA_AVX2;
    case SPRY_ISA_NEON_DOT: return SPRY_ISA_NEON;
    case SPRY_ISA_AVX2:
    case SPRY_ISA_NEON: return SPRY_ISA_PORTABLE;
    default: return SPRY_ISA_REFERENCE;
  }
}

/* Whether the walk along the fallbacks goes on: it ends at the reference
 * (or a value out of range). */
static bool in_chain(SpryIsa isa) { return isa > SPRY_ISA_REFERENCE && isa < SPRY_ISA_COUNT; }

const void *spry_isa_variant(SpryIsa isa, const void *const variants[SPRY_ISA_COUNT]) {
  for (; in_chain(isa); isa = spry_isa_fallback(isa))
    if (variants[isa]) return variants[isa];
  return NULL;
}

SpryAnyFn spry_isa_fn_variant(SpryIsa isa, const SpryAnyFn variants[SPRY_ISA_COUNT]) {
  for (; in_chain(isa); isa = spry_isa_fallback(isa))
    if (variants[isa]) return variants[isa];
  return NULL;
}

bool spry_isa_supported(SpryIsa isa) {
  switch (isa) {
    case SPRY_ISA_REFERENCE:
    case SPRY_ISA_PORTABLE:
      return true;
    case SPRY_ISA_AVX2:
#if defined(__x86_64__) && defined(__GNUC__)
      return x86_has_avx2_fma();
#else
      return false;
#endif
    case SPRY_ISA_AVX512_VNNI:
#if defined(__x86_64__) && defined(__GNUC__)
      return x86_has_avx512_vnni();
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
