/* SPDX-License-Identifier: Apache-2.0 */
/* options.c — bounds-checked reads of an operator's builtin options table. */
#include "flatbuffer.h"
#include "model.h"

/* Re-verifies the table on every read: it was checked at open, but a
 * SpryOptionsTable is plain data a caller could have built, and the check is
 * a handful of comparisons (options are read at init, never while invoking).
 * Returns false when the table cannot be used: then every read yields its
 * default. */
static bool open_table(const SpryOptionsTable *options, SpryFb *fb, SpryFbTable *table) {
  if (options == NULL || options->base == NULL) return false;
  fb->base = options->base;
  fb->size = options->size;
  fb->what = "model";
  return spry_fb_table_at(fb, options->table, table) == SPRY_OK;
}

bool spry_option_bool(const SpryOptionsTable *options, int field, bool default_value) {
  SpryFb fb;
  SpryFbTable t;
  uint8_t v;
  if (!open_table(options, &fb, &t) || spry_fb_u8(&t, field, default_value, &v) != SPRY_OK) {
    return default_value;
  }
  return v != 0;
}

int8_t spry_option_i8(const SpryOptionsTable *options, int field, int8_t default_value) {
  SpryFb fb;
  SpryFbTable t;
  int8_t v;
  if (!open_table(options, &fb, &t) || spry_fb_i8(&t, field, default_value, &v) != SPRY_OK) {
    return default_value;
  }
  return v;
}

int16_t spry_option_i16(const SpryOptionsTable *options, int field, int16_t default_value) {
  SpryFb fb;
  SpryFbTable t;
  uint16_t v;
  if (!open_table(options, &fb, &t) ||
      spry_fb_u16(&t, field, (uint16_t)default_value, &v) != SPRY_OK) {
    return default_value;
  }
  int16_t out;
  memcpy(&out, &v, sizeof out);
  return out;
}

int32_t spry_option_i32(const SpryOptionsTable *options, int field, int32_t default_value) {
  SpryFb fb;
  SpryFbTable t;
  int32_t v;
  if (!open_table(options, &fb, &t) || spry_fb_i32(&t, field, default_value, &v) != SPRY_OK) {
    return default_value;
  }
  return v;
}

int64_t spry_option_i64(const SpryOptionsTable *options, int field, int64_t default_value) {
  SpryFb fb;
  SpryFbTable t;
  uint64_t v;
  if (!open_table(options, &fb, &t) ||
      spry_fb_u64(&t, field, (uint64_t)default_value, &v) != SPRY_OK) {
    return default_value;
  }
  int64_t out;
  memcpy(&out, &v, sizeof out);
  return out;
}

float spry_option_f32(const SpryOptionsTable *options, int field, float default_value) {
  SpryFb fb;
  SpryFbTable t;
  float v;
  if (!open_table(options, &fb, &t) || spry_fb_f32(&t, field, default_value, &v) != SPRY_OK) {
    return default_value;
  }
  return v;
}

int32_t spry_option_i32_vector(const SpryOptionsTable *options, int field, int32_t *dst,
                               int32_t capacity) {
  SpryFb fb;
  SpryFbTable t;
  SpryFbVector v;
  bool present;
  if (!open_table(options, &fb, &t) ||
      spry_fb_vector_field(&t, field, sizeof(int32_t), &present, &v) != SPRY_OK || !present ||
      v.length > INT32_MAX) {
    return -1;
  }
  uint32_t n = v.length;
  if (dst == NULL || capacity < 0) capacity = 0;
  if (n > (uint32_t)capacity) n = (uint32_t)capacity;
  for (uint32_t i = 0; i < n; i++) dst[i] = spry_fb_vector_i32(&v, i);
  return (int32_t)v.length;
}

bool spry_option_string(const SpryOptionsTable *options, int field, const char **out,
                        size_t *out_length) {
  SpryFb fb;
  SpryFbTable t;
  *out = NULL;
  *out_length = 0;
  if (!open_table(options, &fb, &t) ||
      spry_fb_string_field(&t, field, out, out_length) != SPRY_OK || *out == NULL) {
    *out = NULL;
    *out_length = 0;
    return false;
  }
  return true;
}
