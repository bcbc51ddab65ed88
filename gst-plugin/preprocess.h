/* SPDX-License-Identifier: Apache-2.0 */
/* preprocess.h — converts a video frame into a model's input tensor: colour, scaling and normalisation. */
#ifndef SPRY_GST_PREPROCESS_H
#define SPRY_GST_PREPROCESS_H

#include <gst/video/video.h>
#include <spry/spry.h>

#include "gst/spry/spry-meta.h"

G_BEGIN_DECLS

typedef enum {
  SPRY_SCALE_STRETCH,   /* whole frame to the whole input; aspect ratio changes */
  SPRY_SCALE_LETTERBOX, /* whole frame, aspect kept, borders filled with black */
  SPRY_SCALE_CROP,      /* centre of the frame with the input's aspect ratio */
} SpryScaleMode;

/* The model input and how pixels map to its values: a pixel value p (0..255)
 * of channel c means the real value (p - mean[c]) / std[c], which is then
 * quantized with the input's scale and zero point when it is quantized. */
typedef struct SpryPreprocessConfig {
  SpryType type;          /* FLOAT32, UINT8, INT8 or INT16 */
  gfloat scale;           /* input quantization (0 when not quantized) */
  gint zero_point;
  gint width, height;
  gint channels;          /* 3 (RGB) or 1 (grey) */
  SpryScaleMode mode;
  gfloat mean[3], std[3];
  gint threads;           /* unused: the one-pass sampler runs on the calling thread */
} SpryPreprocessConfig;

typedef struct SpryPreprocessor SpryPreprocessor;

/* Fills `config` from the model's first input tensor (NHWC, C = 1 or 3);
 * FALSE with `error` set when it is not an image input. mean/std are not
 * touched. */
gboolean spry_preprocess_config_from_tensor(const SpryTensorInfo *input, SpryPreprocessConfig *config,
                                            GError **error);

/* The normalisation used when neither the model nor the user gives one:
 * quantized 8-bit inputs take the pixel as it is (uint8: p, int8: p - 128,
 * through the input quantization), float inputs take (p - 127.5) / 127.5. */
void spry_preprocess_default_normalization(SpryPreprocessConfig *config);

SpryPreprocessor *spry_preprocessor_new(const GstVideoInfo *frame_info,
                                        const SpryPreprocessConfig *config, GError **error);
void spry_preprocessor_free(SpryPreprocessor *pre);

/* Converts `frame` into `dst` (the input tensor's bytes). */
gboolean spry_preprocessor_run(SpryPreprocessor *pre, const GstVideoFrame *frame, void *dst,
                               gsize dst_size, GError **error);

/* Where the model input lies in the frame (see SpryMetaRegion). */
SpryMetaRegion spry_preprocessor_region(const SpryPreprocessor *pre);

G_END_DECLS

#endif /* SPRY_GST_PREPROCESS_H */
