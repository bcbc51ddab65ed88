/* SPDX-License-Identifier: Apache-2.0 */
/* softmax.c — reference SOFTMAX: float, and TFLite's fixed-point quantized path. */
#include "softmax.h"

#include <float.h>
#include <math.h>

#include "../fixedpoint.h"
#include "../kernel_util.h"
#include "../lut.h"
#include "../quantization.h"
#include "elementwise.h"
#include "quant_access.h"

SPRY_PREPARE_CODE
bool spry_softmax_quant_params(float beta, float input_scale, SprySoftmaxParams *params) {
  enum { kScaledDiffIntegerBits = 5 };
  params->beta = beta;
  const double real =
      (double)beta * (double)input_scale * (double)(1 << (31 - kScaledDiffIntegerBits));
  if (!isfinite(real) || !(real > 1.0)) return false;
  /* A larger multiplier only pushes every non-maximal exp() further to 0. */
  const double capped = fmin(real, (double)((INT64_C(1) << 31) - 1));
  int32_t multiplier = 0;
  int shift = 0;
  if (!spry_quantize_multiplier(capped, &multiplier, &shift) || shift < 0) return false;
  params->input_multiplier = multiplier;
  params->input_left_shift = shift;
  /* Largest |difference| whose rescaled value still fits in Q5.26. */
  const double radius = (double)((1 << kScaledDiffIntegerBits) - 1) *
                        (double)(INT64_C(1) << (31 - kScaledDiffIntegerBits)) /
                        (double)(INT64_C(1) << shift);
  params->diff_min = -(int32_t)floor(radius);
  return true;
}

/* The largest element of a row of float32, float16 or bfloat16 values. */
static float row_max(const void *row, SpryType type, size_t depth) {
  float max = -FLT_MAX;
  for (size_t c = 0; c < depth; c++) {
    const float x = spry_load_float(row, type, c);
    max = max < x ? x : max;
  }
  return max;
}

void spry_ref_softmax_float(const SprySoftmaxParams *params, SpryType type, size_t outer,
                            size_t depth, const void *input, void *output) {
  const size_t size = spry_type_size(type);
  for (size_t i = 0; i < outer; i++) {
    const void *in = (const char *)input + i * depth * size;
    void *out = (char *)output + i * depth * size;
    const float max = row_max(in, type, depth);
    float sum = 0.0f;
    for (size_t c = 0; c < depth; c++) {
      const float x = spry_load_float(in, type, c);
      const float e = expf(spry_invalid_nan(x - max, x, max) * params->beta);
      /* The exponential is parked in the output, rounded to its type, while
       * the sum takes it unrounded: the reference's order for 16-bit floats.
       * A NaN sum keeps the row's first NaN, as the reference's does. */
      spry_store_float(out, type, c, e);
      sum = isnan(sum) ? sum : sum + e;
    }
    for (size_t c = 0; c < depth; c++)
      spry_store_float(out, type, c, spry_load_float(out, type, c) / sum);
  }
}

void spry_ref_softmax_f32(const SprySoftmaxParams *params, size_t outer, size_t depth,
                          const float *input, float *output) {
  spry_ref_softmax_float(params, SPRY_TYPE_FLOAT32, outer, depth, input, output);
}

int32_t spry_softmax_scaled_exp(const SprySoftmaxParams *params, int32_t diff) {
  const int32_t rescaled = spry_multiply_by_quantized_multiplier_greater_than_one(
      diff, params->input_multiplier, params->input_left_shift);
  return spry_fp_exp_on_negative_values_q5(rescaled);
}

int32_t spry_softmax_rounding_shift(int32_t x, int exponent) {
  if (exponent <= 31) return spry_rounding_divide_by_pot(x, exponent);
  const int64_t mask = (INT64_C(1) << exponent) - 1;
  const int64_t remainder = (int64_t)x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (int32_t)(((int64_t)x >> exponent) + (remainder > threshold ? 1 : 0));
}

static void softmax_quantized(const SprySoftmaxParams *params, size_t outer, size_t depth,
                              const void *input, SpryQType in_type, void *output, SpryQType out_type,
                              int out_bits, int32_t out_min) {
  enum { kAccumulationIntegerBits = 12 };
  for (size_t i = 0; i < outer; i++) {
    const size_t row = i * depth;
    int32_t max = INT32_MIN;
    for (size_t c = 0; c < depth; c++) {
      const int32_t v = spry_load_q(input, in_type, row + c);
      max = v > max ? v : max;
    }
    /* Sum of exps in Q12.19. */
    int32_t sum = 0;
    for (size_t c = 0; c < depth; c++) {
      const int32_t diff = spry_load_q(input, in_type, row + c) - max;
      if (diff >= params->diff_min)
        sum =
            spry_fp_add(sum, spry_rounding_divide_by_pot(spry_softmax_scaled_exp(params, diff),
                                                         kAccumulationIntegerBits)); /* Q0 -> Q12 */
    }
    int num_bits_over_unit = 0;
    const int32_t reciprocal =
        spry_fp_reciprocal(sum, kAccumulationIntegerBits, &num_bits_over_unit);
    for (size_t c = 0; c < depth; c++) {
      const int32_t diff = spry_load_q(input, in_type, row + c) - max;
      int32_t out = out_min;
      if (diff >= params->diff_min) {
        const int32_t probability = spry_fp_mul(reciprocal, spry_softmax_scaled_exp(params, diff));
        out = spry_softmax_rounding_shift(probability, num_bits_over_unit + 31 - out_bits) +
              out_min;
      }
      spry_store_q(output, out_type, row + c, out);
    }
  }
}

void spry_ref_softmax_u8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                         const uint8_t *input, uint8_t *output) {
  softmax_quantized(params, outer, depth, input, SPRY_Q_U8, output, SPRY_Q_U8, 8, 0);
}

void spry_ref_softmax_s8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                         const int8_t *input, int8_t *output) {
  softmax_quantized(params, outer, depth, input, SPRY_Q_S8, output, SPRY_Q_S8, 8, INT8_MIN);
}

void spry_ref_softmax_u8_s16(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const uint8_t *input, int16_t *output) {
  softmax_quantized(params, outer, depth, input, SPRY_Q_U8, output, SPRY_Q_S16, 16, INT16_MIN);
}

void spry_ref_softmax_s8_s16(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const int8_t *input, int16_t *output) {
  softmax_quantized(params, outer, depth, input, SPRY_Q_S8, output, SPRY_Q_S16, 16, INT16_MIN);
}

SPRY_PREPARE_CODE
bool spry_log_softmax_quant_params(float input_scale, SprySoftmaxParams *params) {
  if (!spry_softmax_quant_params(1.0f, input_scale, params)) return false;
  /* The inverse of the input scaling, to map the log-sum back to a
   * difference threshold (TFLite's PreprocessLogSoftmaxScalingExp). */
  const double reverse = (double)(INT64_C(1) << (31 - params->input_left_shift)) /
                         (double)params->input_multiplier;
  int shift = 0;
  if (!spry_quantize_multiplier(reverse, &params->reverse_multiplier, &shift) || shift > 0)
    return false;
  params->reverse_shift = shift;
  return true;
}

void spry_ref_log_softmax_f32(size_t outer, size_t depth, const float *input, float *output) {
  for (size_t i = 0; i < outer; i++) {
    const float *in = input + i * depth;
    float *out = output + i * depth;
    const float max = row_max(in, SPRY_TYPE_FLOAT32, depth);
    float sum = 0.0f;
    for (size_t c = 0; c < depth; c++) sum += expf(in[c] - max);
    const float log_sum = logf(sum);
    for (size_t c = 0; c < depth; c++) out[c] = in[c] - max - log_sum;
  }
}

static void log_softmax_quantized(const SprySoftmaxParams *params, size_t outer, size_t depth,
                                  const void *input, void *output, SpryQType type) {
  enum { kInputIntegerBits = 5, kAccumulationIntegerBits = 12, kOutputIntegerBits = 4 };
  /* The output zero point is the type's maximum (log-probability 0). */
  const int32_t type_min = type == SPRY_Q_U8 ? 0 : INT8_MIN;
  const int32_t type_max = type == SPRY_Q_U8 ? UINT8_MAX : INT8_MAX;
  for (size_t i = 0; i < outer; i++) {
    const size_t row = i * depth;
    int32_t max = type_min;
    for (size_t c = 0; c < depth; c++) {
      const int32_t v = spry_load_q(input, type, row + c);
      max = v > max ? v : max;
    }
    int32_t sum = 0; /* Q12 */
    for (size_t c = 0; c < depth; c++) {
      const int32_t diff = spry_load_q(input, type, row + c) - max;
      if (diff >= params->diff_min)
        sum = spry_fp_add(sum, spry_rounding_divide_by_pot(spry_softmax_scaled_exp(params, diff),
                                                           kAccumulationIntegerBits));
    }
    const int32_t log_sum = spry_fp_log(sum, kAccumulationIntegerBits, kInputIntegerBits);
    /* Differences whose log-probability falls below the Q5.26 range. */
    const int32_t shifted_log_sum = spry_fp_add(log_sum, INT32_MIN);
    const int32_t reverse = spry_multiply_by_quantized_multiplier(
        shifted_log_sum, params->reverse_multiplier, params->reverse_shift);
    const int32_t adjusted_diff_min = params->diff_min - 1 > reverse ? params->diff_min - 1 : reverse;
    for (size_t c = 0; c < depth; c++) {
      const int32_t diff = spry_load_q(input, type, row + c) - max;
      int32_t out = type_min;
      if (diff > adjusted_diff_min) {
        const int32_t diff_q5 = spry_multiply_by_quantized_multiplier(
            diff, params->input_multiplier, params->input_left_shift);
        out = spry_rounding_divide_by_pot(spry_fp_sub(diff_q5, log_sum),
                                          31 - kInputIntegerBits - kOutputIntegerBits) +
              type_max;
        out = spry_clamp_i32(out, type_min, type_max);
      }
      spry_store_q(output, type, row + c, out);
    }
  }
}

void spry_ref_log_softmax_u8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const uint8_t *input, uint8_t *output) {
  log_softmax_quantized(params, outer, depth, input, output, SPRY_Q_U8);
}

void spry_ref_log_softmax_s8(const SprySoftmaxParams *params, size_t outer, size_t depth,
                             const int8_t *input, int8_t *output) {
  log_softmax_quantized(params, outer, depth, input, output, SPRY_Q_S8);
}

/* ---- int16 -> int16 ------------------------------------------------------------ */

static double exp_f64(double x, const void *params) {
  (void)params;
  return exp(x);
}

static double one_over_one_plus_x_f64(double x, const void *params) {
  (void)params;
  return 1.0 / (1.0 + x);
}

SPRY_PREPARE_CODE
void spry_softmax_s16_tables(int16_t *exp_table, int16_t *reciprocal_table) {
  /* exp on [-10, 0] and 1 / (1 + x) on [0, 1], both onto [-1, 1], in double
   * as TFLite builds them. */
  const double range = (double)(INT16_MAX - INT16_MIN);
  spry_lut16_populate_f64(10.0 / range, INT16_MAX, 2.0 / range, 0, exp_f64, NULL, exp_table);
  spry_lut16_populate_f64(1.0 / range, INT16_MIN, 2.0 / range, 0, one_over_one_plus_x_f64, NULL,
                          reciprocal_table);
}

static int16_t saturate_i16(int64_t x) {
  return (int16_t)(x < INT16_MIN ? INT16_MIN : (x > INT16_MAX ? INT16_MAX : x));
}

/* x >> n rounding towards minus infinity, without relying on the
 * implementation's shift of negative values. */
static int64_t shift_right_floor(int64_t x, int n) {
  return x >= 0 ? x >> n : -((-x - 1) >> n) - 1;
}

void spry_ref_softmax_s16(const SprySoftmaxS16Params *params, size_t outer, size_t depth,
                          const int16_t *input, int16_t *output) {
  for (size_t i = 0; i < outer; i++) {
    const int16_t *in = input + i * depth;
    int16_t *out = output + i * depth;
    int16_t max = INT16_MIN;
    for (size_t c = 0; c < depth; c++) max = in[c] > max ? in[c] : max;
    int32_t sum = 0; /* Q16.15; depth <= 65536 keeps it in range */
    for (size_t c = 0; c < depth; c++) {
      const int32_t diff = (int32_t)in[c] - max;
      const int32_t scaled = spry_multiply_by_quantized_multiplier(diff, params->input_multiplier,
                                                                   params->input_shift);
      /* Recentred from [-65535, 0] to [-32768, 32767]. */
      out[c] = spry_lut16_lookup(params->exp_table, saturate_i16((int64_t)scaled + 32767));
      sum += out[c];
    }
    /* The row maximum's exp is near 32767, so the sum is positive and has
     * at most 17 significant bits above the sign. */
    const int headroom_plus_one = spry_count_leading_zeros((uint32_t)(sum > 0 ? sum : 1));
    const int64_t shifted_sum =
        (((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14;
    /* 1 / sum as 1 / (1 + x) with x = sum - 1, recentred to [-32768, 32767]. */
    const int16_t reciprocal = spry_lut16_lookup(
        params->reciprocal_table, saturate_i16(shifted_sum - ((1 << 15) + (1 << 16))));
    const int right_shift = 31 - headroom_plus_one;
    const int64_t round = right_shift > 0 ? (INT64_C(1) << (right_shift - 1)) : 0;
    for (size_t c = 0; c < depth; c++) {
      const int64_t r =
          shift_right_floor((int64_t)out[c] * (int64_t)reciprocal + round, right_shift);
      out[c] = (int16_t)(r < 0 ? 0 : (r > INT16_MAX ? INT16_MAX : r));
    }
  }
}
