/* SPDX-License-Identifier: Apache-2.0 */
/* cast.c — reference CAST between numeric types. */
#include "cast.h"

#include <stdint.h>
#include <string.h>

#include "quantize.h"

/* One element on its way through: an integer or a floating-point value. */
typedef struct CastValue {
  bool is_float;
  int64_t i;
  double f;
} CastValue;

static bool is_int_type(SpryType t) {
  switch (t) {
    case SPRY_TYPE_INT8:
    case SPRY_TYPE_UINT8:
    case SPRY_TYPE_INT16:
    case SPRY_TYPE_UINT16:
    case SPRY_TYPE_INT32:
    case SPRY_TYPE_UINT32:
    case SPRY_TYPE_INT64:
    case SPRY_TYPE_BOOL:
      return true;
    default:
      return false;
  }
}

static bool is_half_type(SpryType t) {
  return t == SPRY_TYPE_FLOAT16 || t == SPRY_TYPE_BFLOAT16;
}

bool spry_cast_output_type_ok(SpryType t) {
  return is_int_type(t) || t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_FLOAT64 || is_half_type(t);
}

bool spry_cast_input_type_ok(SpryType t) {
  return spry_cast_output_type_ok(t);
}

static CastValue load(SpryType t, const void *p, size_t i) {
  CastValue v = {false, 0, 0.0};
  switch (t) {
    case SPRY_TYPE_INT8:
      v.i = ((const int8_t *)p)[i];
      break;
    case SPRY_TYPE_UINT8:
      v.i = ((const uint8_t *)p)[i];
      break;
    case SPRY_TYPE_INT16:
      v.i = ((const int16_t *)p)[i];
      break;
    case SPRY_TYPE_UINT16:
      v.i = ((const uint16_t *)p)[i];
      break;
    case SPRY_TYPE_INT32:
      v.i = ((const int32_t *)p)[i];
      break;
    case SPRY_TYPE_UINT32:
      v.i = ((const uint32_t *)p)[i];
      break;
    case SPRY_TYPE_INT64:
      v.i = ((const int64_t *)p)[i];
      break;
    case SPRY_TYPE_BOOL:
      v.i = ((const uint8_t *)p)[i] != 0;
      break;
    case SPRY_TYPE_FLOAT16:
      v.is_float = true;
      v.f = spry_f16_to_f32(((const uint16_t *)p)[i]);
      break;
    case SPRY_TYPE_BFLOAT16:
      v.is_float = true;
      v.f = spry_bf16_to_f32(((const uint16_t *)p)[i]);
      break;
    case SPRY_TYPE_FLOAT32:
      v.is_float = true;
      v.f = ((const float *)p)[i];
      break;
    case SPRY_TYPE_FLOAT64:
      v.is_float = true;
      v.f = ((const double *)p)[i];
      break;
    default:
      break;
  }
  return v;
}

/* Range of an integer target type, as doubles (exact: every bound is a
 * power of two or one less, and the int64/uint64 maxima round up to 2^63 or
 * 2^64, which the comparisons below treat as exclusive). */
static void int_range(SpryType t, double *lo, double *hi) {
  switch (t) {
    case SPRY_TYPE_INT8: *lo = -128.0; *hi = 127.0; return;
    case SPRY_TYPE_UINT8: *lo = 0.0; *hi = 255.0; return;
    case SPRY_TYPE_INT16: *lo = -32768.0; *hi = 32767.0; return;
    case SPRY_TYPE_UINT16: *lo = 0.0; *hi = 65535.0; return;
    case SPRY_TYPE_INT32: *lo = -2147483648.0; *hi = 2147483647.0; return;
    case SPRY_TYPE_UINT32: *lo = 0.0; *hi = 4294967295.0; return;
    default: *lo = -9223372036854775808.0; *hi = 9223372036854775808.0; return;
  }
}

/* The value as a two's complement integer for a target type: floats
 * truncated toward zero and saturated into the target's range, NaN giving
 * its maximum (TFLite's CAST clamps every floating-point source before its
 * static_cast). */
static uint64_t as_bits(const CastValue *v, SpryType t) {
  if (!v->is_float) return (uint64_t)v->i;
  double lo, hi;
  int_range(t, &lo, &hi);
  const bool wide = t == SPRY_TYPE_INT64; /* hi is 2^63, not representable */
  if (v->f != v->f || v->f >= hi) return wide ? (uint64_t)INT64_MAX : (uint64_t)(int64_t)hi;
  if (v->f <= lo) return (uint64_t)(int64_t)lo;
  return (uint64_t)(int64_t)v->f; /* inside the range: truncation is defined */
}

static void store_float(SpryType t, void *p, size_t i, const CastValue *v) {
  /* Integers convert directly: via double they could round twice. Halves
   * go through float first, as Eigen's half and bfloat16 constructors do. */
  const float f = v->is_float ? (float)v->f : (float)v->i;
  if (t == SPRY_TYPE_FLOAT32)
    ((float *)p)[i] = f;
  else if (t == SPRY_TYPE_FLOAT16)
    ((uint16_t *)p)[i] = spry_f32_to_f16(f);
  else if (t == SPRY_TYPE_BFLOAT16)
    ((uint16_t *)p)[i] = spry_f32_to_bf16(f);
  else
    ((double *)p)[i] = v->is_float ? v->f : (double)v->i;
}

static void store(SpryType t, void *p, size_t i, const CastValue *v) {
  if (t == SPRY_TYPE_FLOAT32 || t == SPRY_TYPE_FLOAT64 || is_half_type(t)) {
    store_float(t, p, i, v);
    return;
  }
  if (t == SPRY_TYPE_BOOL) {
    ((uint8_t *)p)[i] = v->is_float ? v->f != 0.0 : v->i != 0;
    return;
  }
  /* Little-endian low bytes of the 64-bit two's complement value. */
  const uint64_t bits = as_bits(v, t);
  const size_t size = spry_type_size(t);
  uint8_t bytes[8];
  for (size_t b = 0; b < sizeof bytes; b++) bytes[b] = (uint8_t)(bits >> (8 * b));
  memcpy((uint8_t *)p + i * size, bytes, size);
}

void spry_ref_cast(SpryType input_type, const void *input, SpryType output_type, void *output,
                   size_t count) {
  for (size_t i = 0; i < count; i++) {
    const CastValue v = load(input_type, input, i);
    store(output_type, output, i, &v);
  }
}
