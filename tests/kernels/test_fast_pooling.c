/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fast_pooling.c — the fast AVERAGE_POOL_2D, MAX_POOL_2D (kernels/fast/
 * pooling.h) and MEAN / SUM over height and width (kernels/fast/mean.h)
 * against the reference kernels, both run through the ops' registrations
 * on the mock context for every kernel variant this CPU runs and 1 to 3
 * threads. Every channel count from 1 to 67 (all vector tails) meets filter
 * sizes 1..5, strides 1..3, both paddings, every fused activation, batches 1
 * and 2 and extreme quantization; MEAN meets both keep_dims, every way of
 * naming the axes and scale ratios above and below 1. The fast paths
 * reproduce the reference exactly, floats included, so every output must
 * match bit for bit (any NaN for a NaN). Nodes the fast paths do not cover
 * must keep the reference kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fast_op_check.h"
#include "kernel_util.h"
#include "quantization.h"

extern const SpryOpRegistration spry_op_average_pool_2d;
extern const SpryOpRegistration spry_op_max_pool_2d;
extern const SpryOpRegistration spry_op_l2_pool_2d;
extern const SpryOpRegistration spry_op_mean;
extern const SpryOpRegistration spry_op_sum;

/* Pool2DOptions field ids (schema.fbs). */
enum { OPT_PADDING, OPT_STRIDE_W, OPT_STRIDE_H, OPT_FILTER_W, OPT_FILTER_H, OPT_ACTIVATION };
/* ReducerOptions field id (schema.fbs). */
enum { OPT_KEEP_DIMS = 0 };

/* How input values are drawn. */
typedef enum Data { DATA_RANDOM, DATA_LOWEST, DATA_HIGHEST, DATA_SPECIAL } Data;

/* ---- Input data ----------------------------------------------------------------- */

static void type_range(SpryType type, int32_t *lo, int32_t *hi) {
  *lo = type == SPRY_TYPE_INT8 ? INT8_MIN : type == SPRY_TYPE_INT16 ? INT16_MIN : 0;
  *hi = type == SPRY_TYPE_INT8 ? INT8_MAX : type == SPRY_TYPE_INT16 ? INT16_MAX : UINT8_MAX;
}

/* Floats: random in [-4, 4], or with NaN, infinities, -0 and huge values
 * among them (DATA_SPECIAL). */
static float float_value(uint64_t *rng, Data data) {
  static const float specials[] = {NAN, INFINITY, -INFINITY, -0.0f, FLT_MAX, -FLT_MAX, 0.0f};
  if (data == DATA_SPECIAL && fast_op_random_int(rng, 0, 7) == 0)
    return specials[fast_op_random_int(rng, 0, 6)];
  return fast_op_random_float(rng, -4.0f, 4.0f);
}

static void fill(SpryTensor *t, Data data, uint64_t *rng) {
  const size_t n = spry_tensor_elements(t);
  int32_t lo = 0, hi = 0;
  type_range(t->type, &lo, &hi);
  for (size_t i = 0; i < n; i++) {
    if (t->type == SPRY_TYPE_FLOAT32) {
      ((float *)t->data)[i] = float_value(rng, data);
      continue;
    }
    if (t->type == SPRY_TYPE_INT32) {
      ((int32_t *)t->data)[i] = fast_op_random_int(rng, -1000, 1000);
      continue;
    }
    const int32_t v = data == DATA_LOWEST    ? lo
                      : data == DATA_HIGHEST ? hi
                                             : fast_op_random_int(rng, lo, hi);
    if (t->type == SPRY_TYPE_UINT8)
      ((uint8_t *)t->data)[i] = (uint8_t)v;
    else if (t->type == SPRY_TYPE_INT8)
      ((int8_t *)t->data)[i] = (int8_t)v;
    else
      ((int16_t *)t->data)[i] = (int16_t)v;
  }
}

static void free_inputs(FastOpNode *n) {
  for (int32_t i = 0; i < n->num_tensors - 1; i++) free(n->tensors[i].data);
}

/* Zero points at the ends of the range and between. */
static int32_t pick_zero_point(SpryType type, int32_t pick, uint64_t *rng) {
  int32_t lo = 0, hi = 0;
  type_range(type, &lo, &hi);
  switch (pick % 4) {
    case 0:
      return lo;
    case 1:
      return hi;
    case 2:
      return (lo + hi + 1) / 2;
    default:
      return fast_op_random_int(rng, lo, hi);
  }
}

/* ---- Pooling ------------------------------------------------------------------------ */

typedef struct PoolCase {
  SpryType type;
  bool average;
  int32_t batch, height, width, channels;
  int32_t filter_h, filter_w, stride_h, stride_w, padding, activation;
  float scale;
  int32_t zero_point;
  Data data;
  uint64_t seed;
} PoolCase;

static void build_pool(const PoolCase *c, FastOpNode *n, const SpryOpRegistration *reg) {
  memset(n, 0, sizeof *n);
  n->reg = reg;
  n->builtin_code = reg->builtin_code;
  n->version = c->type == SPRY_TYPE_INT8 ? 2 : c->type == SPRY_TYPE_INT16 ? 3 : 1;
  n->num_tensors = 2;
  const int32_t dims[4] = {c->batch, c->height, c->width, c->channels};
  fast_op_tensor(&n->tensors[0], c->type, 4, dims);
  uint64_t rng = c->seed;
  fill(&n->tensors[0], c->data, &rng);
  n->tensors[1].type = c->type;
  if (c->type != SPRY_TYPE_FLOAT32) {
    fast_op_set_quant(&n->tensors[0], c->scale, c->zero_point);
    fast_op_set_quant(&n->tensors[1], c->scale, c->zero_point);
  }
  mock_options_set(&n->options, OPT_PADDING, c->padding);
  mock_options_set(&n->options, OPT_STRIDE_W, c->stride_w);
  mock_options_set(&n->options, OPT_STRIDE_H, c->stride_h);
  mock_options_set(&n->options, OPT_FILTER_W, c->filter_w);
  mock_options_set(&n->options, OPT_FILTER_H, c->filter_h);
  mock_options_set(&n->options, OPT_ACTIVATION, c->activation);
}

static void describe_pool(const PoolCase *c, char *text, size_t size) {
  snprintf(text, size,
           "%s %s pool %dx%dx%dx%d filter %dx%d stride %dx%d %s act %d scale %g zp %d data %d",
           spry_type_name(c->type), c->average ? "average" : "max", (int)c->batch, (int)c->height,
           (int)c->width, (int)c->channels, (int)c->filter_h, (int)c->filter_w, (int)c->stride_h,
           (int)c->stride_w, c->padding == SPRY_PADDING_SAME ? "SAME" : "VALID",
           (int)c->activation, (double)c->scale, (int)c->zero_point, (int)c->data);
}

static void check_pool(const PoolCase *c, bool fast, int32_t max_threads) {
  FastOpNode n;
  build_pool(c, &n, c->average ? &spry_op_average_pool_2d : &spry_op_max_pool_2d);
  char text[256];
  describe_pool(c, text, sizeof text);
  fast_op_check(&n, fast, 0.0, max_threads, text);
  free_inputs(&n);
}

/* A case from its index in the sweep: the channel count in full, the rest
 * cycled with co-prime periods so that every value meets every other. */
static PoolCase pool_case(SpryType type, bool average, int32_t channels, int32_t index) {
  static const int32_t filters[][2] = {{1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5},
                                       {1, 5}, {5, 1}, {2, 3}, {3, 2}, {4, 5}};
  static const int32_t images[][2] = {{7, 9}, {1, 1}, {5, 13}, {4, 6}, {11, 3}, {2, 2}, {9, 9},
                                      {6, 1}, {13, 7}, {3, 10}, {8, 8}, {1, 7}, {10, 5}};
  static const int32_t activations[] = {SPRY_ACTIVATION_NONE, SPRY_ACTIVATION_RELU,
                                        SPRY_ACTIVATION_RELU_N1_TO_1, SPRY_ACTIVATION_RELU6};
  /* Tiny scales put the activation bounds past the type's range, large
   * ones a few steps from the zero point. */
  static const float scales[] = {1.0f / 256, 0.05f, 0.5f, 3.0f, 1e-6f};
  PoolCase c = {.type = type, .average = average, .channels = channels};
  c.filter_h = filters[index % 10][0];
  c.filter_w = filters[index % 10][1];
  c.stride_h = 1 + index % 3;
  c.stride_w = 1 + (index / 3) % 3;
  c.padding = (index / 5) % 2 ? SPRY_PADDING_VALID : SPRY_PADDING_SAME;
  c.activation = activations[(index / 7) % 4];
  c.batch = 1 + (index / 11) % 2;
  c.height = images[index % 13][0];
  c.width = images[index % 13][1];
  if (c.padding == SPRY_PADDING_VALID) {
    c.height = c.height < c.filter_h ? c.filter_h : c.height;
    c.width = c.width < c.filter_w ? c.filter_w : c.width;
  }
  c.seed = UINT64_C(0x9001) + (uint64_t)index * 7919 + (uint64_t)channels;
  const int32_t d = (index / 2) % 5;
  c.data = d == 3 ? (type == SPRY_TYPE_FLOAT32 ? DATA_SPECIAL : DATA_LOWEST)
           : d == 4 ? (type == SPRY_TYPE_FLOAT32 ? DATA_RANDOM : DATA_HIGHEST)
                    : DATA_RANDOM;
  uint64_t rng = c.seed ^ UINT64_C(0x5A5A);
  c.scale = scales[(index / 4) % 5];
  c.zero_point = type == SPRY_TYPE_FLOAT32 ? 0 : pick_zero_point(type, index / 6, &rng);
  return c;
}

static void pool_sweep(SpryType type, bool average) {
  int32_t index = 0;
  for (int32_t channels = 1; channels <= 67; channels++)
    for (int32_t k = 0; k < 6; k++, index++) {
      const PoolCase c = pool_case(type, average, channels, index);
      check_pool(&c, true, 3);
    }
}

static void test_average_f32(void **state) {
  (void)state;
  pool_sweep(SPRY_TYPE_FLOAT32, true);
}

static void test_average_s8(void **state) {
  (void)state;
  pool_sweep(SPRY_TYPE_INT8, true);
}

static void test_average_u8(void **state) {
  (void)state;
  pool_sweep(SPRY_TYPE_UINT8, true);
}

static void test_max_f32(void **state) {
  (void)state;
  pool_sweep(SPRY_TYPE_FLOAT32, false);
}

static void test_max_s8(void **state) {
  (void)state;
  pool_sweep(SPRY_TYPE_INT8, false);
}

static void test_max_u8(void **state) {
  (void)state;
  pool_sweep(SPRY_TYPE_UINT8, false);
}

/* The largest average window the 8-bit fast path takes (65535 pixels, all
 * at the type's extreme: the float division must stay exact), one pixel
 * more for the reference, and the same windows on floats and maxima. */
static void test_largest_windows(void **state) {
  (void)state;
  static const SpryType types[] = {SPRY_TYPE_INT8, SPRY_TYPE_UINT8, SPRY_TYPE_FLOAT32};
  for (int t = 0; t < 3; t++)
    for (int data = DATA_LOWEST; data <= DATA_HIGHEST; data++)
      for (int average = 0; average < 2; average++) {
        PoolCase c = pool_case(types[t], average, 9, 0);
        c.filter_h = c.height = 255;
        c.filter_w = c.width = 257;
        c.stride_h = c.stride_w = 1;
        c.padding = SPRY_PADDING_VALID;
        c.activation = SPRY_ACTIVATION_NONE;
        c.data = (Data)data;
        check_pool(&c, true, 2);
        c.filter_h = c.height = 256;
        c.filter_w = c.width = 256;
        check_pool(&c, !average || types[t] == SPRY_TYPE_FLOAT32, 1);
      }
}

/* A window far larger than the image (SAME padding, huge filter and
 * stride): one output covering every pixel; the window arithmetic must not
 * overflow (UBSan watches). */
static void test_huge_window(void **state) {
  (void)state;
  static const SpryType types[] = {SPRY_TYPE_FLOAT32, SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  for (int t = 0; t < 3; t++)
    for (int average = 0; average < 2; average++) {
      PoolCase c = pool_case(types[t], average, 19, 3);
      c.padding = SPRY_PADDING_SAME;
      c.filter_h = c.filter_w = 1 << 30;
      c.stride_h = c.stride_w = INT32_MAX;
      /* 8-bit averages over more than 65535 pixels keep the reference. */
      check_pool(&c, !average || types[t] == SPRY_TYPE_FLOAT32, 3);
    }
}

/* int16 and L2 pooling keep the reference kernels. */
static void test_pool_fallbacks(void **state) {
  (void)state;
  for (int average = 0; average < 2; average++) {
    PoolCase c = pool_case(SPRY_TYPE_INT16, average, 9, 1);
    c.zero_point = 0;
    check_pool(&c, false, 2);
  }
  const PoolCase c = pool_case(SPRY_TYPE_FLOAT32, false, 9, 1);
  FastOpNode n;
  build_pool(&c, &n, &spry_op_l2_pool_2d);
  fast_op_check(&n, false, 0.0, 2, "f32 L2 pool");
  free_inputs(&n);
}

/* ---- MEAN and SUM ---------------------------------------------------------------- */

typedef struct MeanCase {
  SpryType type;
  bool sum;
  bool quantized; /* SUM of 8-bit values: quantized (else raw integers) */
  int32_t rank, dims[4];
  int32_t axes[4], num_axes;
  bool keep_dims;
  float in_scale, out_scale;
  int32_t in_zp, out_zp;
  Data data;
  uint64_t seed;
} MeanCase;

static void build_mean(const MeanCase *c, FastOpNode *n) {
  memset(n, 0, sizeof *n);
  n->reg = c->sum ? &spry_op_sum : &spry_op_mean;
  n->builtin_code = n->reg->builtin_code;
  n->version = c->type == SPRY_TYPE_INT8 ? 2 : c->type == SPRY_TYPE_INT16 ? 3 : 1;
  if (c->sum && c->type == SPRY_TYPE_INT16) n->version = 2;
  n->num_tensors = 3;
  fast_op_tensor(&n->tensors[0], c->type, c->rank, c->dims);
  uint64_t rng = c->seed;
  fill(&n->tensors[0], c->data, &rng);
  const int32_t axis_dims[1] = {c->num_axes};
  fast_op_tensor(&n->tensors[1], SPRY_TYPE_INT32, 1, axis_dims);
  n->tensors[1].kind = SPRY_TENSOR_CONSTANT;
  memcpy(n->tensors[1].data, c->axes, (size_t)c->num_axes * sizeof(int32_t));
  n->tensors[2].type = c->type;
  const bool small = c->type != SPRY_TYPE_FLOAT32 && c->type != SPRY_TYPE_INT32;
  if (small && (!c->sum || c->quantized)) {
    fast_op_set_quant(&n->tensors[0], c->in_scale, c->in_zp);
    fast_op_set_quant(&n->tensors[2], c->out_scale, c->out_zp);
  }
  mock_options_set(&n->options, OPT_KEEP_DIMS, c->keep_dims);
}

static void describe_mean(const MeanCase *c, char *text, size_t size) {
  int at = snprintf(text, size, "%s %s rank %d [", spry_type_name(c->type), c->sum ? "SUM" : "MEAN",
                    (int)c->rank);
  for (int32_t i = 0; i < c->rank && at > 0 && (size_t)at < size; i++)
    at += snprintf(text + at, size - (size_t)at, " %d", (int)c->dims[i]);
  if (at > 0 && (size_t)at < size)
    snprintf(text + at, size - (size_t)at,
             " ] %d axes (%d %d ...) keep %d scales %g/%g zp %d/%d data %d", (int)c->num_axes, (int)c->axes[0], (int)c->axes[1], (int)c->keep_dims,
             (double)c->in_scale, (double)c->out_scale, (int)c->in_zp, (int)c->out_zp,
             (int)c->data);
}

static void check_mean(const MeanCase *c, bool fast, int32_t max_threads) {
  FastOpNode n;
  build_mean(c, &n);
  char text[256];
  describe_mean(c, text, sizeof text);
  fast_op_check(&n, fast, 0.0, max_threads, text);
  free_inputs(&n);
}

/* Axis lists that all name {1, 2}. */
static void set_spatial_axes(MeanCase *c, int32_t form) {
  static const int32_t forms[][3] = {{1, 2, 0}, {2, 1, 0}, {-3, -2, 0}, {2, 1, 2}};
  c->num_axes = form % 4 == 3 ? 3 : 2;
  for (int32_t i = 0; i < c->num_axes; i++) c->axes[i] = forms[form % 4][i];
}

static MeanCase mean_case(SpryType type, bool sum, int32_t channels, int32_t index) {
  static const int32_t images[][2] = {{7, 7}, {1, 1}, {3, 5}, {2, 9}, {9, 2}, {4, 4}, {13, 11}};
  /* input_scale / output_scale: below and above 1, and the extremes of the
   * fixed-point multiplier. */
  static const double ratios[] = {0.3, 1.0, 3.7, 1.0 / 40, 50.0, 1e-9, 1e6};
  MeanCase c = {.type = type, .sum = sum, .quantized = true, .rank = 4};
  c.dims[0] = 1 + (index / 3) % 2;
  c.dims[1] = images[index % 7][0];
  c.dims[2] = images[index % 7][1];
  c.dims[3] = channels;
  set_spatial_axes(&c, index / 2);
  c.keep_dims = index % 2;
  c.seed = UINT64_C(0x3EA7) + (uint64_t)index * 104729 + (uint64_t)channels;
  uint64_t rng = c.seed ^ UINT64_C(0xC0FFEE);
  const int32_t d = (index / 5) % 5;
  c.data = d == 3 ? (type == SPRY_TYPE_FLOAT32 ? DATA_SPECIAL : DATA_LOWEST)
           : d == 4 ? (type == SPRY_TYPE_FLOAT32 ? DATA_RANDOM : DATA_HIGHEST)
                    : DATA_RANDOM;
  c.in_scale = (index / 4) % 2 ? 0.02f : 0.5f;
  c.out_scale = (float)((double)c.in_scale / ratios[(index / 3) % 7]);
  if (type != SPRY_TYPE_FLOAT32) {
    c.in_zp = pick_zero_point(type, index, &rng);
    c.out_zp = pick_zero_point(type, index / 4 + 1, &rng);
  }
  return c;
}

static void mean_sweep(SpryType type, bool sum) {
  int32_t index = 0;
  for (int32_t channels = 1; channels <= 67; channels++)
    for (int32_t k = 0; k < 4; k++, index++) {
      const MeanCase c = mean_case(type, sum, channels, index);
      check_mean(&c, true, 3);
    }
}

static void test_mean_f32(void **state) {
  (void)state;
  mean_sweep(SPRY_TYPE_FLOAT32, false);
}

static void test_mean_s8(void **state) {
  (void)state;
  mean_sweep(SPRY_TYPE_INT8, false);
}

static void test_mean_u8(void **state) {
  (void)state;
  mean_sweep(SPRY_TYPE_UINT8, false);
}

static void test_sum(void **state) {
  (void)state;
  mean_sweep(SPRY_TYPE_FLOAT32, true);
  mean_sweep(SPRY_TYPE_INT8, true);
  mean_sweep(SPRY_TYPE_UINT8, true);
}

/* tf2_mobilenet_v2's MEAN: int8 7x7x1280 with other output quantization. */
static void test_mean_classifier_head(void **state) {
  (void)state;
  MeanCase c = mean_case(SPRY_TYPE_INT8, false, 1280, 0);
  c.dims[0] = 1;
  c.keep_dims = false;
  c.in_scale = 0.0235294f;
  c.in_zp = -128;
  c.out_scale = 0.0117647f;
  c.out_zp = -128;
  c.data = DATA_RANDOM;
  check_mean(&c, true, 3);
}

/* The largest image whose 8-bit sums the fast path takes (2^23 pixels, all
 * at the type's extreme), and one row more for the reference. */
static void test_mean_largest_image(void **state) {
  (void)state;
  for (int t = 0; t < 2; t++) {
    const SpryType type = t ? SPRY_TYPE_UINT8 : SPRY_TYPE_INT8;
    MeanCase c = mean_case(type, false, 1, 1);
    c.dims[0] = 1;
    c.dims[1] = 2048;
    c.dims[2] = 4096;
    c.data = t ? DATA_HIGHEST : DATA_LOWEST;
    check_mean(&c, true, 1);
    c.dims[1] = 2049;
    check_mean(&c, false, 1);
  }
}

/* Other axes, ranks and types, raw integer sums and empty tensors keep the
 * reference kernels. */
static void test_mean_fallbacks(void **state) {
  (void)state;
  MeanCase c = mean_case(SPRY_TYPE_INT8, false, 9, 2);
  c.num_axes = 1; /* height only */
  c.axes[0] = 1;
  check_mean(&c, false, 2);
  c = mean_case(SPRY_TYPE_FLOAT32, false, 9, 2);
  c.num_axes = 3; /* height, width and channels */
  c.axes[2] = 3;
  check_mean(&c, false, 2);
  c = mean_case(SPRY_TYPE_UINT8, false, 9, 2);
  c.rank = 3; /* [b, h, w] over 1, 2 */
  check_mean(&c, false, 2);
  c = mean_case(SPRY_TYPE_INT16, false, 9, 2);
  c.in_zp = c.out_zp = 0;
  check_mean(&c, false, 2);
  c = mean_case(SPRY_TYPE_UINT8, true, 9, 2);
  c.quantized = false; /* raw uint8 SUM */
  check_mean(&c, false, 2);
  c = mean_case(SPRY_TYPE_INT32, true, 9, 2);
  check_mean(&c, false, 2);
  c = mean_case(SPRY_TYPE_INT8, false, 9, 2);
  c.dims[1] = 0; /* no pixels */
  check_mean(&c, false, 2);
}

/* ---- The checks themselves ------------------------------------------------------------ */

/* Exact float comparison: one unit in the last place is a difference, NaN
 * matches only NaN. */
static void test_compare_catches_differences(void **state) {
  (void)state;
  char why[200];
  const float want[3] = {1.0f, -100.0f, NAN};
  float got[3] = {1.0f, -100.0f, NAN};
  assert_true(fast_op_outputs_match(SPRY_TYPE_FLOAT32, got, want, sizeof want, 0.0, why,
                                    sizeof why));
  got[0] = nextafterf(1.0f, 2.0f);
  assert_false(fast_op_outputs_match(SPRY_TYPE_FLOAT32, got, want, sizeof want, 0.0, why,
                                     sizeof why));
  got[0] = 1.0f;
  got[2] = 0.0f;
  assert_false(fast_op_outputs_match(SPRY_TYPE_FLOAT32, got, want, sizeof want, 0.0, why,
                                     sizeof why));
  const uint8_t want_q[3] = {1, 2, 3}, got_q[3] = {1, 2, 4};
  assert_false(fast_op_outputs_match(SPRY_TYPE_INT8, got_q, want_q, 3, 0.0, why, sizeof why));
}

/* A fast output with one value changed is caught. */
static void test_corrupted_fast_output_fails(void **state) {
  (void)state;
  static const SpryType types[] = {SPRY_TYPE_FLOAT32, SPRY_TYPE_INT8, SPRY_TYPE_UINT8};
  for (int t = 0; t < 3; t++)
    for (int op = 0; op < 3; op++) {
      FastOpNode n;
      if (op < 2) {
        const PoolCase c = pool_case(types[t], op == 0, 19, 12);
        build_pool(&c, &n, op == 0 ? &spry_op_average_pool_2d : &spry_op_max_pool_2d);
      } else {
        const MeanCase c = mean_case(types[t], false, 19, 12);
        build_mean(&c, &n);
      }
      FastOpRun want, got;
      char why[200];
      fast_op_run(&n, SPRY_ISA_REFERENCE, 1, &want);
      fast_op_run(&n, SPRY_ISA_PORTABLE, 3, &got);
      assert_true(got.parallel_loops > 0);
      assert_true(fast_op_outputs_match(types[t], got.output, want.output, want.bytes, 0.0, why,
                                        sizeof why));
      if (types[t] == SPRY_TYPE_FLOAT32)
        ((float *)got.output)[got.bytes / sizeof(float) / 2] += 0.5f;
      else
        got.output[got.bytes / 2] ^= 1;
      assert_false(fast_op_outputs_match(types[t], got.output, want.output, want.bytes, 0.0,
                                         why, sizeof why));
      free(want.output);
      free(got.output);
      free_inputs(&n);
    }
}

int main(void) {
  static const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compare_catches_differences),
      cmocka_unit_test(test_corrupted_fast_output_fails),
      cmocka_unit_test(test_average_f32),
      cmocka_unit_test(test_average_s8),
      cmocka_unit_test(test_average_u8),
      cmocka_unit_test(test_max_f32),
      cmocka_unit_test(test_max_s8),
      cmocka_unit_test(test_max_u8),
      cmocka_unit_test(test_largest_windows),
      cmocka_unit_test(test_huge_window),
      cmocka_unit_test(test_pool_fallbacks),
      cmocka_unit_test(test_mean_f32),
      cmocka_unit_test(test_mean_s8),
      cmocka_unit_test(test_mean_u8),
      cmocka_unit_test(test_sum),
      cmocka_unit_test(test_mean_classifier_head),
      cmocka_unit_test(test_mean_largest_image),
      cmocka_unit_test(test_mean_fallbacks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
