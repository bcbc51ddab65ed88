/* SPDX-License-Identifier: Apache-2.0 */
/* unary.c — the shared elementwise loops of the unary ops. */
#include "unary.h"

#include "elementwise.h"

void spry_ref_unary_f32(SpryUnaryF32Fn fn, const void *params, size_t count, const float *input,
                        float *output) {
  for (size_t i = 0; i < count; i++) output[i] = fn(input[i], params);
}

void spry_ref_unary_half(SpryUnaryF32Fn fn, const void *params, SpryType type, size_t count,
                         const void *input, void *output) {
  for (size_t i = 0; i < count; i++)
    spry_store_float(output, type, i, fn(spry_load_float(input, type, i), params));
}

void spry_ref_unary_q(SpryUnaryQFn fn, const void *params, SpryQType type, size_t count,
                      const void *input, void *output) {
  for (size_t i = 0; i < count; i++)
    spry_store_q(output, type, i, fn(spry_load_q(input, type, i), params));
}
