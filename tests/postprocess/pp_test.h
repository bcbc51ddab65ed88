/* SPDX-License-Identifier: Apache-2.0 */
/* pp_test.h — helpers for the post-processing tests: building tensor views over local arrays. */
#ifndef SPRY_TESTS_PP_TEST_H
#define SPRY_TESTS_PP_TEST_H

#include <stdarg.h>
#include <string.h>

#include "postprocess.h"

/* A view of `bytes` bytes at `data` with the given type and shape
 * (`rank` dims follow), unquantized. */
static inline SpryTensorView pp_view(SpryType type, const void *data, size_t bytes, int rank, ...)
{
  SpryTensorView v;
  memset(&v, 0, sizeof v);
  v.info.name = "t";
  v.info.type = type;
  v.info.rank = rank;
  va_list args;
  va_start(args, rank);
  for (int i = 0; i < rank; i++)
    v.info.dims[i] = va_arg(args, int);
  va_end(args);
  v.data = data;
  v.bytes = bytes;
  return v;
}

static inline SpryTensorView pp_quant(SpryTensorView v, float scale, int32_t zero_point)
{
  v.info.scale = scale;
  v.info.zero_point = zero_point;
  v.info.num_channels = 1;
  return v;
}

#endif /* SPRY_TESTS_PP_TEST_H */
