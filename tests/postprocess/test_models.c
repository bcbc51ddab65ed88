/* SPDX-License-Identifier: Apache-2.0 */
/* test_models.c — end to end: real models run by libspry, their outputs decoded by the post-processing library. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spry/spry.h>

#include "pp_test.h"

/* Inputs are the pre-resized images of the whole-model goldens
 * (tests/data/goldens/<model>/input_0.bin, written with pillow by
 * tools/goldens/make_goldens.py): grace_hopper.bmp at 300x300 for SSD, a
 * crop of her face at 128x128 in [-1,1] for the face detector,
 * dog_segmentation_256.bmp at 513x513 for DeepLab. */

typedef struct ModelRun {
  SpryModel *model;
  SpryInterpreter *interp;
} ModelRun;

static char *read_file(const char *path, size_t *out_size)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return NULL;
  char *data = NULL;
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    data = malloc((size_t)size + 1);
    if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
      free(data);
      data = NULL;
    }
  }
  fclose(f);
  *out_size = size < 0 ? 0 : (size_t)size;
  return data;
}

/* Opens $SPRY_SHARED_DIR/models/<name>.tflite, loads the golden input and invokes. */
static void model_run(const char *name, ModelRun *run)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/models/%s.tflite", getenv("SPRY_SHARED_DIR"), name);
  assert_int_equal(spry_model_open_file(path, &run->model), SPRY_OK);
  assert_int_equal(spry_interpreter_new(run->model, NULL, &run->interp), SPRY_OK);
  snprintf(path, sizeof path, "%s/goldens/%s/input_0.bin", getenv("SPRY_TEST_DATA"), name);
  size_t size = 0;
  char *input = read_file(path, &size);
  assert_non_null(input);
  SpryTensor *in = spry_interpreter_input(run->interp, 0);
  assert_int_equal(size, spry_tensor_byte_size(in));
  memcpy(spry_tensor_data(in), input, size);
  free(input);
  assert_int_equal(spry_interpreter_invoke(run->interp), SPRY_OK);
}

static void model_free(ModelRun *run)
{
  spry_interpreter_free(run->interp);
  spry_model_free(run->model);
}

static SpryTensorView output_view(const ModelRun *run, int32_t index)
{
  const SpryTensor *t = spry_interpreter_output(run->interp, index);
  SpryTensorView v;
  memset(&v, 0, sizeof v);
  assert_non_null(t);
  assert_int_equal(spry_tensor_info(t, &v.info), SPRY_OK);
  v.data = spry_tensor_data_const(t);
  v.bytes = spry_tensor_byte_size(t);
  return v;
}

/* Line `index` (0-based) of a labels file. */
static void label_line(const char *file, int32_t index, char *out, size_t size)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/models/%s", getenv("SPRY_SHARED_DIR"), file);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  out[0] = '\0';
  for (int32_t i = 0; i <= index && fgets(out, (int)size, f) != NULL; i++)
    if (i == index)
      out[strcspn(out, "\r\n")] = '\0';
  fclose(f);
}

static void test_ssd_person(void **state)
{
  (void)state;
  ModelRun run;
  model_run("ssd_mobilenet_v1_coco_quant", &run);
  SpryTensorView outs[4];
  for (int32_t i = 0; i < 4; i++)
    outs[i] = output_view(&run, i);
  SprySsdOutputs which;
  SpryPostError err;
  assert_int_equal(spry_ssd_identify(outs, 4, &which, &err), SPRY_OK);
  assert_true(which.boxes == 0 && which.classes == 1 && which.scores == 2 && which.count == 3);
  SprySsdOptions o;
  spry_ssd_options_init(&o);
  o.label_offset = 1; /* coco_labels.txt starts with "???" */
  SpryDetection d[10];
  int32_t n = 0;
  assert_int_equal(spry_detect_ssd(&outs[which.boxes], &outs[which.classes], &outs[which.scores],
                                   &outs[which.count], &o, d, 10, &n, &err),
                   SPRY_OK);
  assert_true(n >= 1);
  char label[64];
  label_line("coco_labels.txt", d[0].index, label, sizeof label);
  assert_string_equal(label, "person");
  assert_true(d[0].score > 0.5f);
  /* Reference box (ymin 0.054, xmin -0.009, ymax 0.985, xmax 1.014), clamped. */
  assert_float_equal(d[0].x, 0.0f, 0.02f);
  assert_float_equal(d[0].y, 0.054f, 0.02f);
  assert_float_equal(d[0].w, 1.0f, 0.02f);
  assert_float_equal(d[0].h, 0.931f, 0.02f);
  model_free(&run);
}

static void test_face_detection(void **state)
{
  (void)state;
  ModelRun run;
  model_run("face_detection_short_range_float", &run);
  SpryTensorView reg = output_view(&run, 0), scores = output_view(&run, 1);
  SpryAnchorOptions ao;
  spry_anchor_options_face_short_range(&ao);
  SpryAnchor anchors[896];
  int32_t na = 0;
  SpryPostError err;
  assert_int_equal(spry_anchors_generate(&ao, anchors, 896, &na, &err), SPRY_OK);
  SpryRawDetectOptions o;
  spry_raw_detect_options_face_short_range(&o);
  SpryDetection d[8];
  int32_t n = 0;
  assert_int_equal(spry_detect_raw(&reg, &scores, anchors, na, &o, d, 8, &n, &err), SPRY_OK);
  /* Expected: ai_edge_litert (BUILTIN_REF) outputs decoded by a Python
   * transcription of MediaPipe's decode and weighted NMS: one face, score
   * 0.9232, box (0.1223, 0.3214, 0.6461, 0.6461), right eye (0.3239, 0.5030),
   * left eye (0.5952, 0.5000). */
  assert_int_equal(n, 1);
  assert_true(d[0].score > 0.5f);
  assert_float_equal(d[0].score, 0.9232f, 0.02f);
  assert_float_equal(d[0].x, 0.1223f, 0.02f);
  assert_float_equal(d[0].y, 0.3214f, 0.02f);
  assert_float_equal(d[0].w, 0.6461f, 0.02f);
  assert_float_equal(d[0].h, 0.6461f, 0.02f);
  assert_int_equal(d[0].num_keypoints, 6);
  assert_float_equal(d[0].keypoints[0], 0.3239f, 0.02f);
  assert_float_equal(d[0].keypoints[1], 0.5030f, 0.02f);
  assert_float_equal(d[0].keypoints[2], 0.5952f, 0.02f);
  assert_float_equal(d[0].keypoints[3], 0.5000f, 0.02f);
  model_free(&run);
}

static void test_deeplab_dog(void **state)
{
  (void)state;
  ModelRun run;
  model_run("deeplabv3_mnv2_pascal_quant", &run);
  SpryTensorView out = output_view(&run, 0); /* ArgMax [1,513,513] int64 */
  uint8_t *map = malloc(513 * 513);
  assert_non_null(map);
  SprySegmentation seg = {map, 513 * 513, 0, 0, 0};
  SprySegmentOptions o;
  spry_segment_options_init(&o);
  o.num_classes = 21;
  SpryPostError err;
  assert_int_equal(spry_segment(&out, &o, &seg, &err), SPRY_OK);
  assert_int_equal(seg.width, 513);
  assert_int_equal(seg.height, 513);
  float frac[21];
  assert_int_equal(spry_segment_fractions(&seg, frac, 21, &err), SPRY_OK);
  char label[64];
  label_line("pascal_voc_labels.txt", 12, label, sizeof label);
  assert_string_equal(label, "dog");
  assert_true(frac[12] > 0.20f); /* the reference gives 0.552 */
  assert_float_equal(frac[12], 0.552f, 0.01f);
  free(map);
  model_free(&run);
}

int main(void)
{
  const char *shared = getenv("SPRY_SHARED_DIR");
  char probe[1024];
  snprintf(probe, sizeof probe, "%s/models/ssd_mobilenet_v1_coco_quant.tflite",
           shared != NULL ? shared : "");
  FILE *f = shared != NULL && getenv("SPRY_TEST_DATA") != NULL ? fopen(probe, "rb") : NULL;
  if (f == NULL) {
    fprintf(stderr, "skipped: shared models not found (SPRY_SHARED_DIR)\n");
    return 77;
  }
  fclose(f);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ssd_person),
    cmocka_unit_test(test_face_detection),
    cmocka_unit_test(test_deeplab_dog),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
