/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elementwise.h — type-erased loads and stores of integer and bool tensor
 * elements, so that one element function of an elementwise op serves bool,
 * uint8, int8, uint16, int16, uint32, int32 and int64 instead of a copy per
 * type; and of float32, float16 and bfloat16 elements, computed in float32
 * as TFLite's Eigen half types compute.
 */
#ifndef SPRY_KERNELS_REFERENCE_ELEMENTWISE_H
#define SPRY_KERNELS_REFERENCE_ELEMENTWISE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quantize.h"
#include "spry/spry.h"

/* Element i of an integer (or bool, as 0/1) buffer of type t. Bools are read
 * as bytes: a byte other than 0 or 1 in a tensor is "true", never an invalid
 * C bool. */
static inline int64_t spry_load_int(const void *p, SpryType t, size_t i) {
  switch (t) {
    case SPRY_TYPE_BOOL:
      return ((const uint8_t *)p)[i] != 0;
    case SPRY_TYPE_UINT8:
      return ((const uint8_t *)p)[i];
    case SPRY_TYPE_INT8:
      return ((const int8_t *)p)[i];
    case SPRY_TYPE_INT16:
      return ((const int16_t *)p)[i];
    case SPRY_TYPE_UINT16:
      return ((const uint16_t *)p)[i];
    case SPRY_TYPE_INT32:
      return ((const int32_t *)p)[i];
    case SPRY_TYPE_UINT32:
      return ((const uint32_t *)p)[i];
    default:
      return ((const int64_t *)p)[i];
  }
}

/* v reduced modulo 2^bits of type t and sign-extended: what a C++ kernel
 * computing in that type gets after two's complement wrap-around. */
static inline int64_t spry_wrap_int(int64_t v, SpryType t) {
  switch (t) {
    case SPRY_TYPE_BOOL:
      return v != 0;
    case SPRY_TYPE_UINT8:
      return (uint8_t)(uint64_t)v;
    case SPRY_TYPE_INT8:
      return (int8_t)(uint8_t)(uint64_t)v;
    case SPRY_TYPE_INT16:
      return (int16_t)(uint16_t)(uint64_t)v;
    case SPRY_TYPE_UINT16:
      return (uint16_t)(uint64_t)v;
    case SPRY_TYPE_INT32:
      return (int32_t)(uint32_t)(uint64_t)v;
    case SPRY_TYPE_UINT32:
      return (uint32_t)(uint64_t)v;
    default:
      return v;
  }
}

/* Stores v (already inside the type's range, e.g. after spry_wrap_int). */
static inline void spry_store_int(void *p, SpryType t, size_t i, int64_t v) {
  v = spry_wrap_int(v, t);
  switch (t) {
    case SPRY_TYPE_BOOL:
      ((uint8_t *)p)[i] = v != 0;
      break;
    case SPRY_TYPE_UINT8:
      ((uint8_t *)p)[i] = (uint8_t)v;
      break;
    case SPRY_TYPE_INT8:
      ((int8_t *)p)[i] = (int8_t)v;
      break;
    case SPRY_TYPE_INT16:
      ((int16_t *)p)[i] = (int16_t)v;
      break;
    case SPRY_TYPE_UINT16:
      ((uint16_t *)p)[i] = (uint16_t)v;
      break;
    case SPRY_TYPE_INT32:
      ((int32_t *)p)[i] = (int32_t)v;
      break;
    case SPRY_TYPE_UINT32:
      ((uint32_t *)p)[i] = (uint32_t)v;
      break;
    default:
      ((int64_t *)p)[i] = v;
      break;
  }
}

/* std::min(std::max(x, lo), hi), TFLite's ActivationFunctionWithMinMax: hi
 * wins when the bounds cross (an unsigned type's wrapped negative bound). */
static inline int64_t spry_clamp_i64(int64_t x, int64_t lo, int64_t hi) {
  const int64_t y = x < lo ? lo : x;
  return y > hi ? hi : y;
}

/* std::min(std::max(x, lo), hi), which keeps NaN (fminf/fmaxf would not). */
static inline float spry_clamp_f32_nan(float x, float lo, float hi) {
  const float y = x < lo ? lo : x;
  return hi < y ? hi : y;
}

/* A bool element read as a byte (see spry_load_int). */
static inline bool spry_load_bool(const void *p, size_t i) {
  return ((const uint8_t *)p)[i] != 0;
}

/* Element i of a float32, float16 or bfloat16 buffer, widened exactly. */
static inline float spry_load_float(const void *p, SpryType t, size_t i) {
  if (t == SPRY_TYPE_FLOAT16) return spry_f16_to_f32(((const uint16_t *)p)[i]);
  if (t == SPRY_TYPE_BFLOAT16) return spry_bf16_to_f32(((const uint16_t *)p)[i]);
  return ((const float *)p)[i];
}

/* Stores v into a float32, float16 or bfloat16 buffer, rounded to nearest
 * even: Eigen's half and bfloat16 operators compute in float and round so. */
static inline void spry_store_float(void *p, SpryType t, size_t i, float v) {
  if (t == SPRY_TYPE_FLOAT16)
    ((uint16_t *)p)[i] = spry_f32_to_f16(v);
  else if (t == SPRY_TYPE_BFLOAT16)
    ((uint16_t *)p)[i] = spry_f32_to_bf16(v);
  else
    ((float *)p)[i] = v;
}

/* r = x op y with the NaN an x86-64 build of TFLite gets for an invalid
 * operation (inf - inf, 0 * inf) on numbers: SSE's default NaN, which is
 * negative (other CPUs make it positive). A NaN operand is left to the
 * caller, which knows the operand order the reference compiled to. */
static inline float spry_invalid_nan(float r, float x, float y) {
  return isnan(r) && !isnan(x) && !isnan(y) ? -NAN : r;
}

/* float16 or bfloat16: the 16-bit float types. */
static inline bool spry_is_half_type(SpryType t) {
  return t == SPRY_TYPE_FLOAT16 || t == SPRY_TYPE_BFLOAT16;
}

#endif /* SPRY_KERNELS_REFERENCE_ELEMENTWISE_H */
