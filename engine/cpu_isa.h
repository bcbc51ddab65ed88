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

#endif /* SPRY_ENGINE_CPU_ISA_H */
