/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cpu_isa.h — which kernel variants this process runs: the instruction set
 * the fast kernels are compiled for, picked from the CPU's features when an
 * interpreter is created. SPRY_ISA in the environment picks one by name
 * (`reference`, `portable`, `avx2`, `avx512vnni`, `neon`, `neondot`) to
 * debug a variant; `reference` turns every fast path off, `portable` keeps
 * the fast paths' plain C. The best variant is the last in the enum the CPU
 * runs: a variant that extends another (neondot NEON, avx512vnni AVX2) comes
 * after it and runs the other's kernels wherever it has none of its own.
 * Engine-private: kernels include it, applications do not.
 */
#ifndef SPRY_ENGINE_CPU_ISA_H
#define SPRY_ENGINE_CPU_ISA_H

#include <stdbool.h>

#include "spry/op.h"

typedef enum SpryIsa {
  SPRY_ISA_REFERENCE = 0, /* the reference kernels only */
  SPRY_ISA_PORTABLE,      /* fast kernels in plain C */
  SPRY_ISA_AVX2,          /* x86-64 AVX2 + FMA */
  SPRY_ISA_NEON,          /* aarch64 Advanced SIMD */
  SPRY_ISA_NEON_DOT,      /* aarch64 Advanced SIMD with SDOT/UDOT (Armv8.2 dotprod) */
  SPRY_ISA_AVX512_VNNI,   /* x86-64 AVX-512 F/BW/VL/DQ with VPDPBUSD, and AVX2 + FMA */
  SPRY_ISA_COUNT,
} SpryIsa;

/* "avx2", ...; NULL for a value out of range. */
const char *spry_isa_name(SpryIsa isa);

/* Whether this build and this CPU can run the variant. */
bool spry_isa_supported(SpryIsa isa);

/* The fastest variant this build and CPU run. */
SpryIsa spry_isa_best(void);

/* The variant for a new interpreter: SPRY_ISA when set, else the best. Fails
 * with a message naming the supported ones when SPRY_ISA names an unknown
 * variant or one this CPU cannot run. */
SpryStatus spry_isa_select(SpryIsa *out);

/* The variant the node's interpreter runs. */
SpryIsa spry_context_isa(const SpryContext *ctx);

/* Where a kernel family has no variant of its own for `isa`, the ISA whose
 * variant it runs: AVX-512 VNNI the AVX2 one, NEON with dot products the
 * NEON one, those two the portable C. SPRY_ISA_REFERENCE, the end, after
 * the portable C and for the reference or a value out of range. */
SpryIsa spry_isa_fallback(SpryIsa isa);

/* A kernel family's variant for `isa` from its table indexed by SpryIsa
 * (NULL where the family, or this build, has none): the ISA's own, else
 * its fallbacks' in turn; NULL for SPRY_ISA_REFERENCE. */
const void *spry_isa_variant(SpryIsa isa, const void *const variants[SPRY_ISA_COUNT]);

/* spry_isa_variant over a family with the usual three tables, named
 * PREFIX_portable, PREFIX_avx2 and PREFIX_neon. */
#define SPRY_ISA_TABLE(isa, prefix)                                                   \
  spry_isa_variant((isa), (const void *const[SPRY_ISA_COUNT]){                        \
                              [SPRY_ISA_PORTABLE] = &prefix##_portable,               \
                              [SPRY_ISA_AVX2] = SPRY_AVX2_VARIANT(&prefix##_avx2),    \
                              [SPRY_ISA_NEON] = SPRY_NEON_VARIANT(&prefix##_neon)})

/* The same for a family of single functions, stored as SpryAnyFn (the
 * type every function pointer converts to and back from). */
typedef void (*SpryAnyFn)(void);
SpryAnyFn spry_isa_fn_variant(SpryIsa isa, const SpryAnyFn variants[SPRY_ISA_COUNT]);

/* A variants table's entry for a variant that builds may lack: NULL where
 * this one does. */
#if defined(SPRY_HAVE_AVX2)
#define SPRY_AVX2_VARIANT(v) (v)
#else
#define SPRY_AVX2_VARIANT(v) NULL
#endif
#if defined(SPRY_HAVE_AVX512_VNNI)
#define SPRY_AVX512_VNNI_VARIANT(v) (v)
#else
#define SPRY_AVX512_VNNI_VARIANT(v) NULL
#endif
#if defined(SPRY_HAVE_NEON)
#define SPRY_NEON_VARIANT(v) (v)
#else
#define SPRY_NEON_VARIANT(v) NULL
#endif
#if defined(SPRY_HAVE_NEON_DOT)
#define SPRY_NEON_DOT_VARIANT(v) (v)
#else
#define SPRY_NEON_DOT_VARIANT(v) NULL
#endif

#endif /* SPRY_ENGINE_CPU_ISA_H */
