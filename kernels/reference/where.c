/* SPDX-License-Identifier: Apache-2.0 */
/* where.c — reference loops of WHERE: counting true elements and listing their coordinates. */
#include "where.h"

#include <stdbool.h>
#include <string.h>

/* Whether element i of the condition is true (nonzero). Values are read
 * with memcpy: the condition buffer need not be aligned for its type. */
static bool element_true(SpryType type, const uint8_t *condition, size_t i) {
  switch (type) {
    case SPRY_TYPE_BOOL:
    case SPRY_TYPE_INT8:
    case SPRY_TYPE_UINT8: return condition[i] != 0;
    case SPRY_TYPE_FLOAT32: {
      float v;
      memcpy(&v, condition + i * sizeof v, sizeof v);
      return v != 0.0f;
    }
    case SPRY_TYPE_INT32:
    case SPRY_TYPE_UINT32: {
      uint32_t v;
      memcpy(&v, condition + i * sizeof v, sizeof v);
      return v != 0;
    }
    case SPRY_TYPE_INT64: {
      uint64_t v;
      memcpy(&v, condition + i * sizeof v, sizeof v);
      return v != 0;
    }
    default: return false;
  }
}

size_t spry_ref_where_count(SpryType type, const void *condition, size_t count) {
  size_t true_count = 0;
  for (size_t i = 0; i < count; i++) true_count += element_true(type, condition, i);
  return true_count;
}

void spry_ref_where(SpryType type, const void *condition, int32_t rank, const int32_t *dims,
                    int64_t *output) {
  size_t count = 1;
  for (int32_t d = 0; d < rank; d++) count *= (size_t)dims[d];
  /* The coordinates of element i, advanced like an odometer (last axis
   * fastest) instead of divided out of i for every true element. */
  int32_t coord[SPRY_MAX_RANK] = {0};
  size_t row = 0;
  for (size_t i = 0; i < count; i++) {
    if (element_true(type, condition, i)) {
      for (int32_t d = 0; d < rank; d++) output[row * (size_t)rank + (size_t)d] = coord[d];
      row++;
    }
    for (int32_t d = rank - 1; d >= 0; d--) {
      if (++coord[d] < dims[d]) break;
      coord[d] = 0;
    }
  }
}
