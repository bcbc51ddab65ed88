/* SPDX-License-Identifier: Apache-2.0 */
/* subbyte.c — packed sub-byte constants unpacked to one byte a value (see subbyte.h). */
#include "subbyte.h"

#include "kernel_util.h"

void spry_subbyte_unpack(SpryType type, const uint8_t *packed, size_t count, uint8_t *out) {
  const size_t per_byte = spry_type_values_per_byte(type);
  const unsigned bits = 8u / (unsigned)per_byte;
  const unsigned mask = (1u << bits) - 1u;
  /* Two's complement of `bits` bits: flipping the sign bit and subtracting
   * its weight sign-extends; uint4 has no sign bit. */
  const unsigned sign = type == SPRY_TYPE_UINT4 ? 0u : 1u << (bits - 1u);
  for (size_t i = 0; i < count; i++) {
    const unsigned field = (packed[i / per_byte] >> (bits * (i % per_byte))) & mask;
    out[i] = (uint8_t)((int)(field ^ sign) - (int)sign);
  }
}

SpryStatus spry_subbyte_unpack_constant(SpryContext *ctx, const char *role, SpryTensor *unpacked,
                                        const SpryTensor **t) {
  const SpryTensor *packed = *t;
  if (packed == NULL || !spry_is_subbyte(packed->type)) return SPRY_OK;
  const char *type = spry_type_name(packed->type);
  /* The reader admits sub-byte constants only; a kernel still checks what it reads. */
  SPRY_ENSURE_MSG(ctx, packed->kind == SPRY_TENSOR_CONSTANT, SPRY_ERROR_UNSUPPORTED,
                  "%s %s '%s' must be a constant", type, role, packed->name);
  const size_t count = spry_tensor_elements(packed);
  const size_t bytes = spry_packed_bytes(packed->type, count);
  SPRY_ENSURE_MSG(ctx, count != SIZE_MAX && packed->bytes == bytes &&
                           (count == 0 || packed->data != NULL),
                  SPRY_ERROR_INVALID_MODEL, "%s %s '%s' holds %zu bytes, expected %zu for %zu values",
                  type, role, packed->name, packed->bytes, bytes, count);
  uint8_t *values = spry_context_alloc_persistent(ctx, count ? count : 1);
  if (!values) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  spry_subbyte_unpack(packed->type, packed->data, count, values);
  *unpacked = *packed;
  unpacked->type = spry_subbyte_unpacked_type(packed->type);
  unpacked->data = values;
  unpacked->bytes = count;
  *t = unpacked;
  return SPRY_OK;
}
