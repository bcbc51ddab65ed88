/* SPDX-License-Identifier: Apache-2.0 */
/* view.c — tensor views: validation, element reads with dequantization, error messages. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

SpryStatus spry_post_fail(SpryPostError *err, SpryStatus code, const char *format, ...)
{
  if (err != NULL) {
    va_list args;
    va_start(args, format);
    vsnprintf(err->message, sizeof err->message, format, args);
    va_end(args);
  }
  return code;
}

void spry_post_ok(SpryPostError *err)
{
  if (err != NULL)
    err->message[0] = '\0';
}

/* Element size of the types the decoders read; 0 for the others. */
static size_t view_type_size(SpryType type)
{
  switch (type) {
  case SPRY_TYPE_UINT8:
  case SPRY_TYPE_INT8:
    return 1;
  case SPRY_TYPE_INT16:
    return 2;
  case SPRY_TYPE_INT32:
  case SPRY_TYPE_FLOAT32:
    return 4;
  case SPRY_TYPE_INT64:
    return 8;
  default:
    return 0;
  }
}

/* Element count, or SIZE_MAX when a dimension is negative or it overflows. */
static size_t view_count_checked(const SpryTensorInfo *info)
{
  size_t count = 1;
  for (int32_t d = 0; d < info->rank; d++) {
    if (info->dims[d] < 0)
      return SIZE_MAX;
    size_t dim = (size_t)info->dims[d];
    if (dim != 0 && count > (SIZE_MAX - 1) / dim)
      return SIZE_MAX;
    count *= dim;
  }
  return count;
}

SpryStatus spry_tensor_view_check(const SpryTensorView *view, SpryPostError *err)
{
  if (view == NULL)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "tensor view is NULL");
  const SpryTensorInfo *info = &view->info;
  size_t size = view_type_size(info->type);
  if (size == 0)
    return spry_post_fail(err, SPRY_ERROR_UNSUPPORTED, "tensor type %s is not readable",
                          spry_type_name(info->type));
  if (info->rank < 0 || info->rank > SPRY_MAX_RANK)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "tensor rank %d out of range",
                          (int)info->rank);
  size_t count = view_count_checked(info);
  if (count == SIZE_MAX || count > SIZE_MAX / size)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "tensor shape is invalid");
  if (count * size != view->bytes)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "tensor holds %zu bytes, its shape needs %zu", view->bytes,
                          count * size);
  if (view->data == NULL && view->bytes > 0)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "tensor data is NULL");
  /* A negative or NaN scale would silently flip or poison every score. */
  if (!(info->scale >= 0.0f) || !isfinite(info->scale))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "tensor scale %g is invalid",
                          (double)info->scale);
  return SPRY_OK;
}

size_t spry_tensor_view_count(const SpryTensorView *view)
{
  if (view == NULL)
    return 0;
  size_t size = view_type_size(view->info.type);
  return size == 0 ? 0 : view->bytes / size;
}

/* (q - zero_point) * scale, or q itself for an unquantized tensor. The
 * difference is taken in 64 bits: any int32 zero point is allowed. */
static float view_dequantize(const SpryTensorInfo *info, int32_t q)
{
  if (info->scale == 0.0f)
    return (float)q;
  return (float)((int64_t)q - (int64_t)info->zero_point) * info->scale;
}

float spry_tensor_view_value(const SpryTensorView *view, size_t i)
{
  if (view == NULL || view->data == NULL || i >= spry_tensor_view_count(view))
    return 0.0f;
  const unsigned char *p = (const unsigned char *)view->data;
  /* memcpy: output buffers carry no alignment promise. */
  switch (view->info.type) {
  case SPRY_TYPE_UINT8:
    return view_dequantize(&view->info, p[i]);
  case SPRY_TYPE_INT8: {
    int8_t v;
    memcpy(&v, p + i, 1);
    return view_dequantize(&view->info, v);
  }
  case SPRY_TYPE_INT16: {
    int16_t v;
    memcpy(&v, p + 2 * i, 2);
    return view_dequantize(&view->info, v);
  }
  case SPRY_TYPE_INT32: {
    int32_t v;
    memcpy(&v, p + 4 * i, 4);
    return (float)v;
  }
  case SPRY_TYPE_INT64: {
    int64_t v;
    memcpy(&v, p + 8 * i, 8);
    return (float)v;
  }
  case SPRY_TYPE_FLOAT32: {
    float v;
    memcpy(&v, p + 4 * i, 4);
    return v;
  }
  default:
    return 0.0f;
  }
}

SpryStatus spry_post_check_view(const SpryTensorView *view, const char *what, SpryPostError *err)
{
  SpryStatus status = spry_tensor_view_check(view, err);
  if (status != SPRY_OK && err != NULL) {
    /* Prefix "what: " in place; the tail of a long message is cut. */
    size_t w = strlen(what), size = sizeof err->message;
    if (w + 2 < size) {
      memmove(err->message + w + 2, err->message, size - w - 2);
      memcpy(err->message, what, w);
      err->message[w] = ':';
      err->message[w + 1] = ' ';
      err->message[size - 1] = '\0';
    }
  }
  return status;
}

int spry_post_squeeze(const SpryTensorView *view, int32_t want, int32_t dims[SPRY_MAX_RANK])
{
  int32_t rank = view->info.rank;
  int32_t first = 0;
  while (rank - first > want && view->info.dims[first] == 1)
    first++;
  if (rank - first != want)
    return 0;
  for (int32_t d = 0; d < want; d++)
    dims[d] = view->info.dims[first + d];
  return 1;
}

const char *spry_post_shape(const SpryTensorView *view, char *buf, size_t size)
{
  if (size == 0)
    return buf;
  int32_t rank = view->info.rank;
  if (rank < 0 || rank > SPRY_MAX_RANK)
    rank = 0;
  size_t used = 0;
  buf[0] = '\0';
  for (int32_t d = 0; d < rank && used < size; d++) {
    int n = snprintf(buf + used, size - used, "%s%d", d == 0 ? "[" : ",",
                     (int)view->info.dims[d]);
    if (n < 0)
      return buf;
    used += (size_t)n;
  }
  if (used < size)
    snprintf(buf + used, size - used, "%s", rank == 0 ? "[]" : "]");
  return buf;
}
