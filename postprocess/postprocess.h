/* SPDX-License-Identifier: Apache-2.0 */
/*
 * postprocess.h — turns a model's output tensors into results
 * (classifications, detections, segmentation maps, keypoints).
 *
 * Overview
 * --------
 * The library is GStreamer-free and depends only on libspry (<spry/spry.h>:
 * types and their names) and libm; `sprydecode` and the `spry` CLI call it. Every
 * decoder reads its inputs through a SpryTensorView (tensor info + raw bytes),
 * validates them completely (types, shapes, counts, indices) and writes into
 * caller-provided arrays. A malformed model output yields an error status
 * and a message in the optional SpryPostError; nothing is ever printed and
 * nothing outside the given buffers is read or written.
 *
 * Boxes are normalised to the model input: x, y is the top-left corner and
 * w, h the size, in units of the input width and height ([0,1] when inside).
 *
 * Example (an SSD model with TFLite_Detection_PostProcess outputs):
 *
 *     SpryTensorView views[4];            // filled from the output tensors
 *     SprySsdOutputs which;
 *     SpryDetection dets[20];
 *     int32_t n = 0;
 *     SpryPostError err;
 *     SprySsdOptions opts;
 *     spry_ssd_options_init(&opts);
 *     if (spry_ssd_identify(views, 4, &which, &err) != SPRY_OK ||
 *         spry_detect_ssd(&views[which.boxes], &views[which.classes],
 *                         &views[which.scores], &views[which.count], &opts,
 *                         dets, 20, &n, &err) != SPRY_OK)
 *       report(err.message);
 */
#ifndef SPRY_POSTPROCESS_H
#define SPRY_POSTPROCESS_H

#include <stddef.h>
#include <stdint.h>

#include <spry/spry.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Errors and tensor views ------------------------------------------------ */

#define SPRY_POST_ERROR_SIZE 192

/* Where a failing call leaves its message. Every `err` parameter may be NULL. */
typedef struct SpryPostError {
  char message[SPRY_POST_ERROR_SIZE];
} SpryPostError;

/* One output tensor as the decoders see it. `bytes` must equal the element
 * count times the element size; `data` need not be aligned. */
typedef struct SpryTensorView {
  SpryTensorInfo info;
  const void *data;
  size_t bytes;
} SpryTensorView;

/* Checks that the type is readable (uint8, int8, int16, int32, int64,
 * float32), the shape is valid and `bytes` matches it. */
SpryStatus spry_tensor_view_check(const SpryTensorView *view, SpryPostError *err);
/* Elements of a view that passed spry_tensor_view_check(). */
size_t spry_tensor_view_count(const SpryTensorView *view);
/* Element `i` as float: uint8/int8/int16 dequantized ((q - zero_point) *
 * scale, the raw value when scale is 0); int32, int64 and float32 as they
 * are. 0 when `i` is out of range or the view is unreadable. */
float spry_tensor_view_value(const SpryTensorView *view, size_t i);

/* ---- Classification ---------------------------------------------------------- */

typedef struct SpryClassification {
  int32_t index; /* tensor position + label_offset */
  float score;
} SpryClassification;

typedef struct SpryClassifyOptions {
  int32_t top_k;         /* at most this many results (default 5) */
  float score_threshold; /* keep scores >= this (default -FLT_MAX: all) */
  int32_t label_offset;  /* added to every index; results below 0 are dropped */
  int32_t softmax;       /* nonzero: softmax over the scores first (default 0) */
} SpryClassifyOptions;

void spry_classify_options_init(SpryClassifyOptions *options);
/* Top-k of a [N] or [1,N] score tensor of any readable type, best first;
 * equal scores keep the lower index first. NaN scores are skipped. */
SpryStatus spry_classify(const SpryTensorView *scores, const SpryClassifyOptions *options,
                         SpryClassification *out, int32_t capacity, int32_t *out_count,
                         SpryPostError *err);

/* ---- Detection results --------------------------------------------------------- */

#define SPRY_MAX_KEYPOINTS_PER_DETECTION 8

typedef struct SpryDetection {
  int32_t index; /* class index (+ label_offset where the decoder has one) */
  float score;
  float x, y, w, h;
  int32_t num_keypoints;
  float keypoints[2 * SPRY_MAX_KEYPOINTS_PER_DETECTION]; /* x0, y0, x1, y1, ... */
} SpryDetection;

/* ---- SSD detections (TFLite_Detection_PostProcess outputs) --------------------- */

/* Which of a model's outputs holds what. */
typedef struct SprySsdOutputs {
  int32_t boxes;   /* [1,N,4] ymin, xmin, ymax, xmax */
  int32_t classes; /* [1,N] */
  int32_t scores;  /* [1,N] */
  int32_t count;   /* [1] */
} SprySsdOutputs;

/* Finds the four outputs by shape: boxes end in 4, count has one element.
 * Classes and scores have the same shape; a name containing "class" or
 * "score" decides, then the data (classes are whole numbers, scores are not),
 * and last the TF1 order (classes before scores). */
SpryStatus spry_ssd_identify(const SpryTensorView *outputs, int32_t num_outputs,
                             SprySsdOutputs *out, SpryPostError *err);

typedef struct SprySsdOptions {
  float score_threshold; /* keep scores >= this (default 0.5) */
  int32_t label_offset;  /* added to every class index (default 0) */
} SprySsdOptions;

void spry_ssd_options_init(SprySsdOptions *options);
/* Valid detections among the first `count` boxes (at most `capacity`, taken in
 * output order, which the op sorts by score), best first, boxes clamped to
 * [0,1]. Boxes with non-finite or inverted corners are dropped; a count that is
 * not a whole number in [0, N] or a class index that is not a whole number
 * >= 0 is an error. */
SpryStatus spry_detect_ssd(const SpryTensorView *boxes, const SpryTensorView *classes,
                           const SpryTensorView *scores, const SpryTensorView *count,
                           const SprySsdOptions *options, SpryDetection *out, int32_t capacity,
                           int32_t *out_count, SpryPostError *err);

/* ---- SSD anchors (MediaPipe SsdAnchorsCalculator semantics) -------------------- */

#define SPRY_ANCHOR_MAX_LAYERS 8
#define SPRY_ANCHOR_MAX_ASPECT_RATIOS 8

typedef struct SpryAnchor {
  float x_center, y_center, w, h; /* normalised to the model input */
} SpryAnchor;

typedef struct SpryAnchorOptions {
  int32_t num_layers;
  float min_scale, max_scale;
  int32_t input_width, input_height;
  float anchor_offset_x, anchor_offset_y;         /* default 0.5 */
  int32_t strides[SPRY_ANCHOR_MAX_LAYERS];        /* one per layer */
  int32_t feature_map_width[SPRY_ANCHOR_MAX_LAYERS];  /* 0: ceil(input / stride) */
  int32_t feature_map_height[SPRY_ANCHOR_MAX_LAYERS]; /* 0: ceil(input / stride) */
  int32_t num_aspect_ratios;
  float aspect_ratios[SPRY_ANCHOR_MAX_ASPECT_RATIOS];
  float interpolated_scale_aspect_ratio; /* > 0 adds one anchor per layer (default 1.0) */
  int32_t reduce_boxes_in_lowest_layer;  /* nonzero: layer 0 uses 3 fixed anchors */
  int32_t fixed_anchor_size;             /* nonzero: every anchor is 1 x 1 */
} SpryAnchorOptions;

/* MediaPipe's defaults: offsets 0.5, interpolated ratio 1.0, everything else 0. */
void spry_anchor_options_init(SpryAnchorOptions *options);
/* face_detection_short_range: 128x128, 4 layers, strides 8,16,16,16 (896). */
void spry_anchor_options_face_short_range(SpryAnchorOptions *options);
/* Number of anchors the options produce (validates them). */
SpryStatus spry_anchors_count(const SpryAnchorOptions *options, int32_t *out_count,
                              SpryPostError *err);
/* Writes the anchors in MediaPipe's order (layer groups, rows, columns,
 * anchors of a cell); fails when `capacity` is too small. */
SpryStatus spry_anchors_generate(const SpryAnchorOptions *options, SpryAnchor *out,
                                 int32_t capacity, int32_t *out_count, SpryPostError *err);

/* ---- Non-maximum suppression ------------------------------------------------------ */

typedef enum SpryNmsAlgorithm {
  SPRY_NMS_NONE = 0,     /* sort and truncate only */
  SPRY_NMS_HARD = 1,     /* drop boxes overlapping a better kept box */
  SPRY_NMS_WEIGHTED = 2, /* MediaPipe: score-weighted mean of each overlapping group */
} SpryNmsAlgorithm;

typedef struct SpryNmsOptions {
  SpryNmsAlgorithm algorithm;
  float iou_threshold;    /* overlap (IoU) above this suppresses */
  int32_t max_detections; /* 0: no limit */
} SpryNmsOptions;

/* In place: sorts by score (ties: earlier first), suppresses, and sets
 * *out_count to the number of detections kept at the front of `dets`. */
SpryStatus spry_nms(SpryDetection *dets, int32_t count, const SpryNmsOptions *options,
                    int32_t *out_count, SpryPostError *err);
/* Intersection over union of two boxes (0 when disjoint or degenerate). */
float spry_box_iou(const SpryDetection *a, const SpryDetection *b);

/* ---- Raw detections (MediaPipe TensorsToDetections semantics) --------------------- */

typedef enum SpryBoxFormat {
  SPRY_BOX_YXHW = 0, /* y_center, x_center, h, w (MediaPipe's default) */
  SPRY_BOX_XYWH = 1, /* x_center, y_center, w, h (reverse_output_order) */
  SPRY_BOX_XYHW = 2, /* x_center, y_center, h, w */
} SpryBoxFormat;

typedef struct SpryRawDetectOptions {
  int32_t box_coord_offset;
  int32_t keypoint_coord_offset;
  int32_t num_keypoints;           /* at most SPRY_MAX_KEYPOINTS_PER_DETECTION */
  int32_t num_values_per_keypoint; /* >= 2; the first two are the position */
  SpryBoxFormat box_format;        /* keypoints are x, y unless the format is YXHW */
  float x_scale, y_scale, w_scale, h_scale;
  int32_t apply_exponential_on_box_size;
  int32_t sigmoid_score;
  float score_clipping_thresh; /* > 0: clip raw scores to +-this before the sigmoid */
  float min_score_thresh;      /* keep scores >= this */
  SpryNmsOptions nms;
} SpryRawDetectOptions;

/* Scales 1, YXHW, no keypoints, threshold 0.5, hard NMS at 0.5, 100 results. */
void spry_raw_detect_options_init(SpryRawDetectOptions *options);
/* MediaPipe's face_detection_short_range graph settings (6 keypoints,
 * reverse order, scales 128, sigmoid clipped at 100, threshold 0.5,
 * weighted NMS at 0.3). */
void spry_raw_detect_options_face_short_range(SpryRawDetectOptions *options);
/* Regressors [1,A,K] (or [A,K]) and scores [1,A,C] (or [1,A], [A,C]) with A
 * anchors: decodes every box whose best class score passes the threshold,
 * drops boxes with negative or NaN size, then runs NMS. Results best first;
 * index is the best class. Allocates scratch (A detections). */
SpryStatus spry_detect_raw(const SpryTensorView *regressors, const SpryTensorView *scores,
                           const SpryAnchor *anchors, int32_t num_anchors,
                           const SpryRawDetectOptions *options, SpryDetection *out,
                           int32_t capacity, int32_t *out_count, SpryPostError *err);

/* ---- Segmentation ----------------------------------------------------------------- */

/* A class map at the model's output resolution. The caller sets class_map and
 * capacity (bytes); decoders set width, height and num_classes. */
typedef struct SprySegmentation {
  uint8_t *class_map; /* row-major, width * height */
  size_t capacity;
  int32_t width, height;
  int32_t num_classes;
} SprySegmentation;

/* [1,H,W,C] scores of any readable type, 1 < C <= 256: per-pixel
 * argmax, ties to the lower class. */
SpryStatus spry_segment_scores(const SpryTensorView *scores, SprySegmentation *seg,
                               SpryPostError *err);
/* [1,H,W] or [1,H,W,1] uint8/int32/int64 class ids, each in [0, num_classes)
 * (num_classes 0 means 256). */
SpryStatus spry_segment_ids(const SpryTensorView *ids, int32_t num_classes, SprySegmentation *seg,
                            SpryPostError *err);
/* [1,H,W,1] (or [1,H,W]) probability: class 1 where value >= threshold
 * (dequantized first), else 0. */
SpryStatus spry_segment_mask(const SpryTensorView *probability, float threshold,
                             SprySegmentation *seg, SpryPostError *err);

typedef struct SprySegmentOptions {
  float mask_threshold; /* for single-channel probabilities (default 0.5) */
  int32_t num_classes;  /* for class-id maps (default 0: 256) */
} SprySegmentOptions;

void spry_segment_options_init(SprySegmentOptions *options);
/* Picks the decoder from the tensor: several channels → scores; a single
 * channel of integers without quantization → ids; otherwise → mask. */
SpryStatus spry_segment(const SpryTensorView *output, const SprySegmentOptions *options,
                        SprySegmentation *seg, SpryPostError *err);
/* fractions[c] = pixels of class c / all pixels, for c < num_fractions. */
SpryStatus spry_segment_fractions(const SprySegmentation *seg, float *fractions,
                                  int32_t num_fractions, SpryPostError *err);

/* ---- Pose ----------------------------------------------------------------------- */

#define SPRY_MOVENET_KEYPOINTS 17

typedef struct SpryKeypoint {
  float x, y, score; /* normalised to the model input */
} SpryKeypoint;

/* MoveNet single-pose [1,1,K,3] rows of (y, x, score) → K keypoints (17 for
 * MoveNet). */
SpryStatus spry_pose_movenet(const SpryTensorView *output, SpryKeypoint *out, int32_t capacity,
                             int32_t *out_count, SpryPostError *err);

#ifdef __cplusplus
}
#endif

#endif /* SPRY_POSTPROCESS_H */
