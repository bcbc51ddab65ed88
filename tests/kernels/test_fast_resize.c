/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_resize.c — the fast RESIZE_BILINEAR (kernels/fast/
 * resize_bilinear.h) against the reference kernel, both run through the op's
 * registration on the mock context for every kernel variant this CPU runs
 * and 1 to 3 threads: float32, uint8, int8 and int16; up- and downscaling;
 * plain, align_corners and half_pixel_centers positions; 1 to 19 channels
 * and two batches; values at both ends of each type. Every output must be
 * identical to the reference's (the fast path evaluates the same
 * expressions). One case carries an align_corners position past the last
 * pixel, where the integer kernels clamp it (run under ASan in CI).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fast_op_check.h"
#include "kernel_util.h"

extern const SpryOpRegistration spry_op_resize_bilinear;

/* ResizeBilinearOptions field ids (schema.fbs). */
enum { OPT_ALIGN_CORNERS = 2, OPT_HALF_PIXEL = 3 };

typedef enum Positions { POS_PLAIN, POS_ALIGN, POS_HALF_PIXEL, POS_COUNT } Positions;

typedef struct ResizeCase {
  SpryType type;
  int32_t batches, in_h, in_w, channels, out_h, out_w;
  Positions positions;
  uint64_t seed;
} ResizeCase;

static void fill_input(const ResizeCase *c, SpryTensor *in) {
  uint64_t rng = c->seed;
  const size_t count = (size_t)c->batches * (size_t)c->in_h * (size_t)c->in_w * (size_t)c->channels;
  for (size_t i = 0; i < count; i++) {
    /* Every fourth value sits at an end of the range: the largest sums. */
    const int32_t end = fast_op_random_int(&rng, 0, 7);
    switch (c->type) {
      case SPRY_TYPE_FLOAT32:
        ((float *)in->data)[i] = fast_op_random_float(&rng, -100.0f, 100.0f);
        break;
      case SPRY_TYPE_UINT8:
        ((uint8_t *)in->data)[i] =
            (uint8_t)(end == 0 ? 0 : end == 1 ? 255 : fast_op_random_int(&rng, 0, 255));
        break;
      case SPRY_TYPE_INT8:
        ((int8_t *)in->data)[i] = (int8_t)(end == 0   ? INT8_MIN
                                           : end == 1 ? INT8_MAX
                                                      : fast_op_random_int(&rng, -128, 127));
        break;
      default:
        ((int16_t *)in->data)[i] = (int16_t)(end == 0   ? INT16_MIN
                                             : end == 1 ? INT16_MAX
                                                        : fast_op_random_int(&rng, -32768, 32767));
        break;
    }
  }
}

static void build_resize(const ResizeCase *c, FastOpNode *n) {
  memset(n, 0, sizeof *n);
  n->reg = &spry_op_resize_bilinear;
  n->builtin_code = spry_op_resize_bilinear.builtin_code;
  n->version = c->type == SPRY_TYPE_INT16 ? 4 : (c->positions == POS_HALF_PIXEL ? 3 : 2);
  n->num_tensors = 3;
  const int32_t in_dims[4] = {c->batches, c->in_h, c->in_w, c->channels};
  SpryTensor *in = &n->tensors[0], *size = &n->tensors[1], *out = &n->tensors[2];
  fast_op_tensor(in, c->type, 4, in_dims);
  fill_input(c, in);
  if (c->type != SPRY_TYPE_FLOAT32) fast_op_set_quant(in, 0.5f, 0);
  const int32_t size_dims[1] = {2};
  fast_op_tensor(size, SPRY_TYPE_INT32, 1, size_dims);
  size->kind = SPRY_TENSOR_CONSTANT;
  ((int32_t *)size->data)[0] = c->out_h;
  ((int32_t *)size->data)[1] = c->out_w;
  out->type = c->type;
  if (c->type != SPRY_TYPE_FLOAT32) fast_op_set_quant(out, 0.5f, 0);
  mock_options_set(&n->options, OPT_ALIGN_CORNERS, c->positions == POS_ALIGN);
  mock_options_set(&n->options, OPT_HALF_PIXEL, c->positions == POS_HALF_PIXEL);
}

static void check_resize(const ResizeCase *c) {
  FastOpNode n;
  build_resize(c, &n);
  char text[200];
  snprintf(text, sizeof text, "%s %dx%dx%dx%d -> %dx%d positions %d",
           spry_type_name(c->type), (int)c->batches, (int)c->in_h, (int)c->in_w,
           (int)c->channels, (int)c->out_h, (int)c->out_w, (int)c->positions);
  fast_op_check(&n, true, 0.0, 3, text);
  free(n.tensors[0].data);
  free(n.tensors[1].data);
}

static const SpryType k_types[] = {SPRY_TYPE_FLOAT32, SPRY_TYPE_UINT8, SPRY_TYPE_INT8,
                                   SPRY_TYPE_INT16};
#define NUM_TYPES (sizeof k_types / sizeof k_types[0])

/* Input and output sizes: up by whole and fractional factors, down, to and
 * from one pixel, unchanged. */
static const int32_t k_sizes[][4] = {
    {3, 4, 7, 9}, {5, 5, 3, 2}, {1, 1, 4, 3}, {4, 6, 1, 1}, {8, 8, 8, 8}, {2, 3, 9, 13},
    {7, 3, 16, 5},
};
#define NUM_SIZES (sizeof k_sizes / sizeof k_sizes[0])

static void test_sweep(void **state) {
  (void)state;
  int32_t index = 0;
  for (size_t t = 0; t < NUM_TYPES; t++)
    for (size_t s = 0; s < NUM_SIZES; s++)
      for (int pos = 0; pos < POS_COUNT; pos++, index++) {
        const ResizeCase c = {.type = k_types[t],
                              .batches = 1 + index % 2,
                              .in_h = k_sizes[s][0],
                              .in_w = k_sizes[s][1],
                              .channels = 1 + (index * 5) % 19,
                              .out_h = k_sizes[s][2],
                              .out_w = k_sizes[s][3],
                              .positions = (Positions)pos,
                              .seed = UINT64_C(0x7E51) + (uint64_t)index * 7919};
        check_resize(&c);
      }
}

/* 2 pixels to 2049 with align_corners: the integer scale rounds 1024 * 1 /
 * 2048 up to 1, so the last position is 2048 = 1024 * 2, past the last
 * pixel. Both kernels clamp it and give that pixel's value; along the
 * height of the last image, reading past it would leave the buffer. */
static void test_position_past_last_pixel(void **state) {
  (void)state;
  for (size_t t = 0; t < NUM_TYPES; t++)
    for (int axis = 0; axis < 2; axis++) {
      const ResizeCase c = {.type = k_types[t], .batches = 2, .in_h = 2, .in_w = 2,
                            .channels = 3, .out_h = axis == 0 ? 2049 : 3,
                            .out_w = axis == 0 ? 3 : 2049, .positions = POS_ALIGN,
                            .seed = UINT64_C(0xA11)};
      check_resize(&c);
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sweep),
      cmocka_unit_test(test_position_past_last_pixel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
