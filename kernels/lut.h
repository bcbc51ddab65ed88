/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lut.h — 256-entry lookup tables for 8-bit quantized elementwise ops
 * (LOGISTIC, TANH, ELU, GELU, LOG): built once in prepare, applied per byte.
 *
 * The table is built the way TFLite's LUTPopulate<int8_t/uint8_t> builds it,
 * so results are bit-exact: each representable input is dequantized in
 * float (scale * (q - zero_point)), passed through the float function,
 * divided by the output scale (multiplied by its float reciprocal), rounded
 * half away from zero, offset by the output zero point and clamped to the
 * type. Tables are indexed by the input's byte, so one apply loop serves
 * uint8 and int8.
 *
 * int16 tables (TFLite's LUTPopulate<int16_t>) hold 513 samples of the
 * function over the input's whole range, each biased by half the error of
 * linear interpolation at its interval's midpoint; a lookup interpolates
 * between two neighbours with 7 fractional bits. Output values are the
 * function times 65536 / (output range), as TFLite scales them.
 */
#ifndef SPRY_KERNELS_LUT_H
#define SPRY_KERNELS_LUT_H

#include <stddef.h>
#include <stdint.h>

#include "spry/spry.h"

/* The float function a table samples; params is passed through. */
typedef float (*SpryLutFn)(float x, const void *params);

/* Fills table[256] for `type` (SPRY_TYPE_UINT8 or SPRY_TYPE_INT8; other types
 * leave the table untouched) from the input and output quantization. */
void spry_lut8_populate(SpryType type, float input_scale, int32_t input_zero_point,
                        float output_scale, int32_t output_zero_point, SpryLutFn fn,
                        const void *params, uint8_t table[256]);

/* out[i] = table[in[i]] over raw bytes. */
void spry_lut8_apply(const uint8_t table[256], size_t count, const uint8_t *input, uint8_t *output);

enum { SPRY_LUT16_SIZE = 513 };

void spry_lut16_populate(float input_scale, int32_t input_zero_point, float output_scale,
                         int32_t output_zero_point, SpryLutFn fn, const void *params,
                         int16_t table[SPRY_LUT16_SIZE]);

/* The same table computed in double, as TFLite builds the int16 SOFTMAX
 * tables (LUTPopulate with a double function). */
typedef double (*SpryLutFnF64)(double x, const void *params);
void spry_lut16_populate_f64(double input_scale, int32_t input_zero_point, double output_scale,
                             int32_t output_zero_point, SpryLutFnF64 fn, const void *params,
                             int16_t table[SPRY_LUT16_SIZE]);

/* One interpolated lookup (TFLite's LUTLookup on int16). */
int16_t spry_lut16_lookup(const int16_t table[SPRY_LUT16_SIZE], int16_t value);

/* Interpolated lookup of every int16 input. */
void spry_lut16_apply(const int16_t table[SPRY_LUT16_SIZE], size_t count, const int16_t *input,
                      int16_t *output);

#endif /* SPRY_KERNELS_LUT_H */
