/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unary_op.h — the glue every one-input, one-output elementwise op shares
 * (activations, LOGISTIC/TANH, math functions, CAST): the end of prepare
 * (element count, output shaped like the input) and the start of invoke
 * (tensors present, buffers as large as planned), and the run of the
 * float32 / quantized / lookup-table reference paths.
 */
#ifndef SPRY_KERNELS_UNARY_OP_H
#define SPRY_KERNELS_UNARY_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reference/unary.h"
#include "spry/op.h"

/* How an op computes its elements, chosen in prepare. */
typedef enum SpryUnaryPath {
  SPRY_UNARY_F32,   /* f32(x, f32_params) on float32 */
  SPRY_UNARY_HALF,  /* f32(x, f32_params) on float16 or bfloat16 (half_type) */
  SPRY_UNARY_Q,     /* q(x, q_params) on uint8/int8/int16 */
  SPRY_UNARY_LUT,   /* lut[x] on 8-bit bytes */
  SPRY_UNARY_LUT16, /* interpolated lut16 lookup on int16 */
  SPRY_UNARY_OTHER  /* the op runs its own kernel */
} SpryUnaryPath;

typedef struct SpryUnaryRun {
  SpryUnaryPath path;
  SpryUnaryF32Fn f32;
  const void *f32_params;
  SpryUnaryQFn q;
  const void *q_params;
  SpryQType qtype;
  SpryType half_type;
  const uint8_t *lut;   /* 256 entries */
  const int16_t *lut16; /* SPRY_LUT16_SIZE entries */
} SpryUnaryRun;

/* The start of prepare: one input, one output (both returned), and with
 * same_type, the same type on both. */
SpryStatus spry_unary_begin_prepare(SpryContext *ctx, const SpryNode *node, bool same_type,
                                    const SpryTensor **in, SpryTensor **out);

/* Counts the input's elements into *count and gives the output its shape. */
SpryStatus spry_unary_finish_prepare(SpryContext *ctx, const SpryTensor *in, SpryTensor *out,
                                     size_t *count);

/* Input 0 and output 0 of the node, checked to hold `count` elements. */
SpryStatus spry_unary_tensors(SpryContext *ctx, const SpryNode *node, size_t count,
                              const SpryTensor **in, SpryTensor **out);

/* Runs the F32, HALF, Q, LUT or LUT16 path over `count` elements (OTHER does nothing). */
void spry_unary_run(const SpryUnaryRun *run, size_t count, const void *in, void *out);

#endif /* SPRY_KERNELS_UNARY_OP_H */
