/* SPDX-License-Identifier: Apache-2.0 */
/*
 * subbyte.h — constants of the packed sub-byte types (TensorType INT4, INT2,
 * UINT4), unpacked to one byte a value once at prepare so that the ops run
 * their 8-bit kernels on them.
 *
 * Storage, as in TFLite (tensor_utils' unpacking of int4 and int2): n values
 * take spry_packed_bytes() bytes, filled from the least significant bits
 * up. int4 and uint4 hold two values a byte (element 2i is the low nibble of
 * byte i, 2i + 1 the high one), int2 four (element 4i + k is bits 2k and
 * 2k + 1 of byte i). int4 and int2 are two's complement ([-8, 7], [-2, 1])
 * and unpack to int8; uint4 is unsigned ([0, 15]) and unpacks to uint8.
 * Bits past the last value are unused. The model reader checks the size
 * exactly and refuses sub-byte tensors that are not constants, so a kernel
 * only ever meets them as constant data.
 */
#ifndef SPRY_KERNELS_SUBBYTE_H
#define SPRY_KERNELS_SUBBYTE_H

#include <stddef.h>
#include <stdint.h>

#include "spry/op.h"

/* Whether `type` is one of the packed sub-byte types. */
static inline bool spry_is_subbyte(SpryType type) { return spry_type_values_per_byte(type) != 0; }

/* The one-byte type a sub-byte type unpacks to: uint8 for uint4, else int8. */
static inline SpryType spry_subbyte_unpacked_type(SpryType type) {
  return type == SPRY_TYPE_UINT4 ? SPRY_TYPE_UINT8 : SPRY_TYPE_INT8;
}

/* Writes the `count` values packed in `packed` (of the sub-byte `type`) to
 * `out`, one byte each: sign-extended for int4 and int2, as they are for
 * uint4. */
void spry_subbyte_unpack(SpryType type, const uint8_t *packed, size_t count, uint8_t *out);

/* When `*t` is a sub-byte tensor, fills `unpacked` with a one-byte copy of it
 * (same shape, name and quantization; type spry_subbyte_unpacked_type(); its
 * data in the node's persistent memory, valid until the node is prepared
 * again) and points `*t` at that copy; any other tensor is left alone.
 * `role` names the tensor in messages. */
SpryStatus spry_subbyte_unpack_constant(SpryContext *ctx, const char *role, SpryTensor *unpacked,
                                        const SpryTensor **t);

/* `t` itself, or the copy spry_subbyte_unpack_constant() made of it at
 * prepare when `t` is a sub-byte tensor. */
static inline const SpryTensor *spry_subbyte_resolve(const SpryTensor *t,
                                                     const SpryTensor *unpacked) {
  return t && spry_is_subbyte(t->type) ? unpacked : t;
}

#endif /* SPRY_KERNELS_SUBBYTE_H */
