/* SPDX-License-Identifier: Apache-2.0 */
/* int4.c — int4 constant weights unpacked to int8 (see int4.h). */
#include "int4.h"

#include "kernel_util.h"

/* A nibble's two's complement value: bit 3 is the sign. */
static inline int8_t nibble_value(unsigned nibble) { return (int8_t)((int)(nibble ^ 8u) - 8); }

void spry_int4_unpack(const uint8_t *packed, size_t count, int8_t *out) {
  for (size_t i = 0; i < count; i++) {
    const unsigned byte = packed[i / 2];
    out[i] = nibble_value(i % 2 == 0 ? byte & 0x0Fu : byte >> 4);
  }
}

SpryStatus spry_int4_unpack_constant(SpryContext *ctx, const char *role, SpryTensor *unpacked,
                                     const SpryTensor **t) {
  const SpryTensor *packed = *t;
  if (packed == NULL || packed->type != SPRY_TYPE_INT4) return SPRY_OK;
  /* The reader admits int4 constants only; a kernel still checks what it reads. */
  SPRY_ENSURE_MSG(ctx, packed->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "int4 %s '%s' must be a constant", role, packed->name);
  const size_t count = spry_tensor_elements(packed);
  SPRY_ENSURE_MSG(ctx, count != SIZE_MAX && packed->bytes == spry_int4_packed_bytes(count) &&
                           (count == 0 || packed->data != NULL),
                  SPRY_ERROR_INVALID_MODEL,
                  "int4 %s '%s' holds %zu bytes, expected %zu for %zu values", role,
                  packed->name, packed->bytes, spry_int4_packed_bytes(count), count);
  int8_t *values = spry_context_alloc_persistent(ctx, count ? count : 1);
  if (!values) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  spry_int4_unpack(packed->data, count, values);
  *unpacked = *packed;
  unpacked->type = SPRY_TYPE_INT8;
  unpacked->data = values;
  unpacked->bytes = count;
  *t = unpacked;
  return SPRY_OK;
}
