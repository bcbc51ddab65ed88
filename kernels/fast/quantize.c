/* SPDX-License-Identifier: Apache-2.0 */
/* quantize.c — picks and runs the fast path of QUANTIZE and DEQUANTIZE (see quantize.h). */
#include "quantize.h"

#include "activation.h"
#include "elementwise.h"

typedef enum FastQuantizePath {
  FAST_QUANTIZE_FLOAT, /* float32 -> 8-bit kernel */
  FAST_QUANTIZE_BYTES, /* 8-bit -> 8-bit table */
  FAST_QUANTIZE_FLOATS, /* 8-bit -> float32 table */
} FastQuantizePath;

struct SpryFastQuantize {
  FastQuantizePath path;
  SpryQuantizeFn quantize;
  float scale;
  int32_t zero_point;
  SpryLut8Fn lut8;
  const void *table; /* 256 bytes or floats, indexed by the stored byte */
  size_t count;
};

const SpryQuantizeKernels *spry_quantize_kernels(SpryIsa isa) {
  return SPRY_ISA_TABLE(isa, spry_quantize_kernels);
}

static bool is_8bit(SpryType t) { return t == SPRY_TYPE_UINT8 || t == SPRY_TYPE_INT8; }

/* The reference's results for every byte value: out[b] for input byte b. */
static const void *tabulate(SpryContext *ctx, const SpryQuantizeParams *quant,
                            const SpryRequantizeParams *requant, SpryType input_type,
                            SpryType output_type) {
  const bool floats = output_type == SPRY_TYPE_FLOAT32;
  void *table = spry_context_alloc_persistent(ctx, 256 * (floats ? sizeof(float) : 1));
  if (!table) return NULL;
  uint8_t bytes[256];
  for (int i = 0; i < 256; i++) bytes[i] = (uint8_t)i;
  if (floats)
    spry_ref_dequantize(quant, 256, input_type, bytes, table);
  else
    spry_ref_requantize(requant, 256, input_type, bytes, output_type, table);
  return table;
}

SpryStatus spry_fast_quantize_prepare(SpryContext *ctx, const SpryQuantizeParams *quant,
                                      const SpryRequantizeParams *requant, SpryType input_type,
                                      SpryType output_type, size_t count,
                                      const SpryFastQuantize **out) {
  *out = NULL;
  const SpryIsa isa = spry_context_isa(ctx);
  const SpryQuantizeKernels *kernels = spry_quantize_kernels(isa);
  const bool from_float = input_type == SPRY_TYPE_FLOAT32;
  const bool to_float = output_type == SPRY_TYPE_FLOAT32;
  bool applies;
  if (from_float)
    applies = is_8bit(output_type) && !quant->scales;
  else if (to_float)
    applies = is_8bit(input_type) && !quant->scales;
  else
    applies = is_8bit(input_type) && is_8bit(output_type);
  if (!kernels || !applies) return SPRY_OK;
  SpryFastQuantize *q = spry_context_alloc_persistent(ctx, sizeof *q);
  if (!q) return SPRY_ERROR_OUT_OF_MEMORY;
  q->count = count;
  if (from_float) {
    q->path = FAST_QUANTIZE_FLOAT;
    q->quantize = output_type == SPRY_TYPE_UINT8 ? kernels->to_u8 : kernels->to_s8;
    q->scale = quant->scale;
    q->zero_point = quant->zero_point;
  } else {
    q->path = to_float ? FAST_QUANTIZE_FLOATS : FAST_QUANTIZE_BYTES;
    q->lut8 = spry_act_kernels(isa)->lut8;
    q->table = tabulate(ctx, quant, requant, input_type, output_type);
    if (!q->table) return SPRY_ERROR_OUT_OF_MEMORY;
  }
  *out = q;
  return SPRY_OK;
}

typedef struct QuantizeJob {
  const SpryFastQuantize *q;
  const void *in;
  void *out;
} QuantizeJob;

static void quantize_range(void *arg, size_t begin, size_t end) {
  const QuantizeJob *job = arg;
  const SpryFastQuantize *q = job->q;
  const uint8_t *bytes = job->in;
  switch (q->path) {
    case FAST_QUANTIZE_FLOAT:
      q->quantize(q->scale, q->zero_point, (const float *)job->in + begin,
                  (uint8_t *)job->out + begin, end - begin);
      break;
    case FAST_QUANTIZE_BYTES:
      q->lut8(q->table, end - begin, bytes + begin, (uint8_t *)job->out + begin);
      break;
    case FAST_QUANTIZE_FLOATS: {
      const float *table = q->table;
      float *out = job->out;
      for (size_t i = begin; i < end; i++) out[i] = table[bytes[i]];
      break;
    }
  }
}

void spry_fast_quantize_run(SpryContext *ctx, const SpryFastQuantize *q, const void *input,
                            void *output) {
  QuantizeJob job = {.q = q, .in = input, .out = output};
  spry_elt_parallel(ctx, q->count, quantize_range, &job);
}
