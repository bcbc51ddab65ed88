/* SPDX-License-Identifier: Apache-2.0 */
/*
 * int4.h — int4 (TensorType INT4) constant weights, unpacked to int8 once at
 * prepare so that the ops run their int8 kernels on them.
 *
 * Storage, as in TFLite (tensor_utils::UnpackDenseInt4IntoInt8): n values
 * take ceil(n / 2) bytes; element 2i is the low nibble of byte i and element
 * 2i + 1 its high nibble, each a two's complement value in [-8, 7]. With an
 * odd n the last byte's high nibble is unused. The model reader checks that
 * size exactly and refuses int4 tensors that are not constants, so a kernel
 * only ever meets int4 as constant weights.
 */
#ifndef SPRY_KERNELS_INT4_H
#define SPRY_KERNELS_INT4_H

#include <stddef.h>
#include <stdint.h>

#include "spry/op.h"

/* Bytes that hold `count` packed int4 values. */
static inline size_t spry_int4_packed_bytes(size_t count) { return count / 2 + count % 2; }

/* Sign-extends `count` packed values into `out` (one byte each). */
void spry_int4_unpack(const uint8_t *packed, size_t count, int8_t *out);

/* When `t` is an int4 tensor, fills `unpacked` with an int8 copy of it (same
 * shape, name and quantization; its data in the node's persistent memory,
 * valid until the node is prepared again) and points `*t` at that copy; any
 * other tensor is left alone. `role` names the tensor in messages. */
SpryStatus spry_int4_unpack_constant(SpryContext *ctx, const char *role, SpryTensor *unpacked,
                                     const SpryTensor **t);

#endif /* SPRY_KERNELS_INT4_H */
