/* SPDX-License-Identifier: Apache-2.0 */
/* pose.c — single-pose keypoints from MoveNet's [1,1,K,3] (y, x, score) output. */
#include "internal.h"

SpryStatus spry_pose_movenet(const SpryTensorView *output, SpryKeypoint *out, int32_t capacity,
                             int32_t *out_count, SpryPostError *err)
{
  if (out_count == NULL || capacity < 0 || (out == NULL && capacity > 0))
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT, "pose: bad arguments");
  *out_count = 0;
  SpryStatus status = spry_post_check_view(output, "pose", err);
  if (status != SPRY_OK)
    return status;
  const SpryTensorInfo *info = &output->info;
  char text[64];
  if (info->rank != 4 || info->dims[0] != 1 || info->dims[1] != 1 || info->dims[2] < 1 ||
      info->dims[3] != 3)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "pose: MoveNet output must be [1,1,K,3], got %s",
                          spry_post_shape(output, text, sizeof text));
  int32_t k = info->dims[2];
  if (k > capacity)
    return spry_post_fail(err, SPRY_ERROR_INVALID_ARGUMENT,
                          "pose: %d keypoints, output holds %d", (int)k, (int)capacity);
  for (int32_t i = 0; i < k; i++) {
    size_t row = (size_t)i * 3;
    out[i].y = spry_tensor_view_value(output, row);
    out[i].x = spry_tensor_view_value(output, row + 1);
    out[i].score = spry_tensor_view_value(output, row + 2);
  }
  *out_count = k;
  spry_post_ok(err);
  return SPRY_OK;
}
