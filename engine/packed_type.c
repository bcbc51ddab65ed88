/* SPDX-License-Identifier: Apache-2.0 */
/* packed_type.c — the byte counts of the packed sub-byte types (int4, int2, uint4). */
#include "spry/spry.h"

size_t spry_type_values_per_byte(SpryType type) {
  switch (type) {
    case SPRY_TYPE_INT4:
    case SPRY_TYPE_UINT4: return 2;
    case SPRY_TYPE_INT2: return 4;
    default: return 0;
  }
}

size_t spry_packed_bytes(SpryType type, size_t count) {
  const size_t per_byte = spry_type_values_per_byte(type);
  return per_byte ? count / per_byte + (count % per_byte != 0) : 0;
}
