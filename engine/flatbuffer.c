/* SPDX-License-Identifier: Apache-2.0 */
/* flatbuffer.c — bounds-checked FlatBuffer tables, vectors, strings and unions. */
#include "flatbuffer.h"

#include <inttypes.h>

#include "status.h"

#define SPRY_FB_UOFFSET_SIZE 4u

static SpryStatus past_end(const SpryFb *fb, const char *kind, size_t pos) {
  return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                        "truncated: %s at 0x%zx extends past end of %s (size %zu)", kind, pos,
                        fb->what, fb->size);
}

static SpryStatus misaligned(const char *kind, size_t pos) {
  return spry_set_error(SPRY_ERROR_INVALID_MODEL, "misaligned %s at 0x%zx", kind, pos);
}

/* Follows the unsigned offset stored at `pos`; both must lie in the buffer. */
static SpryStatus follow_offset(const SpryFb *fb, size_t pos, size_t *target) {
  if (!spry_fb_in_bounds(fb, pos, SPRY_FB_UOFFSET_SIZE)) return past_end(fb, "offset", pos);
  uint32_t offset = spry_fb_load_u32(fb->base + pos);
  if (offset > fb->size - pos) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "truncated: offset at 0x%zx points to 0x%zx, past end of %s (size %zu)",
                          pos, pos + (size_t)offset, fb->what, fb->size);
  }
  *target = pos + offset;
  return SPRY_OK;
}

static void describe_identifier(const uint8_t *id, char out[17]) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  for (int i = 0; i < 4; i++) {
    if (id[i] >= 0x20 && id[i] < 0x7f && id[i] != '"' && id[i] != '\\') {
      out[n++] = (char)id[i];
    } else {
      out[n++] = '\\';
      out[n++] = 'x';
      out[n++] = hex[id[i] >> 4];
      out[n++] = hex[id[i] & 15];
    }
  }
  out[n] = '\0';
}

SpryStatus spry_fb_root(const SpryFb *fb, const char *identifier, SpryFbTable *out) {
  if (fb->size < 8) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "truncated: %s has %zu bytes, too few for a FlatBuffer (at least 8)",
                          fb->what, fb->size);
  }
  if (identifier != NULL && memcmp(fb->base + 4, identifier, 4) != 0) {
    char found[17];
    describe_identifier(fb->base + 4, found);
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "bad file identifier \"%s\" (expected \"%.4s\")", found, identifier);
  }
  size_t root = 0;
  SpryStatus status = follow_offset(fb, 0, &root);
  if (status != SPRY_OK) return spry_prefix_error(status, "root table");
  return spry_fb_table_at(fb, root, out);
}

SpryStatus spry_fb_table_at(const SpryFb *fb, size_t pos, SpryFbTable *out) {
  if (!spry_fb_in_bounds(fb, pos, 4)) return past_end(fb, "table", pos);
  if (pos % 4 != 0) return misaligned("table", pos);
  int32_t soffset;
  memcpy(&soffset, fb->base + pos, sizeof soffset);
  /* vtable = table - soffset, computed in 64 bits so neither sign wraps. */
  int64_t vtable = (int64_t)pos - (int64_t)soffset;
  if (vtable < 0 || (uint64_t)vtable > (uint64_t)fb->size) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "vtable of table at 0x%zx lies outside the %s (offset %" PRId32
                          ", size %zu)",
                          pos, fb->what, soffset, fb->size);
  }
  size_t vt = (size_t)vtable;
  if (!spry_fb_in_bounds(fb, vt, 4)) return past_end(fb, "vtable", vt);
  if (vt % 2 != 0) return misaligned("vtable", vt);
  uint16_t vsize = spry_fb_load_u16(fb->base + vt);
  uint16_t tsize = spry_fb_load_u16(fb->base + vt + 2);
  if (vsize < 4 || vsize % 2 != 0) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL, "vtable at 0x%zx has invalid size %u", vt,
                          (unsigned)vsize);
  }
  if (!spry_fb_in_bounds(fb, vt, vsize)) return past_end(fb, "vtable", vt);
  if (tsize < 4) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "table at 0x%zx has invalid inline size %u", pos, (unsigned)tsize);
  }
  if (!spry_fb_in_bounds(fb, pos, tsize)) return past_end(fb, "table", pos);
  out->fb = fb;
  out->pos = pos;
  out->vtable = vt;
  out->vtable_size = vsize;
  out->table_size = tsize;
  return SPRY_OK;
}

/* Offset of the field inside the table, 0 when absent. */
static uint16_t field_offset(const SpryFbTable *t, int field) {
  if (field < 0 || field > (UINT16_MAX - 6) / 2) return 0;
  size_t entry = 4 + 2 * (size_t)field;
  if (entry + 2 > t->vtable_size) return 0;
  return spry_fb_load_u16(t->fb->base + t->vtable + entry);
}

bool spry_fb_has_field(const SpryFbTable *table, int field) {
  return field_offset(table, field) != 0;
}

/* Position of a field of `size` bytes, 0 when absent; errors when it sticks
 * out of the table's inline part. */
static SpryStatus field_pos(const SpryFbTable *t, int field, size_t size, size_t *pos) {
  uint16_t offset = field_offset(t, field);
  *pos = 0;
  if (offset == 0) return SPRY_OK;
  if ((size_t)offset + size > t->table_size) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "field %d of table at 0x%zx (offset %u, %zu bytes) lies outside the "
                          "table (%u bytes)",
                          field, t->pos, (unsigned)offset, size, (unsigned)t->table_size);
  }
  *pos = t->pos + offset;
  return SPRY_OK;
}

/* Copies a scalar field of `size` bytes into `out`, or leaves `out` (holding
 * the default) alone when the field is absent. */
static SpryStatus scalar(const SpryFbTable *t, int field, size_t size, void *out) {
  size_t pos;
  SpryStatus status = field_pos(t, field, size, &pos);
  if (status == SPRY_OK && pos != 0) memcpy(out, t->fb->base + pos, size);
  return status;
}

SpryStatus spry_fb_u8(const SpryFbTable *t, int field, uint8_t def, uint8_t *out) {
  *out = def;
  return scalar(t, field, sizeof *out, out);
}
SpryStatus spry_fb_i8(const SpryFbTable *t, int field, int8_t def, int8_t *out) {
  *out = def;
  return scalar(t, field, sizeof *out, out);
}
SpryStatus spry_fb_u16(const SpryFbTable *t, int field, uint16_t def, uint16_t *out) {
  *out = def;
  return scalar(t, field, sizeof *out, out);
}
SpryStatus spry_fb_u32(const SpryFbTable *t, int field, uint32_t def, uint32_t *out) {
  *out = def;
  return scalar(t, field, sizeof *out, out);
}
SpryStatus spry_fb_i32(const SpryFbTable *t, int field, int32_t def, int32_t *out) {
  *out = def;
  return scalar(t, field, sizeof *out, out);
}
SpryStatus spry_fb_u64(const SpryFbTable *t, int field, uint64_t def, uint64_t *out) {
  *out = def;
  return scalar(t, field, sizeof *out, out);
}
SpryStatus spry_fb_f32(const SpryFbTable *t, int field, float def, float *out) {
  *out = def;
  return scalar(t, field, sizeof *out, out);
}

/* Target of a reference field; *target = 0 when absent. */
static SpryStatus reference(const SpryFbTable *t, int field, size_t *target) {
  size_t pos;
  *target = 0;
  SpryStatus status = field_pos(t, field, SPRY_FB_UOFFSET_SIZE, &pos);
  if (status != SPRY_OK || pos == 0) return status;
  return follow_offset(t->fb, pos, target);
}

SpryStatus spry_fb_table_field(const SpryFbTable *t, int field, bool *present,
                               SpryFbTable *out) {
  size_t target = 0;
  memset(out, 0, sizeof *out);
  if (present) *present = false;
  SpryStatus status = reference(t, field, &target);
  if (status != SPRY_OK || target == 0) return status;
  if (present) *present = true;
  return spry_fb_table_at(t->fb, target, out);
}

/* Verifies the vector whose length prefix is at `pos`. */
static SpryStatus vector_at(const SpryFb *fb, size_t pos, size_t elem_size, SpryFbVector *out) {
  if (!spry_fb_in_bounds(fb, pos, 4)) return past_end(fb, "vector", pos);
  if (pos % 4 != 0) return misaligned("vector", pos);
  uint32_t length = spry_fb_load_u32(fb->base + pos);
  size_t room = fb->size - pos - 4;
  if (elem_size != 0 && length > room / elem_size) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "truncated: vector at 0x%zx (%" PRIu32 " elements of %zu bytes) "
                          "extends past end of %s (size %zu)",
                          pos, length, elem_size, fb->what, fb->size);
  }
  out->fb = fb;
  out->data = pos + 4;
  out->length = length;
  out->elem_size = elem_size;
  return SPRY_OK;
}

SpryStatus spry_fb_vector_field(const SpryFbTable *t, int field, size_t elem_size,
                                bool *present, SpryFbVector *out) {
  size_t target = 0;
  memset(out, 0, sizeof *out);
  out->fb = t->fb;
  out->elem_size = elem_size;
  if (present) *present = false;
  SpryStatus status = reference(t, field, &target);
  if (status != SPRY_OK || target == 0) return status;
  if (present) *present = true;
  return vector_at(t->fb, target, elem_size, out);
}

static SpryStatus string_at(const SpryFb *fb, size_t pos, const char **out, size_t *len) {
  SpryFbVector bytes = {0};
  SpryStatus status = vector_at(fb, pos, 1, &bytes);
  if (status != SPRY_OK) return status;
  size_t end = bytes.data + bytes.length;
  if (end >= fb->size) return past_end(fb, "string terminator of string", pos);
  if (fb->base[end] != 0) {
    return spry_set_error(SPRY_ERROR_INVALID_MODEL,
                          "string at 0x%zx (length %" PRIu32 ") is not NUL-terminated", pos,
                          bytes.length);
  }
  *out = (const char *)(fb->base + bytes.data);
  *len = bytes.length;
  return SPRY_OK;
}

SpryStatus spry_fb_string_field(const SpryFbTable *t, int field, const char **out,
                                size_t *len) {
  size_t target = 0;
  *out = NULL;
  *len = 0;
  SpryStatus status = reference(t, field, &target);
  if (status != SPRY_OK || target == 0) return status;
  return string_at(t->fb, target, out, len);
}

SpryStatus spry_fb_union_field(const SpryFbTable *t, int type_field, uint8_t *type,
                               SpryFbTable *out) {
  memset(out, 0, sizeof *out);
  SpryStatus status = spry_fb_u8(t, type_field, 0, type);
  if (status != SPRY_OK || *type == 0) return status;
  bool present;
  status = spry_fb_table_field(t, type_field + 1, &present, out);
  /* A type without a value carries no options: read as NONE. */
  if (status == SPRY_OK && !present) *type = 0;
  return status;
}

SpryStatus spry_fb_vector_table(const SpryFbVector *v, uint32_t i, SpryFbTable *out) {
  size_t target = 0;
  SpryStatus status = follow_offset(v->fb, v->data + (size_t)i * SPRY_FB_UOFFSET_SIZE, &target);
  if (status != SPRY_OK) return status;
  return spry_fb_table_at(v->fb, target, out);
}

SpryStatus spry_fb_vector_string(const SpryFbVector *v, uint32_t i, const char **out,
                                 size_t *len) {
  size_t target = 0;
  SpryStatus status = follow_offset(v->fb, v->data + (size_t)i * SPRY_FB_UOFFSET_SIZE, &target);
  if (status != SPRY_OK) return status;
  return string_at(v->fb, target, out, len);
}
