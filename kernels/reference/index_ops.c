/* SPDX-License-Identifier: Apache-2.0 */
/* index_ops.c — reference ONE_HOT, CUMSUM, TOPK_V2, BROADCAST_ARGS, SCATTER_ND and RANGE loops. */
#include "index_ops.h"

#include <string.h>

#include "elementwise.h"

/* ---- Typed element arithmetic shared by the accumulating ops ---------------
 * float32 adds in float; integer types add modulo 2^64 and wrap on store
 * (bool stores "nonzero", so addition acts as OR). */

static float load_f32(const void *p, size_t i) {
  float x;
  memcpy(&x, (const uint8_t *)p + i * sizeof x, sizeof x);
  return x;
}

static void store_f32(void *p, size_t i, float x) {
  memcpy((uint8_t *)p + i * sizeof x, &x, sizeof x);
}

typedef union SpryAcc {
  float f;
  uint64_t u;
} SpryAcc;

static void acc_add(SpryType t, SpryAcc *acc, const void *p, size_t i) {
  if (t == SPRY_TYPE_FLOAT32)
    acc->f += load_f32(p, i);
  else
    acc->u += (uint64_t)spry_load_int(p, t, i);
}

static void acc_store(SpryType t, const SpryAcc *acc, void *p, size_t i) {
  if (t == SPRY_TYPE_FLOAT32)
    store_f32(p, i, acc->f);
  else
    spry_store_int(p, t, i, (int64_t)acc->u);
}

static void acc_load(SpryType t, SpryAcc *acc, const void *p, size_t i) {
  if (t == SPRY_TYPE_FLOAT32)
    acc->f = load_f32(p, i);
  else
    acc->u = (uint64_t)spry_load_int(p, t, i);
}

/* ---- ONE_HOT ------------------------------------------------------------------ */

void spry_ref_one_hot(const void *indices, SpryType index_type, size_t prefix, int32_t depth,
                      size_t suffix, const void *on, const void *off, size_t elem_size,
                      void *output) {
  uint8_t *out = output;
  for (size_t p = 0; p < prefix; p++) {
    for (int32_t j = 0; j < depth; j++) {
      for (size_t s = 0; s < suffix; s++, out += elem_size) {
        const int32_t index = (int32_t)spry_wrap_int(
            spry_load_int(indices, index_type, p * suffix + s), SPRY_TYPE_INT32);
        memcpy(out, index == j ? on : off, elem_size);
      }
    }
  }
}

/* ---- CUMSUM ------------------------------------------------------------------- */

void spry_ref_cumsum(SpryType type, const void *input, void *output, size_t outer, int32_t n,
                     size_t inner, bool exclusive, bool reverse) {
  for (size_t o = 0; o < outer; o++) {
    for (size_t i = 0; i < inner; i++) {
      SpryAcc acc = {.u = 0}; /* all-zero bits: also +0.0f */
      for (int32_t step = 0; step < n; step++) {
        const int32_t d = reverse ? n - 1 - step : step;
        const size_t at = (o * (size_t)n + (size_t)d) * inner + i;
        if (exclusive) acc_store(type, &acc, output, at);
        acc_add(type, &acc, input, at);
        if (!exclusive) acc_store(type, &acc, output, at);
      }
    }
  }
}

/* ---- TOPK_V2 ------------------------------------------------------------------ */

/* Whether element a of the row ranks before element b: larger value first,
 * the lower index among equal values. */
static bool ranks_before(SpryType t, const void *row, int32_t a, int32_t b) {
  if (t == SPRY_TYPE_FLOAT32) {
    const float x = load_f32(row, (size_t)a), y = load_f32(row, (size_t)b);
    if (y < x) return true;
    if (y > x) return false;
  } else {
    const int64_t x = spry_load_int(row, t, (size_t)a), y = spry_load_int(row, t, (size_t)b);
    if (y < x) return true;
    if (y > x) return false;
  }
  return a < b;
}

void spry_ref_topk(SpryType type, const void *input, size_t rows, int32_t row_size, int32_t k,
                   void *values, SpryType index_type, void *indices) {
  const size_t es = spry_type_size(type);
  for (size_t r = 0; r < rows; r++) {
    const uint8_t *row = (const uint8_t *)input + r * (size_t)row_size * es;
    const size_t base = r * (size_t)k;
    int32_t kept = 0; /* indices[base, base + kept) sorted best first */
    for (int32_t c = 0; c < row_size; c++) {
      int32_t pos = kept;
      while (pos > 0 &&
             ranks_before(type, row, c,
                          (int32_t)spry_load_int(indices, index_type, base + (size_t)pos - 1)))
        pos--;
      if (pos >= k) continue;
      if (kept < k) kept++;
      for (int32_t m = kept - 1; m > pos; m--)
        spry_store_int(indices, index_type, base + (size_t)m,
                       spry_load_int(indices, index_type, base + (size_t)m - 1));
      spry_store_int(indices, index_type, base + (size_t)pos, c);
    }
    for (int32_t m = 0; m < k; m++) {
      const size_t at = (size_t)spry_load_int(indices, index_type, base + (size_t)m);
      memcpy((uint8_t *)values + (base + (size_t)m) * es, row + at * es, es);
    }
  }
}

/* ---- BROADCAST_ARGS ----------------------------------------------------------- */

bool spry_ref_broadcast_args(SpryType type, const void *s0, int32_t n0, const void *s1,
                             int32_t n1, void *output, int32_t out_len) {
  for (int32_t i = 0; i < out_len; i++) {
    const int32_t i0 = i - (out_len - n0), i1 = i - (out_len - n1);
    const int64_t a = i0 >= 0 ? spry_load_int(s0, type, (size_t)i0) : 1;
    const int64_t b = i1 >= 0 ? spry_load_int(s1, type, (size_t)i1) : 1;
    if (a != b && a != 1 && b != 1) return false;
    spry_store_int(output, type, (size_t)i, a == 1 ? b : a);
  }
  return true;
}

/* ---- SCATTER_ND --------------------------------------------------------------- */

int64_t spry_ref_scatter_nd(const SpryScatterNdParams *p, SpryType type, const int32_t *indices,
                            const void *updates, void *output) {
  memset(output, 0, p->output_count * spry_type_size(type));
  for (size_t s = 0; s < p->num_slices; s++) {
    size_t to = 0;
    for (int32_t j = 0; j < p->index_depth; j++) {
      const int32_t idx = indices[s * (size_t)p->index_depth + (size_t)j];
      if (idx < 0 || idx >= p->out_dims[j]) return (int64_t)s;
      to += (size_t)idx * p->out_strides[j];
    }
    to *= p->slice_size;
    for (size_t e = 0; e < p->slice_size; e++) {
      SpryAcc acc;
      acc_load(type, &acc, output, to + e);
      acc_add(type, &acc, updates, s * p->slice_size + e);
      acc_store(type, &acc, output, to + e);
    }
  }
  return -1;
}

/* ---- RANGE -------------------------------------------------------------------- */

void spry_ref_range(SpryType type, const void *start, const void *delta, size_t count,
                    void *output) {
  SpryAcc value;
  acc_load(type, &value, start, 0);
  for (size_t i = 0; i < count; i++) {
    acc_store(type, &value, output, i);
    acc_add(type, &value, delta, 0);
  }
}
