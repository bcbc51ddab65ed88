/* SPDX-License-Identifier: Apache-2.0 */
/* lut.c — construction and application of quantized lookup tables. */
#include "lut.h"

#include <math.h>

#include "reference/unary.h"

/* float -> int32 the way x86 truncation (cvttss2si) treats TFLite's
 * static_cast: NaN and out-of-range values become INT32_MIN instead of
 * undefined behaviour. Callers pass values that are already rounded. */
static int32_t float_to_i32(float x) {
  if (!(x >= -2147483648.0f && x < 2147483648.0f)) return INT32_MIN;
  return (int32_t)x;
}

void spry_lut8_populate(SpryType type, float input_scale, int32_t input_zero_point,
                        float output_scale, int32_t output_zero_point, SpryLutFn fn,
                        const void *params, uint8_t table[256]) {
  int32_t lo, hi;
  if (type == SPRY_TYPE_UINT8) {
    lo = 0;
    hi = UINT8_MAX;
  } else if (type == SPRY_TYPE_INT8) {
    lo = INT8_MIN;
    hi = INT8_MAX;
  } else {
    return;
  }
  const float inverse_scale = 1.0f / output_scale;
  for (int32_t q = lo; q <= hi; q++) {
    const float x = input_scale * (float)(q - input_zero_point);
    const float rescaled = roundf(fn(x, params) * inverse_scale);
    const int32_t v = float_to_i32(rescaled + (float)output_zero_point);
    const int32_t clamped = v < lo ? lo : (v > hi ? hi : v);
    /* Index and value by their byte: two's complement for int8. */
    table[(uint8_t)(q & 0xff)] = (uint8_t)(clamped & 0xff);
  }
}

void spry_lut8_apply(const uint8_t table[256], size_t count, const uint8_t *input,
                     uint8_t *output) {
  for (size_t i = 0; i < count; i++) output[i] = table[input[i]];
}

/* TFLite's LUTPopulateInt16<FloatT>, one body for FloatT = float and double
 * (each step in FloatT arithmetic, as TFLite computes the table). A NaN
 * sample stores 0: the low half of x86's integer indefinite. */
#define SPRY_LUT16_POPULATE_BODY(F, ROUND, IS_NAN)                                     \
  do {                                                                                \
    const F input_min = input_scale * (F)(INT16_MIN - input_zero_point);              \
    const F input_max = input_scale * (F)(INT16_MAX - input_zero_point);              \
    const F output_min = output_scale * (F)(INT16_MIN - output_zero_point);           \
    const F output_max = output_scale * (F)(INT16_MAX - output_zero_point);           \
    const int steps = SPRY_LUT16_SIZE - 1;                                            \
    const F step = (input_max - input_min) / (F)steps;                                \
    const F half_step = step / (F)2;                                                  \
    const F inv = (F)65536 / (output_max - output_min);                               \
    for (int i = 0; i < steps; i++) {                                                 \
      const F val = fn(input_min + (F)i * step, params);                              \
      const F mid = fn(input_min + (F)i * step + half_step, params);                  \
      const F next = fn(input_min + (F)(i + 1) * step, params);                       \
      const F sample = ROUND(val * inv);                                              \
      const F interpolated = ROUND((next * inv + ROUND(val * inv)) / (F)2);           \
      const F bias = ROUND((interpolated - ROUND(mid * inv)) / (F)2);                 \
      F v = sample - bias;                                                            \
      v = v < (F)INT16_MIN ? (F)INT16_MIN : (v > (F)INT16_MAX ? (F)INT16_MAX : v);     \
      table[i] = (int16_t)(IS_NAN(v) ? 0 : (int32_t)v);                               \
    }                                                                                 \
    F last = ROUND(fn(input_max, params) * inv);                                      \
    last = last < (F)INT16_MIN ? (F)INT16_MIN : (last > (F)INT16_MAX ? (F)INT16_MAX : last); \
    table[steps] = (int16_t)(IS_NAN(last) ? 0 : (int32_t)last);                       \
  } while (0)

void spry_lut16_populate(float input_scale, int32_t input_zero_point, float output_scale,
                         int32_t output_zero_point, SpryLutFn fn, const void *params,
                         int16_t table[SPRY_LUT16_SIZE]) {
  SPRY_LUT16_POPULATE_BODY(float, roundf, isnan);
}

void spry_lut16_populate_f64(double input_scale, int32_t input_zero_point, double output_scale,
                             int32_t output_zero_point, SpryLutFnF64 fn, const void *params,
                             int16_t table[SPRY_LUT16_SIZE]) {
  SPRY_LUT16_POPULATE_BODY(double, round, isnan);
}

int16_t spry_lut16_lookup(const int16_t table[SPRY_LUT16_SIZE], int16_t value) {
  const int32_t v = value;
  /* v >> 7 of a negative int is an arithmetic shift in every supported
   * compiler; written as a floor division to stay portable. */
  const int32_t index = 256 + (v >= 0 ? v / 128 : -((-v + 127) / 128));
  const int32_t offset = v & 0x7f;
  const int16_t base = table[index];
  const int16_t slope = spry_wrap_i16(table[index + 1] - base);
  const int32_t delta = (slope * offset + 64) >> 7;
  return spry_wrap_i16(base + delta);
}

void spry_lut16_apply(const int16_t table[SPRY_LUT16_SIZE], size_t count, const int16_t *input,
                      int16_t *output) {
  for (size_t i = 0; i < count; i++) output[i] = spry_lut16_lookup(table, input[i]);
}
