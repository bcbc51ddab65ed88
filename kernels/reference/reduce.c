/* SPDX-License-Identifier: Apache-2.0 */
/* reduce.c — reduction shapes and the reference MEAN, SUM, PROD, MAX and MIN loops. */
#include "reduce.h"

#include <float.h>
#include <math.h>

#include "../quantization.h"
#include "elementwise.h"
#include "quant_access.h"

bool spry_reduce_shape_init(SpryReduceShape *shape, int32_t rank, const int32_t *dims,
                            const bool *reduced) {
  if (rank < 0 || rank > SPRY_MAX_RANK) return false;
  size_t strides[SPRY_MAX_RANK];
  size_t count = 1;
  for (int32_t i = rank - 1; i >= 0; i--) {
    if (dims[i] < 0) return false;
    strides[i] = count;
    const size_t d = (size_t)dims[i];
    if (d != 0 && count > SIZE_MAX / d) return false;
    count *= d;
  }
  shape->input_count = count;
  shape->kept_rank = 0;
  shape->reduced_rank = 0;
  shape->output_count = 1;
  shape->reduce_count = 1;
  for (int32_t i = 0; i < rank; i++) {
    if (reduced[i]) {
      shape->reduced_dims[shape->reduced_rank] = dims[i];
      shape->reduced_strides[shape->reduced_rank++] = strides[i];
      shape->reduce_count *= (size_t)dims[i];
    } else {
      shape->kept_dims[shape->kept_rank] = dims[i];
      shape->kept_strides[shape->kept_rank++] = strides[i];
      shape->output_count *= (size_t)dims[i];
    }
  }
  return true;
}

/* Row-major walk over a sub-shape, tracking the input offset it reaches. */
typedef struct Odometer {
  int32_t index[SPRY_MAX_RANK];
  size_t offset;
} Odometer;

static void odometer_start(Odometer *o, size_t base) {
  for (int32_t i = 0; i < SPRY_MAX_RANK; i++) o->index[i] = 0;
  o->offset = base;
}

static void odometer_next(Odometer *o, int32_t rank, const int32_t *dims, const size_t *strides) {
  for (int32_t d = rank - 1; d >= 0; d--) {
    if (++o->index[d] < dims[d]) {
      o->offset += strides[d];
      return;
    }
    o->offset -= strides[d] * (size_t)(dims[d] - 1);
    o->index[d] = 0;
  }
}

static int floor_log2_u64(uint64_t x) {
  int log2 = 0;
  while (x >>= 1) log2++;
  return log2;
}

int32_t spry_reduce_requantize(const SpryMeanParams *params, int64_t sum, int64_t count,
                               int32_t multiplier, int shift) {
  /* TFLite narrows the centred sum to int32 (two's complement wrap). */
  const int32_t centred =
      (int32_t)(uint32_t)(uint64_t)(sum - (int64_t)params->input_zero_point * count);
  const int32_t value = spry_multiply_by_quantized_multiplier(centred, multiplier, shift);
  return (int32_t)((uint32_t)value + (uint32_t)params->output_zero_point);
}

/* Sums each output's inputs, centres the sum on the input zero point and
 * requantizes it with (multiplier, shift), saturating to the output type:
 * the common tail of quantized MEAN and SUM. */
static void requantize_sums(const SpryMeanParams *params, const SpryReduceShape *shape,
                            const void *input, void *output, SpryQType t, int32_t multiplier,
                            int shift) {
  const int64_t count = (int64_t)shape->reduce_count;
  Odometer out;
  odometer_start(&out, 0);
  for (size_t i = 0; i < shape->output_count; i++) {
    int64_t sum = 0;
    Odometer in;
    odometer_start(&in, out.offset);
    for (size_t j = 0; j < shape->reduce_count; j++) {
      sum += spry_load_q(input, t, in.offset);
      odometer_next(&in, shape->reduced_rank, shape->reduced_dims, shape->reduced_strides);
    }
    spry_store_q(output, t, i, spry_reduce_requantize(params, sum, count, multiplier, shift));
    odometer_next(&out, shape->kept_rank, shape->kept_dims, shape->kept_strides);
  }
}

void spry_mean_multiplier(const SpryMeanParams *params, size_t count, int32_t *multiplier,
                          int *shift) {
  /* Fold 1/count into the multiplier, keeping as many bits as the shift
   * budget allows (TFLite's QuantizedMeanOrSum). */
  int bits = floor_log2_u64((uint64_t)count);
  if (bits > 32) bits = 32;
  if (bits > 31 + params->shift) bits = 31 + params->shift;
  if (bits < 0) bits = 0;
  *multiplier = (int32_t)(((int64_t)params->multiplier << bits) / (int64_t)count);
  *shift = params->shift - bits;
}

static void mean_q(const SpryMeanParams *params, const SpryReduceShape *shape, const void *input,
                   void *output, SpryQType t) {
  if (shape->input_count == 0) {
    for (size_t i = 0; i < shape->output_count; i++) spry_store_q(output, t, i, 0);
    return;
  }
  int32_t multiplier = 0;
  int shift = 0;
  spry_mean_multiplier(params, shape->reduce_count, &multiplier, &shift);
  requantize_sums(params, shape, input, output, t, multiplier, shift);
}

void spry_ref_mean_u8(const SpryMeanParams *params, const SpryReduceShape *shape,
                      const uint8_t *input, uint8_t *output) {
  mean_q(params, shape, input, output, SPRY_Q_U8);
}

void spry_ref_mean_s8(const SpryMeanParams *params, const SpryReduceShape *shape,
                      const int8_t *input, int8_t *output) {
  mean_q(params, shape, input, output, SPRY_Q_S8);
}

void spry_ref_mean_s16(const SpryMeanParams *params, const SpryReduceShape *shape,
                       const int16_t *input, int16_t *output) {
  mean_q(params, shape, input, output, SPRY_Q_S16);
}

static float combine_f32(SpryReduceOp op, float acc, float x) {
  switch (op) {
    case SPRY_REDUCE_SUM:
      return x + acc;
    case SPRY_REDUCE_PROD:
      return x * acc;
    case SPRY_REDUCE_MAX:
      return x > acc ? x : acc;
    default:
      return x < acc ? x : acc;
  }
}

void spry_ref_reduce_f32(SpryReduceOp op, const SpryReduceShape *shape, const float *input,
                         float *output) {
  const float init = op == SPRY_REDUCE_SUM    ? 0.0f
                     : op == SPRY_REDUCE_PROD ? 1.0f
                     : op == SPRY_REDUCE_MAX  ? -FLT_MAX
                                              : FLT_MAX;
  Odometer out;
  odometer_start(&out, 0);
  for (size_t i = 0; i < shape->output_count; i++) {
    float acc = init;
    Odometer in;
    odometer_start(&in, out.offset);
    for (size_t j = 0; j < shape->reduce_count; j++) {
      acc = combine_f32(op, acc, input[in.offset]);
      odometer_next(&in, shape->reduced_rank, shape->reduced_dims, shape->reduced_strides);
    }
    output[i] = acc;
    odometer_next(&out, shape->kept_rank, shape->kept_dims, shape->kept_strides);
  }
}

/* Sums and products modulo 2^64 agree with the element type's wrapped
 * result in the low bits; max/min work on the exact values. */
static uint64_t combine_int(SpryReduceOp op, uint64_t acc, int64_t x) {
  switch (op) {
    case SPRY_REDUCE_SUM:
      return acc + (uint64_t)x;
    case SPRY_REDUCE_PROD:
      return acc * (uint64_t)x;
    case SPRY_REDUCE_MAX:
      return x > (int64_t)acc ? (uint64_t)x : acc;
    default:
      return x < (int64_t)acc ? (uint64_t)x : acc;
  }
}

static int64_t int_limit(SpryType t, bool max) {
  switch (t) {
    case SPRY_TYPE_BOOL:
      return max ? 1 : 0;
    case SPRY_TYPE_UINT8:
      return max ? UINT8_MAX : 0;
    case SPRY_TYPE_INT8:
      return max ? INT8_MAX : INT8_MIN;
    case SPRY_TYPE_INT16:
      return max ? INT16_MAX : INT16_MIN;
    case SPRY_TYPE_INT32:
      return max ? INT32_MAX : INT32_MIN;
    default:
      return max ? INT64_MAX : INT64_MIN;
  }
}

void spry_ref_reduce_int(SpryReduceOp op, SpryType type, const SpryReduceShape *shape,
                         const void *input, void *output) {
  const int64_t init = op == SPRY_REDUCE_SUM    ? 0
                       : op == SPRY_REDUCE_PROD ? 1
                                                : int_limit(type, op == SPRY_REDUCE_MIN);
  Odometer out;
  odometer_start(&out, 0);
  for (size_t i = 0; i < shape->output_count; i++) {
    /* max/min compare through int64: acc only ever holds an element value
     * or the initial limit, so the round trip through uint64 is exact. */
    uint64_t acc = (uint64_t)init;
    Odometer in;
    odometer_start(&in, out.offset);
    for (size_t j = 0; j < shape->reduce_count; j++) {
      acc = combine_int(op, acc, spry_load_int(input, type, in.offset));
      odometer_next(&in, shape->reduced_rank, shape->reduced_dims, shape->reduced_strides);
    }
    spry_store_int(output, type, i, (int64_t)acc); /* wraps to the element type */
    odometer_next(&out, shape->kept_rank, shape->kept_dims, shape->kept_strides);
  }
}

void spry_ref_sum_quantized(const SpryMeanParams *params, SpryType type,
                            const SpryReduceShape *shape, const void *input, void *output) {
  const SpryQType t = type == SPRY_TYPE_UINT8  ? SPRY_Q_U8
                      : type == SPRY_TYPE_INT8 ? SPRY_Q_S8
                                               : SPRY_Q_S16;
  requantize_sums(params, shape, input, output, t, params->multiplier, params->shift);
}

/* One rescaling step of the quantized product; the int32 narrowing wraps
 * like TFLite's static_cast when the scales let the product escape int32. */
static int32_t prod_rescale(int64_t x, const SpryMeanParams *params) {
  return spry_multiply_by_quantized_multiplier_i64(x, params->multiplier, params->shift);
}

void spry_ref_prod_quantized(const SpryMeanParams *params, SpryType type,
                             const SpryReduceShape *shape, const void *input, void *output) {
  const SpryQType t = type == SPRY_TYPE_INT8 ? SPRY_Q_S8 : SPRY_Q_S16;
  Odometer out;
  odometer_start(&out, 0);
  for (size_t i = 0; i < shape->output_count; i++) {
    int32_t result = params->output_zero_point;
    if (shape->reduce_count > 0) {
      Odometer in;
      odometer_start(&in, out.offset);
      int32_t prod = spry_load_q(input, t, in.offset) - params->input_zero_point;
      for (size_t j = 1; j < shape->reduce_count; j++) {
        odometer_next(&in, shape->reduced_rank, shape->reduced_dims, shape->reduced_strides);
        const int32_t x = spry_load_q(input, t, in.offset) - params->input_zero_point;
        prod = prod_rescale((int64_t)prod * x, params);
      }
      result = (int32_t)((uint32_t)prod_rescale(prod, params) +
                         (uint32_t)params->output_zero_point);
    }
    spry_store_q(output, t, i, result);
    odometer_next(&out, shape->kept_rank, shape->kept_dims, shape->kept_strides);
  }
}

void spry_ref_mean_int(SpryType type, const SpryReduceShape *shape, const void *input,
                       void *output) {
  Odometer out;
  odometer_start(&out, 0);
  const int64_t count = (int64_t)shape->reduce_count;
  for (size_t i = 0; i < shape->output_count; i++) {
    uint64_t acc = 0;
    Odometer in;
    odometer_start(&in, out.offset);
    for (size_t j = 0; j < shape->reduce_count; j++) {
      acc += (uint64_t)spry_load_int(input, type, in.offset);
      odometer_next(&in, shape->reduced_rank, shape->reduced_dims, shape->reduced_strides);
    }
    /* count is positive: no INT64_MIN / -1. */
    const int64_t sum = (int64_t)acc;
    spry_store_int(output, type, i, count > 0 ? sum / count : 0);
    odometer_next(&out, shape->kept_rank, shape->kept_dims, shape->kept_strides);
  }
}

void spry_ref_mean_f32(const SpryReduceShape *shape, const float *input, float *output) {
  spry_ref_reduce_f32(SPRY_REDUCE_SUM, shape, input, output);
  for (size_t i = 0; i < shape->output_count; i++)
    output[i] = shape->input_count == 0 ? NAN : output[i] / (float)shape->reduce_count;
}
