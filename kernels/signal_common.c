/* SPDX-License-Identifier: Apache-2.0 */
/* signal_common.c — option parsing and tensor checks shared by the audio front-end custom ops. */
#include "signal_common.h"

#include "flexbuffer.h"

SpryStatus spry_signal_option(SpryContext *ctx, const SpryNode *node, const char *key,
                              bool required, int64_t fallback, int64_t lo, int64_t hi,
                              int64_t *out) {
  SpryFlexMap map;
  SpryFlexValue value;
  const bool have_map = node->custom_options &&
                        spry_flex_root_map(node->custom_options, node->custom_options_size, &map);
  if (!have_map || !spry_flex_map_find(&map, key, &value)) {
    SPRY_ENSURE_MSG(ctx, !required, SPRY_ERROR_INVALID_MODEL, "custom option %s is missing", key);
    *out = fallback;
    return SPRY_OK;
  }
  int64_t v = 0;
  SPRY_ENSURE_MSG(ctx, spry_flex_value_i64(&map, &value, &v), SPRY_ERROR_INVALID_MODEL,
                  "custom option %s is not a number", key);
  SPRY_ENSURE_MSG(ctx, v >= lo && v <= hi, SPRY_ERROR_INVALID_MODEL,
                  "custom option %s = %lld is outside [%lld, %lld]", key, (long long)v,
                  (long long)lo, (long long)hi);
  *out = v;
  return SPRY_OK;
}

SpryStatus spry_signal_check(SpryContext *ctx, const char *role, const SpryTensor *t, SpryType type,
                             int32_t rank) {
  SPRY_ENSURE_MSG(ctx, t, SPRY_ERROR_INVALID_MODEL, "%s is missing", role);
  SPRY_ENSURE_MSG(ctx, t->type == type, SPRY_ERROR_INVALID_MODEL, "%s must be %s, is %s", role,
                  spry_type_name(type), spry_type_name(t->type));
  SPRY_ENSURE_MSG(ctx, rank < 0 ? t->rank >= 1 : t->rank == rank, SPRY_ERROR_INVALID_MODEL,
                  "%s has rank %d, expected %s%d", role, (int)t->rank, rank < 0 ? "at least " : "",
                  (int)(rank < 0 ? 1 : rank));
  return SPRY_OK;
}

SpryStatus spry_signal_alloc_op_data(SpryContext *ctx, size_t bytes, void **user_data) {
  *user_data = spry_context_alloc_persistent(ctx, bytes);
  return *user_data ? SPRY_OK : SPRY_ERROR_OUT_OF_MEMORY;
}

SpryStatus spry_signal_init_int_option(SpryContext *ctx, const SpryNode *node, const char *key,
                                       int32_t lo, int32_t hi, void **user_data) {
  SPRY_TRY(spry_signal_alloc_op_data(ctx, sizeof(int32_t), user_data));
  int64_t v = 0;
  SPRY_TRY(spry_signal_option(ctx, node, key, true, 0, lo, hi, &v));
  *(int32_t *)*user_data = (int32_t)v;
  return SPRY_OK;
}
