/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signal_common.h — helpers shared by the TFLite Micro `signal` custom ops
 * (SignalWindow, SignalRfft, SignalFilterBank, ...): integer options from the
 * FlexBuffer map in custom_options, and the rank/type checks their prepare
 * functions repeat. All of these ops are version 1.
 */
#ifndef SPRY_KERNELS_SIGNAL_COMMON_H
#define SPRY_KERNELS_SIGNAL_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "spry/op.h"

/* Reads the integer (or bool) option `key` into *out, checking it lies in
 * [lo, hi]. A missing option is an error when `required`, else yields
 * `fallback`. */
SpryStatus spry_signal_option(SpryContext *ctx, const SpryNode *node, const char *key,
                              bool required, int64_t fallback, int64_t lo, int64_t hi,
                              int64_t *out);

/* The node's i-th input (or output) exists and has the given type and rank
 * (rank -1: any rank >= 1). */
SpryStatus spry_signal_check(SpryContext *ctx, const char *role, const SpryTensor *t, SpryType type,
                             int32_t rank);

/* Persistent op data of `bytes` zeroed bytes, stored in *user_data (init). */
SpryStatus spry_signal_alloc_op_data(SpryContext *ctx, size_t bytes, void **user_data);

/* Init of an op whose only option is one integer: the op data is that
 * int32_t, read from `key` within [lo, hi]. */
SpryStatus spry_signal_init_int_option(SpryContext *ctx, const SpryNode *node, const char *key,
                                       int32_t lo, int32_t hi, void **user_data);

/* A version-1 registration of a signal custom op (reset: NULL or a callback). */
#define SPRY_SIGNAL_OP(symbol, name, init_fn, prepare_fn, invoke_fn, reset_fn) \
  const SpryOpRegistration symbol = {                                          \
      .abi_version = SPRY_OP_ABI_VERSION,                                      \
      .builtin_code = SPRY_BUILTIN_CUSTOM,                                     \
      .custom_name = name,                                                     \
      .min_version = 1,                                                        \
      .max_version = 1,                                                        \
      .init = init_fn,                                                         \
      .prepare = prepare_fn,                                                   \
      .invoke = invoke_fn,                                                     \
      .reset = reset_fn,                                                       \
  }

#endif /* SPRY_KERNELS_SIGNAL_COMMON_H */
