/* SPDX-License-Identifier: Apache-2.0 */
/* activation.c — picks and runs the fast path of a unary elementwise op (see activation.h). */
#include "activation.h"

#include "elementwise.h"
#include "reference/logistic_tanh.h"

struct SpryFastUnary {
  SpryActFn f32;            /* float32 kernel, or NULL */
  SpryLut8Fn lut8;          /* 8-bit: the table lookup */
  SpryActF32Params params;  /* float32: the reference's parameters, copied */
  const uint8_t *table;     /* 8-bit: 256 entries indexed by the stored byte */
  size_t count;
};

const SpryActKernels *spry_act_kernels(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_act_kernels);
}

/* The float kernel standing for a reference element function, or -1. */
static int float_kind(SpryUnaryF32Fn fn) {
  static const struct {
    SpryUnaryF32Fn reference;
    SpryActKind kind;
  } kinds[] = {
      {spry_act_clamp_f32, SPRY_ACT_CLAMP},
      {spry_act_leaky_relu_f32, SPRY_ACT_LEAKY_RELU},
      {spry_act_hard_swish_f32, SPRY_ACT_HARD_SWISH},
      {spry_logistic_f32, SPRY_ACT_LOGISTIC},
      {spry_tanh_f32, SPRY_ACT_TANH},
  };
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (kinds[i].reference == fn) return (int)kinds[i].kind;
  return -1;
}

/* The table of a quantized element function: the reference loop over every
 * byte value. */
static const uint8_t *tabulate(SpryContext *ctx, const SpryUnaryRun *run) {
  uint8_t *table = spry_context_alloc_persistent(ctx, 256);
  if (!table) return NULL;
  uint8_t bytes[256];
  for (int i = 0; i < 256; i++) bytes[i] = (uint8_t)i;
  spry_ref_unary_q(run->q, run->q_params, run->qtype, 256, bytes, table);
  return table;
}

SpryStatus spry_fast_unary_prepare(SpryContext *ctx, const SpryUnaryRun *run, SpryType type,
                                   size_t count, const SpryFastUnary **out) {
  *out = NULL;
  const SpryActKernels *kernels = spry_act_kernels(spry_context_isa(ctx));
  if (!kernels) return SPRY_OK;
  const bool is8 = type == SPRY_TYPE_UINT8 || type == SPRY_TYPE_INT8;
  const int kind = run->path == SPRY_UNARY_F32 && type == SPRY_TYPE_FLOAT32 ? float_kind(run->f32)
                                                                            : -1;
  const bool table = is8 && (run->path == SPRY_UNARY_Q || run->path == SPRY_UNARY_LUT);
  if ((kind < 0 || !kernels->fn[kind]) && !table) return SPRY_OK;
  SpryFastUnary *f = spry_context_alloc_persistent(ctx, sizeof *f);
  if (!f) return SPRY_ERROR_OUT_OF_MEMORY;
  f->count = count;
  if (!table) {
    f->f32 = kernels->fn[kind];
    if (run->f32_params) f->params = *(const SpryActF32Params *)run->f32_params;
  } else {
    f->lut8 = kernels->lut8;
    f->table = run->path == SPRY_UNARY_LUT ? run->lut : tabulate(ctx, run);
    if (!f->table) return SPRY_ERROR_OUT_OF_MEMORY;
  }
  *out = f;
  return SPRY_OK;
}

typedef struct UnaryJob {
  const SpryFastUnary *f;
  const void *in;
  void *out;
} UnaryJob;

static void unary_range(void *arg, size_t begin, size_t end) {
  const UnaryJob *job = arg;
  const SpryFastUnary *f = job->f;
  if (f->f32)
    f->f32(&f->params, (const float *)job->in + begin, (float *)job->out + begin, end - begin);
  else
    f->lut8(f->table, end - begin, (const uint8_t *)job->in + begin, (uint8_t *)job->out + begin);
}

void spry_fast_unary_run(SpryContext *ctx, const SpryFastUnary *f, const void *input,
                         void *output) {
  UnaryJob job = {.f = f, .in = input, .out = output};
  spry_elt_parallel(ctx, f->count, unary_range, &job);
}
