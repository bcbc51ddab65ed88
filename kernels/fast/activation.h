/* SPDX-License-Identifier: Apache-2.0 */
/*
 * activation.h — the fast path of the one-input elementwise ops (RELU,
 * RELU6, RELU_N1_TO_1, RELU_0_TO_1, LEAKY_RELU, HARD_SWISH, LOGISTIC, TANH,
 * ABS, ...), keyed on the reference run the op prepared (unary_op.h):
 *
 *   float32   per-ISA vector kernels. The ReLU family, LEAKY_RELU and
 *             HARD_SWISH do the reference's IEEE operations in its order
 *             (identical results, NaN and -0 included). LOGISTIC and TANH
 *             evaluate exp with a polynomial (below) and stay within
 *             1e-5 * (1 + max |reference|) of libm's (1.2e-7 measured,
 *             tests/kernels/test_fast_elementwise.c).
 *   8-bit     a 256-entry table indexed by the stored byte: the reference's
 *             own loop run once, at prepare, over all 256 byte values, so the
 *             table holds exactly what the reference computes. Ops that
 *             already use a table (lut.h) keep theirs, looked up here.
 *
 * Other element functions (ELU, GELU, the math ops on float32) and int16
 * keep the reference loop. Work is split over threads in contiguous shares
 * (elementwise.h), which never changes a result.
 *
 * exp(t) for t <= 0, as the LOGISTIC and TANH kernels compute it: t is
 * clamped to SPRY_EXP_MIN, n = floor(t * log2(e) + 1/2), r = t - n * ln 2
 * with ln 2 split in two so that r is exact to float precision
 * (|r| <= ln(2) / 2), exp(r) by its Taylor series to r^7 (truncation error
 * below 1e-8 relative), times 2^n built in the exponent bits.
 */
#ifndef SPRY_KERNELS_FAST_ACTIVATION_H
#define SPRY_KERNELS_FAST_ACTIVATION_H

#include <stddef.h>
#include <stdint.h>

#include "cpu_isa.h"
#include "reference/activations.h"
#include "spry/op.h"
#include "unary_op.h"

/* exp's argument floor: exp(-87) is still a normal float, and 2^n with
 * n >= -126 fits the exponent field. */
#define SPRY_EXP_MIN (-87.0f)
#define SPRY_EXP_LOG2E 1.44269504088896341f
/* ln 2 = SPRY_EXP_LN2_HI + SPRY_EXP_LN2_LO; the high part has 9 significant
 * bits, so n * SPRY_EXP_LN2_HI is exact for |n| <= 126. */
#define SPRY_EXP_LN2_HI 0.693359375f
#define SPRY_EXP_LN2_LO (-2.12194440e-4f)
/* Taylor coefficients 1/k! of exp, k = 2..7. */
#define SPRY_EXP_C2 (1.0f / 2.0f)
#define SPRY_EXP_C3 (1.0f / 6.0f)
#define SPRY_EXP_C4 (1.0f / 24.0f)
#define SPRY_EXP_C5 (1.0f / 120.0f)
#define SPRY_EXP_C6 (1.0f / 720.0f)
#define SPRY_EXP_C7 (1.0f / 5040.0f)
/* Below this |x|, tanh(x) rounds to x. */
#define SPRY_TANH_TINY 0x1p-12f

typedef enum SpryActKind {
  SPRY_ACT_CLAMP,      /* spry_act_clamp_f32: the ReLU family */
  SPRY_ACT_LEAKY_RELU, /* spry_act_leaky_relu_f32 */
  SPRY_ACT_HARD_SWISH, /* spry_act_hard_swish_f32 */
  SPRY_ACT_LOGISTIC,   /* spry_logistic_f32 */
  SPRY_ACT_TANH,       /* spry_tanh_f32 */
  SPRY_ACT_KIND_COUNT
} SpryActKind;

/* out[i] = f(in[i]) for i < n; in may be out. */
typedef void (*SpryActFn)(const SpryActF32Params *p, const float *in, float *out, size_t n);
/* output[i] = table[input[i]] for i < count; input may be output (the
 * form of lut.h's spry_lut8_apply, which variants without a vector lookup
 * use). */
typedef void (*SpryLut8Fn)(const uint8_t table[256], size_t count, const uint8_t *input,
                           uint8_t *output);

/* Defines body_clamp, body_leaky_relu, ... : SpryActFn entry points that
 * call body(p, in, out, n, kind) with the kind constant. SPRY_ACT_ENTRIES
 * lists them in SpryActKind order. */
#define SPRY_ACT_KERNEL_(body, suffix, kind)                                               \
  static void body##_##suffix(const SpryActF32Params *p, const float *in, float *out,      \
                              size_t n) {                                                  \
    body(p, in, out, n, kind);                                                             \
  }
#define SPRY_ACT_KERNELS(body)                               \
  SPRY_ACT_KERNEL_(body, clamp, SPRY_ACT_CLAMP)              \
  SPRY_ACT_KERNEL_(body, leaky_relu, SPRY_ACT_LEAKY_RELU)    \
  SPRY_ACT_KERNEL_(body, hard_swish, SPRY_ACT_HARD_SWISH)    \
  SPRY_ACT_KERNEL_(body, logistic, SPRY_ACT_LOGISTIC)        \
  SPRY_ACT_KERNEL_(body, tanh, SPRY_ACT_TANH)
#define SPRY_ACT_ENTRIES(body)                                                       \
  {                                                                                  \
    [SPRY_ACT_CLAMP] = body##_clamp, [SPRY_ACT_LEAKY_RELU] = body##_leaky_relu,      \
    [SPRY_ACT_HARD_SWISH] = body##_hard_swish, [SPRY_ACT_LOGISTIC] = body##_logistic, \
    [SPRY_ACT_TANH] = body##_tanh                                                    \
  }

typedef struct SpryActKernels {
  SpryActFn fn[SPRY_ACT_KIND_COUNT];
  SpryLut8Fn lut8;
} SpryActKernels;

extern const SpryActKernels spry_act_kernels_portable;
extern const SpryActKernels spry_act_kernels_avx2;
extern const SpryActKernels spry_act_kernels_neon;

/* The kernels of a variant; NULL for SPRY_ISA_REFERENCE. */
const SpryActKernels *spry_act_kernels(SpryIsa isa);

/* A prepared node (persistent memory). */
typedef struct SpryFastUnary SpryFastUnary;

/* Sets up the fast path for a node whose reference run is prepared, over
 * `count` elements of `type`. *out stays NULL, and SPRY_OK is returned,
 * where the fast path does not apply. */
SpryStatus spry_fast_unary_prepare(SpryContext *ctx, const SpryUnaryRun *run, SpryType type,
                                   size_t count, const SpryFastUnary **out);

void spry_fast_unary_run(SpryContext *ctx, const SpryFastUnary *f, const void *input,
                         void *output);

#endif /* SPRY_KERNELS_FAST_ACTIVATION_H */
